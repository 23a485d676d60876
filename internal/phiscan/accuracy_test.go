package phiscan

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"rcmguard/internal/phiscan/corpus"
)

// testNow dates the corpus scans; the generator's dates lie before it.
var testNow = time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC)

// labelKey computes the key the scanner gives a labelled value.
func labelKey(kind Kind, norm string) uint64 {
	switch kind {
	case KindName:
		return keyOf(kind, nameKey([]byte(norm)))
	case KindAddress:
		return keyOf(kind, addressKey([]byte(norm)))
	case KindEmail:
		return keyOf(kind, bytes.ToLower([]byte(norm)))
	}
	return keyOf(kind, []byte(norm))
}

type hit struct {
	path string
	kind Kind
	key  uint64
}

// scanCorpus writes a corpus and scans it, returning findings, notices
// and the output of every format.
func scanCorpus(t testing.TB, c *corpus.Corpus) (string, []Finding, []Notice) {
	t.Helper()
	dir := t.TempDir()
	if err := c.WriteDir(dir); err != nil {
		t.Fatal(err)
	}
	s := New(Options{Now: testNow})
	var fs []Finding
	var ns []Notice
	err := s.Scan(context.Background(), []string{dir}, 2, func(r Result) {
		for _, f := range r.Files {
			fs = append(fs, f.Findings...)
		}
		ns = append(ns, r.Notices...)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dir, fs, ns
}

// TestAccuracy measures precision and recall per kind on the generated
// corpus: every kind, every file type, with decoys.
func TestAccuracy(t *testing.T) {
	c := corpus.Generate(42, 8)
	dir, findings, _ := scanCorpus(t, c)

	want := map[hit]bool{}
	for _, l := range c.Labels {
		want[hit{l.Path, Kind(l.Kind), labelKey(Kind(l.Kind), l.Norm)}] = true
	}
	got := map[hit]Finding{}
	for _, f := range findings {
		rel, err := filepath.Rel(dir, f.Path)
		if err != nil {
			t.Fatal(err)
		}
		got[hit{filepath.ToSlash(rel), f.Kind, f.key}] = f
	}
	type score struct{ tp, fp, fn int }
	per := map[Kind]*score{}
	for _, k := range Kinds {
		per[k] = &score{}
	}
	var misses, extras []string
	for h := range want {
		if _, ok := got[h]; ok {
			per[h.kind].tp++
		} else {
			per[h.kind].fn++
			misses = append(misses, fmt.Sprintf("missed %s in %s", h.kind, h.path))
		}
	}
	for h, f := range got {
		if !want[h] {
			per[h.kind].fp++
			extras = append(extras, fmt.Sprintf("false %s in %s line %d: %s", h.kind, h.path, f.Line, f.Excerpt))
		}
	}
	sort.Strings(misses)
	sort.Strings(extras)
	for _, m := range append(misses, extras...) {
		t.Log(m)
	}
	// Every file type must be covered: the generator writes them all.
	types := map[string]bool{}
	for _, f := range findings {
		types[f.FileType] = true
	}
	for _, ft := range []string{typeText, typeLog, typeCSV, typeTSV, typeJSON, typeJSONL, typeX12, typeXLSX, typeDOCX, typePDF, typeEML} {
		if !types[ft] {
			t.Errorf("no finding in any %s file", ft)
		}
	}
	for _, k := range Kinds {
		s := per[k]
		if s.tp+s.fn == 0 {
			t.Errorf("%s: no labelled values in the corpus", k)
			continue
		}
		p := float64(s.tp) / float64(max(1, s.tp+s.fp))
		r := float64(s.tp) / float64(s.tp+s.fn)
		t.Logf("%-13s precision %.3f recall %.3f (tp %d, fp %d, fn %d)", k, p, r, s.tp, s.fp, s.fn)
		if p < 0.97 || r < 0.97 {
			t.Errorf("%s: precision %.3f, recall %.3f; want both ≥ 0.97", k, p, r)
		}
	}
}

// TestAccuracyMBIInSentences requires every MBI in the claim follow-up
// notes, where they stand in running text away from any label, and none
// of the same-shaped decoys beside them.
func TestAccuracyMBIInSentences(t *testing.T) {
	const notes = "notes/claim-followups.txt"
	c := corpus.Generate(11, 8)
	dir, findings, _ := scanCorpus(t, c)
	want := map[uint64]bool{}
	for _, l := range c.Labels {
		if l.Path == notes {
			if Kind(l.Kind) != KindMBI {
				t.Fatalf("unexpected %s label in %s", l.Kind, notes)
			}
			want[keyOf(KindMBI, []byte(l.Norm))] = true
		}
	}
	if len(want) < 16 {
		t.Fatalf("only %d MBIs in %s", len(want), notes)
	}
	got := map[uint64]bool{}
	for _, f := range findings {
		if filepath.Join(dir, filepath.FromSlash(notes)) != f.Path {
			continue
		}
		if f.Kind != KindMBI || !want[f.key] {
			t.Errorf("false %s at line %d: %s", f.Kind, f.Line, f.Excerpt)
			continue
		}
		got[f.key] = true
	}
	if len(got) != len(want) {
		t.Errorf("found %d of %d MBIs in running text; want all", len(got), len(want))
	}
}

// TestCorpusNoticesImageOnlyPage checks the scanned page of the PDF is
// reported as not inspected.
func TestCorpusNoticesImageOnlyPage(t *testing.T) {
	c := corpus.Generate(7, 2)
	_, _, notices := scanCorpus(t, c)
	found := false
	for _, n := range notices {
		if strings.HasSuffix(n.Path, "statement.pdf") && strings.Contains(n.Message, "image only") {
			found = true
		}
	}
	if !found {
		t.Errorf("no image-only notice for the statement; notices: %v", notices)
	}
}

// TestAccuracySparse scores the ordinary-text corpus (logs, mail, code,
// notes, exports with an identifier here and there): digits everywhere,
// identifiers rare, so false positives would show here first.
func TestAccuracySparse(t *testing.T) {
	c := corpus.GenerateSparse(5, 4<<20)
	dir, findings, _ := scanCorpus(t, c)
	want := map[hit]bool{}
	for _, l := range c.Labels {
		want[hit{l.Path, Kind(l.Kind), labelKey(Kind(l.Kind), l.Norm)}] = true
	}
	if len(want) < 100 {
		t.Fatalf("only %d labelled values", len(want))
	}
	tp, fp := 0, 0
	for _, f := range findings {
		rel, err := filepath.Rel(dir, f.Path)
		if err != nil {
			t.Fatal(err)
		}
		if want[hit{filepath.ToSlash(rel), f.Kind, f.key}] {
			tp++
			continue
		}
		fp++
		t.Logf("false %s in %s line %d: %s", f.Kind, rel, f.Line, f.Excerpt)
	}
	p := float64(tp) / float64(max(1, tp+fp))
	r := float64(tp) / float64(len(want))
	t.Logf("precision %.3f recall %.3f (tp %d, fp %d, labelled %d)", p, r, tp, fp, len(want))
	if p < 0.99 || r < 0.99 {
		t.Errorf("precision %.3f, recall %.3f; want both ≥ 0.99", p, r)
	}
}
