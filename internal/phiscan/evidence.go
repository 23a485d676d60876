package phiscan

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strconv"

	"rcmguard/internal/evidence"
)

// Facts turns findings into evidence for the assessment: one fact per
// file and kind, not per occurrence, so a spreadsheet with 4,000 SSNs is
// one fact with count 4000. Facts never hold a value, only counts and the
// kind.
func Facts(findings []Finding) []evidence.Fact {
	type key struct {
		path string
		kind Kind
	}
	type agg struct {
		count    int
		conf     float64
		fileType string
		severity string
		detail   string
	}
	m := map[key]*agg{}
	for _, f := range findings {
		k := key{f.Path, f.Kind}
		a := m[k]
		if a == nil {
			a = &agg{fileType: f.FileType, severity: f.Severity}
			m[k] = a
		}
		a.count++
		if f.Confidence > a.conf {
			a.conf = f.Confidence
		}
		if higher(f.Severity, a.severity) {
			a.severity = f.Severity
		}
		if f.Kind == KindX12 && a.detail == "" {
			a.detail = f.Detail
		}
	}
	// A file's severity covers all its kinds; recompute it when the input
	// (jsonl written by an older scan, say) did not carry one.
	perFile := map[string]map[Kind]int{}
	for k, a := range m {
		if perFile[k.path] == nil {
			perFile[k.path] = map[Kind]int{}
		}
		perFile[k.path][k.kind] = a.count
	}
	facts := make([]evidence.Fact, 0, len(m))
	for k, a := range m {
		sev := evidence.Severity(a.severity)
		if _, ok := sev.Rank(); !ok {
			pf := perFile[k.path]
			sev = severityOf(func(k Kind) int { return pf[k] }, false)
		}
		if k.kind == KindNPI {
			// A provider identifier alone is not PHI.
			sev = evidence.SeverityInfo
		}
		attrs := map[string]string{
			"kind":       string(k.kind),
			"count":      strconv.Itoa(a.count),
			"confidence": strconv.FormatFloat(a.conf, 'f', 2, 64),
			"file_type":  a.fileType,
		}
		if a.detail != "" {
			attrs["x12"] = a.detail
		}
		facts = append(facts, evidence.Fact{
			Source: evidence.SourceScan,
			Check:  "phi." + string(k.kind),
			// Scan output of an older rcmguard carries paths in clear.
			Target:   MaskPath(k.path),
			Severity: sev,
			Summary:  fmt.Sprintf("%d %s finding(s) in %s", a.count, k.kind, a.fileType),
			Attrs:    attrs,
		})
	}
	evidence.Sort(facts)
	return facts
}

// ReadEvidence reads what `rcmguard scan` wrote, in its jsonl or json
// format, and returns the facts for the assessment.
func ReadEvidence(r io.Reader) ([]evidence.Fact, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	head, _ := br.Peek(64 << 10)
	head = bytes.TrimLeft(head, " \t\r\n\xef\xbb\xbf")
	if len(head) == 0 {
		return nil, fmt.Errorf("phiscan: evidence: empty input")
	}
	if head[0] != '{' {
		return nil, fmt.Errorf("phiscan: evidence: not scan output (want jsonl or json)")
	}
	// The json format is one object holding a findings array; jsonl is one
	// finding per line.
	if isScanJSON(head) {
		var doc struct {
			Findings []Finding `json:"findings"`
		}
		if err := json.NewDecoder(br).Decode(&doc); err != nil {
			return nil, fmt.Errorf("phiscan: evidence: decode json: %w", err)
		}
		return checked(doc.Findings)
	}
	all, err := evidence.ReadLines[Finding](br, false, nil)
	if err != nil {
		return nil, fmt.Errorf("phiscan: evidence: %w", err)
	}
	return checked(all)
}

func isScanJSON(head []byte) bool {
	i := bytes.Index(head, []byte(`"findings"`))
	if i < 0 {
		return false
	}
	return len(bytes.TrimSpace(head[1:i])) == 0
}

// checked rejects findings that are not scan output.
func checked(fs []Finding) ([]evidence.Fact, error) {
	known := map[Kind]bool{}
	for _, k := range Kinds {
		known[k] = true
	}
	for i, f := range fs {
		if f.Path == "" || !known[f.Kind] {
			return nil, fmt.Errorf("phiscan: evidence: finding %d is not a scan finding (path %q, kind %q)", i+1, f.Path, f.Kind)
		}
	}
	facts := Facts(fs)
	for _, f := range facts {
		if err := f.Validate(); err != nil {
			return nil, fmt.Errorf("phiscan: evidence: %w", err)
		}
	}
	return facts, nil
}
