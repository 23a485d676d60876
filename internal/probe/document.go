package probe

import (
	"encoding/json"
	"fmt"
	"io"

	"rcmguard/internal/evidence"
)

// DocumentKind marks the JSON written by `rcmguard probe --format json`, so
// ReadEvidence can refuse a scan or EDI file handed to it by mistake.
const DocumentKind = "rcmguard.probe"

// Document is the JSON form of a probe run: every result with its facts.
type Document struct {
	Kind    string   `json:"kind"`
	Version int      `json:"version"`
	Results []Result `json:"results"`
}

// NewDocument wraps results for writing.
func NewDocument(results []Result) Document {
	if results == nil {
		results = []Result{}
	}
	return Document{Kind: DocumentKind, Version: 1, Results: results}
}

// WriteJSON writes the document indented, the form ReadEvidence reads.
func (d Document) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(d); err != nil {
		return fmt.Errorf("probe: write json: %w", err)
	}
	return nil
}

// ReadEvidence reads the JSON that `rcmguard probe --format json` writes and
// returns its facts, validated and in evidence.Sort order.
func ReadEvidence(r io.Reader) ([]evidence.Fact, error) {
	var d Document
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&d); err != nil {
		return nil, fmt.Errorf("probe: read evidence: %w", err)
	}
	if d.Kind != DocumentKind {
		return nil, fmt.Errorf("probe: read evidence: kind %q is not %q", d.Kind, DocumentKind)
	}
	if d.Version != 1 {
		return nil, fmt.Errorf("probe: read evidence: unsupported version %d", d.Version)
	}
	var facts []evidence.Fact
	for i, res := range d.Results {
		for j, f := range res.Facts {
			if err := f.Validate(); err != nil {
				return nil, fmt.Errorf("probe: read evidence: result %d fact %d: %w", i, j, err)
			}
			if f.Source != evidence.SourceProbe {
				return nil, fmt.Errorf("probe: read evidence: result %d fact %d: source %q is not %q", i, j, f.Source, evidence.SourceProbe)
			}
			facts = append(facts, f)
		}
	}
	evidence.Sort(facts)
	return facts, nil
}
