package risk

import (
	"fmt"
	"strings"
)

// The tables of NIST SP 800-30 Rev. 1 a rating is read on. A rating names
// its table so that a reader can check it against the publication.
const (
	TableInitiation    = "G-2" // likelihood of threat event initiation (adversarial)
	TableOccurrence    = "G-3" // likelihood of threat event occurrence (non-adversarial)
	TableAdverseImpact = "G-4" // likelihood the event results in adverse impact
	TableOverall       = "G-5" // overall likelihood
	TableImpact        = "H-3" // impact of threat events
	TableRisk          = "I-2" // level of risk
)

// TableTitle is how reports name a table: "Table G-2 (initiation,
// adversarial)".
func TableTitle(table string) string {
	switch table {
	case TableInitiation:
		return "Table G-2 (likelihood of initiation, adversarial threat)"
	case TableOccurrence:
		return "Table G-3 (likelihood of occurrence, non-adversarial threat)"
	case TableAdverseImpact:
		return "Table G-4 (likelihood of adverse impact)"
	case TableOverall:
		return "Table G-5 (overall likelihood)"
	case TableImpact:
		return "Table H-3 (impact)"
	case TableRisk:
		return "Table I-2 (level of risk)"
	}
	return "Table " + table
}

// Midpoint is the middle of a level's band (very low 2, low 12, moderate
// 50, high 88, very high 98): the value of a rating that is known only as
// a level, so that it sits in its band without leaning to either edge.
func Midpoint(l Level) int {
	b := bands[l]
	return (b.Lo + b.Hi + 1) / 2
}

// overall is Table G-5 of SP 800-30 Rev. 1: rows are the likelihood of
// threat event initiation or occurrence (very low … very high), columns
// the likelihood that the event results in adverse impact.
var overall = [5][5]Level{
	{VeryLow, VeryLow, Low, Low, Low},
	{VeryLow, Low, Low, Moderate, Moderate},
	{Low, Low, Moderate, Moderate, High},
	{Low, Moderate, Moderate, High, VeryHigh},
	{Low, Moderate, High, VeryHigh, VeryHigh},
}

// Overall returns the overall likelihood (Table G-5) of an initiation or
// occurrence level and an adverse-impact level.
func Overall(initiation, adverse Level) Level { return overall[initiation][adverse] }

// Combine rates the overall likelihood from the two steps' values: Table
// G-5 decides the level, and the product of the two values places the
// value within that level's band, as Score does for the level of risk.
func Combine(initiation, adverse int) (value int, level Level) {
	level = Overall(LevelOf(initiation), LevelOf(adverse))
	p := Clamp(initiation) * Clamp(adverse)
	b := bands[level]
	return b.Lo + ((b.Hi-b.Lo)*p+5000)/10000, level
}

// TwoStep is the two-step likelihood of SP 800-30 Rev. 1 Task 2-4: the
// likelihood that a threat event is initiated (adversarial, Table G-2) or
// occurs (non-adversarial, Table G-3), and the likelihood that, once it
// has, it results in adverse impact (Table G-4), combined per Table G-5.
// It is a Rating whose Steps are those two ratings, so a reader that
// knows only Rating still sees the overall value and level.
func TwoStep(initiation, adverse *Rating, uncertainty string) *Rating {
	v, l := Combine(initiation.Value, adverse.Value)
	return &Rating{
		Table: TableOverall, Base: v,
		BaseReason: fmt.Sprintf("Table G-5: %s %s with %s adverse impact (Table G-4)",
			initiation.Level.Title(), stepNoun(initiation.Table), adverse.Level.Title()),
		Steps: []Rating{*initiation, *adverse}, Value: v, Level: l, Uncertainty: uncertainty,
	}
}

func stepNoun(table string) string {
	if table == TableOccurrence {
		return "occurrence (Table G-3)"
	}
	return "initiation (Table G-2)"
}

// Spread is the overall likelihood if the initiation or occurrence step
// were one level lower or higher: how far an error in the base rate can
// move the result.
func Spread(initiation, adverse Level) (lo, hi Level) {
	lo, hi = Overall(max(initiation-1, VeryLow), adverse), Overall(min(initiation+1, VeryHigh), adverse)
	return lo, hi
}

// SpreadText says the spread in words: "Low to High", or "Moderate
// either way".
func SpreadText(initiation, adverse Level) string {
	lo, hi := Spread(initiation, adverse)
	if lo == hi {
		return lo.Title() + " either way"
	}
	return lo.Title() + " to " + hi.Title()
}

// twoStepArithmetic renders a G-5 rating: "G-2 initiation 82 (high: …) ×
// G-4 adverse impact 50 (moderate) → G-5 61 (moderate)".
func (r *Rating) twoStepArithmetic() string {
	var parts []string
	for _, s := range r.Steps {
		parts = append(parts, fmt.Sprintf("%s %s [%s]", s.Table, stepName(s.Table), s.Arithmetic()))
	}
	return fmt.Sprintf("%s → %s %d (%s)", strings.Join(parts, " with "), r.Table, r.Value, r.Level)
}

func stepName(table string) string {
	switch table {
	case TableInitiation:
		return "initiation"
	case TableOccurrence:
		return "occurrence"
	case TableAdverseImpact:
		return "adverse impact"
	}
	return "step"
}
