package cli

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"strings"

	"rcmguard/internal/evidence"
	"rcmguard/internal/phiscan"
	"rcmguard/internal/probe"
	"rcmguard/internal/x12"
)

// evidenceReaders recognise the outputs of rcmguard's evidence commands.
// Probe and EDI documents name their own format, and a plain facts file
// rejects unknown fields, so those are tried before the scanner's JSONL.
var evidenceReaders = []struct {
	name string
	read func(io.Reader) ([]evidence.Fact, error)
}{
	{"probe --format json", probe.ReadEvidence},
	{"edi inspect --format json", x12.ReadEvidence},
	{"evidence facts (JSON or JSONL)", evidence.ReadFacts},
	{"scan --format jsonl|json", phiscan.ReadEvidence},
}

// loadEvidence reads each evidence file, whatever rcmguard command wrote it.
func loadEvidence(paths []string) ([]evidence.Fact, error) {
	var all []evidence.Fact
	for _, p := range paths {
		data, err := readBounded(p, evidence.MaxFileSize)
		if err != nil {
			return nil, err
		}
		var errs []string
		var facts []evidence.Fact
		ok := false
		for _, r := range evidenceReaders {
			facts, err = r.read(bytes.NewReader(data))
			if err == nil {
				ok = true
				break
			}
			errs = append(errs, fmt.Sprintf("as %s: %v", r.name, err))
		}
		if !ok {
			return nil, fmt.Errorf("%s: not recognised as rcmguard evidence:\n  %s", p, strings.Join(errs, "\n  "))
		}
		all = append(all, facts...)
	}
	evidence.Sort(all)
	return all, nil
}

func readBounded(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("%s: larger than %d MiB", path, limit>>20)
	}
	return data, nil
}
