package phiscan_test

import (
	"archive/zip"
	"bytes"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"rcmguard/internal/phiscan"
)

// Benchmarks on files written by real producers: LibreOffice's DOCX, XLSX
// and PDF, which compress and lay text out as office software does (the
// generated corpus's own writer does neither). b.SetBytes counts the
// file's own bytes, so MB/s is container throughput in wall time. On a
// shared machine wall time says little, so each benchmark also reports
// the CPU time the process spent (user + system, getrusage, the garbage
// collector included) per operation and the throughput per second of
// CPU time: "cpu-MB/s", the per-core figure.
//
//	go test ./internal/phiscan -run '^$' -bench 'Real' -benchtime 10x -cpu 1

// realBenchOnce makes one large file of each kind: a 3,000-patient note
// (DOCX and PDF) and a 20,000-row aging export (XLSX).
var realBenchOnce = sync.OnceValues(func() (*realCorpus, error) {
	return keepRealCorpus(makeRealCorpus(spec{seed: 7, notes: 1, perNote: 3000, sheets: 1, perSheet: 20000, unlabelled: true}))
})

func benchReal(b *testing.B, name string) {
	c := realCorpusFor(b, realBenchOnce)
	data, err := os.ReadFile(filepath.Join(c.dir, name))
	if err != nil {
		b.Fatal(err)
	}
	s := phiscan.New(phiscan.Options{Now: realNow})
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	start := phiscan.CPUTime()
	for b.Loop() {
		r := s.ScanReader(name, bytes.NewReader(data))
		if len(r.Files) == 0 {
			b.Fatal("no findings")
		}
	}
	cpu := phiscan.CPUTime() - start
	if cpu <= 0 {
		return // not measured on this system
	}
	b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N), "cpu-ns/op")
	b.ReportMetric(float64(len(data))*float64(b.N)/1e6/cpu.Seconds(), "cpu-MB/s")
	// DOCX and XLSX are zip files: how much XML that was.
	if zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data))); err == nil {
		var unpacked int64
		for _, f := range zr.File {
			unpacked += int64(f.UncompressedSize64)
		}
		b.ReportMetric(float64(unpacked)*float64(b.N)/1e6/cpu.Seconds(), "unpacked-cpu-MB/s")
	}
}

func BenchmarkRealDOCX(b *testing.B) { benchReal(b, "notes-1.docx") }
func BenchmarkRealXLSX(b *testing.B) { benchReal(b, "aging-1.xlsx") }
func BenchmarkRealPDF(b *testing.B)  { benchReal(b, "notes-1.pdf") }
