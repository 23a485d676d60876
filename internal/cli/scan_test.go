package cli

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func runMain(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := Main(args, strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

func scanDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"aging.csv":  "Patient Name,DOB,SSN\nAvery Ashford,01/02/1960,123-45-6788\n",
		"clean.txt":  "Nothing to see: order #123456789, call 217-555-0143.\n",
		"notes/n.md": "Rendering NPI 1234567893\n",
	}
	for name, content := range files {
		p := filepath.Join(dir, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestScanUsageErrors(t *testing.T) {
	dir := scanDir(t)
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"scan"}, "no path given"},
		{[]string{"scan", dir, "--format", "xml"}, "unknown format"},
		{[]string{"scan", dir, "--fail-on", "severe"}, "unknown severity"},
		{[]string{"scan", dir, "--workers", "0"}, "--workers"},
		{[]string{"scan", filepath.Join(dir, "missing")}, "no such file"},
		{[]string{"scan", "--bogus", dir}, "flag provided but not defined"},
	}
	for _, tt := range tests {
		code, _, stderr := runMain(t, tt.args...)
		if code != exitInvalid || !strings.Contains(stderr, tt.want) {
			t.Errorf("%v: exit %d, stderr %q; want %d and %q", tt.args, code, stderr, exitInvalid, tt.want)
		}
	}
}

func TestScanJSONL(t *testing.T) {
	dir := scanDir(t)
	code, out, stderr := runMain(t, "scan", dir, "--format", "jsonl", "--workers", "2")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if stderr != "" {
		t.Errorf("stderr not empty when not a terminal: %q", stderr)
	}
	kinds := map[string]string{}
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		var f struct {
			Path, Kind, Excerpt string
			Line                int
		}
		if err := json.Unmarshal(sc.Bytes(), &f); err != nil {
			t.Fatalf("line %q: %v", sc.Text(), err)
		}
		rel, _ := filepath.Rel(dir, f.Path)
		kinds[rel+" "+f.Kind] = f.Excerpt
	}
	want := map[string]string{
		"aging.csv ssn":  "ssn: ***-**-6788",
		"aging.csv dob":  "dob: **/**/1960",
		"aging.csv name": "A**** A******",
		"notes/n.md npi": "npi: ******7893",
	}
	for k, v := range want {
		if kinds[k] != v {
			t.Errorf("%s excerpt = %q; want %q (all %v)", k, kinds[k], v, kinds)
		}
	}
	if len(kinds) != len(want) {
		t.Errorf("findings %v; want exactly %v", kinds, want)
	}
	if strings.Contains(out, "123-45-6788") || strings.Contains(out, "Ashford") {
		t.Errorf("output holds a full identifier:\n%s", out)
	}
}

func TestScanFailOn(t *testing.T) {
	dir := scanDir(t)
	tests := []struct {
		level string
		want  int
	}{
		{"high", exitFailOn},
		{"medium", exitFailOn},
		{"critical", exitOK},
	}
	for _, tt := range tests {
		code, _, stderr := runMain(t, "scan", "--fail-on", tt.level, dir)
		if code != tt.want {
			t.Errorf("--fail-on %s: exit %d; want %d (%s)", tt.level, code, tt.want, stderr)
		}
	}
	clean := filepath.Join(dir, "clean.txt")
	code, out, _ := runMain(t, "scan", clean, "--fail-on", "info")
	if code != exitOK || !strings.Contains(out, "No PHI found") {
		t.Errorf("clean file: exit %d, output %q; want 0 and 'No PHI found'", code, out)
	}
}

func TestScanFormats(t *testing.T) {
	dir := scanDir(t)
	for _, format := range []string{"text", "json", "sarif"} {
		code, out, stderr := runMain(t, "scan", dir, "--format", format)
		if code != exitOK {
			t.Fatalf("%s: exit %d: %s", format, code, stderr)
		}
		if format != "text" && !json.Valid([]byte(out)) {
			t.Errorf("%s output is not valid JSON:\n%s", format, out)
		}
		if !strings.Contains(out, "aging.csv") {
			t.Errorf("%s output does not name aging.csv:\n%s", format, out)
		}
	}
}
