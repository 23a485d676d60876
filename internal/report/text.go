package report

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"rcmguard/internal/assess"
	"rcmguard/internal/risk"
)

// topN bounds the risks and plan items the terminal summary lists; the
// full register is in the JSON and HTML reports.
const topN = 10

func where(w string) string {
	if w == "" {
		return ""
	}
	return " (" + w + ")"
}

// Text writes a terminal summary.
func Text(w io.Writer, res *assess.Result) error {
	b := bufio.NewWriter(w)
	s := res.Summary
	fmt.Fprintf(b, "Security risk analysis — %s (%s)\n", res.Organization.Name, strings.ReplaceAll(res.Organization.Kind, "_", " "))
	fmt.Fprintf(b, "As of %s · %s · %d rules · model %s\n", res.AsOf, regulationLabel(res.Regulation), s.Rules, res.Assessment.Model)
	scope := "enterprise (all ePHI of the organisation)"
	if res.Assessment.ScopeKind == "billing" {
		scope = "billing (the organisation's own billing operation)"
	}
	fmt.Fprintf(b, "Scope: %s", scope)
	if n := len(res.Assessment.OutOfScope); n > 0 {
		fmt.Fprintf(b, "; out of scope: %s", strings.Join(res.Assessment.OutOfScope, "; "))
	}
	b.WriteString("\n\n")

	fmt.Fprintf(b, "Risks: %d found, %d open", s.Risks, s.Open)
	if s.Open > 0 {
		var parts []string
		for l := risk.VeryHigh; l >= risk.VeryLow; l-- {
			if n := s.OpenByLevel[l.Slug()]; n > 0 {
				parts = append(parts, fmt.Sprintf("%d %s", n, l))
			}
		}
		fmt.Fprintf(b, " (%s)", strings.Join(parts, ", "))
	}
	fmt.Fprintln(b)
	c := s.Coverage
	fmt.Fprintf(b, "Coverage: all %d implementation specifications and %d standards without specifications — %d examined by rules, %d answered, %d not applicable, %d open questions\n",
		c.Specifications, c.Standards, c.ByRules, c.ByAnswers, c.NotApplicable, c.Open)
	if cf := s.Confidence; cf.Level != "" {
		fmt.Fprintf(b, "Confidence: %s — %d facts the model leaves unknown, %d risks resting on unknowns (provisional)\n", cf.Level, cf.UnknownFacts, cf.RisksOnUnknowns)
	}
	if e := s.Evidence; e.Pairs > 0 {
		fmt.Fprintf(b, "Pairs: %d threat–vulnerability pairs rated, %d with their safeguard in place; %d of %d measures (%s) verified by evidence, the rest declared\n",
			e.Pairs, e.PairsInPlace, e.MeasuresVerified, e.Measures, pct(e.Share))
	}
	fmt.Fprintf(b, "Revenue at risk: $%s per working day of billing downtime\n", money(res.Organization.RevenuePerDay))
	if res.Evidence.Facts > 0 {
		fmt.Fprintf(b, "Evidence: %d facts used", res.Evidence.Facts)
		if n := len(res.Evidence.Unmatched); n > 0 {
			fmt.Fprintf(b, " (%d match no modelled element)", n)
		}
		fmt.Fprintln(b)
	}

	dc := res.DocumentControl
	fmt.Fprintf(b, "Document: version %s", dc.Version)
	if c := dc.Changes; c != nil {
		fmt.Fprintf(b, "; since the analysis as of %s: %d new, %d resolved, %d re-rated, %d unchanged", c.PreviousAsOf, len(c.New), len(c.Resolved), len(c.Rerated), c.Unchanged)
	}
	if a := dc.PlanApproval; a != nil {
		fmt.Fprintf(b, "; risk management plan approved by %s on %s", a.Name, a.Date)
	}
	fmt.Fprintln(b)

	if len(res.Plan) > 0 {
		fmt.Fprintf(b, "\nFix first (%d of %d plan items):\n", min(topN, len(res.Plan)), len(res.Plan))
		for _, p := range res.Plan[:min(topN, len(res.Plan))] {
			fmt.Fprintf(b, "%3d. %-9s %3d  %s\n", p.Rank, strings.ToUpper(p.Level.String()), p.Value, p.Title)
			owner := p.Owner
			if p.OwnerName != "" {
				owner += " (" + p.OwnerName + ")"
			}
			fmt.Fprintf(b, "     %s · %s · owner %s · due %s\n", p.RiskID, strings.Join(p.Citations, ", "), owner, p.Due)
			if p.Basis == assess.BasisBusiness {
				fmt.Fprintf(b, "     %s\n", assess.BusinessLabel)
			}
		}
	}
	if len(res.Questions) > 0 {
		fmt.Fprintf(b, "\nOpen questions (%d) — answer them under `answers:` in the model, or state the fact at the field named:\n", len(res.Questions))
		for _, q := range res.Questions {
			fmt.Fprintf(b, "  %-22s %s\n", q.Citation, q.Question)
			if q.Field != "" {
				fmt.Fprintf(b, "  %-22s state it at %s%s\n", "", q.Field, where(q.Where))
			}
		}
	}
	if len(dc.Missing) > 0 {
		fmt.Fprintln(b, "\nDocument control is missing:")
		for _, m := range dc.Missing {
			fmt.Fprintf(b, "  - %s\n", m)
		}
	}
	if len(res.Warnings) > 0 {
		fmt.Fprintln(b, "\nWarnings:")
		for _, w := range res.Warnings {
			fmt.Fprintf(b, "  - %s\n", w)
		}
	}
	fmt.Fprintln(b, "\nFull register, ratings and plan: rcmguard assess MODEL --format html -o report.html")
	return b.Flush()
}

func regulationLabel(r string) string {
	if r == "nprm-2025-proposed" {
		return "Security Rule with the 2025 proposed rule overlaid (proposed, not final)"
	}
	return "HIPAA Security Rule as in force"
}

func money(v float64) string {
	n := int64(v + 0.5)
	s := fmt.Sprint(n)
	var out strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			out.WriteByte(',')
		}
		out.WriteRune(c)
	}
	return out.String()
}
