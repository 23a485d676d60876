package phiscan

import (
	"archive/zip"
	"bytes"
	"strings"
	"sync"
	"testing"

	"rcmguard/internal/phiscan/corpus"
)

// Benchmarks measure end-to-end throughput (sniff, extract, detect,
// validate, aggregate) per core on the generated corpus; b.SetBytes makes
// `go test -bench` print MB/s. They never decide a test.

var (
	benchOnce  sync.Once
	benchFiles map[string][]byte
)

// benchInput concatenates the corpus files whose names end with suffix
// until the input is at least 8 MiB.
func benchInput(b *testing.B, pick func(name string) bool) []byte {
	benchOnce.Do(func() {
		benchFiles = map[string][]byte{}
		for _, f := range corpus.Generate(1, 600).Files {
			benchFiles[f.Name] = f.Data
		}
	})
	var parts [][]byte
	for name, data := range benchFiles {
		if pick(name) {
			parts = append(parts, data)
		}
	}
	if len(parts) == 0 {
		b.Fatal("no corpus file for this benchmark")
	}
	var buf bytes.Buffer
	for buf.Len() < 8<<20 {
		for _, p := range parts {
			buf.Write(p)
			if buf.Len() >= 8<<20 {
				break
			}
		}
	}
	return buf.Bytes()
}

func benchScan(b *testing.B, name string, data []byte) {
	s := New(Options{Now: testNow})
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	start := CPUTime()
	for b.Loop() {
		r := s.ScanReader(name, bytes.NewReader(data))
		if len(r.Files) == 0 {
			b.Fatal("no findings")
		}
	}
	// CPU time per byte: on a shared machine wall time says little.
	if cpu := CPUTime() - start; cpu > 0 {
		b.ReportMetric(float64(len(data))*float64(b.N)/1e6/cpu.Seconds(), "cpu-MB/s")
	}
}

func BenchmarkScanText(b *testing.B) {
	benchScan(b, "notes.txt", benchInput(b, func(n string) bool { return strings.HasSuffix(n, "office-notes.txt") }))
}

func BenchmarkScanLog(b *testing.B) {
	benchScan(b, "app.log", benchInput(b, func(n string) bool { return strings.HasSuffix(n, ".log") }))
}

func BenchmarkScanCSV(b *testing.B) {
	data := benchInput(b, func(n string) bool { return n == "exports/aging.csv" })
	// One header: repeated copies would put headers mid-file.
	head, rest, _ := bytes.Cut(data, []byte{'\n'})
	rest = bytes.ReplaceAll(rest, append(append([]byte{'\n'}, head...), '\n'), []byte{'\n'})
	benchScan(b, "aging.csv", append(append(head, '\n'), rest...))
}

func BenchmarkScanJSON(b *testing.B) {
	benchScan(b, "events.jsonl", benchInput(b, func(n string) bool { return strings.HasSuffix(n, ".jsonl") }))
}

func BenchmarkScanX12(b *testing.B) {
	data := benchInput(b, func(n string) bool { return strings.HasPrefix(n, "edi/") })
	benchScan(b, "claims.x12", data)
}

func BenchmarkScanXLSX(b *testing.B) {
	benchContainer(b, "aging.xlsx", benchFile(b, "exports/aging.xlsx"))
}

func BenchmarkScanDOCX(b *testing.B) {
	benchContainer(b, "letter.docx", benchFile(b, "letters/collection-letter.docx"))
}

func BenchmarkScanPDF(b *testing.B) {
	benchContainer(b, "statement.pdf", benchFile(b, "statements/statement.pdf"))
}

func BenchmarkScanZip(b *testing.B) {
	benchContainer(b, "export.zip", benchFile(b, "exports/export.zip"))
}

func benchFile(b *testing.B, name string) []byte {
	benchInput(b, func(n string) bool { return n == name })
	return benchFiles[name]
}

// benchContainer reports throughput in container bytes (MB/s), the
// measure of the 10 MB/s goal for office files and PDFs, and for zip-based
// files also in unpacked bytes, since synthetic sheets compress far
// better than real ones.
func benchContainer(b *testing.B, name string, data []byte) {
	var unpacked int64
	if zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data))); err == nil {
		for _, f := range zr.File {
			unpacked += int64(f.UncompressedSize64)
		}
	}
	benchScan(b, name, data)
	if unpacked > 0 {
		b.ReportMetric(float64(unpacked)*float64(b.N)/1e6/b.Elapsed().Seconds(), "unpacked-MB/s")
	}
}

var (
	sparseOnce sync.Once
	sparseData []byte
)

// BenchmarkScanSparse scans ordinary text with an identifier here and
// there (corpus.GenerateSparse): logs, mail, code, notes and exports.
func BenchmarkScanSparse(b *testing.B) {
	sparseOnce.Do(func() {
		var buf bytes.Buffer
		for _, f := range corpus.GenerateSparse(1, 8<<20).Files {
			if strings.HasSuffix(f.Name, ".csv") {
				continue // a header mid-file would make a table of the rest
			}
			buf.Write(f.Data)
		}
		sparseData = buf.Bytes()
	})
	benchScan(b, "share.txt", sparseData)
}
