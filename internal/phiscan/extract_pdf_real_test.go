package phiscan

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// PDFs written by real producers: LibreOffice (subset TrueType fonts
// whose glyph codes only the ToUnicode map explains) and cairo through
// poppler's pdftocairo (composite Type0 / Identity-H fonts for text
// outside Latin-1). The oracle is the literal values written into the
// notes and the last four characters a masked excerpt keeps; it shares
// no code with the scanner.

type realValue struct {
	kind  Kind
	value string // as written in the note
}

// realPDFNotes are the notes converted; each holds identifiers written in
// the ways billing staff write them. The card numbers are the networks'
// published test numbers; the MBI 1EG4TE5MK73 is CMS's own example.
var realPDFNotes = []struct {
	name   string
	text   string
	values []realValue
}{
	{"intake", "Intake note\n\nPatient: Avery Ashford\nSSN: 123-45-6788\nMedicare ID 1EG4TE5MK73 on file.\nDOB: 01/02/1960\n",
		[]realValue{{KindSSN, "123-45-6788"}, {KindMBI, "1EG4TE5MK73"}, {KindDOB, "01/02/1960"}}},
	{"followup", "Claim follow-up\n\nResubmitted the claim for 2FH5UF6NK84 after the payer called back.\nCard on file 4111 1111 1111 1111 was charged the copay.\n",
		[]realValue{{KindMBI, "2FH5UF6NK84"}, {KindCard, "4111 1111 1111 1111"}}},
	{"billing", "Billing office\n\nSocial Security Number: 234-56-7891\nVisa: 5555555555554444\nDate of birth: 1975-03-04\nPer the rep, 3GJ6-VG7-PM95 is the right number.\n",
		[]realValue{{KindSSN, "234-56-7891"}, {KindCard, "5555555555554444"}, {KindDOB, "1975-03-04"}, {KindMBI, "3GJ6VG7PM95"}}},
}

// realPDFOnce converts the notes once per test run: LibreOffice takes
// seconds to start.
var realPDFOnce = sync.OnceValues(func() (string, error) {
	soffice, err := exec.LookPath("soffice")
	if err != nil {
		return "", errNoProducer("soffice (LibreOffice: apt-get install libreoffice-writer-nogui)")
	}
	dir, err := os.MkdirTemp("", "rcmguard-realpdf-")
	if err != nil {
		return "", err
	}
	args := []string{"--headless", "--convert-to", "pdf", "--outdir", dir}
	for _, n := range realPDFNotes {
		p := filepath.Join(dir, n.name+".txt")
		if err := os.WriteFile(p, []byte(n.text), 0o644); err != nil {
			return "", err
		}
		args = append(args, p)
	}
	// A profile of its own, so a LibreOffice already running elsewhere
	// does not take the conversion over.
	args = append(args, "-env:UserInstallation=file://"+filepath.Join(dir, "profile"))
	cmd := exec.Command(soffice, args...)
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("soffice: %v: %s", err, out)
	}
	for _, n := range realPDFNotes {
		if _, err := os.Stat(filepath.Join(dir, n.name+".pdf")); err != nil {
			return "", fmt.Errorf("soffice wrote no %s.pdf", n.name)
		}
		os.Remove(filepath.Join(dir, n.name+".txt"))
	}
	os.RemoveAll(filepath.Join(dir, "profile"))
	return dir, nil
})

type errNoProducer string

func (e errNoProducer) Error() string { return "not installed: " + string(e) }

// realPDFDir returns the directory of converted PDFs, skipping where
// LibreOffice is absent (failing under CI, whose .ci/run installs it).
func realPDFDir(t *testing.T) string {
	t.Helper()
	dir, err := realPDFOnce()
	if _, ok := err.(errNoProducer); ok {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%v; .ci/run installs it", err)
		}
		t.Skipf("%v; install it to test PDFs from a real producer", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

// afterTests run when every test has (export_test.go's AfterTests).
var afterTests []func()

func TestMain(m *testing.M) {
	code := m.Run()
	for _, f := range afterTests {
		f()
	}
	if dir, err := realPDFOnce(); err == nil && dir != "" {
		os.RemoveAll(dir)
	}
	os.Exit(code)
}

// scanDir scans dir and returns its findings by file base name, and its
// notices.
func scanDir(t *testing.T, dir string) (map[string][]Finding, []Notice) {
	t.Helper()
	got := map[string][]Finding{}
	var notices []Notice
	err := New(Options{Now: testNow}).Scan(context.Background(), []string{dir}, 2, func(r Result) {
		for _, f := range r.Files {
			for _, x := range f.Findings {
				got[filepath.Base(x.Path)] = append(got[filepath.Base(x.Path)], x)
			}
		}
		notices = append(notices, r.Notices...)
	})
	if err != nil {
		t.Fatal(err)
	}
	return got, notices
}

// lastFour is what a masked excerpt keeps of a value: its last four
// letters or digits (a birth date keeps its year).
func lastFour(v string) string {
	var keep []byte
	for i := len(v) - 1; i >= 0 && len(keep) < 4; i-- {
		c := v[i]
		if c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' {
			keep = append([]byte{c}, keep...)
		}
	}
	return string(keep)
}

// checkRealFindings compares one file's findings with the values written
// into it: each value found once as its kind, nothing else of those kinds.
func checkRealFindings(t *testing.T, file string, fs []Finding, want []realValue) {
	t.Helper()
	for _, w := range want {
		end := lastFour(w.value)
		if w.kind == KindDOB {
			end = w.value[len(w.value)-4:]
			if w.value[4] == '-' {
				end = w.value[:4]
			}
		}
		found := false
		for _, f := range fs {
			if f.Kind == w.kind && strings.HasSuffix(strings.ReplaceAll(f.Excerpt, "-", ""), end) {
				found = true
			}
		}
		if !found {
			t.Errorf("%s: %s ending %s not found; findings: %v", file, w.kind, end, excerpts(fs))
		}
	}
	wantKinds := map[Kind]int{}
	for _, w := range want {
		wantKinds[w.kind]++
	}
	gotKinds := map[Kind]int{}
	for _, f := range fs {
		gotKinds[f.Kind]++
	}
	for k, n := range gotKinds {
		if k == KindName {
			continue // a name beside an identifier is reported with it
		}
		if n != wantKinds[k] {
			t.Errorf("%s: %d %s findings; want %d: %v", file, n, k, wantKinds[k], excerpts(fs))
		}
	}
}

func excerpts(fs []Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, string(f.Kind)+" "+f.Excerpt)
	}
	return out
}

// TestRealPDFLibreOffice scans LibreOffice's PDFs, whose text is readable
// only through the subset fonts' ToUnicode maps.
func TestRealPDFLibreOffice(t *testing.T) {
	dir := realPDFDir(t)
	got, notices := scanDir(t, dir)
	for _, n := range realPDFNotes {
		checkRealFindings(t, n.name+".pdf", got[n.name+".pdf"], n.values)
	}
	for _, n := range notices {
		t.Errorf("unexpected notice: %s: %s", n.Path, n.Message)
	}
}

// TestRealPDFComposite rewrites a LibreOffice PDF with cairo, which puts
// text outside Latin-1 in a Type0 font with Identity-H two-byte codes, and
// checks that text reads; with the font's ToUnicode map taken away, the
// page must say it was not fully read rather than pass as clean.
func TestRealPDFComposite(t *testing.T) {
	realPDFDir(t) // skips where LibreOffice is absent
	cairo, err := exec.LookPath("pdftocairo")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("pdftocairo not installed; .ci/run installs poppler-utils")
		}
		t.Skip("pdftocairo not installed (apt-get install poppler-utils)")
	}
	dir := t.TempDir()
	note := "Примечание: пациент звонил.\nSSN: 345-67-8912\nПациент: Иван Петров\n"
	if err := os.WriteFile(filepath.Join(dir, "cyr.txt"), []byte(note), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("soffice", "--headless", "--convert-to", "pdf", "--outdir", dir,
		"-env:UserInstallation=file://"+filepath.Join(dir, "profile"), filepath.Join(dir, "cyr.txt"))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("soffice: %v: %s", err, out)
	}
	out := filepath.Join(dir, "scan", "cyr-cairo.pdf")
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		t.Fatal(err)
	}
	if b, err := exec.Command(cairo, "-pdf", filepath.Join(dir, "cyr.pdf"), out).CombinedOutput(); err != nil {
		t.Fatalf("pdftocairo: %v: %s", err, b)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(data, []byte("/Identity-H")) {
		t.Fatalf("cairo wrote no Identity-H font; the test needs one")
	}
	doc := parsePDF(data, 1<<30)
	var text []byte
	for _, p := range doc.pages() {
		tx, missed := pdfText(doc.pageContent(p), doc.fonts(p))
		if missed != 0 {
			t.Errorf("%d codes not read", missed)
		}
		text = append(text, tx...)
	}
	for _, w := range []string{"Примечание", "пациент", "Иван Петров", "SSN: 345-67-8912"} {
		if !bytes.Contains(text, []byte(w)) {
			t.Errorf("text lacks %q:\n%s", w, text)
		}
	}
	got, notices := scanDir(t, filepath.Dir(out))
	checkRealFindings(t, "cyr-cairo.pdf", got["cyr-cairo.pdf"], []realValue{{KindSSN, "345-67-8912"}})
	if len(notices) != 0 {
		t.Errorf("unexpected notices: %v", notices)
	}

	// The same file with every ToUnicode key renamed (same length, so
	// the cross-reference offsets stay right).
	broken := bytes.ReplaceAll(data, []byte("/ToUnicode"), []byte("/ToUnicodX"))
	if err := os.WriteFile(out, broken, 0o644); err != nil {
		t.Fatal(err)
	}
	_, notices = scanDir(t, filepath.Dir(out))
	said := false
	for _, n := range notices {
		if strings.Contains(n.Message, "could not be read") {
			said = true
		}
	}
	if !said {
		t.Errorf("no notice for text in a Type0 font without a ToUnicode map; notices: %v", notices)
	}
}
