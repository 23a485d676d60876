package rules

import (
	"path/filepath"
	"sort"
	"strings"

	"rcmguard/internal/evidence"
	"rcmguard/internal/model"
)

func safePolicies() map[string]any {
	out := map[string]any{}
	for _, k := range model.PolicyKind("").Enum() {
		out[k] = map[string]any{"exists": true, "days_since_review": 100}
	}
	return out
}

func (b *builder) buildOrg(nprm bool) {
	o := b.m.Organization
	policies := map[string]any{}
	for _, k := range model.PolicyKind("").Enum() {
		policies[k] = map[string]any{"exists": false, "days_since_review": -1}
	}
	// Several documents may cover one kind; the most recently reviewed counts.
	for _, p := range b.m.Policies {
		if !p.Exists {
			continue
		}
		cur := policies[string(p.Kind)].(map[string]any)
		age := sinceDays(p.LastReviewed, b.now)
		if prev := cur["days_since_review"].(int); cur["exists"].(bool) && prev >= 0 && (age < 0 || prev < age) {
			age = prev
		}
		policies[string(p.Kind)] = map[string]any{"exists": true, "days_since_review": age}
	}
	clearinghouses, offshoreRoles, critical, clientsNoBAA := 0, 0, 0, 0
	for _, e := range b.g.Elements[KindVendor] {
		if e.View["clearinghouse"].(bool) && e.View["phi_access"].(bool) {
			clearinghouses++
		}
	}
	for _, e := range b.g.Elements[KindRole] {
		if e.View["offshore"].(bool) {
			offshoreRoles++
		}
	}
	for _, s := range b.m.Systems {
		if s.Critical != nil && *s.Critical {
			critical++
		}
	}
	for _, e := range b.g.Elements[KindClient] {
		if e.View["baa_status"] != "signed" {
			clientsNoBAA++
		}
	}
	hasBank, hasCard := false, false
	for _, d := range b.m.Data {
		hasBank = hasBank || d.Kind == "bank_eft" || d.Kind == "remittance_835"
		hasCard = hasCard || d.Kind == "card_data"
	}
	missing := []string{}
	if len(b.m.Workflow) > 0 {
		for _, st := range model.StandardStages {
			found := false
			for _, w := range b.m.Workflow {
				found = found || w.Stage == st
			}
			if !found {
				missing = append(missing, st)
			}
		}
	} else {
		missing = append(missing, model.StandardStages...)
	}
	clinical := 0
	for _, s := range b.m.Systems {
		if s.Kind == "ehr" || s.Kind == "medical_device" {
			clinical++
		}
	}
	chFunc := o.Kind == "clearinghouse"
	if o.ClearinghouseFunc != nil {
		chFunc = *o.ClearinghouseFunc
	}
	ba := o.Kind != "provider_practice"
	if o.IsBusinessAssociate != nil {
		ba = *o.IsBusinessAssociate
	}
	v := map[string]any{
		"id": "org", "name": o.Name, "kind": string(o.Kind), "business_associate": ba, "workforce": o.Workforce,
		"clearinghouse_function": chFunc, "clearinghouse_isolated": tri(o.ClearinghouseIso),
		"claims_per_month": o.ClaimsPerMonth, "revenue_per_day": RevenuePerDay(b.m),
		"security_official_named":        strings.TrimSpace(o.SecurityOfficial) != "",
		"days_since_previous_assessment": sinceDays(b.m.Assessment.Previous, b.now),
		"clearinghouses":                 clearinghouses, "clients": len(b.m.Clients), "clients_without_baa": clientsNoBAA,
		"offshore_roles": offshoreRoles, "has_bank_eft": hasBank, "has_card_data": hasCard, "critical_systems": critical,
		"stages_without_steps": missing,
		"unmodelled_phi_paths": len(b.org.unmodelled), "phi_log_files": len(b.org.logs), "card_files": len(b.org.card),
		"edi_isa_credentials": len(b.org.isaCreds), "edi_test_real_ids": len(b.org.testReal),
		"edi_ssn_identifiers": len(b.org.ssnID), "edi_legacy_hicn": len(b.org.hicn), "edi_x12_in_logs": len(b.org.x12Logs),
		"edi_envelope_errors": len(b.org.envelopeErrs), "nprm": nprm, "policies": policies,
		"internet_facing": true, "offshore": offshoreRoles > 0, "vendor_involved": len(b.m.Vendors) > 0,
		"records": o.PatientsPerYear, "max_sensitivity": "high", "financial": hasBank || hasCard,
		"observed": b.observedList("org"),
		"scope":    string(b.m.EffectiveScope()), "clinical_systems": clinical, "people": len(b.m.People),
		"scope_stated": len(b.m.Assessment.InScope) > 0,
	}
	e := &Element{Kind: KindOrg, IDs: []string{"org"}, Label: "the organisation (" + o.Name + ")", Path: "organization", View: v}
	if b.m.Assessment.Previous.IsZero() {
		// The previous analysis is the assessment's, not the organisation's.
		e.Unknown = append(e.Unknown, Unknown{Attr: "days_since_previous_assessment", Field: "assessment.previous", Citation: "164.308(a)(8)",
			Question: "When was the previous risk analysis (a date, or never if this is the first)?"})
	}
	if chFunc && o.ClearinghouseIso == nil {
		e.unknown("clearinghouse_isolated", "clearinghouse_isolated", "164.308(a)(4)(ii)(A)",
			"Is the clearinghouse function's ePHI isolated from the rest of %s?", e.Label)
	}
	b.add(e)
}

// RevenuePerDay is billing revenue per working day: claims per month times
// average reimbursement, over 21 working days. It is what a day of billing
// downtime puts at risk.
func RevenuePerDay(m *model.Model) float64 {
	o := m.Organization
	return float64(o.ClaimsPerMonth) * o.AvgReimbursement / 21
}

// attachEvidence maps facts onto the elements they concern: probe facts by
// endpoint address, file facts by the system locations their path sits in.
func (b *builder) attachEvidence(facts []evidence.Fact) {
	byAddr := map[string][]string{}
	for _, e := range b.m.Endpoints() {
		byAddr[strings.ToLower(e.Address)] = append(byAddr[strings.ToLower(e.Address)], e.Element)
	}
	mark := func(elem, check string) {
		if b.observed[elem] == nil {
			b.observed[elem] = map[string]bool{}
		}
		b.observed[elem][check] = true
	}
	for _, f := range facts {
		if strings.HasSuffix(f.Check, ".summary") {
			continue
		}
		switch f.Source {
		case evidence.SourceProbe:
			elems := byAddr[strings.ToLower(f.Target)]
			if len(elems) == 0 {
				b.g.Unmatched = append(b.g.Unmatched, f)
			}
			for _, el := range elems {
				mark(el, f.Check)
			}
		case evidence.SourceScan, evidence.SourceEDI:
			b.attachFileFact(f, mark)
		}
	}
	sort.SliceStable(b.g.Unmatched, func(i, j int) bool { return b.g.Unmatched[i].Target < b.g.Unmatched[j].Target })
}

func (b *builder) attachFileFact(f evidence.Fact, mark func(elem, check string)) {
	outer, _, _ := strings.Cut(f.Target, "!")
	isLog := looksLikeLog(f.Target)
	sysID := b.locate(outer)
	if f.Source == evidence.SourceScan {
		if f.Check == "phi.npi" {
			return // a provider identifier alone is not PHI
		}
		if isLog {
			b.org.logs[outer] = true
		}
		if f.Check == "phi.payment_card" {
			b.org.card[outer] = true
		}
		if sysID == "" {
			b.org.unmodelled[outer] = true
			b.g.Unmatched = append(b.g.Unmatched, f)
			return
		}
		sc := b.scan[sysID]
		if sc == nil {
			sc = &scanCounts{newSet(), newSet(), newSet()}
			b.scan[sysID] = sc
		}
		sc.phi[outer] = true
		switch f.Check {
		case "phi.x12":
			sc.x12[f.Target] = true
		case "phi.payment_card":
			sc.card[outer] = true
		}
		mark(sysID, f.Check)
		return
	}
	switch strings.TrimPrefix(f.Check, "edi.") {
	case "isa-credentials":
		b.org.isaCreds[f.Target] = true
	case "isa-test-indicator":
		b.org.testReal[f.Target] = true
	case "ssn-identifier":
		b.org.ssnID[f.Target] = true
	case "legacy-hicn":
		b.org.hicn[f.Target] = true
	case "x12-in-logs":
		b.org.x12Logs[f.Target] = true
	case "envelope-mismatch", "duplicate-control-number":
		b.org.envelopeErrs[f.Target] = true
	}
	if sysID != "" {
		mark(sysID, f.Check)
	} else {
		b.g.Unmatched = append(b.g.Unmatched, f)
	}
	mark("org", f.Check)
}

// locate finds the system whose declared location holds path; the longest
// matching location wins, so /srv/share/edi beats /srv/share.
func (b *builder) locate(path string) string {
	p := normPath(path)
	best, bestLen := "", -1
	for _, s := range b.m.Systems {
		for _, loc := range s.Locations {
			l := strings.TrimSuffix(normPath(loc), "/")
			if l == "" {
				continue
			}
			if (p == l || strings.HasPrefix(p, l+"/")) && len(l) > bestLen {
				best, bestLen = s.ID, len(l)
			}
		}
	}
	return best
}

func normPath(p string) string {
	p = strings.ReplaceAll(p, `\`, "/")
	return strings.ToLower(filepath.ToSlash(p))
}

func looksLikeLog(p string) bool {
	p = normPath(p)
	base := p[strings.LastIndexByte(p, '/')+1:]
	return strings.Contains(p, "/log/") || strings.Contains(p, "/logs/") || strings.HasSuffix(base, ".log") ||
		strings.Contains(base, ".log.")
}
