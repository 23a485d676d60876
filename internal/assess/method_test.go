package assess

import (
	"slices"
	"strings"
	"testing"
	"time"

	"rcmguard/internal/evidence"
	"rcmguard/internal/risk"
	"rcmguard/internal/rules"
)

// small is a practice with two EDI flows to one clearinghouse: one over
// plain FTP with a shared password, one over SFTP with a key, whose
// endpoint a probe can check; and a named document control.
const small = `version: 2
organization: {name: Small Clinic, kind: provider_practice, workforce: 4, patients_per_year: 900, claims_per_month: 200, avg_reimbursement: 100, security_official: Pat Lee}
assessment:
  date: 2026-11-27
  previous: 2025-11-01
  document:
    version: "2026.1"
    participants:
      - {name: Pat Lee, role: Practice manager, part: interviewed, date: 2026-11-20}
    sources:
      - {title: Clearinghouse BAA, kind: document, date: 2025-01-01}
    assumptions: [The clearinghouse hosts its SFTP server in the United States.]
    owners:
      - {role: it, name: Sam Ortiz}
    plan_approval: {name: Dr. Ana Gomez, title: Owner, date: 2026-11-28, resources: "$4,000 and 10 hours of MSP time"}
systems:
  - {id: pm, name: PM, kind: pm_billing}
  - {id: ch, name: CH, kind: clearinghouse_sftp, vendor: v}
data:
  - {id: claims, kind: claims_837}
flows:
  - {id: f-ftp, from: pm, to: ch, data: [claims], channel: ftp, auth: shared_password, automated: true, stage: edi_submission}
  - {id: f-sftp, from: pm, to: ch, data: [claims], channel: sftp, auth: key, automated: true, stage: edi_submission, endpoint: {protocol: ssh, address: "sftp.ch.example:22"}}
vendors:
  - {id: v, name: V, clearinghouse: true, baa: {status: signed, signed: 2025-01-01}}
roles:
  - {id: biller, name: Biller, kind: biller, headcount: 1}
`

func smallRun(t *testing.T, sets []EvidenceSet, prev *Result) *Result {
	t.Helper()
	res, err := Run(Input{Model: loadText(t, "small.yaml", small), Rules: ruleSet(t), EvidenceSets: sets, Previous: prev,
		Now: time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC), Tool: "rcmguard test"})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func findRisk(res *Result, id string) *Risk {
	for i := range res.Risks {
		if res.Risks[i].ID == id {
			return &res.Risks[i]
		}
	}
	return nil
}

func findPair(res *Result, id string) *Pair {
	for i := range res.Pairs {
		if res.Pairs[i].ID == id {
			return &res.Pairs[i]
		}
	}
	return nil
}

// TestLikelihoodTwoSteps: the threat source decides the table of the
// first step; the breach share is its starting value with no floor; the
// element's exposure moves only that step and the rule's conditions only
// the second; Table G-5 combines them.
func TestLikelihoodTwoSteps(t *testing.T) {
	res := smallRun(t, nil, nil)
	r := findRisk(res, "EDI-01@f-ftp")
	if r == nil {
		t.Fatal("EDI-01 did not fire on the FTP flow")
	}
	l := r.Likelihood
	in, ad := l.Steps[0], l.Steps[1]
	tc := rules.ThreatClasses()[mustRule(t, "EDI-01").ThreatClass]
	wantTable := risk.TableOccurrence
	if tc.Adversarial {
		wantTable = risk.TableInitiation
	}
	if in.Table != wantTable || in.Base != int(tc.Share*100+0.5) {
		t.Errorf("initiation on %s from %d; want %s from the breach share %.3f", in.Table, in.Base, wantTable, tc.Share)
	}
	if ad.Table != risk.TableAdverseImpact || ad.Base != risk.Midpoint(risk.Moderate) {
		t.Errorf("adverse impact on %s from %d; want G-4 from %d", ad.Table, ad.Base, risk.Midpoint(risk.Moderate))
	}
	if !slices.ContainsFunc(ad.Factors, func(f risk.Factor) bool { return f.Name == "plain FTP" }) ||
		slices.ContainsFunc(in.Factors, func(f risk.Factor) bool { return f.Name == "plain FTP" }) {
		t.Errorf("the rule's own condition belongs to the adverse-impact step: %+v / %+v", in.Factors, ad.Factors)
	}
	if l.Level != risk.Overall(in.Level, ad.Level) {
		t.Errorf("overall %s, Table G-5 gives %s", l.Level, risk.Overall(in.Level, ad.Level))
	}
	// A class with a small share starts low: no floor lifts it to
	// Moderate (the one-step method started every class at 20 or more).
	for _, b := range res.Method.BaseRates {
		if b.Share > 0 && b.Value != int(b.Share*100+0.5) {
			t.Errorf("%s: base %d for a share of %.3f", b.Class, b.Value, b.Share)
		}
	}
	if !slices.ContainsFunc(res.Method.BaseRates, func(b BaseRate) bool { return b.Share > 0 && risk.LevelOf(b.Value) <= risk.Low }) {
		t.Error("no base rate below Moderate: the floor is back")
	}
	if res.Method.Measures == "" || res.Method.DoesNotMeasure == "" || len(res.Method.Assumptions) == 0 || l.Uncertainty == "" {
		t.Error("the base rates' meaning, the assumptions or the uncertainty are not stated")
	}
}

// TestResidualFollowsControls: with the mitigation in place the
// adverse-impact step is Low and Table G-5 decides the rest; initiation
// and impact do not move. The one-step method subtracted the rule's
// fixed points from the likelihood instead.
func TestResidualFollowsControls(t *testing.T) {
	res := smallRun(t, nil, nil)
	for _, r := range res.Risks {
		in := r.Likelihood.Steps[0]
		lv, _ := risk.Combine(in.Value, risk.Midpoint(risk.Low))
		v, lvl := risk.Score(lv, r.Impact.Value)
		if r.Residual.Likelihood != lv || r.Residual.Value != v || r.Residual.Level != lvl {
			t.Errorf("%s: residual %d/%d/%s, want likelihood %d, value %d, %s", r.ID, r.Residual.Likelihood, r.Residual.Value, r.Residual.Level, lv, v, lvl)
		}
		if !strings.Contains(r.Residual.Arithmetic, "G-5") {
			t.Errorf("%s: residual arithmetic %q does not show Table G-5", r.ID, r.Residual.Arithmetic)
		}
	}
}

// TestEveryPairRated: the SFTP flow with a key has the safeguards EDI-01
// and EDI-02 look for; each is a pair rated low, its measure declared —
// and verified, naming the set and its date, once a probe of the flow's
// endpoint is given. A risk is a pair too, with its safeguard missing.
func TestEveryPairRated(t *testing.T) {
	res := smallRun(t, nil, nil)
	for _, id := range []string{"EDI-01@f-sftp", "EDI-02@f-sftp"} {
		p := findPair(res, id)
		if p == nil {
			t.Fatalf("no pair %s; pairs: %v", id, pairIDs(res))
		}
		if p.Safeguard != SafeguardInPlace || findRisk(res, id) != nil || len(p.Measures) == 0 {
			t.Fatalf("%s: %+v", id, p)
		}
		for _, m := range p.Measures {
			if m.Basis != Declared || m.State != SafeguardInPlace || len(m.Evidence) != 0 {
				t.Errorf("%s: measure %+v, want declared and in place", id, m)
			}
		}
		// Table G-5 may keep the level (a High initiation with a Low or a
		// Moderate adverse impact is Moderate either way); the value falls.
		if gap := findRisk(res, strings.Replace(id, "f-sftp", "f-ftp", 1)); gap != nil && (p.Level > gap.Level || p.Value >= gap.Value) {
			t.Errorf("%s in place rates %s %d, no lower than the gap %s %d", id, p.Level, p.Value, gap.Level, gap.Value)
		}
	}
	if p := findPair(res, "EDI-01@f-ftp"); p == nil || p.Safeguard != SafeguardMissing || len(p.Measures) == 0 {
		t.Errorf("the risk EDI-01@f-ftp is not a pair with its safeguard missing: %+v", p)
	}
	if res.Summary.Evidence.Share != 0 || res.Summary.Evidence.Pairs != len(res.Pairs) {
		t.Errorf("without evidence: %+v", res.Summary.Evidence)
	}

	probe := EvidenceSet{Name: "probe-2026-11.json", Source: "probe", Date: "2026-11-25", Facts: []evidence.Fact{
		{Source: evidence.SourceProbe, Check: "ssh.summary", Target: "sftp.ch.example:22", Severity: evidence.SeverityInfo, Summary: "SSH-2.0, publickey only"},
	}}
	res = smallRun(t, []EvidenceSet{probe}, nil)
	p := findPair(res, "EDI-01@f-sftp")
	if p == nil {
		t.Fatal("the pair went away with evidence")
	}
	verified := 0
	for _, m := range p.Measures {
		if m.Basis == Verified {
			verified++
			if len(m.Evidence) != 1 || m.Evidence[0].Set != probe.Name || m.Evidence[0].Date != probe.Date {
				t.Errorf("verified measure %+v does not name the set and its date", m)
			}
		}
	}
	if verified == 0 || p.Verified == 0 {
		t.Fatalf("no measure of %s verified by the probe of its endpoint: %+v", p.ID, p.Measures)
	}
	if s := res.Summary.Evidence; s.MeasuresVerified == 0 || s.Share <= 0 || s.Share > 1 || s.PairsWithEvidence == 0 {
		t.Errorf("evidence share %+v", s)
	}
	if len(res.Evidence.Sets) != 1 || res.Evidence.Sets[0].Count != 1 {
		t.Errorf("evidence sets %+v", res.Evidence.Sets)
	}
	// A pair every measure of which evidence shows working is rated on the
	// Very Low adverse-impact step.
	if p.Verified == 1 && p.Likelihood.Steps[1].Level != risk.VeryLow {
		t.Errorf("fully verified pair on G-4 %s", p.Likelihood.Steps[1].Level)
	}
}

// TestNoPairWhereTheRuleCannotApply: an EDI rule makes no pair on a
// flow that carries no EDI, and a rule about what a scan found makes none
// where nothing was scanned.
func TestNoPairWhereTheRuleCannotApply(t *testing.T) {
	res := smallRun(t, nil, nil)
	for _, p := range res.Pairs {
		if p.Safeguard != SafeguardInPlace {
			continue
		}
		if strings.HasPrefix(p.Rule, "EVD-") || strings.HasPrefix(p.Rule, "MODEL-") {
			t.Errorf("%s: an evidence or model rule is a pair without evidence: %+v", p.ID, p.Measures)
		}
	}
}

func pairIDs(res *Result) []string {
	var out []string
	for _, p := range res.Pairs {
		out = append(out, p.ID)
	}
	return out
}

func mustRule(t *testing.T, id string) *rules.Rule {
	r, ok := ruleSet(t).Get(id)
	if !ok {
		t.Fatalf("no rule %s", id)
	}
	return r
}

// TestDocumentControl: the model's participants, sources, assumptions,
// named owners and plan approval reach the result; the plan names the
// person; what is missing is listed; and the change log against a
// previous result counts new, resolved and re-rated risks.
func TestDocumentControl(t *testing.T) {
	res := smallRun(t, nil, nil)
	dc := res.DocumentControl
	if dc.Version != "2026.1" || len(dc.Participants) != 1 || dc.Participants[0].Name != "Pat Lee" {
		t.Errorf("version %q, participants %+v", dc.Version, dc.Participants)
	}
	if dc.PlanApproval == nil || dc.PlanApproval.Name != "Dr. Ana Gomez" || dc.PlanApproval.Resources == "" {
		t.Errorf("plan approval %+v", dc.PlanApproval)
	}
	if !slices.Contains(dc.Assumptions, "The clearinghouse hosts its SFTP server in the United States.") {
		t.Errorf("assumptions %v", dc.Assumptions)
	}
	for _, p := range res.Plan {
		if p.Owner == "it" && p.OwnerName != "Sam Ortiz" {
			t.Errorf("plan item %s owned by it names %q", p.RiskID, p.OwnerName)
		}
	}
	if !slices.ContainsFunc(dc.Missing, func(m string) bool { return strings.Contains(m, "not signed off") }) ||
		!slices.ContainsFunc(dc.Missing, func(m string) bool { return strings.Contains(m, "--previous") }) {
		t.Errorf("missing %v", dc.Missing)
	}
	if slices.ContainsFunc(dc.Missing, func(m string) bool { return strings.Contains(m, "not approved") }) {
		t.Errorf("the approved plan is listed as missing: %v", dc.Missing)
	}

	// The previous analysis had one risk since resolved, lacked one now
	// found, and rated another differently.
	prev := smallRun(t, nil, nil)
	prev.AsOf, prev.DocumentControl.Version = "2025-11-01", "2025.1"
	gone := Risk{ID: "EDI-99@f-old", Title: "gone", Level: risk.High}
	prev.Risks = append(prev.Risks[1:], gone)
	prev.Risks[0].Level = (prev.Risks[0].Level + 1) % 5
	res = smallRun(t, nil, prev)
	c := res.DocumentControl.Changes
	if c == nil || c.PreviousAsOf != "2025-11-01" || c.PreviousVersion != "2025.1" {
		t.Fatalf("change log %+v", c)
	}
	if len(c.New) != 1 || len(c.Resolved) != 1 || c.Resolved[0].ID != gone.ID || len(c.Rerated) != 1 ||
		len(c.New)+len(c.Rerated)+c.Unchanged != len(res.Risks) {
		t.Errorf("change log %+v", c)
	}
}
