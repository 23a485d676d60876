package cli

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"rcmguard/internal/assess"
	"rcmguard/internal/evidence"
	"rcmguard/internal/evidencefile"
)

// loadEvidenceSets reads each evidence file, whatever rcmguard command
// wrote it, as a named set dated by the file's last modification: the
// analysis names the set and its date where it verifies a measure.
func loadEvidenceSets(paths []string) ([]assess.EvidenceSet, error) {
	var sets []assess.EvidenceSet
	for _, p := range paths {
		data, err := readBounded(p, evidence.MaxFileSize)
		if err != nil {
			return nil, err
		}
		format, facts, err := evidencefile.Parse(data, evidence.MaxFileSize)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
		set := assess.EvidenceSet{Name: filepath.Base(p), Source: format.Name, Facts: facts}
		if st, err := os.Stat(p); err == nil {
			set.Date = st.ModTime().UTC().Format("2006-01-02")
		}
		sets = append(sets, set)
	}
	return sets, nil
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
