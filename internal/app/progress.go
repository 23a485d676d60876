package app

import (
	"context"
	"errors"
	"time"

	"rcmguard/internal/assess"
	"rcmguard/internal/auth"
	"rcmguard/internal/risk"
	"rcmguard/internal/store"
)

// Progress is where a workspace stands against its latest assessment: how
// many of its risks have a decision, whether the model or the decisions
// changed since it ran, and what falls due next.
type Progress struct {
	Risks     int // risks of the latest assessment
	Decided   int // of them, those with a decision beyond "not yet reviewed"
	Undecided int

	// ModelChanged: the model was saved after the assessment ran, so the
	// risks shown may no longer be those of the model.
	ModelChanged  bool
	ModelRevision int
	ModelUpdated  time.Time
	// DecisionsSince are decisions saved after the assessment ran; they
	// apply at the next run.
	DecisionsSince int

	// ReviewDue is when the risk analysis is next due for review: a year
	// after the latest assessment's as-of date (164.308(a)(1)(ii)(A) asks
	// for an analysis kept current; yearly is the usual cadence).
	ReviewDue time.Time
	// NextExpiry is the earliest acceptance still in force to expire, and
	// ExpiryRisk the risk it accepts; zero when none.
	NextExpiry time.Time
	ExpiryRisk string
	// NextDue is the earliest due date, today or later, of a plan item
	// still at risk, and DueRisk its risk.
	NextDue time.Time
	DueRisk string
}

// ReviewCadence is how long after its as-of date a risk analysis is due
// for review.
const ReviewCadence = 1 // years

// ProgressOf measures the workspace's progress against latest, its newest
// assessment, whose result is res.
func (a *App) ProgressOf(ctx context.Context, who Actor, ws Scope, latest store.Assessment, res *assess.Result) (Progress, error) {
	var p Progress
	if err := a.Allowed(who, ws, auth.ActWorkspaceView, ""); err != nil {
		return p, err
	}
	decs, err := a.st.RiskDecisions(ctx, ws.WS.ID)
	if err != nil {
		return p, err
	}
	status := make(map[string]string, len(decs))
	today := a.Today()
	for _, d := range decs {
		status[d.RiskID] = d.Status
		if d.Updated.After(latest.Created) {
			p.DecisionsSince++
		}
		if d.Status == string(risk.Accepted) && !d.Expires.IsZero() && !d.Expires.Before(today) &&
			(p.NextExpiry.IsZero() || d.Expires.Before(p.NextExpiry)) {
			p.NextExpiry, p.ExpiryRisk = d.Expires, d.RiskID
		}
	}
	for _, r := range res.Risks {
		p.Risks++
		st, ok := status[r.ID]
		if !ok {
			st = string(r.Status)
		}
		if st != "" && st != string(risk.Unchecked) {
			p.Decided++
		}
	}
	p.Undecided = p.Risks - p.Decided
	for _, it := range res.Plan {
		due, err := time.Parse(time.DateOnly, it.Due)
		if err != nil || due.Before(today) || !risk.Status(it.Status).StillAtRisk() {
			continue
		}
		if p.NextDue.IsZero() || due.Before(p.NextDue) {
			p.NextDue, p.DueRisk = due, it.RiskID
		}
	}
	if asOf, err := time.Parse(time.DateOnly, res.AsOf); err == nil {
		p.ReviewDue = asOf.AddDate(ReviewCadence, 0, 0)
	}
	wm, err := a.st.WorkspaceModel(ctx, ws.WS.ID)
	switch {
	case errors.Is(err, store.ErrNotFound):
	case err != nil:
		return p, err
	default:
		p.ModelRevision, p.ModelUpdated = wm.Revision, wm.Updated
		p.ModelChanged = wm.Updated.After(latest.Created)
	}
	return p, nil
}
