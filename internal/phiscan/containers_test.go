package phiscan

import (
	"archive/zip"
	"bytes"
	"encoding/base64"
	"io"
	"os"
	"path/filepath"
	"rcmguard/internal/sharedtest"
	"runtime"
	"sort"
	"strings"
	"testing"
)

func zipBytes(t testing.TB, files map[string][]byte, method uint16) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	for _, n := range names {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: n, Method: method})
		if err != nil {
			t.Fatal(err)
		}
		w.Write(files[n])
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func findingPaths(r Result) map[string][]string {
	out := map[string][]string{}
	for _, f := range r.Files {
		for _, x := range f.Findings {
			out[x.Path] = append(out[x.Path], string(x.Kind))
		}
	}
	for _, v := range out {
		sort.Strings(v)
	}
	return out
}

func TestZipNestedPaths(t *testing.T) {
	csv := []byte("Patient Name,SSN\nAvery Ashford,123-45-6788\n")
	inner := zipBytes(t, map[string][]byte{"aging.csv": csv}, zip.Deflate)
	outer := zipBytes(t, map[string][]byte{"aging.csv": csv, "inner.zip": inner}, zip.Deflate)
	r := New(Options{Now: testNow}).ScanReader("export.zip", bytes.NewReader(outer))
	got := findingPaths(r)
	for _, p := range []string{"export.zip!aging.csv", "export.zip!inner.zip!aging.csv"} {
		if strings.Join(got[p], ",") != "name,ssn" {
			t.Errorf("findings at %s = %v; want ssn and name (all: %v)", p, got[p], got)
		}
	}
}

func TestZipLimits(t *testing.T) {
	ssn := []byte("SSN 123-45-6788\n")
	// Nesting: five levels with a limit of two.
	data := zipBytes(t, map[string][]byte{"a.txt": ssn}, zip.Deflate)
	for range 4 {
		data = zipBytes(t, map[string][]byte{"n.zip": data}, zip.Deflate)
	}
	lim := DefaultLimits()
	lim.MaxDepth = 2
	r := New(Options{Now: testNow, Limits: lim}).ScanReader("deep.zip", bytes.NewReader(data))
	if len(r.Files) != 0 || !hasNotice(r, "nested deeper") {
		t.Errorf("deep zip: files %v notices %v; want none and a depth notice", r.Files, r.Notices)
	}

	// A zip bomb: 16 MiB of zeros compresses a thousandfold.
	bomb := zipBytes(t, map[string][]byte{"zeros.txt": make([]byte, 16<<20)}, zip.Deflate)
	r = New(Options{Now: testNow}).ScanReader("bomb.zip", bytes.NewReader(bomb))
	if !hasNotice(r, "zip bomb") {
		t.Errorf("bomb: notices %v; want a zip bomb notice", r.Notices)
	}

	// Entry count.
	lim = DefaultLimits()
	lim.MaxEntries = 2
	many := zipBytes(t, map[string][]byte{"1.txt": ssn, "2.txt": ssn, "3.txt": ssn}, zip.Store)
	r = New(Options{Now: testNow, Limits: lim}).ScanReader("many.zip", bytes.NewReader(many))
	if len(r.Files) != 2 || !hasNotice(r, "entry limit") {
		t.Errorf("many: %d files, notices %v; want 2 and an entry-limit notice", len(r.Files), r.Notices)
	}
}

func hasNotice(r Result, sub string) bool {
	for _, n := range r.Notices {
		if strings.Contains(n.Message, sub) {
			return true
		}
	}
	return false
}

func TestMailAttachmentsAndEncodings(t *testing.T) {
	csv := "Patient Name,DOB,Member ID\nAvery Ashford,01/02/1960,XGH123456789\n"
	msg := "From: a@clinic.example.com\r\nTo: b@agency.example.com\r\nSubject: aging\r\nMIME-Version: 1.0\r\n" +
		"Content-Type: multipart/mixed; boundary=\"XX\"\r\n\r\n" +
		"--XX\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n" +
		// A soft line break splits the SSN: only the decoded text holds it.
		"Patient SSN 123-45-=\r\n6788 as discussed.\r\n" +
		"--XX\r\nContent-Type: text/csv; name=\"aging.csv\"\r\nContent-Disposition: attachment; filename=\"aging.csv\"\r\n" +
		"Content-Transfer-Encoding: base64\r\n\r\n" + base64.StdEncoding.EncodeToString([]byte(csv)) + "\r\n--XX--\r\n"
	r := New(Options{Now: testNow}).ScanReader("mail.eml", strings.NewReader(msg))
	got := findingPaths(r)
	if strings.Join(got["mail.eml"], ",") != "ssn" {
		t.Errorf("body findings = %v; want ssn (all %v)", got["mail.eml"], got)
	}
	if strings.Join(got["mail.eml!aging.csv"], ",") != "dob,member_id,name" {
		t.Errorf("attachment findings = %v; want dob, member_id, name", got["mail.eml!aging.csv"])
	}

	mbox := "From a@b Tue Mar  4 10:15:00 2025\n" + strings.ReplaceAll(msg, "\r\n", "\n") +
		"\nFrom a@b Tue Mar  4 11:15:00 2025\nFrom: a@b.example.com\nTo: c@d.example.com\nSubject: two\n\n>From the desk: MRN 7654321\n"
	r = New(Options{Now: testNow}).ScanReader("box.mbox", strings.NewReader(mbox))
	got = findingPaths(r)
	if len(got["box.mbox!message-1!aging.csv"]) != 3 || strings.Join(got["box.mbox!message-2"], ",") != "mrn" {
		t.Errorf("mbox findings = %v", got)
	}
}

func TestX12PublicSamples(t *testing.T) {
	dir := sharedtest.Path(t, "x12/imsweb/837_5010")
	tests := []struct {
		file         string
		interchanges int
	}{
		{"x12_valid.txt", 1},
		{"x12_multiple_isa.txt", 2},
		{"x12_complex.txt", 1},
	}
	for _, tt := range tests {
		f, err := os.Open(filepath.Join(dir, tt.file))
		if err != nil {
			t.Fatal(err)
		}
		r := New(Options{Now: testNow}).ScanReader(tt.file, f)
		f.Close()
		n := 0
		for _, fr := range r.Files {
			if fr.Summary.FileType != typeX12 || fr.Summary.Severity != "critical" {
				t.Errorf("%s: type %s severity %s; want x12, critical", tt.file, fr.Summary.FileType, fr.Summary.Severity)
			}
			for _, x := range fr.Findings {
				if x.Kind == KindX12 {
					n++
					if !strings.Contains(x.Detail, "837") || x.Offset < 0 {
						t.Errorf("%s: x12 finding %+v lacks its transaction set", tt.file, x)
					}
				}
			}
		}
		if n != tt.interchanges {
			t.Errorf("%s: %d x12 findings; want %d, one per interchange", tt.file, n, tt.interchanges)
		}
	}
}

// endlessReader gives n bytes of filler then a tail, without holding them.
type endlessReader struct {
	n    int64
	tail *strings.Reader
}

func (e *endlessReader) Read(p []byte) (int, error) {
	if e.n > 0 {
		k := int64(len(p))
		if k > e.n {
			k = e.n
		}
		for i := range p[:k] {
			p[i] = 'x'
		}
		e.n -= k
		return int(k), nil
	}
	return e.tail.Read(p)
}

// TestHugeLineBoundedMemory scans 64 MB without a line break and checks
// the scan allocated a small, fixed amount, not the input's size.
func TestHugeLineBoundedMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("reads 64 MB")
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	r := New(Options{Now: testNow}).ScanReader("big.txt", &endlessReader{n: 64 << 20, tail: strings.NewReader(" SSN 123-45-6788\n")})
	runtime.ReadMemStats(&after)
	if got := strings.Join(kindsOf(r), ","); got != "ssn" {
		t.Errorf("kinds = %q; want ssn", got)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 16<<20 {
		t.Errorf("scan allocated %d MiB for 64 MiB of input; want a bounded amount", alloc>>20)
	}
	if r.Bytes != 64<<20+17 {
		t.Errorf("bytes read = %d", r.Bytes)
	}
}

func TestPDFText(t *testing.T) {
	c := []byte("BT /F1 10 Tf 50 700 Td (SSN: 123-45-) Tj [(67) -10 (88)] TJ 0 -14 Td (a \\(b\\) c) Tj T* <4D524E> Tj ET")
	text, _ := pdfText(c, nil)
	got := string(text)
	want := "SSN: 123-45-6788\na (b) c\nMRN\n"
	if got != want {
		t.Errorf("pdfText = %q; want %q", got, want)
	}
	if _, err := io.Copy(io.Discard, bytes.NewReader(c)); err != nil {
		t.Fatal(err)
	}
}

// TestDOCXTableHeader reads a Word table as a table: the header row names
// the columns below it (LibreOffice writes HTML and pasted tables this
// way), while a label-and-value table keeps its labels in the rows.
func TestDOCXTableHeader(t *testing.T) {
	cell := func(s string) string { return "<w:tc><w:p><w:r><w:t>" + s + "</w:t></w:r></w:p></w:tc>" }
	row := func(cs ...string) string {
		out := "<w:tr>"
		for _, c := range cs {
			out += cell(c)
		}
		return out + "</w:tr>"
	}
	for _, tt := range []struct {
		name, body, want string
	}{
		{"header", row("Patient", "Date of birth", "Member ID") + row("Avery Ashford", "01/02/1960", "W123456789"),
			"Patient \tDate of birth \tMember ID \t\nPatient: Avery Ashford \tDate of birth: 01/02/1960 \tMember ID: W123456789 \t\n"},
		{"label and value", row("Patient", "Avery Ashford") + row("DOB", "01/02/1960"),
			"Patient \tAvery Ashford \t\nDOB \t01/02/1960 \t\n"},
		{"numbers in the first row", row("SSN", "123-45-6788") + row("Member ID", "W123456789"),
			"SSN \t123-45-6788 \t\nMember ID \tW123456789 \t\n"},
	} {
		doc := `<w:document xmlns:w="x"><w:body><w:tbl>` + tt.body + `</w:tbl></w:body></w:document>`
		var out strings.Builder
		if err := docxText(strings.NewReader(doc), &out); err != nil {
			t.Fatal(err)
		}
		if out.String() != tt.want {
			t.Errorf("%s: text %q; want %q", tt.name, out.String(), tt.want)
		}
	}
}

// TestOfficeOtherParts: text outside the body of a Word document —
// footnotes, endnotes, comments — is read, and what is not read (embedded
// objects, spreadsheet comments) is listed rather than passed over.
func TestOfficeOtherParts(t *testing.T) {
	para := func(s string) string {
		return `<w:p><w:r><w:t>` + s + `</w:t></w:r></w:p>`
	}
	build := func(parts map[string]string) []byte {
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		for name, body := range parts {
			w, err := zw.Create(name)
			if err != nil {
				t.Fatal(err)
			}
			w.Write([]byte(body))
		}
		if err := zw.Close(); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}
	docx := build(map[string]string{
		"[Content_Types].xml":         `<Types/>`,
		"word/document.xml":           `<w:document><w:body>` + para("Claim note") + `</w:body></w:document>`,
		"word/footnotes.xml":          `<w:footnotes><w:footnote>` + para("SSN: 123-45-6788") + `</w:footnote></w:footnotes>`,
		"word/endnotes.xml":           `<w:endnotes><w:endnote>` + para("MRN: 4455667788") + `</w:endnote></w:endnotes>`,
		"word/comments.xml":           `<w:comments><w:comment>` + para("Member ID: W123456789") + `</w:comment></w:comments>`,
		"word/embeddings/Sheet1.xlsx": "PK not really",
	})
	r := New(Options{Now: testNow}).ScanReader("letter.docx", bytes.NewReader(docx))
	if got := strings.Join(kindsOf(r), ","); got != "member_id,mrn,ssn" {
		t.Errorf("docx kinds %q; want member_id,mrn,ssn", got)
	}
	listed := false
	for _, n := range r.Notices {
		if strings.Contains(n.Path, "word/embeddings/Sheet1.xlsx") && strings.Contains(n.Message, "not inspected") {
			listed = true
		}
	}
	if !listed {
		t.Errorf("embedded object not listed; notices %v", r.Notices)
	}

	xlsx := build(map[string]string{
		"[Content_Types].xml":          `<Types/>`,
		"xl/workbook.xml":              `<workbook/>`,
		"xl/worksheets/sheet1.xml":     `<worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>SSN</t></is></c></row><row r="2"><c r="A2" t="inlineStr"><is><t>123-45-6788</t></is></c></row></sheetData></worksheet>`,
		"xl/comments1.xml":             `<comments><commentList><comment ref="A2"><text><r><t>DOB 01/02/1960</t></r></text></comment></commentList></comments>`,
		"xl/embeddings/oleObject1.bin": "ole",
	})
	r = New(Options{Now: testNow}).ScanReader("aging.xlsx", bytes.NewReader(xlsx))
	var msgs []string
	for _, n := range r.Notices {
		msgs = append(msgs, n.Path+": "+n.Message)
	}
	for _, want := range []string{"xl/comments1.xml", "xl/embeddings/oleObject1.bin"} {
		if !strings.Contains(strings.Join(msgs, "\n"), want) {
			t.Errorf("%s not listed; notices %v", want, msgs)
		}
	}
}
