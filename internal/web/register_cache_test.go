package web

import (
	"fmt"
	"testing"
	"time"

	"rcmguard/internal/store"
)

// TestDecisionsDigest: every field the register join reads changes the
// digest, so a cached join is never served after a decision changed.
func TestDecisionsDigest(t *testing.T) {
	at := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	base := []store.RiskDecision{{RiskID: "EDI-01@f1", Status: "in_progress", Owner: "IT", Due: at, Updated: at}}
	same := []store.RiskDecision{base[0]}
	if decisionsDigest(base) != decisionsDigest(same) {
		t.Fatal("equal decisions differ")
	}
	muts := []func(d *store.RiskDecision){
		func(d *store.RiskDecision) { d.RiskID = "EDI-01@f2" },
		func(d *store.RiskDecision) { d.Status = "mitigated" },
		func(d *store.RiskDecision) { d.Owner = "Billing" },
		func(d *store.RiskDecision) { d.Due = at.AddDate(0, 0, 1) },
		func(d *store.RiskDecision) { d.Updated = at.Add(time.Nanosecond) },
	}
	for i, m := range muts {
		d := base[0]
		m(&d)
		if decisionsDigest([]store.RiskDecision{d}) == decisionsDigest(base) {
			t.Errorf("mutation %d left the digest unchanged", i)
		}
	}
	// Field boundaries are length-prefixed: moving text between fields
	// changes the digest.
	a := []store.RiskDecision{{RiskID: "A", Status: "BC", Updated: at}}
	b := []store.RiskDecision{{RiskID: "AB", Status: "C", Updated: at}}
	if decisionsDigest(a) == decisionsDigest(b) {
		t.Error("digest ignores field boundaries")
	}
	if decisionsDigest(nil) == decisionsDigest(base) {
		t.Error("no decisions and one decision share a digest")
	}
}

func TestRegisterCacheEvicts(t *testing.T) {
	var c registerCache
	for i := 0; i < registerCacheEntries+5; i++ {
		c.put(registerKey{assessment: int64(i)}, &registerJoin{areas: []string{fmt.Sprint(i)}})
	}
	if len(c.entries) != registerCacheEntries {
		t.Fatalf("%d entries, want %d", len(c.entries), registerCacheEntries)
	}
	if _, ok := c.get(registerKey{assessment: 0}); ok {
		t.Error("oldest entry kept")
	}
	if j, ok := c.get(registerKey{assessment: registerCacheEntries + 4}); !ok || j.areas[0] != fmt.Sprint(registerCacheEntries+4) {
		t.Error("newest entry lost")
	}
}
