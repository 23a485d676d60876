package assess

import (
	"fmt"
	"math"
	"slices"
	"sort"

	"rcmguard/internal/risk"
	"rcmguard/internal/rules"
)

// MethodName names the likelihood method of schema v2 results.
const MethodName = "NIST SP 800-30 Rev. 1 Task 2-4, two steps (Tables G-2/G-3, G-4, G-5); impact Table H-3; level of risk Table I-2"

// exposureFactors are the likelihood factors the rules add for the
// element's exposure to a threat source rather than for the weakness
// itself: they change how likely the event is to be initiated or to
// occur (Table G-2/G-3). Every other factor a rule adds — its own
// conditions and "observed" — describes the vulnerability, and so the
// likelihood that an event, once it happens, does harm (Table G-4).
var exposureFactors = []string{"internet-facing", "offshore", "business associate involved"}

// The adverse-impact step (Table G-4) of a pair, by the state of its
// safeguard. A level known only as a level sits at its band's midpoint.
var (
	// A safeguard the rule looks for is missing: "somewhat likely" to
	// have adverse impacts once the event happens, since harm still needs
	// the event to reach ePHI past whatever else is in the way.
	adverseGap = risk.Midpoint(risk.Moderate)
	// The safeguard is in place as the model declares it: "unlikely".
	adverseDeclared = risk.Midpoint(risk.Low)
	// The safeguard is in place and evidence shows it working: "highly
	// unlikely". OCR asks whether measures are configured and used
	// properly; a declaration does not show that, an observation does.
	adverseVerified = risk.Midpoint(risk.VeryLow)
)

// BaseRate is one documented input of the initiation step: a threat
// class's share of the breaches reported to HHS OCR.
type BaseRate struct {
	Class       string  `json:"class"`
	Name        string  `json:"name"`
	Adversarial bool    `json:"adversarial"`
	Table       string  `json:"table"`
	Share       float64 `json:"share,omitempty"` // 0 when no statistic applies
	Value       int     `json:"value"`
	Source      string  `json:"source"`
}

// Method states how the analysis rates likelihood: the tables, the base
// rates it starts from, what those measure and what they do not, and the
// assumptions a reader must accept for the ratings to hold.
type Method struct {
	Name           string     `json:"name"`
	BaseRates      []BaseRate `json:"base_rates"`
	Measures       string     `json:"base_rates_measure"`
	DoesNotMeasure string     `json:"base_rates_do_not_measure"`
	Assumptions    []string   `json:"assumptions"`
	Uncertainty    string     `json:"uncertainty"`
}

const (
	baseRatesMeasure = "Each class's share of the breaches of unsecured PHI affecting 500 or more individuals that covered entities reported to HHS OCR in 2023–2025 (breach portal, n = 2,276; a report can fall in several classes). Read as a percentage on the 0–100 scale, it places the class on Table G-2 (adversarial) or G-3 (non-adversarial)."
	baseRatesDoNot   = "They count reported breaches, not attempts or incidents; they leave out breaches of fewer than 500 individuals (reported to HHS once a year and not published), breaches never discovered or reported, and everything outside the United States; they describe the health sector as a whole, not this organisation; and a class's share of breaches is not the probability that this organisation is attacked in a year."
)

// initiationBase is the starting value of the initiation or occurrence
// step for a threat class: the class's breach-portal share as a
// percentage, or, where no statistic applies, the value the rule set
// documents for the class.
func initiationBase(tc rules.ThreatClass) int {
	if tc.Share > 0 {
		return int(math.Round(tc.Share * 100))
	}
	return tc.Base
}

func initiationTable(tc rules.ThreatClass) string {
	if tc.Adversarial {
		return risk.TableInitiation
	}
	return risk.TableOccurrence
}

// method describes the likelihood method with the base rates of the
// threat classes the rule set uses.
func method() Method {
	classes := rules.ThreatClasses()
	keys := make([]string, 0, len(classes))
	for k := range classes {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	m := Method{Name: MethodName, Measures: baseRatesMeasure, DoesNotMeasure: baseRatesDoNot,
		Assumptions: []string{
			"The model describes the operation as it is on the as-of date; a fact it leaves out is unknown and is asked about, never taken as a gap or as a control.",
			"Initiation or occurrence (Table G-2/G-3) starts from the threat class's breach-portal share and rises only for the element's exposure: reachable from the internet (adversarial threats), offshore, run by a business associate.",
			"A pair whose safeguard is missing is somewhat likely (Moderate, Table G-4) to cause harm once the event happens; the rule's own conditions and an observation in evidence move that up or down, each with its reason.",
			"A safeguard in place as declared makes harm unlikely (Low, Table G-4); in place and shown working by evidence, highly unlikely (Very Low).",
			"Residual risk assumes the planned mitigation is in place as declared: its adverse-impact step is Low; initiation and impact do not change, since a safeguard rarely deters the threat source or shrinks the data in scope.",
			"Impact (Table H-3) is the worst of confidentiality, integrity and availability for the data and operation in scope.",
		},
		Uncertainty: "Each risk states the overall likelihood it would have if its initiation step were one level lower or higher — the error a base rate from reported breaches can carry.",
	}
	for _, k := range keys {
		tc := classes[k]
		m.BaseRates = append(m.BaseRates, BaseRate{Class: k, Name: tc.Name, Adversarial: tc.Adversarial,
			Table: initiationTable(tc), Share: tc.Share, Value: initiationBase(tc), Source: tc.Source})
	}
	return m
}

// likelihood splits a rule's rating into the two steps of Task 2-4 and
// combines them: the threat class and the exposure factors make the
// initiation or occurrence step, the rule's other factors the adverse
// impact step, which starts at adverse (the gap value, or lower when the
// safeguard is in place).
func likelihood(tc rules.ThreatClass, l *risk.Rating, adverse int, adverseReason string, vulnFactors bool, restsOn []string) *risk.Rating {
	table := initiationTable(tc)
	base := initiationBase(tc)
	why := fmt.Sprintf("%s: %s", tc.Name, tc.Source)
	if tc.Share > 0 {
		why = fmt.Sprintf("%s: %.1f%% of large breaches reported to HHS OCR in 2023–2025 (%s)", tc.Name, tc.Share*100, tc.Source)
	} else {
		why = fmt.Sprintf("%s: no breach-portal statistic; %s", tc.Name, tc.Source)
	}
	in := risk.OnTable(table, base, why)
	ad := risk.OnTable(risk.TableAdverseImpact, adverse, adverseReason)
	if l != nil {
		for _, f := range l.Factors {
			if slices.Contains(exposureFactors, f.Name) {
				in.Add(f.Name, f.Points, f.Reason)
			} else if vulnFactors {
				ad.Add(f.Name, f.Points, f.Reason)
			}
		}
	}
	in.Finish()
	ad.Finish()
	unc := fmt.Sprintf("If initiation or occurrence were one level lower or higher, the overall likelihood would be %s.", risk.SpreadText(in.Level, ad.Level))
	if tc.Share == 0 {
		unc += " No breach statistic applies to this class: its starting value is a judgement, documented with the rule set."
	}
	if len(restsOn) > 0 {
		unc += " The finding rests on facts the model leaves unknown; stating them confirms or clears it."
	}
	return risk.TwoStep(in, ad, unc)
}

// residualOf rates a pair with its planned mitigation in place, as
// declared: the adverse-impact step becomes Low; initiation and impact
// stay as they are.
func residualOf(l *risk.Rating, i *risk.Rating) Residual {
	in := l.Steps[0]
	ad := risk.OnTable(risk.TableAdverseImpact, adverseDeclared, "the planned mitigation in place as declared").Finish()
	lv, ll := risk.Combine(in.Value, ad.Value)
	v, lvl := risk.Score(lv, i.Value)
	return Residual{Likelihood: lv, Impact: i.Value, Value: v, Level: lvl,
		Arithmetic: fmt.Sprintf("with the mitigation in place: %s %s %d (%s) unchanged; G-4 adverse impact %d (%s) → G-5 %d (%s); impact %d (%s) unchanged → I-2 %s",
			in.Table, stepName(in.Table), in.Value, in.Level, ad.Value, ad.Level, lv, ll, i.Value, i.Level, lvl)}
}

func stepName(table string) string {
	if table == risk.TableOccurrence {
		return "occurrence"
	}
	return "initiation"
}

// threatClass returns a rule's threat class. A rule naming a class the
// rule set does not define is refused when the rules load, so the zero
// class here only stands for rules built outside Load, in tests.
func threatClass(name string) rules.ThreatClass {
	return rules.ThreatClasses()[name]
}
