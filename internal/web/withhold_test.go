package web

import (
	"testing"

	"rcmguard/internal/evidence"
)

// TestWithholdJudgesEachValue: a value is withheld for what it holds
// itself. A name and a phone number count as PHI only beside an
// identifier, and the identifier here is in another fact: when every value
// went through the scanner as one made-up file, the neighbouring SSN made
// the second summary PHI too.
func TestWithholdJudgesEachValue(t *testing.T) {
	facts := []evidence.Fact{
		{Source: evidence.SourceScan, Check: "phi.ssn", Target: "notes/123-45-6788.txt", Severity: evidence.SeverityHigh, Summary: "1 ssn finding(s) in text"},
		{Source: evidence.SourceScan, Check: "phi.name", Target: "notes/a.txt", Severity: evidence.SeverityLow, Summary: "Patient Name: Avery Ashford, phone 555-201-3344"},
	}
	out, n := withholdIdentifiers(facts)
	if n != 1 || !out[0].Withheld || out[0].Target != withheldText || out[1].Withheld || out[1].Summary != facts[1].Summary {
		t.Fatalf("withheld %d: %+v; want only the first fact's target", n, out)
	}
}
