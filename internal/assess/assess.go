package assess

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"rcmguard/internal/catalog"
	"rcmguard/internal/evidence"
	"rcmguard/internal/model"
	"rcmguard/internal/risk"
	"rcmguard/internal/rules"
)

// Input is everything an assessment depends on. Nothing else is read: no
// clock, no files, no environment.
type Input struct {
	Model      *model.Model
	Facts      []evidence.Fact
	Rules      *rules.Set
	Now        time.Time // as-of date when the model does not set assessment.date
	Regulation string    // overrides the model's regulation when set
	Tool       string    // "rcmguard <version>", recorded in the result
	// EvidenceSets are named, dated bodies of evidence; their facts are
	// used as Facts are, and a measure they examined is shown verified by
	// them. Facts outside any set count as one set named "evidence".
	EvidenceSets []EvidenceSet
	// Previous is the result of the previous analysis, if any: the
	// document control's change log compares against it.
	Previous *Result
}

// Run performs the assessment.
func Run(in Input) (*Result, error) {
	cat, err := catalog.Load()
	if err != nil {
		return nil, err
	}
	m := in.Model
	asOf := in.Now.UTC()
	if t, ok := m.Assessment.Date.Time(); ok {
		asOf = t
	}
	asOf = time.Date(asOf.Year(), asOf.Month(), asOf.Day(), 0, 0, 0, 0, time.UTC)
	regulation := string(m.Assessment.Regulation)
	if in.Regulation != "" {
		regulation = in.Regulation
	}
	if regulation == "" {
		regulation = "current-2013"
	}
	if regulation != "current-2013" && regulation != "nprm-2025-proposed" {
		return nil, fmt.Errorf("assess: unknown regulation %q (want current-2013 or nprm-2025-proposed)", regulation)
	}
	if errs := checkAnswers(m, cat); len(errs) > 0 {
		return nil, errs
	}

	sets := evidenceSets(in)
	var facts []evidence.Fact
	for _, s := range sets {
		facts = append(facts, s.Facts...)
	}
	g := rules.Build(m, facts, rules.Options{Now: asOf, NPRM: regulation == "nprm-2025-proposed"})
	hits, err := in.Rules.Evaluate(g)
	if err != nil {
		return nil, fmt.Errorf("assess: %w", err)
	}
	org := g.Elements[rules.KindOrg][0].View

	res := &Result{
		Schema: SchemaVersion, Tool: in.Tool, AsOf: asOf.Format("2006-01-02"), Regulation: regulation,
		Organization: Organization{
			Name: m.Organization.Name, Kind: string(m.Organization.Kind), Workforce: m.Organization.Workforce,
			PatientsPerYear: m.Organization.PatientsPerYear, ClaimsPerMonth: m.Organization.ClaimsPerMonth,
			AvgReimbursement: m.Organization.AvgReimbursement, RevenuePerDay: rules.RevenuePerDay(m),
			SecurityOfficial: m.Organization.SecurityOfficial, Clients: len(m.Clients),
		},
		Assessment: AssessmentMeta{Assessor: m.Assessment.Assessor, Scope: m.Assessment.Scope,
			ScopeKind: string(m.EffectiveScope()), InScope: m.Assessment.InScope, OutOfScope: m.Assessment.OutOfScope,
			Previous: string(m.Assessment.Previous.Date()), Model: m.Path()},
		Warnings: []string{},
	}
	if so := m.Assessment.SignOff; so != nil {
		res.Assessment.SignOff = &SignOff{Name: so.Name, Title: so.Title, Date: string(so.Date)}
	}
	w := newWitness(m, sets)
	fired := map[string]bool{}
	for _, h := range hits {
		r := riskFromHit(h, org, m, cat)
		res.Risks = append(res.Risks, r)
		res.Pairs = append(res.Pairs, gapPair(r, h, org, w))
		fired[r.ID] = true
	}
	answers := answerRisks(m, cat, org)
	res.Risks = append(res.Risks, answers...)
	for _, r := range answers {
		res.Pairs = append(res.Pairs, answerPair(r))
	}
	inPlace, err := inPlacePairs(in.Rules, g, fired, m, w)
	if err != nil {
		return nil, err
	}
	res.Pairs = append(res.Pairs, inPlace...)
	sortPairs(res.Pairs)
	res.Method = method()
	res.Warnings = append(res.Warnings, applyTracking(res.Risks, m.Tracking, asOf)...)
	sortRisks(res.Risks)

	res.Coverage, res.Questions = coverage(cat, in.Rules, g, res.Risks, m, regulation == "nprm-2025-proposed")
	res.Questions = append(res.Questions, unknownQuestions(g, m, cat)...)
	res.Plan = plan(res.Risks, asOf)
	res.Inventory = inventory(m, g, res.Risks)
	res.Evidence = evidenceSummary(facts, g)
	res.Evidence.Sets = setsOrEmpty(sets)
	res.Summary = summarize(res, len(in.Rules.Rules))
	res.OCRElements = ocrElements(res)
	res.DocumentControl = documentControl(m, res, sets)
	res.DocumentControl.Assumptions = append(res.DocumentControl.Assumptions, res.Method.Assumptions...)
	SetPrevious(res, in.Previous)
	if res.Risks == nil {
		res.Risks = []Risk{}
	}
	if res.Pairs == nil {
		res.Pairs = []Pair{}
	}
	if res.Plan == nil {
		res.Plan = []PlanItem{}
	}
	if res.Questions == nil {
		res.Questions = []Question{}
	}
	return res, nil
}

// CheckAnswers checks a model's answers against the catalog, each problem
// placed at its line: `rcmguard validate` reports them as Run would.
func CheckAnswers(m *model.Model) error {
	cat, err := catalog.Load()
	if err != nil {
		return err
	}
	if errs := checkAnswers(m, cat); len(errs) > 0 {
		return errs
	}
	return nil
}

// checkAnswers rejects answers to questions the catalog does not have, a
// required safeguard answered "not applicable" (164.306(d)(2): required
// specifications and standards must be implemented), and an addressable
// specification answered "no" without the record 164.306(d)(3)(ii)(B)
// demands: why it is not reasonable and appropriate, and the equivalent
// measure taken instead.
func checkAnswers(m *model.Model, cat *catalog.Catalog) model.ErrorList {
	var errs model.ErrorList
	seen := map[string]string{}
	for i, a := range m.Answers {
		path := fmt.Sprintf("answers[%d].question", i)
		e, ok := cat.Lookup(a.Question)
		if !ok || !e.Assessable() {
			errs = append(errs, m.ErrorAt(path, fmt.Sprintf("%q is not an implementation specification or standard without specifications in 45 CFR 164.308–164.316; run `rcmguard catalog` for the list", a.Question)))
			continue
		}
		// One answer per question and element: two systems may answer
		// the same question differently.
		key := e.Citation + "@" + a.Element
		if prev, dup := seen[key]; dup {
			about := ""
			if a.Element != "" {
				about = " for " + a.Element
			}
			errs = append(errs, m.ErrorAt(path, fmt.Sprintf("%s is already answered%s at %s", e.Citation, about, prev)))
		}
		seen[key] = path
		at := fmt.Sprintf("answers[%d]", i)
		switch {
		case a.Answer == "not_applicable" && e.RA() != "Addressable" && e.Condition == "":
			errs = append(errs, m.ErrorAt(at+".answer", fmt.Sprintf("%s %s is %s: it must be implemented (164.306(d)(2)) and cannot be answered not_applicable; answer yes, partial or no",
				e.Citation, e.Name, strings.ToLower(e.RA()))))
		case a.Answer == "no" && e.RA() == "Addressable":
			var missing []string
			if strings.TrimSpace(a.WhyNotReasonable) == "" {
				missing = append(missing, "why_not_reasonable (why it is not reasonable and appropriate)")
			}
			if strings.TrimSpace(a.EquivalentMeasure) == "" {
				missing = append(missing, "equivalent_measure (the alternative measure implemented instead)")
			}
			if len(missing) > 0 {
				errs = append(errs, m.ErrorAt(at+".answer", fmt.Sprintf("%s %s is addressable and answered no: 164.306(d)(3) requires documenting %s",
					e.Citation, e.Name, strings.Join(missing, " and "))))
			}
		}
	}
	return errs
}

func citations(cs []string, cat *catalog.Catalog) []Citation {
	out := make([]Citation, 0, len(cs))
	for _, c := range cs {
		if e, ok := cat.Lookup(c); ok {
			out = append(out, Citation{Citation: e.Citation, Name: e.Name, Type: e.RA()})
		} else if r, ok := cat.RelatedTo(c); ok {
			out = append(out, Citation{Citation: r.Citation, Name: r.Name, Type: "Related"})
		}
	}
	return out
}

func riskFromHit(h rules.Hit, org map[string]any, m *model.Model, cat *catalog.Catalog) Risk {
	r := h.Rule
	elems := elementRefs(h, m)
	gap := "the safeguard the rule looks for is missing: " + r.Vulnerability
	l := likelihood(threatClass(r.ThreatClass), h.Likelihood, adverseGap, gap, true, h.RestsOn)
	imp := *h.Impact
	imp.Table = risk.TableImpact
	v, lvl := risk.Score(l.Value, imp.Value)
	return Risk{
		ID: h.RiskID, Rule: r.ID, Title: r.Title, Area: r.Area, Elements: elems, Stage: h.Element.Stage,
		Citations: citations(r.Citations, cat), Threat: r.Threat, Vulnerability: r.Vulnerability,
		Why: h.Why(org), Likelihood: *l, Impact: imp, Level: lvl, Value: v,
		SRATool: risk.SRATool(lvl), Residual: residualOf(l, &imp),
		Mitigation: r.Mitigation, FalsePositives: r.FalsePositives, Owner: r.Owner, Effort: r.Effort,
		Evidence: r.Evidence, Basis: r.Basis, RestsOn: h.RestsOn, Status: risk.Unchecked,
	}
}

// elementRefs names the elements of a hit, with the line of the model
// that defines them.
func elementRefs(h rules.Hit, m *model.Model) []ElementRef {
	var elems []ElementRef
	for n, id := range h.Element.IDs {
		kind := string(h.Element.Kind)
		label := h.Element.Label
		if h.Element.Kind == rules.KindAccess {
			kind = []string{"role", "system"}[n]
		}
		where := ""
		if p := m.PosOf(h.Element.Path); p.Line > 0 && m.Path() != "" {
			where = fmt.Sprintf("%s:%d", m.Path(), p.Line)
		}
		elems = append(elems, ElementRef{Kind: kind, ID: id, Label: label, Where: where})
	}
	return elems
}

// evidenceSets returns the input's evidence sets, with facts given
// outside any set as one more set, and each set's count filled in.
func evidenceSets(in Input) []EvidenceSet {
	sets := slices.Clone(in.EvidenceSets)
	if len(in.Facts) > 0 {
		sets = append(sets, EvidenceSet{Name: "evidence", Source: "facts", Facts: in.Facts})
	}
	for i := range sets {
		sets[i].Count = len(sets[i].Facts)
	}
	return sets
}

func setsOrEmpty(s []EvidenceSet) []EvidenceSet {
	if s == nil {
		return []EvidenceSet{}
	}
	return s
}

// unknownQuestions asks, element by element, for the facts the model
// leaves out that no default answers.
func unknownQuestions(g *rules.Graph, m *model.Model, cat *catalog.Catalog) []Question {
	var qs []Question
	for _, k := range rules.Kinds {
		for _, e := range g.Elements[k] {
			for _, u := range e.Unknown {
				name := ""
				if c, ok := cat.Lookup(u.Citation); ok {
					name = c.Name
				}
				where := ""
				if p := m.PosOf(e.Path); p.Line > 0 && m.Path() != "" {
					where = fmt.Sprintf("%s:%d", m.Path(), p.Line)
				}
				qs = append(qs, Question{Citation: u.Citation, Name: name, Question: u.Question, Element: e.Label, Field: u.Field, Where: where})
			}
		}
	}
	return qs
}

// answerRisks turns "no" and "partial" answers into risks, so a control
// that the model cannot express still reaches the register and the plan.
func answerRisks(m *model.Model, cat *catalog.Catalog, org map[string]any) []Risk {
	var out []Risk
	for _, a := range m.Answers {
		if a.Answer != "no" && a.Answer != "partial" {
			continue
		}
		e, _ := cat.Lookup(a.Question)
		gap := risk.NewRating(0, "")
		title := "Not in place: " + e.Name
		if a.Answer == "partial" {
			gap.Add("partly in place", -10, "the answer says the safeguard is partly in place: "+a.Note)
			title = "Only partly in place: " + e.Name
		}
		l := likelihood(threatClass("process_gap"), gap, adverseGap, "the answer says the safeguard is not (fully) in place", true, nil)
		i := risk.OnTable(risk.TableImpact, 50, "confidentiality, integrity and availability of the organisation's ePHI")
		if n, _ := org["records"].(int); n >= 500 {
			i.Add("individuals", 10, fmt.Sprintf("%d individuals' records held", n))
		}
		i.Finish()
		v, lvl := risk.Score(l.Value, i.Value)
		why := fmt.Sprintf("answer to %s = %s", e.Citation, a.Answer)
		if a.Note != "" {
			why += " (" + a.Note + ")"
		}
		// An answer about one element (a system, a vendor…) is that
		// element's risk, under an ID of its own; the organisation's
		// answers keep the ID they always had.
		id, el := risk.ID("ANSWER", e.Citation), ElementRef{Kind: "org", ID: "org", Label: "the organisation (" + m.Organization.Name + ")"}
		if ref, ok := answerElement(m, a.Element); ok {
			id, el = risk.ID("ANSWER", e.Citation, a.Element), ref
		}
		out = append(out, Risk{
			ID: id, Rule: "ANSWER", Title: title, Area: "answers",
			Elements:  []ElementRef{el},
			Citations: citations([]string{e.Citation}, cat), Threat: "Reasonably anticipated threats that this safeguard exists to stop.",
			Vulnerability: e.Summary + " — not (fully) in place.", Why: why, Likelihood: *l, Impact: *i, Level: lvl, Value: v,
			SRATool: risk.SRATool(lvl), Residual: residualOf(l, i), Mitigation: "Put in place: " + e.Summary,
			FalsePositives: "Correct the answer if the safeguard is in place, and record the evidence.",
			Owner:          "security_official", Effort: "medium", Status: risk.Unchecked,
		})
	}
	return out
}

// answerElement finds the element an answer is about by its ID (IDs are
// unique across the model); ok is false for an answer about the whole
// organisation.
func answerElement(m *model.Model, id string) (ElementRef, bool) {
	if id == "" {
		return ElementRef{}, false
	}
	kind, name := "element", ""
	find := func(k string, n int, at func(int) (string, string)) {
		for i := 0; i < n && name == ""; i++ {
			if eid, ename := at(i); eid == id {
				kind, name = k, ename
			}
		}
	}
	find("system", len(m.Systems), func(i int) (string, string) { return m.Systems[i].ID, m.Systems[i].Name })
	find("vendor", len(m.Vendors), func(i int) (string, string) { return m.Vendors[i].ID, m.Vendors[i].Name })
	find("client", len(m.Clients), func(i int) (string, string) { return m.Clients[i].ID, m.Clients[i].Name })
	find("role", len(m.Roles), func(i int) (string, string) { return m.Roles[i].ID, m.Roles[i].Name })
	find("person", len(m.People), func(i int) (string, string) { return m.People[i].ID, m.People[i].Name })
	find("data", len(m.Data), func(i int) (string, string) { return m.Data[i].ID, m.Data[i].Name })
	find("flow", len(m.Flows), func(i int) (string, string) { return m.Flows[i].ID, m.Flows[i].From + " → " + m.Flows[i].To })
	find("policy", len(m.Policies), func(i int) (string, string) {
		p := m.Policies[i]
		if p.Title != "" {
			return p.ID, p.Title
		}
		return p.ID, string(p.Kind)
	})
	if name == "" {
		return ElementRef{Kind: kind, ID: id, Label: "element " + id}, true
	}
	return ElementRef{Kind: kind, ID: id, Label: kind + " " + id + " (" + name + ")"}, true
}

func sortRisks(rs []Risk) {
	sort.SliceStable(rs, func(i, j int) bool {
		a, b := rs[i], rs[j]
		if a.Level != b.Level {
			return a.Level > b.Level
		}
		if a.Value != b.Value {
			return a.Value > b.Value
		}
		return a.ID < b.ID
	})
}

// applyTracking attaches decisions to risks. When several patterns match,
// the most specific (fewest wildcards, then first written) wins. It
// returns warnings for entries that match no risk and for lapsed acceptances.
func applyTracking(rs []Risk, entries []model.Tracking, asOf time.Time) []string {
	var warnings []string
	used := make([]bool, len(entries))
	for i := range rs {
		best, bestStars := -1, 1<<30
		for j, t := range entries {
			if !risk.Match(t.Risk, rs[i].ID) {
				continue
			}
			used[j] = true
			if n := strings.Count(t.Risk, "*"); n < bestStars {
				best, bestStars = j, n
			}
		}
		if best < 0 {
			continue
		}
		t := entries[best]
		rs[i].Status = risk.Status(t.Status)
		tr := &Tracking{Pattern: t.Risk, Justification: t.Justification, Owner: t.Owner, Due: string(t.Due),
			Approver: t.Approver, Expires: string(t.Expires), Ticket: t.Ticket}
		if t.Status == "accepted" {
			if d, ok := t.Expires.DaysSince(asOf); ok && d > 0 {
				tr.AcceptanceExpired = true
				warnings = append(warnings, fmt.Sprintf("acceptance of %s expired on %s; it is open again until someone reviews it", rs[i].ID, t.Expires))
			}
		}
		rs[i].Tracking = tr
	}
	for j, t := range entries {
		if !used[j] {
			warnings = append(warnings, fmt.Sprintf("tracking entry %q matches no risk in this assessment (resolved, renamed, or a typo?)", t.Risk))
		}
	}
	return warnings
}
