package risk

import (
	"fmt"
	"strings"
)

// Factor is one term of a likelihood or impact computation, kept with its
// reason so the report can show the arithmetic.
type Factor struct {
	Name   string `json:"name"`
	Points int    `json:"points"`
	Reason string `json:"reason"`
}

// Rating is a likelihood or impact value with the terms that produced it.
type Rating struct {
	// Table is the SP 800-30 Rev. 1 table the value is read on (G-2, G-3,
	// G-4, G-5, H-3); empty in results written before schema v2.
	Table      string   `json:"table,omitempty"`
	Base       int      `json:"base"`
	BaseReason string   `json:"base_reason"`
	Factors    []Factor `json:"factors"`
	Value      int      `json:"value"`
	Level      Level    `json:"level"`
	// Steps are the two ratings an overall likelihood (G-5) combines:
	// initiation or occurrence, then adverse impact.
	Steps []Rating `json:"steps,omitempty"`
	// Uncertainty says how far the rating could be off and why.
	Uncertainty string `json:"uncertainty,omitempty"`
}

// NewRating starts a rating at its base value.
func NewRating(base int, reason string) *Rating {
	return &Rating{Base: base, BaseReason: reason}
}

// OnTable starts a rating on a named SP 800-30 table.
func OnTable(table string, base int, reason string) *Rating {
	return &Rating{Table: table, Base: base, BaseReason: reason}
}

// Add records a factor; zero-point factors are kept only when they carry a
// reason a reader would miss (for example a control that is in place).
func (r *Rating) Add(name string, points int, reason string) {
	r.Factors = append(r.Factors, Factor{Name: name, Points: points, Reason: reason})
}

// Finish computes the value (base plus factors, clamped to 1–100: nothing is
// rated impossible or certain) and its level.
func (r *Rating) Finish() *Rating {
	v := r.Base
	for _, f := range r.Factors {
		v += f.Points
	}
	if v < 1 {
		v = 1
	}
	if v > 100 {
		v = 100
	}
	r.Value = v
	r.Level = LevelOf(v)
	return r
}

// Arithmetic renders the computation, e.g. "50 base + 15 internet-facing −
// 10 MFA = 55 (moderate)".
func (r *Rating) Arithmetic() string {
	if len(r.Steps) > 0 {
		return r.twoStepArithmetic()
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%d base", r.Base)
	for _, f := range r.Factors {
		if f.Points >= 0 {
			fmt.Fprintf(&b, " + %d %s", f.Points, f.Name)
		} else {
			fmt.Fprintf(&b, " − %d %s", -f.Points, f.Name)
		}
	}
	raw := r.Base
	for _, f := range r.Factors {
		raw += f.Points
	}
	if raw != r.Value {
		fmt.Fprintf(&b, " = %d, limited to %d", raw, r.Value)
	} else {
		fmt.Fprintf(&b, " = %d", r.Value)
	}
	fmt.Fprintf(&b, " (%s)", r.Level)
	return b.String()
}
