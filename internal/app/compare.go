package app

import (
	"context"
	"sort"

	"rcmguard/internal/assess"
	"rcmguard/internal/store"
)

// Comparison is what changed between two assessments of a workspace, risk
// by stable risk ID: risks that appeared or went away, risks whose level
// moved, and risks on which a decision changed (status, owner, due date,
// approver, acceptance expiry). A risk can be in both Changed and
// Decisions; Unchanged counts those in neither.
type Comparison struct {
	From, To      store.Assessment
	New, Resolved []assess.Risk
	Changed       []LevelChange
	Decisions     []DecisionChange
	Unchanged     int
}

// LevelChange is a risk present in both assessments at another level.
type LevelChange struct {
	ID, Title string
	From, To  assess.Risk
}

// DecisionChange is a risk present in both assessments whose tracking
// differs; Fields lists what changed, in a fixed order.
type DecisionChange struct {
	ID, Title string
	Fields    []FieldChange
}

// FieldChange is one field of a decision before and after ("" for none).
type FieldChange struct {
	Field    string // a person's word for it: "Status", "Owner", …
	From, To string
}

// CompareAssessments compares assessments from and to of the workspace;
// either one belonging to another workspace is not found.
func (a *App) CompareAssessments(ctx context.Context, who Actor, ws Scope, from, to int64) (Comparison, error) {
	fa, fr, err := a.Assessment(ctx, who, ws, from)
	if err != nil {
		return Comparison{}, err
	}
	ta, tr, err := a.Assessment(ctx, who, ws, to)
	if err != nil {
		return Comparison{}, err
	}
	c := Comparison{From: fa, To: ta}
	d := assess.Compare(fr, tr)
	c.New, c.Resolved = d.New, d.Resolved
	for _, x := range d.Rerated {
		c.Changed = append(c.Changed, LevelChange{ID: x.To.ID, Title: x.To.Title, From: x.From, To: x.To})
	}
	old := make(map[string]assess.Risk, len(fr.Risks))
	for _, r := range fr.Risks {
		old[r.ID] = r
	}
	rerated := make(map[string]bool, len(d.Rerated))
	for _, x := range d.Rerated {
		rerated[x.To.ID] = true
	}
	for _, r := range tr.Risks {
		o, ok := old[r.ID]
		if !ok {
			continue
		}
		fs := decisionFields(o, r)
		if len(fs) > 0 {
			c.Decisions = append(c.Decisions, DecisionChange{ID: r.ID, Title: r.Title, Fields: fs})
		}
		if len(fs) == 0 && !rerated[r.ID] {
			c.Unchanged++
		}
	}
	sort.Slice(c.Changed, func(i, j int) bool { return c.Changed[i].ID < c.Changed[j].ID })
	sort.Slice(c.Decisions, func(i, j int) bool { return c.Decisions[i].ID < c.Decisions[j].ID })
	return c, nil
}

// decisionFields lists how the decision on a risk differs between two
// results. A result without tracking for the risk has status "unchecked"
// and no owner, dates or approver: that is how the register shows it too.
func decisionFields(from, to assess.Risk) []FieldChange {
	type view struct{ status, owner, due, approver, expires string }
	see := func(r assess.Risk) view {
		v := view{status: r.Status.Title()}
		if t := r.Tracking; t != nil {
			v.owner, v.due, v.approver, v.expires = t.Owner, t.Due, t.Approver, t.Expires
		}
		return v
	}
	f, t := see(from), see(to)
	var out []FieldChange
	for _, c := range []FieldChange{
		{"Status", f.status, t.status},
		{"Owner", f.owner, t.owner},
		{"Due date", f.due, t.due},
		{"Approved by", f.approver, t.approver},
		{"Acceptance expires", f.expires, t.expires},
	} {
		if c.From != c.To {
			out = append(out, c)
		}
	}
	return out
}
