package evidence

import (
	"bufio"
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
	var facts []Fact
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	line := 0
	for sc.Scan() {
		line++
		b := bytes.TrimSpace(sc.Bytes())
		if len(b) == 0 {
			continue
		}
		var f Fact
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&f); err != nil {
			return nil, fmt.Errorf("evidence: line %d: %w", line, err)
		}
		if err := f.Validate(); err != nil {
			return nil, fmt.Errorf("evidence: line %d: %w", line, err)
		}
		facts = append(facts, f)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("evidence: line %d: %w", line+1, err)
	}
	return facts, nil
}
