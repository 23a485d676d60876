package report

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"rcmguard/internal/assess"
	"rcmguard/internal/evidencefile"
	"rcmguard/internal/model"
	"rcmguard/internal/rules"
)

// pdfText extracts the text of a PDF with poppler's pdftotext, as an
// investigator's tools would read it; it skips with a hint where
// pdftotext is absent, and fails under CI.
func pdfText(t *testing.T, pdf []byte) string {
	t.Helper()
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("pdftotext not found: CI must install poppler-utils")
		}
		t.Skip("pdftotext not found: install poppler-utils to check the PDF's text")
	}
	path := filepath.Join(t.TempDir(), "report.pdf")
	if err := os.WriteFile(path, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "-enc", "UTF-8", path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	// Headings may wrap; compare with single spaces.
	return strings.Join(strings.Fields(string(out)), " ")
}

// TestPDFSections: every one of OCR's nine elements is a headed section
// with a bookmark, and the pages are numbered and end with the sign-off.
func TestPDFSections(t *testing.T) {
	for name, path := range examples {
		t.Run(name, func(t *testing.T) {
			res := run(t, path)
			var buf bytes.Buffer
			if err := Write(&buf, res, "pdf"); err != nil {
				t.Fatal(err)
			}
			if !bytes.HasPrefix(buf.Bytes(), []byte("%PDF-")) {
				t.Fatal("not a PDF")
			}
			text := pdfText(t, buf.Bytes())
			if len(res.OCRElements) != 9 {
				t.Fatalf("%d OCR elements, want 9", len(res.OCRElements))
			}
			want := []string{"Security risk analysis", res.Organization.Name, "Page 1 of ", "Heat map of open risks", "Sign-off", "approve the risk management plan"}
			for _, e := range res.OCRElements {
				want = append(want, fmt.Sprintf("%d. %s", e.Number, e.Element))
			}
			for _, w := range want {
				if !strings.Contains(text, w) {
					t.Errorf("the PDF's text lacks %q", w)
				}
			}
			pages := regexp.MustCompile(`Page (\d+) of (\d+)`).FindAllStringSubmatch(text, -1)
			if len(pages) < 11 || pages[len(pages)-1][1] != pages[len(pages)-1][2] {
				t.Errorf("page numbers: %d found, last %v", len(pages), pages[len(pages)-1])
			}
			if n := bytes.Count(buf.Bytes(), []byte("/Parent")); !bytes.Contains(buf.Bytes(), []byte("/Outlines")) || n < 11 {
				t.Errorf("bookmarks: outline present %v, %d entries", bytes.Contains(buf.Bytes(), []byte("/Outlines")), n)
			}
			for i := range res.Risks[:5] {
				if !strings.Contains(text, res.Risks[i].ID) {
					t.Errorf("risk %s missing", res.Risks[i].ID)
				}
			}
		})
	}
}

// TestPDFNoFullIdentifier: an identifier that reached the analysis through
// evidence (a scan summary quoting an SSN and an MBI) is never printed in
// full.
func TestPDFNoFullIdentifier(t *testing.T) {
	const ssn, mbi = "287-65-4321", "1EG4-TE5-MK73"
	facts := `[{"source":"scan","check":"phi.ssn","target":"/srv/unmodelled/export.csv","severity":"high","summary":"SSN ` + ssn + ` and MBI ` + mbi + ` found in export.csv"}]`
	_, fs, err := evidencefile.Parse([]byte(facts), 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	m, err := model.LoadFile(examples["practice"])
	if err != nil {
		t.Fatal(err)
	}
	set, err := rules.Load(rules.Builtin())
	if err != nil {
		t.Fatal(err)
	}
	res, err := assess.Run(assess.Input{Model: m, Facts: fs, Rules: set, Now: time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC), Tool: "rcmguard test"})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := PDF(&buf, res); err != nil {
		t.Fatal(err)
	}
	text := pdfText(t, buf.Bytes())
	if !strings.Contains(text, "export.csv") {
		t.Fatal("the evidence fact is not in the PDF, so the test proves nothing")
	}
	for _, id := range []string{ssn, "287654321", mbi, "1EG4TE5MK73"} {
		if strings.Contains(text, id) {
			t.Errorf("the PDF prints the full identifier %s", id)
		}
	}
	if ssnRE := regexp.MustCompile(`\b\d{3}-\d{2}-\d{4}\b`); ssnRE.MatchString(text) {
		t.Errorf("the PDF prints an SSN-shaped number: %s", ssnRE.FindString(text))
	}
}

// TestPDFReproducible: the file's dates are the analysis's, so the same
// result gives the same bytes.
func TestPDFReproducible(t *testing.T) {
	res := run(t, examples["billing-company"])
	var a, b bytes.Buffer
	if err := PDF(&a, res); err != nil {
		t.Fatal(err)
	}
	if err := PDF(&b, res); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Error("two PDFs of one result differ")
	}
}
