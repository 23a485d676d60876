package report

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"rcmguard/internal/assess"
	"rcmguard/internal/evidence"
	"rcmguard/internal/model"
	"rcmguard/internal/risk"
	"rcmguard/internal/rules"
)

// documentResult assesses testdata/document.yaml — a small practice with
// its document control filled in — with a probe of its SFTP endpoint,
// against a previous analysis that had one risk more, one less and one
// rated otherwise.
func documentResult(t *testing.T) *assess.Result {
	t.Helper()
	m, err := model.LoadFile("testdata/document.yaml")
	if err != nil {
		t.Fatal(err)
	}
	set, err := rules.Load(rules.Builtin())
	if err != nil {
		t.Fatal(err)
	}
	in := assess.Input{Model: m, Rules: set, Now: time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC), Tool: "rcmguard test",
		EvidenceSets: []assess.EvidenceSet{{Name: "probe-2026-11.json", Source: "probe", Date: "2026-11-25", Facts: []evidence.Fact{
			{Source: evidence.SourceProbe, Check: "ssh.summary", Target: "sftp.ch.example:22", Severity: evidence.SeverityInfo, Summary: "SSH-2.0, publickey only"},
		}}}}
	prev, err := assess.Run(in)
	if err != nil {
		t.Fatal(err)
	}
	prev.AsOf, prev.DocumentControl.Version = "2025-11-01", "2025.1"
	prev.Risks = append(prev.Risks[1:], assess.Risk{ID: "EDI-99@f-old", Title: "A risk since resolved", Level: risk.High})
	prev.Risks[0].Level = risk.VeryHigh
	in.Previous = prev
	res, err := assess.Run(in)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// TestDocumentSectionsGolden: the document control (with its change
// log), the rated pairs with a verified measure, and the method, as the
// text and HTML reports print them.
func TestDocumentSectionsGolden(t *testing.T) {
	res := documentResult(t)
	var text, html bytes.Buffer
	if err := Text(&text, res); err != nil {
		t.Fatal(err)
	}
	if err := HTML(&html, res); err != nil {
		t.Fatal(err)
	}
	var sections []string
	for _, id := range []string{"scope", "document", "pairs"} {
		h := html.String()
		i := strings.Index(h, `<section id="`+id+`"`)
		if i < 0 {
			t.Fatalf("no section %s", id)
		}
		j := strings.Index(h[i:], "</section>")
		sections = append(sections, h[i:i+j+len("</section>")])
	}
	for name, got := range map[string][]byte{"document.text": text.Bytes(), "document-sections.html": []byte(strings.Join(sections, "\n") + "\n")} {
		golden := filepath.Join("testdata", name)
		if *update {
			if err := os.WriteFile(golden, got, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		want, err := os.ReadFile(golden)
		if err != nil {
			t.Fatalf("%v (run go test ./internal/report -update)", err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from the golden file; if the change is intended, run go test ./internal/report -update and review the diff", golden)
		}
	}
	for _, w := range []string{"Dr. Ana Gomez", "Sam Ortiz", "re-rated", "A risk since resolved", "verified by probe-2026-11.json (2026-11-25)", "2026.1"} {
		if !strings.Contains(html.String(), w) {
			t.Errorf("the HTML report lacks %q", w)
		}
	}
}

// TestDocumentPDF: the PDF carries the document control and the sign-off
// page names the approvals.
func TestDocumentPDF(t *testing.T) {
	res := documentResult(t)
	var buf bytes.Buffer
	if err := PDF(&buf, res); err != nil {
		t.Fatal(err)
	}
	text := pdfText(t, buf.Bytes())
	for _, w := range []string{"Version 2026.1", "Against the analysis as of 2025-11-01, version 2025.1", "Resolved: EDI-99@f-old",
		"Pat Lee", "Clearinghouse BAA", "Risk management plan approved by Dr. Ana Gomez, Owner on 2026-11-28", "it: Sam Ortiz",
		"verified by probe-2026-11.json (2026-11-25)"} {
		if !strings.Contains(text, w) {
			t.Errorf("the PDF's text lacks %q", w)
		}
	}
}
