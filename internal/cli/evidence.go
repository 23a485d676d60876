package cli

import (
	"fmt"
	"io"
	"os"

	"rcmguard/internal/evidence"
	"rcmguard/internal/evidencefile"
)

// loadEvidence reads each evidence file, whatever rcmguard command wrote it.
func loadEvidence(paths []string) ([]evidence.Fact, error) {
	var all []evidence.Fact
	for _, p := range paths {
		data, err := readBounded(p, evidence.MaxFileSize)
		if err != nil {
			return nil, err
		}
		_, facts, err := evidencefile.Parse(data, evidence.MaxFileSize)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
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
