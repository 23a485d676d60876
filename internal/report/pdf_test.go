package report

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

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
			headings := []string{"Document control", "Change log", "Participants", "Sources", "Assumptions",
				"Owners and approval of the risk management plan", "Data-flow diagram", "Every threat–vulnerability pair",
				"Method", "Base rates", "Heat map of open risks", "Sign-off"}
			want := append([]string{"Security risk analysis", res.Organization.Name, "Page 1 of ", "approve the risk management plan",
				"Table G-5", "Table G-2", "Table G-4", "Table H-3", "Table I-2", "PHI · sftp"}, headings...)
			var sections []string
			for _, e := range res.OCRElements {
				sections = append(sections, fmt.Sprintf("%d. %s", e.Number, e.Element))
			}
			for _, w := range append(want, sections...) {
				if !strings.Contains(text, w) {
					t.Errorf("the PDF's text lacks %q", w)
				}
			}
			// Every section and heading is a bookmark, and the nine
			// elements are in order.
			marks := outlineTitles(t, buf.Bytes())
			for _, h := range append(headings, sections...) {
				if !slices.Contains(marks, h) {
					t.Errorf("no bookmark %q (bookmarks: %q)", h, marks)
				}
			}
			last := -1
			for _, sec := range sections {
				i := slices.Index(marks, sec)
				if i < last {
					t.Errorf("bookmark %q out of order", sec)
				}
				last = i
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

// outlineTitles reads the titles of a PDF's bookmarks, in order, as fpdf
// writes them: literal strings, UTF-16BE with a byte-order mark.
func outlineTitles(t *testing.T, pdf []byte) []string {
	t.Helper()
	var out []string
	rest := pdf
	for {
		i := bytes.Index(rest, []byte("<</Title ("))
		if i < 0 {
			return out
		}
		rest = rest[i+len("<</Title ("):]
		var raw []byte
		j := 0
		for ; j < len(rest) && rest[j] != ')'; j++ {
			if rest[j] == '\\' && j+1 < len(rest) {
				j++
				switch rest[j] {
				case 'r':
					raw = append(raw, '\r')
				case 'n':
					raw = append(raw, '\n')
				default:
					raw = append(raw, rest[j])
				}
				continue
			}
			raw = append(raw, rest[j])
		}
		rest = rest[j:]
		if len(raw) >= 2 && raw[0] == 0xfe && raw[1] == 0xff {
			u := make([]uint16, 0, len(raw)/2)
			for k := 2; k+1 < len(raw); k += 2 {
				u = append(u, uint16(raw[k])<<8|uint16(raw[k+1]))
			}
			out = append(out, string(utf16.Decode(u)))
		} else {
			out = append(out, string(raw))
		}
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
