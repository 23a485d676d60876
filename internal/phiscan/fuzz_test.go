package phiscan

import (
	"archive/zip"
	"bytes"
	"strings"
	"testing"

	"rcmguard/internal/phiscan/corpus"
)

// Fuzz targets for every extractor: whatever the bytes, a scan ends
// without panicking and reports only well-formed findings under the path
// it was given.

func seedCorpus(f *testing.F, match func(name string) bool) {
	for _, file := range corpus.Generate(1, 1).Files {
		if match(file.Name) {
			f.Add(file.Data)
		}
	}
}

func checkScan(t *testing.T, name string, data []byte) {
	lim := DefaultLimits()
	lim.MaxBuffer = 4 << 20
	lim.MaxEntryBytes = 4 << 20
	r := New(Options{Now: testNow, Limits: lim}).ScanReader(name, bytes.NewReader(data))
	known := map[Kind]bool{}
	for _, k := range Kinds {
		known[k] = true
	}
	for _, fr := range r.Files {
		for _, x := range fr.Findings {
			if !known[x.Kind] || !strings.HasPrefix(x.Path, name) || x.Confidence <= 0 || x.Confidence > 1 {
				t.Fatalf("malformed finding %+v", x)
			}
		}
	}
}

func FuzzScanText(f *testing.F) {
	seedCorpus(f, func(n string) bool {
		return strings.HasSuffix(n, ".txt") || strings.HasSuffix(n, ".log") || strings.HasSuffix(n, ".json") || strings.HasSuffix(n, ".jsonl")
	})
	f.Add([]byte("SSN 123-45-6788 DOB: 01/02/1960 MBI 1EG4-TE5-MK73 card 4111 1111 1111 1111"))
	f.Fuzz(func(t *testing.T, data []byte) { checkScan(t, "t.txt", data) })
}

func FuzzCSV(f *testing.F) {
	seedCorpus(f, func(n string) bool { return strings.HasSuffix(n, ".csv") || strings.HasSuffix(n, ".tsv") })
	f.Add([]byte("SSN,DOB\n\"123-45-6788\",\"01/02/\"\"1960\"\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		u := newUnit("t.csv", typeCSV, &Limits{MaxFindings: 100}, testNow)
		if err := u.scanDelimited(bytes.NewReader(data), ','); err != nil {
			t.Fatal(err)
		}
		_, cells := splitRow(data, ',', nil, nil)
		if len(cells) == 0 {
			t.Fatal("splitRow returned no cells")
		}
	})
}

func FuzzZip(f *testing.F) {
	seedCorpus(f, func(n string) bool { return strings.HasSuffix(n, ".zip") })
	// A small stored archive gives the mutator plain bytes to work on.
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	w, _ := zw.CreateHeader(&zip.FileHeader{Name: "a.csv", Method: zip.Store})
	w.Write([]byte("SSN,DOB\n123-45-6788,01/02/1960\n"))
	zw.Close()
	f.Add(b.Bytes())
	f.Fuzz(func(t *testing.T, data []byte) { checkScan(t, "t.zip", data) })
}

func FuzzMIME(f *testing.F) {
	seedCorpus(f, func(n string) bool { return strings.HasSuffix(n, ".eml") || strings.HasSuffix(n, ".mbox") })
	f.Fuzz(func(t *testing.T, data []byte) { checkScan(t, "t.eml", data) })
}

func FuzzPDF(f *testing.F) {
	seedCorpus(f, func(n string) bool { return strings.HasSuffix(n, ".pdf") })
	f.Add([]byte("%PDF-1.5\n1 0 obj << /Type /ObjStm /N 1 /First 4 /Length 9 >> stream\n2 0 <<>>\nendstream endobj"))
	f.Fuzz(func(t *testing.T, data []byte) {
		checkScan(t, "t.pdf", data)
		pdfText(data, nil)
	})
}

func FuzzCMap(f *testing.F) {
	f.Add([]byte("1 begincodespacerange <0000> <ffff> endcodespacerange 2 beginbfchar <0001> <0041> <0002> <d83dde00> endbfchar " +
		"2 beginbfrange <0010> <0020> <0061> <0030> <0031> [<0062> <0063>] endbfrange"))
	f.Add([]byte("1 beginbfrange <00> <ff> <0000> endbfrange 1 beginbfchar <41> <> endbfchar"))
	f.Fuzz(func(t *testing.T, data []byte) {
		m := parseCMap(data)
		font := &pdfFont{cmap: m, composite: len(data)%2 == 0}
		font.decode(nil, data)
		pdfText(append([]byte("/F1 1 Tf "), data...), map[string]*pdfFont{"F1": font})
	})
}

func FuzzOOXML(f *testing.F) {
	seedCorpus(f, func(n string) bool { return strings.HasSuffix(n, ".xlsx") || strings.HasSuffix(n, ".docx") })
	f.Add([]byte(`<w:document><w:body><w:tbl><w:tr><w:tc><w:p><w:r><w:t>SSN:</w:t></w:r></w:p></w:tc></w:tr></w:tbl></w:body></w:document>`))
	f.Add([]byte(`<worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>SSN</t></is></c></row><row r="2"><c r="A2"><v>12345678</v></c></row></sheetData></worksheet>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		checkScan(t, "t.xlsx", data)
		// The XML readers directly, as the zip layer would hand them a part.
		docxText(bytes.NewReader(data), &bytes.Buffer{})
		u := newUnit("t.xlsx!Sheet1", typeXLSX, &Limits{MaxFindings: 100}, testNow)
		sheetRows(bytes.NewReader(data), &sharedStrings{buf: []byte("SSNDOB"), ends: []int{3, 6}}, &table{u: u})
	})
}

func FuzzX12Scan(f *testing.F) {
	seedCorpus(f, func(n string) bool { return strings.Contains(n, "edi/") })
	f.Fuzz(func(t *testing.T, data []byte) { checkScan(t, "t.x12", data) })
}
