package phiscan

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"testing"

	"rcmguard/internal/phiscan/corpus"
)

// TestNoIdentifierInOutput runs the corpus through every output format
// and the evidence conversion, then looks for every seeded identifier,
// written or stripped of separators: none may appear in full.
func TestNoIdentifierInOutput(t *testing.T) {
	c := corpus.Generate(99, 4)
	dir := t.TempDir()
	if err := c.WriteDir(dir); err != nil {
		t.Fatal(err)
	}
	s := New(Options{Now: testNow})
	var results []Result
	if err := s.Scan(context.Background(), []string{dir}, 2, func(r Result) { results = append(results, r) }); err != nil {
		t.Fatal(err)
	}
	var all bytes.Buffer
	for _, format := range Formats {
		var out bytes.Buffer
		w, err := NewWriter(format, &out)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range results {
			if err := w.Write(r); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		if out.Len() == 0 {
			t.Errorf("%s: empty output", format)
		}
		all.Write(out.Bytes())
		all.WriteByte('\n')
		if format == "jsonl" {
			facts, err := ReadEvidence(bytes.NewReader(out.Bytes()))
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range facts {
				all.WriteString(f.Summary + " " + f.Target)
				for k, v := range f.Attrs {
					all.WriteString(" " + k + "=" + v)
				}
				all.WriteByte('\n')
			}
		}
	}
	text := all.String()
	// Separators stripped too: "123-45-6789" must not hide as "123456789".
	squashed := regexp.MustCompile(`[^0-9A-Za-z@.]`).ReplaceAllString(text, "")
	if len(c.Seeded) < 100 {
		t.Fatalf("only %d seeded values", len(c.Seeded))
	}
	for _, v := range c.Seeded {
		if len(v) < 6 {
			continue
		}
		if strings.Contains(text, v) || strings.Contains(squashed, v) {
			t.Errorf("seeded value ending %q appears in full in the output", v[len(v)-3:])
		}
	}
	// Labelled people's names must not appear either.
	for _, l := range c.Labels {
		if l.Kind == "name" && strings.Contains(strings.ToLower(text), strings.ToLower(l.Norm)) {
			t.Errorf("a full name appears in the output")
		}
		if l.Kind == "dob" && strings.Contains(squashed, l.Norm) {
			t.Errorf("a full birth date appears in the output")
		}
	}
}
