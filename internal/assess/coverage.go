package assess

import (
	"fmt"
	"sort"
	"time"

	"rcmguard/internal/catalog"
	"rcmguard/internal/model"
	"rcmguard/internal/risk"
	"rcmguard/internal/rules"
)

// coverage maps every assessable catalog entry (the 43 implementation
// specifications and the standards without any) to how the analysis covered
// it: by rules that examined the model, by an answer, as not applicable, or
// not at all — in which case its question is asked. A rule examines an
// entry only when it cites that entry itself, is a HIPAA rule (not a
// business-basis one), and the model has elements of the kind it reads.
func coverage(cat *catalog.Catalog, set *rules.Set, g *rules.Graph, rs []Risk, m *model.Model, nprm bool) ([]Coverage, []Question) {
	answers := map[string]model.AnswerEntry{}
	for _, a := range m.Answers {
		if e, ok := cat.Lookup(a.Question); ok {
			answers[e.Citation] = a
		}
	}
	// Count risks per rule once; an entry's risks are those of the rules
	// that cite it (answer risks carry the entry's own citation).
	perRule := map[string]int{}
	answerRisks := map[string]int{}
	for _, r := range rs {
		if r.Rule == "ANSWER" {
			answerRisks[r.Citations[0].Citation]++
			continue
		}
		perRule[r.Rule]++
	}
	var cov []Coverage
	var qs []Question
	for _, e := range cat.Assessable() {
		c := Coverage{Citation: e.Citation, Name: e.Name, Type: e.RA(), Risks: answerRisks[e.Citation]}
		if nprm && c.Type == "Addressable" {
			// The proposal removes the distinction; say so without
			// pretending it is law.
			c.Type = "Addressable (Required under the 2025 proposal)"
		}
		for _, r := range set.Rules {
			if r.Basis == rules.BasisBusiness {
				continue
			}
			cites := false
			for _, cited := range r.Citations {
				if cat.Covers(cited, e.Citation) {
					cites = true
					break
				}
			}
			if !cites {
				continue
			}
			c.Risks += perRule[r.ID]
			// A rule examined the entry when it found something, or
			// when the model states what its condition reads.
			if perRule[r.ID] > 0 && set.Applicable(r, g) || set.Examines(r, g) {
				c.Rules = append(c.Rules, r.ID)
			}
		}
		a, answered := answers[e.Citation]
		if answered {
			c.WhyNotReasonable, c.EquivalentMeasure = a.WhyNotReasonable, a.EquivalentMeasure
		}
		switch {
		case answered && a.Answer == "not_applicable":
			c.Status, c.Answer, c.Note, c.Evidence = "not_applicable", string(a.Answer), a.Note, a.Evidence
		case len(c.Rules) > 0:
			c.Status = "rules"
			if answered {
				c.Answer, c.Note, c.Evidence = string(a.Answer), a.Note, a.Evidence
			}
		case answered:
			c.Status, c.Answer, c.Note, c.Evidence = "answered", string(a.Answer), a.Note, a.Evidence
		default:
			c.Status = "open"
			qs = append(qs, Question{Citation: e.Citation, Name: e.Name, Question: e.Question})
		}
		cov = append(cov, c)
	}
	return cov, qs
}

// dueDays is the default time to fix by level, from the as-of date, when the
// tracking does not set a due date.
var dueDays = map[risk.Level]int{risk.VeryHigh: 30, risk.High: 60, risk.Moderate: 90, risk.Low: 180, risk.VeryLow: 365}

var effortRank = map[string]int{"low": 0, "medium": 1, "high": 2}

// plan orders the open risks: highest level and value first, and at equal
// risk the cheaper fix first, because it buys down risk sooner.
func plan(rs []Risk, asOf time.Time) []PlanItem {
	var open []Risk
	for _, r := range rs {
		if r.Open() {
			open = append(open, r)
		}
	}
	sort.SliceStable(open, func(i, j int) bool {
		a, b := open[i], open[j]
		if a.Level != b.Level {
			return a.Level > b.Level
		}
		if a.Value != b.Value {
			return a.Value > b.Value
		}
		if effortRank[a.Effort] != effortRank[b.Effort] {
			return effortRank[a.Effort] < effortRank[b.Effort]
		}
		return a.ID < b.ID
	})
	items := make([]PlanItem, 0, len(open))
	for n, r := range open {
		due := asOf.AddDate(0, 0, dueDays[r.Level]).Format("2006-01-02")
		owner := r.Owner
		if r.Tracking != nil {
			if r.Tracking.Due != "" {
				due = r.Tracking.Due
			}
			if r.Tracking.Owner != "" {
				owner = r.Tracking.Owner
			}
		}
		var cites, elems []string
		for _, c := range r.Citations {
			cites = append(cites, c.Citation)
		}
		for _, e := range r.Elements {
			elems = append(elems, e.ID)
		}
		items = append(items, PlanItem{
			Rank: n + 1, RiskID: r.ID, Title: r.Title, Level: r.Level, Value: r.Value, Owner: owner,
			Action: r.Mitigation, Effort: r.Effort, Due: due, Status: string(r.Status),
			Residual: r.Residual.Level, Citations: cites, Elements: elems, Basis: r.Basis,
		})
	}
	return items
}

func summarize(res *Result, rulesN int) Summary {
	s := Summary{ByLevel: map[string]int{}, OpenByLevel: map[string]int{}, ByStatus: map[string]int{}, Rules: rulesN,
		EvidenceUsed: res.Evidence.Facts, Evidence: shareOf(res.Pairs)}
	for l := risk.VeryLow; l <= risk.VeryHigh; l++ {
		s.ByLevel[l.Slug()] = 0
		s.OpenByLevel[l.Slug()] = 0
	}
	highest := risk.Level(-1)
	for _, q := range res.Questions {
		if q.Field != "" {
			s.Confidence.UnknownFacts++
		}
	}
	for _, r := range res.Risks {
		if len(r.RestsOn) > 0 {
			s.Confidence.RisksOnUnknowns++
		}
		s.Risks++
		s.ByLevel[r.Level.Slug()]++
		s.ByStatus[string(r.Status)]++
		if r.Open() {
			s.Open++
			s.OpenByLevel[r.Level.Slug()]++
			s.HeatMap[r.Likelihood.Level][r.Impact.Level]++
			if r.Level > highest {
				highest = r.Level
			}
		}
	}
	switch c := &s.Confidence; {
	case c.UnknownFacts == 0 && c.RisksOnUnknowns == 0:
		c.Level = "high"
	case c.UnknownFacts <= 10 && c.RisksOnUnknowns*10 <= s.Risks:
		c.Level = "moderate"
	default:
		c.Level = "low"
	}
	if highest >= 0 {
		s.Highest = highest.Slug()
	} else {
		s.Highest = "none"
	}
	for _, c := range res.Coverage {
		if c.Type == "Standard" {
			s.Coverage.Standards++
		} else {
			s.Coverage.Specifications++
		}
		switch c.Status {
		case "rules":
			s.Coverage.ByRules++
		case "answered":
			s.Coverage.ByAnswers++
		case "not_applicable":
			s.Coverage.NotApplicable++
		default:
			s.Coverage.Open++
		}
	}
	return s
}

func ocrElements(res *Result) []OCRElement {
	inv := res.Inventory
	sum := res.Summary
	return []OCRElement{
		{1, "Scope of the analysis", "Scope and methodology", fmt.Sprintf("All ePHI the operation creates, receives, maintains or transmits: %d systems, %d data assets, %d flows, %d vendors, %d roles across %d workflow stages.", len(inv.Systems), len(inv.Data), len(inv.Flows), len(inv.Vendors), len(inv.Roles), len(inv.Stages))},
		{2, "Data collection", "Inventory and data-flow diagram", fmt.Sprintf("Where ePHI is stored and how it moves is modelled element by element, with %d evidence facts from scans and probes.", res.Evidence.Facts)},
		{3, "Identify and document potential threats and vulnerabilities", "Risks and every threat–vulnerability pair", fmt.Sprintf("%d billing-specific rules evaluated on every element; %d threat/vulnerability pairs rated, %d of them risks (safeguard missing).", sum.Rules, sum.Evidence.Pairs, sum.Risks)},
		{4, "Assess current security measures", "Every threat–vulnerability pair and coverage", fmt.Sprintf("Each pair lists its current measures, declared in the model or verified by a named, dated evidence set: %d of %d measures (%.0f%%) are verified. Coverage shows every specification and how it was examined.", sum.Evidence.MeasuresVerified, sum.Evidence.Measures, sum.Evidence.Share*100)},
		{5, "Determine the likelihood of threat occurrence", "Scope and methodology; risks (likelihood)", "NIST SP 800-30 Rev. 1 in two steps: initiation (Table G-2) or occurrence (G-3) from the HHS OCR breach-portal base rates (2023–2025) and the element's exposure, then adverse impact (G-4) from the state of the safeguard, combined by Table G-5; base rates, assumptions and uncertainty stated."},
		{6, "Determine the potential impact of threat occurrence", "Risks (impact)", "From data sensitivity, individuals in scope, financial data, and revenue at risk per day of billing downtime; arithmetic shown per risk."},
		{7, "Determine the level of risk", "Risks, every pair and heat map", "NIST SP 800-30 Rev. 1 Table I-2 for every threat/vulnerability pair, with the semi-quantitative value."},
		{8, "Finalize documentation", "Document control, this report and its JSON", "Version, participants, sources, assumptions, named owners, approval of the risk management plan (164.308(a)(1)(ii)(B)) and sign-off are recorded with the model, results and decisions; keep for 6 years (164.316(b)(2)(i))."},
		{9, "Periodic review and updates", "Document control (change log), remediation plan and tracking", "The change log lists the risks new, resolved and re-rated since the previous analysis; stable risk IDs carry decisions between the annual analysis and quarterly mini-audits; re-run after any new client, vendor, system or incident."},
	}
}
