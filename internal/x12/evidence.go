package x12

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"

	"rcmguard/internal/evidence"
)

// CheckSummary is the check of the one informational fact per inspected
// X12 file: that it exists, where, and what it carries.
const CheckSummary = "summary"

// Facts turns a report into evidence: one "edi.summary" fact per X12 file,
// one fact per finding ("edi." + check ID), and one per check whose further
// findings were suppressed. Facts never hold identifiers: messages are
// already masked.
func Facts(rep *Report) []evidence.Fact {
	var facts []evidence.Fact
	for _, f := range rep.Files {
		if len(f.Interchanges) > 0 {
			facts = append(facts, summaryFact(f))
		}
		for _, fd := range f.Findings {
			facts = append(facts, evidence.Fact{
				Source: evidence.SourceEDI, Check: "edi." + fd.Check, Target: f.Path,
				Severity: fd.Severity, Summary: fd.Message,
				Attrs: map[string]string{
					"segment": strconv.Itoa(fd.Segment),
					"offset":  strconv.FormatInt(fd.Offset, 10),
				},
			})
		}
		for _, check := range sortedKeys(f.Suppressed) {
			sev := evidence.SeverityInfo
			for _, fd := range f.Findings {
				if r, _ := fd.Severity.Rank(); fd.Check == check && r > rank(sev) {
					sev = fd.Severity
				}
			}
			facts = append(facts, evidence.Fact{
				Source: evidence.SourceEDI, Check: "edi." + check, Target: f.Path, Severity: sev,
				Summary: fmt.Sprintf("%d more %s findings in this file, not listed", f.Suppressed[check], check),
				Attrs:   map[string]string{"suppressed": strconv.Itoa(f.Suppressed[check])},
			})
		}
	}
	evidence.Sort(facts)
	return facts
}

func rank(s evidence.Severity) int {
	r, _ := s.Rank()
	return r
}

func summaryFact(f *File) evidence.Fact {
	usage, versions, types := map[string]bool{}, map[string]bool{}, map[string]bool{}
	sets := 0
	for _, ic := range f.Interchanges {
		usage[ic.Usage] = true
		versions[ic.Version] = true
		for _, g := range ic.Groups {
			sets += g.TransactionCount
			for _, t := range g.Transactions {
				types[t.Type] = true
			}
		}
	}
	return evidence.Fact{
		Source: evidence.SourceEDI, Check: "edi." + CheckSummary, Target: f.Path, Severity: evidence.SeverityInfo,
		Summary: fmt.Sprintf("X12 file with %d interchange(s) and %d transaction set(s) (%s)",
			len(f.Interchanges), sets, strings.Join(sortedSet(types), ", ")),
		Attrs: map[string]string{
			"interchanges":     strconv.Itoa(len(f.Interchanges)),
			"transaction_sets": strconv.Itoa(sets),
			"types":            strings.Join(sortedSet(types), ","),
			"usage":            strings.Join(sortedSet(usage), ","),
			"versions":         strings.Join(sortedSet(versions), ","),
		},
	}
}

func sortedSet(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func sortedKeys(m map[string]int) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// ReadEvidence reads the JSON written by `rcmguard edi inspect --format
// json` and returns its facts, so an assessment can use an inspection made
// earlier or elsewhere.
func ReadEvidence(r io.Reader) ([]evidence.Fact, error) {
	var rep Report
	dec := json.NewDecoder(r)
	if err := dec.Decode(&rep); err != nil {
		return nil, fmt.Errorf("x12: read evidence: %w", err)
	}
	if rep.Format != ReportFormat {
		return nil, fmt.Errorf("x12: read evidence: format %q is not %q (is this the output of edi inspect --format json?)", rep.Format, ReportFormat)
	}
	for i, f := range rep.Files {
		if f == nil || f.Path == "" {
			return nil, fmt.Errorf("x12: read evidence: file %d has no path", i+1)
		}
	}
	facts := Facts(&rep)
	for _, fact := range facts {
		if err := fact.Validate(); err != nil {
			return nil, fmt.Errorf("x12: read evidence: %w", err)
		}
	}
	return facts, nil
}
