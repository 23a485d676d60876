package evidence

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
)

// MaxFileSize bounds an evidence file read into memory.
const MaxFileSize = 256 << 20

// ReadFacts reads facts written as a JSON array of Fact or as JSON Lines (one
// Fact per line). Every fact is validated; the first bad one is reported
// with its line (JSONL) or index (array).
func ReadFacts(r io.Reader) ([]Fact, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("evidence: %w", err)
	}
	if len(data) > MaxFileSize {
		return nil, fmt.Errorf("evidence: file is larger than %d MiB", MaxFileSize>>20)
	}
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) > 0 && trimmed[0] == '[' {
		var facts []Fact
		dec := json.NewDecoder(bytes.NewReader(trimmed))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&facts); err != nil {
			return nil, fmt.Errorf("evidence: %w", err)
		}
		for i, f := range facts {
			if err := f.Validate(); err != nil {
				return nil, fmt.Errorf("evidence: fact %d: %w", i+1, err)
			}
		}
		return facts, nil
	}
	facts, err := ReadLines(bytes.NewReader(data), true, Fact.Validate)
	if err != nil {
		return nil, fmt.Errorf("evidence: %w", err)
	}
	return facts, nil
}
