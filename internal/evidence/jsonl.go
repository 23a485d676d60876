package evidence

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
)

// MaxLineSize bounds one line of a JSON Lines evidence file; a scan
// finding or a fact is a few hundred bytes.
const MaxLineSize = 16 << 20

// ReadLines decodes JSON Lines: one T per non-blank line, a leading UTF-8
// byte-order mark ignored. With strict, a key T lacks is an error; check,
// when not nil, vets each value. An error names its line ("line 3: …"). Every engine that writes JSON Lines
// evidence reads it back through here, so they agree on what a line is.
func ReadLines[T any](r io.Reader, strict bool, check func(T) error) ([]T, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), MaxLineSize)
	var out []T
	line := 0
	for sc.Scan() {
		line++
		b := sc.Bytes()
		if line == 1 {
			b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
		}
		b = bytes.TrimSpace(b)
		if len(b) == 0 {
			continue
		}
		var v T
		dec := json.NewDecoder(bytes.NewReader(b))
		if strict {
			dec.DisallowUnknownFields()
		}
		if err := dec.Decode(&v); err != nil {
			return nil, fmt.Errorf("line %d: %w", line, err)
		}
		if dec.More() {
			return nil, fmt.Errorf("line %d: more than one JSON value", line)
		}
		if check != nil {
			if err := check(v); err != nil {
				return nil, fmt.Errorf("line %d: %w", line, err)
			}
		}
		out = append(out, v)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("line %d: %w", line+1, err)
	}
	return out, nil
}
