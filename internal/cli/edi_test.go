package cli

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"rcmguard/internal/sharedtest"
	"strings"
	"testing"

	"rcmguard/internal/x12"
)

// ediSample is a public X12 sample from ../shared/testdata/x12 beside the
// repository; the test skips with a hint where that is absent.
func ediSample(t *testing.T, name string) string {
	t.Helper()
	return sharedtest.Path(t, "x12/"+name)
}

func runCLI(args ...string) (status int, stdout, stderr string) {
	var out, errb bytes.Buffer
	status = Main(args, strings.NewReader(""), &out, &errb)
	return status, out.String(), errb.String()
}

func TestEDIInspectJSON(t *testing.T) {
	valid := ediSample(t, "imsweb/837_5010/x12_valid.txt")
	multi := ediSample(t, "imsweb/837_5010/x12_multiple_isa.txt")
	remit := ediSample(t, "pyx12/835_mult_loops.txt")
	status, out, errs := runCLI("edi", "inspect", valid, multi, remit, "--format", "json")
	if status != exitOK {
		t.Fatalf("status %d; want %d; stderr %s", status, exitOK, errs)
	}
	var rep struct {
		Format string `json:"format"`
		Files  []struct {
			Path         string `json:"path"`
			Interchanges []struct {
				Sender struct{ Qualifier, ID string } `json:"sender"`
				Usage  string                         `json:"usage"`
				Groups []struct {
					Transactions []struct {
						Type string `json:"type"`
					} `json:"transactions"`
				} `json:"groups"`
			} `json:"interchanges"`
			Findings []struct {
				Check    string `json:"check"`
				Severity string `json:"severity"`
				Segment  int    `json:"segment"`
				Offset   int64  `json:"offset"`
				Message  string `json:"message"`
			} `json:"findings"`
		} `json:"files"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, out)
	}
	if rep.Format != x12.ReportFormat || len(rep.Files) != 3 {
		t.Fatalf("format %q with %d files; want %q with 3", rep.Format, len(rep.Files), x12.ReportFormat)
	}
	if f := rep.Files[1]; f.Path != multi || len(f.Interchanges) != 2 || f.Interchanges[1].Usage != "T" ||
		f.Interchanges[0].Sender.ID != "SUBMITTERS.ID" || f.Interchanges[0].Groups[0].Transactions[0].Type != "837" {
		t.Errorf("second file %+v", f)
	}
	if got := rep.Files[2].Interchanges[0].Groups[0].Transactions[0].Type; got != "835" {
		t.Errorf("835 file transaction type %q", got)
	}
	checks := map[string]bool{}
	for _, f := range rep.Files {
		for _, fd := range f.Findings {
			checks[fd.Check] = true
			if fd.Segment < 1 || fd.Severity == "" || fd.Message == "" {
				t.Errorf("incomplete finding %+v", fd)
			}
		}
	}
	for _, want := range []string{"isa-credentials", "envelope-mismatch", "duplicate-control-number", "isa-test-indicator"} {
		if !checks[want] {
			t.Errorf("no %s finding in %v", want, checks)
		}
	}
	if strings.Contains(out, "SECRET") {
		t.Error("the ISA04 password is printed")
	}
	facts, err := x12.ReadEvidence(strings.NewReader(out))
	if err != nil || len(facts) == 0 {
		t.Errorf("ReadEvidence on the json output: %d facts, %v", len(facts), err)
	}
}

func TestEDIInspectText(t *testing.T) {
	status, out, errs := runCLI("edi", "inspect", ediSample(t, "imsweb/837_5010/x12_multiple_isa.txt"))
	if status != exitOK {
		t.Fatalf("status %d; stderr %s", status, errs)
	}
	for _, want := range []string{
		"interchange 000000905  ZZ:SUBMITTERS.ID -> ZZ:RECEIVERS.ID  version 00501  test (T)",
		"837 987654  005010X222A1  34 segments",
		"HIGH      isa-credentials",
		"segment 36, byte 1176: SE01",
		"1 file(s), 2 interchange(s), 2 transaction set(s); findings: 3 high, 2 medium",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("text output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "SECRET") {
		t.Error("the ISA04 password is printed")
	}
}

func TestEDIInspectFailOn(t *testing.T) {
	file := ediSample(t, "imsweb/837_5010/x12_valid.txt") // a password in ISA04: high
	tests := []struct {
		level string
		want  int
	}{
		{"high", exitFailOn},
		{"MEDIUM", exitFailOn},
		{"critical", exitOK},
	}
	for _, tt := range tests {
		if status, _, errs := runCLI("edi", "inspect", "--fail-on", tt.level, file); status != tt.want {
			t.Errorf("--fail-on %s: status %d; want %d (stderr %s)", tt.level, status, tt.want, errs)
		}
	}
}

func TestEDIInspectInvalid(t *testing.T) {
	bad := ediSample(t, "imsweb/837_5010/x12_bad_first_line.txt")
	noISA := ediSample(t, "imsweb/837_5010/x12_no_isa_line.txt")
	badID := ediSample(t, "imsweb/837_5010/x12_bad_segment_identifier.txt")
	good := ediSample(t, "imsweb/837_5010/x12_valid.txt")
	tests := []struct {
		name   string
		args   []string
		status int
		stderr []string
	}{
		{"short ISA", []string{"edi", "inspect", good, bad}, exitInvalid,
			[]string{bad + ": not valid X12: segment 1 at byte 0: ISA segment is 105 bytes, want 106"}},
		{"every bad file named", []string{"edi", "inspect", noISA, badID}, exitInvalid,
			[]string{noISA + ": not valid X12: segment 1 at byte 0: file does not start with an ISA segment",
				badID + ": not valid X12: segment 6 at byte 280"}},
		{"missing file", []string{"edi", "inspect", filepath.Join(t.TempDir(), "nope.837")}, exitInvalid, []string{"nope.837: no such file"}},
		{"directory", []string{"edi", "inspect", t.TempDir()}, exitInvalid, []string{"is a directory"}},
		{"no files", []string{"edi", "inspect"}, exitInvalid, []string{"no files given"}},
		{"bad format", []string{"edi", "inspect", good, "--format", "xml"}, exitInvalid, []string{`unknown --format "xml"`}},
		{"bad fail-on", []string{"edi", "inspect", good, "--fail-on", "severe"}, exitInvalid, []string{"--fail-on"}},
		{"no subcommand", []string{"edi"}, exitInvalid, []string{"Usage: rcmguard edi inspect"}},
		{"unknown subcommand", []string{"edi", "frob"}, exitInvalid, []string{`unknown subcommand "frob"`}},
		{"help", []string{"edi", "inspect", "-h"}, exitOK, []string{"--format"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, out, errs := runCLI(tt.args...)
			if status != tt.status {
				t.Errorf("status %d; want %d", status, tt.status)
			}
			for _, want := range tt.stderr {
				if !strings.Contains(errs, want) {
					t.Errorf("stderr lacks %q:\n%s", want, errs)
				}
			}
			if status == exitInvalid && out != "" {
				t.Errorf("wrote %q to stdout on invalid input", out)
			}
		})
	}
}

func TestEDIInspectLog(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "logs")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	logFile := filepath.Join(dir, "gateway.txt")
	data := "2026-01-01 10:00 INFO connected\n2026-01-01 10:00 DEBUG NM1*IL*1*DOE*JANE****MI*W83K29Q7~DMG*D8*19800101*F~\n"
	if err := os.WriteFile(logFile, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
	status, out, errs := runCLI("edi", "inspect", logFile, "--fail-on", "high")
	if status != exitFailOn {
		t.Fatalf("status %d; want %d; stderr %s", status, exitFailOn, errs)
	}
	if !strings.Contains(out, "x12-in-logs") || strings.Contains(out, "W83K29Q7") {
		t.Errorf("output:\n%s", out)
	}
}
