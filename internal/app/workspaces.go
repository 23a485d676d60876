package app

import (
	"context"
	"strings"
	"time"

	"rcmguard/internal/assess"
	"rcmguard/internal/auth"
	"rcmguard/internal/risk"
	"rcmguard/internal/store"
)

// WorkspacesPageSize is how many workspaces one page of the list shows.
const WorkspacesPageSize = 50

// reviewInterval is how long an analysis stands before it is due for
// review: 164.308(a)(1)(ii)(A) asks for a current analysis, and the
// practice the HHS SRA Tool and OCR's guidance describe is at least yearly.
const reviewInterval = 1 // year

// WorkspaceRow is one workspace of a person's list, with its status.
type WorkspaceRow struct {
	WS         store.Workspace
	Company    string // the billing company a client workspace belongs to
	Role       auth.Role
	Assessed   time.Time // the latest assessment; zero when none
	AsOf       string
	Open       int
	High       int // open high risks
	VeryHigh   int // open very high risks
	NextReview time.Time
	ReviewDue  bool // the next review is today or past
}

// WorkspaceList is a page of a person's workspaces.
type WorkspaceList struct {
	Rows        []WorkspaceRow
	Matching    int // in all pages
	Page, Pages int
}

// Workspaces lists a page (1-based) of the workspaces the person is a
// member of, whose name or billing company's name contains search, with
// each one's status. It reads one page with one query, however many
// workspaces there are; only an assessment stored before summaries were
// kept is opened, once, to summarise it.
func (a *App) Workspaces(ctx context.Context, who Actor, search string, page int) (WorkspaceList, error) {
	page = max(page, 1)
	q := store.WorkspaceStatusQuery{UserID: who.User.ID, Now: a.now(), Search: strings.TrimSpace(search),
		Offset: (page - 1) * WorkspacesPageSize, Limit: WorkspacesPageSize}
	sts, total, err := a.st.WorkspaceStatuses(ctx, q)
	if err != nil {
		return WorkspaceList{}, err
	}
	out := WorkspaceList{Matching: total, Page: page, Pages: max(1, (total+WorkspacesPageSize-1)/WorkspacesPageSize)}
	today := a.Today()
	for _, st := range sts {
		if st.LatestID != 0 && !st.HasStatus {
			if st.Status, err = a.backfillStatus(ctx, st.WS.ID, st.LatestID); err != nil {
				return WorkspaceList{}, err
			}
		}
		row := WorkspaceRow{WS: st.WS, Company: st.ParentName, Role: auth.Role(st.Role)}
		if st.LatestID != 0 {
			s := st.Status
			row.Assessed, row.AsOf, row.Open, row.High, row.VeryHigh, row.NextReview = st.Assessed, s.AsOf, s.Open, s.OpenHigh, s.OpenVeryHigh, s.NextReview
			row.ReviewDue = !s.NextReview.IsZero() && !s.NextReview.After(today)
		}
		out.Rows = append(out.Rows, row)
	}
	return out, nil
}

// backfillStatus summarises an assessment stored before summaries were
// kept, and keeps the summary.
func (a *App) backfillStatus(ctx context.Context, wsID, id int64) (store.AssessmentStatus, error) {
	res, err := a.Result(ctx, store.Assessment{ID: id, WorkspaceID: wsID})
	if err != nil {
		return store.AssessmentStatus{}, err
	}
	s := assessmentStatus(wsID, id, res)
	return s, a.st.BackfillAssessmentStatus(ctx, s)
}

// assessmentSummary is what the workspaces list keeps of a result. The
// next review is a year after the analysis, or sooner when an acceptance
// expires first: an expired acceptance is a risk to decide again.
func assessmentStatus(wsID, id int64, res *assess.Result) store.AssessmentStatus {
	s := store.AssessmentStatus{AssessmentID: id, WorkspaceID: wsID, AsOf: res.AsOf, Open: res.Summary.Open,
		OpenHigh: res.Summary.OpenByLevel[risk.High.Slug()], OpenVeryHigh: res.Summary.OpenByLevel[risk.VeryHigh.Slug()]}
	if asOf, err := time.Parse(time.DateOnly, res.AsOf); err == nil {
		s.NextReview = asOf.AddDate(reviewInterval, 0, 0)
	}
	for i := range res.Risks {
		t := res.Risks[i].Tracking
		if res.Risks[i].Status != risk.Accepted || t == nil || t.Expires == "" || t.AcceptanceExpired {
			continue
		}
		if exp, err := time.Parse(time.DateOnly, t.Expires); err == nil && (s.NextReview.IsZero() || exp.Before(s.NextReview)) {
			s.NextReview = exp
		}
	}
	return s
}
