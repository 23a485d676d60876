package phiscan

import (
	"archive/zip"
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

// The identifiers planted in file and entry names: an SSN, a Luhn-valid
// card and an MBI, in the forms people type them.
var plantedNames = []string{"512-44-7821", "512447821", "4111111111111111", "4111 1111 1111 1111", "1EG4TE5MK73", "1EG4-TE5-MK73"}

// TestScanOutputsMaskNames scans files named after patients, with control
// characters in their names and in the names of zip entries, and checks
// every output format: no identifier in full, and the text output (which
// goes to a terminal) holds no control character but its line ends.
func TestScanOutputsMaskNames(t *testing.T) {
	dir := t.TempDir()
	content := []byte("Patient SSN 512-44-7821 seen 2026-01-02\n")
	for _, name := range []string{
		"Doe Jane 512-44-7821 card 4111111111111111.txt",
		"Roe 512447821\x1b[2J\r\u202etxt.exe",
		"medicare 1EG4-TE5-MK73 4111 1111 1111 1111.csv",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), content, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	var zb bytes.Buffer
	zw := zip.NewWriter(&zb)
	for _, name := range []string{"a\x00b\x1b]0;title\a 512447821.txt", "mbi 1EG4TE5MK73/\u2066notes\u2069.txt"} {
		w, _ := zw.Create(name)
		w.Write(content)
	}
	zw.Close()
	os.WriteFile(filepath.Join(dir, "batch 4111-1111-1111-1111.zip"), zb.Bytes(), 0o600)
	// A file that cannot be read gives a notice under its name.
	os.WriteFile(filepath.Join(dir, "Roe 512447821.pdf"), []byte("%PDF-1.4\n%%EOF\n"), 0o600)

	sc := New(Options{Now: testNow})
	var results []Result
	if err := sc.Scan(context.Background(), []string{dir}, 2, func(r Result) { results = append(results, r) }); err != nil {
		t.Fatal(err)
	}
	for _, format := range Formats {
		var out bytes.Buffer
		w, _ := NewWriter(format, &out)
		for _, r := range results {
			w.Write(r)
		}
		w.Close()
		s := out.String()
		for _, id := range plantedNames {
			if strings.Contains(s, id) {
				t.Errorf("%s output holds %q in full:\n%s", format, id, s)
			}
		}
		if !strings.Contains(s, "7821") {
			t.Errorf("%s output lost the masked names:\n%s", format, s)
		}
		if format != "text" {
			continue
		}
		if !strings.Contains(s, `\x1b[2J\r\u202e`) {
			t.Errorf("text output does not show the escaped control characters:\n%s", s)
		}
		for _, line := range strings.Split(s, "\n") {
			for _, r := range line {
				if r < 0x20 || r == 0x7f || r >= 0x80 && r <= 0x9f || r == 0x202e || r == 0x2066 || r == 0x2069 {
					t.Errorf("text output holds control character %U: %q", r, line)
				}
			}
			if !utf8.ValidString(line) {
				t.Errorf("text output holds invalid UTF-8: %q", line)
			}
		}
	}
	// The facts taken from the scan name files as the outputs do.
	var fs []Finding
	for _, r := range results {
		for _, f := range r.Files {
			fs = append(fs, f.Findings...)
		}
	}
	for _, f := range Facts(fs) {
		for _, id := range plantedNames {
			if strings.Contains(f.Target, id) {
				t.Errorf("fact target %q holds %q", f.Target, id)
			}
		}
	}
}

// TestReadEvidenceMasksOlderOutput reads scan output written before paths
// were masked: the facts it gives name the files masked.
func TestReadEvidenceMasksOlderOutput(t *testing.T) {
	jsonl := `{"path":"/share/Doe 512-44-7821 4111111111111111.csv","line":1,"kind":"ssn","confidence":1,"excerpt":"ssn: ***-**-7821","file_type":"csv","severity":"high","phi":true}` + "\n"
	facts, err := ReadEvidence(strings.NewReader(jsonl))
	if err != nil || len(facts) != 1 {
		t.Fatalf("ReadEvidence: %v, %d facts", err, len(facts))
	}
	if got := facts[0].Target; got != "/share/Doe ***-**-7821 ************1111.csv" {
		t.Errorf("target = %q; want the path masked", got)
	}
}
