package x12

import (
	"bytes"
	"errors"
	"io"
	"rcmguard/internal/x12/x12gen"
	"testing"
)

// benchCorpus is a 16 MB generated 837P interchange held in memory, so the
// benchmark measures parsing rather than disk or generation.
func benchCorpus(b *testing.B) []byte {
	b.Helper()
	data, err := io.ReadAll(x12gen.NewClaimStream(16 << 20))
	if err != nil {
		b.Fatal(err)
	}
	return data
}

func BenchmarkReader(b *testing.B) {
	data := benchCorpus(b)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		r := NewReader(bytes.NewReader(data))
		for {
			_, err := r.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkInspect measures the whole inspection (envelope and identifier
// checks) on the same corpus.
func BenchmarkInspect(b *testing.B) {
	data := benchCorpus(b)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := NewInspector().Inspect("/srv/edi/outbound/bench.837", bytes.NewReader(data)); err != nil {
			b.Fatal(err)
		}
	}
}
