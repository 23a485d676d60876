// Package evidencefile recognises the files rcmguard's evidence commands
// write (scan, edi inspect, probe, or a plain facts file) and turns any of
// them into facts. The CLI and the server both read evidence through it, so
// a file that `rcmguard assess --evidence` accepts is exactly a file the
// server's evidence upload accepts.
//
// It lives apart from package evidence because the engines' readers import
// evidence themselves.
package evidencefile

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	"rcmguard/internal/evidence"
	"rcmguard/internal/phiscan"
	"rcmguard/internal/probe"
	"rcmguard/internal/x12"
)

// Format is one kind of evidence file.
type Format struct {
	// Name is a short, stable name: "scan", "edi", "probe" or "facts".
	Name string
	// Describe says which command writes it, for messages.
	Describe string
	read     func(io.Reader) ([]evidence.Fact, error)
}

// formats are tried in order. Probe and EDI documents name their own
// format, and a plain facts file rejects unknown fields, so those come
// before the scanner's JSONL, which is the loosest.
var formats = []Format{
	{"probe", "probe --format json", probe.ReadEvidence},
	{"edi", "edi inspect --format json", x12.ReadEvidence},
	{"facts", "evidence facts (JSON or JSONL)", evidence.ReadFacts},
	{"scan", "scan --format jsonl|json", phiscan.ReadEvidence},
}

// Formats lists the recognised formats, in the order Parse tries them.
func Formats() []Format { return append([]Format(nil), formats...) }

// NotRecognisedError says why no format accepted a file: what each reader
// objected to.
type NotRecognisedError struct {
	Reasons []string // "as <format>: <error>", one per format
}

func (e *NotRecognisedError) Error() string {
	return "not recognised as rcmguard evidence:\n  " + strings.Join(e.Reasons, "\n  ")
}

// ErrTooLarge means the file is larger than the limit given to Parse.
var ErrTooLarge = errors.New("evidencefile: file is too large")

// Parse recognises data and returns its format and facts, in evidence.Sort
// order, with every identifier in them masked (phiscan.MaskFacts): a path
// named after a patient, or a hand-written summary quoting an SSN, is
// masked here, before it can reach the store, a result or a report. A
// file larger than limit bytes is refused with ErrTooLarge before any
// reader sees it.
func Parse(data []byte, limit int64) (Format, []evidence.Fact, error) {
	if int64(len(data)) > limit {
		return Format{}, nil, fmt.Errorf("%w: larger than %d MiB", ErrTooLarge, limit>>20)
	}
	var reasons []string
	for _, f := range formats {
		facts, err := f.read(bytes.NewReader(data))
		if err != nil {
			reasons = append(reasons, fmt.Sprintf("as %s: %v", f.Describe, err))
			continue
		}
		facts = phiscan.MaskFacts(facts)
		evidence.Sort(facts)
		return f, facts, nil
	}
	return Format{}, nil, &NotRecognisedError{Reasons: reasons}
}

// Read reads at most limit bytes from r and parses them like Parse.
func Read(r io.Reader, limit int64) (Format, []evidence.Fact, error) {
	data, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return Format{}, nil, fmt.Errorf("evidencefile: %w", err)
	}
	return Parse(data, limit)
}
