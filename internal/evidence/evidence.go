// Package evidence holds normalised facts observed by rcmguard's evidence
// engines (the PHI scanner, the X12 inspector, the endpoint probes and, later,
// log monitoring). The assessment treats a fact as stronger than a declared
// answer: where the two disagree, the disagreement is itself a finding.
//
// A fact never carries a full identifier: engines mask values before they
// build facts.
package evidence

import (
	"fmt"
	"sort"
	"strings"
)

// Source names the engine that observed a fact.
type Source string

const (
	SourceScan  Source = "scan"  // rcmguard scan: PHI found in files
	SourceEDI   Source = "edi"   // rcmguard edi inspect: X12 envelope and security checks
	SourceProbe Source = "probe" // rcmguard probe: TLS, SSH, FTP, SMTP endpoints
)

// Severity orders facts; it follows the risk levels' vocabulary.
type Severity string

const (
	SeverityInfo     Severity = "info"
	SeverityLow      Severity = "low"
	SeverityMedium   Severity = "medium"
	SeverityHigh     Severity = "high"
	SeverityCritical Severity = "critical"
)

var severityRank = map[Severity]int{
	SeverityInfo: 0, SeverityLow: 1, SeverityMedium: 2, SeverityHigh: 3, SeverityCritical: 4,
}

// Rank returns the severity's order (info=0 … critical=4) and false for an
// unknown value.
func (s Severity) Rank() (int, bool) {
	r, ok := severityRank[s]
	return r, ok
}

// ParseSeverity accepts a severity name in any case.
func ParseSeverity(s string) (Severity, error) {
	v := Severity(strings.ToLower(strings.TrimSpace(s)))
	if _, ok := severityRank[v]; !ok {
		return "", fmt.Errorf("evidence: unknown severity %q (want info, low, medium, high or critical)", s)
	}
	return v, nil
}

// Fact is one observation.
//
// Check is a stable identifier of what was observed, namespaced by engine:
//
//	scan:  "phi.<kind>" (phi.ssn, phi.mbi, phi.payment_card, phi.x12, …)
//	edi:   "edi.<check>" (edi.isa-credentials, edi.isa-test-indicator, …)
//	probe: "tls.summary", "tls.legacy-protocol", "ssh.summary",
//	       "ssh.password-auth", "ftp.no-auth-tls", "smtp.no-starttls", …
//
// Target is what the fact is about: a file path (nested content written
// as outer!inner) or an endpoint as host:port.
type Fact struct {
	Source   Source            `json:"source"`
	Check    string            `json:"check"`
	Target   string            `json:"target"`
	Severity Severity          `json:"severity"`
	Summary  string            `json:"summary"`
	Attrs    map[string]string `json:"attrs,omitempty"`
}

// Validate reports the first missing or unknown field.
func (f Fact) Validate() error {
	switch f.Source {
	case SourceScan, SourceEDI, SourceProbe:
	default:
		return fmt.Errorf("evidence: unknown source %q", f.Source)
	}
	if f.Check == "" {
		return fmt.Errorf("evidence: fact from %s has no check", f.Source)
	}
	if f.Target == "" {
		return fmt.Errorf("evidence: fact %s has no target", f.Check)
	}
	if _, ok := f.Severity.Rank(); !ok {
		return fmt.Errorf("evidence: fact %s on %s has unknown severity %q", f.Check, f.Target, f.Severity)
	}
	return nil
}

// Sort orders facts deterministically: by source, target, check, summary.
func Sort(facts []Fact) {
	sort.SliceStable(facts, func(i, j int) bool {
		a, b := facts[i], facts[j]
		if a.Source != b.Source {
			return a.Source < b.Source
		}
		if a.Target != b.Target {
			return a.Target < b.Target
		}
		if a.Check != b.Check {
			return a.Check < b.Check
		}
		return a.Summary < b.Summary
	})
}
