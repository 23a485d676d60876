package cli

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func runBreachCLI(t *testing.T, args ...string) (stdout, stderr string, status int) {
	t.Helper()
	var out, errb bytes.Buffer
	e := &env{stdin: strings.NewReader(""), stdout: &out, stderr: &errb,
		now: func() time.Time { return time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC) }}
	status = e.main(args)
	return out.String(), errb.String(), status
}

func writeIncident(t *testing.T, src string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "incident.yaml")
	if err := os.WriteFile(p, []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestBreachClocksJSON(t *testing.T) {
	p := writeIncident(t, "role: covered_entity\ndiscovered: 2026-03-02\naffected: {NY: 600, FL: 2}\n")
	stdout, stderr, st := runBreachCLI(t, "breach", "clocks", p, "--format", "json", "--today", "2026-03-05")
	if st != exitOK {
		t.Fatalf("status %d, stderr %s", st, stderr)
	}
	var got struct {
		Breach  bool   `json:"breach"`
		Reason  string `json:"reason"`
		Today   string `json:"today"`
		Notices []struct {
			To, State, Client, Due, Citation string
			Contents                         []string
		} `json:"notices"`
	}
	if err := json.Unmarshal([]byte(stdout), &got); err != nil {
		t.Fatalf("json: %v\n%s", err, stdout)
	}
	if !got.Breach || got.Reason == "" || got.Today != "2026-03-05" {
		t.Errorf("breach %v, reason %q, today %q; want true, a reason, 2026-03-05", got.Breach, got.Reason, got.Today)
	}
	var keys []string
	for _, n := range got.Notices {
		if n.Citation == "" || len(n.Contents) == 0 {
			t.Errorf("notice %+v lacks a citation or contents", n)
		}
		keys = append(keys, n.To+"/"+n.State+"="+n.Due)
	}
	want := "individuals/FL=2026-04-01 individuals/=2026-05-01 media/NY=2026-05-01 hhs/=2026-05-01"
	if strings.Join(keys, " ") != want {
		t.Errorf("notices %s; want %s", strings.Join(keys, " "), want)
	}
}

func TestBreachClocksText(t *testing.T) {
	p := writeIncident(t, "role: business_associate\ndiscovered: 2026-03-02\nclients:\n  - {id: \"evil\\e[2J\", baa_notice_days: 5, affected: {NY: 3}}\n")
	stdout, stderr, st := runBreachCLI(t, "breach", "clocks", p)
	if st != exitOK {
		t.Fatalf("status %d, stderr %s", st, stderr)
	}
	if strings.ContainsRune(stdout, 0x1b) {
		t.Errorf("text output carries a raw escape character:\n%q", stdout)
	}
	for _, want := range []string{"BREACH", "2026-03-07  covered entity evil\\x1b[2J", "OVERDUE by 3 days", "164.410(c)(1)"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("text output lacks %q:\n%s", want, stdout)
		}
	}
}

func TestBreachClocksBadInput(t *testing.T) {
	tests := []struct {
		name, src string
		args      []string
		want      string
	}{
		{"unknown key", "role: covered_entity\ndiscovered: 2026-03-02\ncolour: red\n", nil, "incident.yaml:3:1: incident: unknown key"},
		{"bad date", "role: covered_entity\ndiscovered: 2026-13-01\n", nil, "incident.yaml:2:13: discovered:"},
		{"bad State", "role: covered_entity\ndiscovered: 2026-03-02\naffected: {ZZ: 1}\n", nil, "incident.yaml:3:12: affected: \"ZZ\""},
		{"negative count", "role: covered_entity\ndiscovered: 2026-03-02\naffected: {NY: -1}\n", nil, "incident.yaml:3:16:"},
		{"discovered after today", "role: covered_entity\ndiscovered: 2026-03-02\n", []string{"--today", "2026-03-01"}, "incident.yaml:2:1: discovered: 2026-03-02 is after today"},
		{"bad --today", "role: covered_entity\ndiscovered: 2026-03-02\n", []string{"--today", "tomorrow"}, "--today"},
		{"bad --format", "role: covered_entity\ndiscovered: 2026-03-02\n", []string{"--format", "xml"}, "--format"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := writeIncident(t, tt.src)
			stdout, stderr, st := runBreachCLI(t, append([]string{"breach", "clocks", p}, tt.args...)...)
			if st != exitInvalid {
				t.Errorf("status %d; want %d", st, exitInvalid)
			}
			if stdout != "" {
				t.Errorf("stdout %q; want nothing", stdout)
			}
			if !strings.Contains(stderr, tt.want) {
				t.Errorf("stderr %q; want it to contain %q", stderr, tt.want)
			}
		})
	}
	if _, _, st := runBreachCLI(t, "breach", "clocks", filepath.Join(t.TempDir(), "missing.yaml")); st != exitInvalid {
		t.Errorf("missing file: status %d; want %d", st, exitInvalid)
	}
	if _, _, st := runBreachCLI(t, "breach"); st != exitInvalid {
		t.Errorf("no subcommand: status %d; want %d", st, exitInvalid)
	}
}
