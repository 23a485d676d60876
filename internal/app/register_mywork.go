package app

import (
	"context"
	"sort"

	"rcmguard/internal/assess"
	"rcmguard/internal/risk"
	"rcmguard/internal/store"
)

// WorkItem is a risk someone owns, as "My work" lists it.
type WorkItem struct {
	WS      store.Workspace
	RiskID  string
	Title   string
	Level   risk.Level
	Status  risk.Status
	Due     string // the decision's, else the plan's: as the register shows it
	Overdue bool
	InPlan  bool // the risk is a step of the remediation plan
}

// WaitingReview is a closure waiting for the person to review it.
type WaitingReview struct {
	WS     store.Workspace
	Review store.RiskReview
	Title  string
}

// MyWork is what is the person's to do across their workspaces.
type MyWork struct {
	Items   []WorkItem // open risks they own, soonest due first
	Reviews []WaitingReview
}

// MyWork lists, across every workspace the person is a member of, the
// open risks (and so plan steps) they own and the closures waiting for
// their review. It reads the owned decisions and the waiting reviews with
// one query each, and the latest result only of the workspaces that have
// something of theirs.
func (a *App) MyWork(ctx context.Context, who Actor) (MyWork, error) {
	now := a.now()
	owned, err := a.st.OwnedDecisions(ctx, who.User.ID, MemberOwner(who.User.ID).String(), now)
	if err != nil {
		return MyWork{}, err
	}
	reviews, err := a.st.ReviewsWaitingFor(ctx, who.User.ID, now)
	if err != nil {
		return MyWork{}, err
	}
	type latest struct {
		ws    store.Workspace
		risks map[string]*assess.Risk
		plan  map[string]*assess.PlanItem
	}
	seen := map[int64]*latest{}
	load := func(wsID int64) (*latest, error) {
		if l, ok := seen[wsID]; ok {
			return l, nil
		}
		ws, err := a.st.Workspace(ctx, wsID)
		if err != nil {
			return nil, err
		}
		l := &latest{ws: ws, risks: map[string]*assess.Risk{}, plan: map[string]*assess.PlanItem{}}
		_, res, ok, err := a.Latest(ctx, wsID)
		if err != nil {
			return nil, err
		}
		if ok {
			for i := range res.Risks {
				l.risks[res.Risks[i].ID] = &res.Risks[i]
			}
			for i := range res.Plan {
				l.plan[res.Plan[i].RiskID] = &res.Plan[i]
			}
		}
		seen[wsID] = l
		return l, nil
	}
	today := FormatDate(a.Today())
	var out MyWork
	for _, d := range owned {
		st := risk.Status(d.Status)
		if !st.StillAtRisk() {
			continue
		}
		l, err := load(d.WorkspaceID)
		if err != nil {
			return MyWork{}, err
		}
		r := l.risks[d.RiskID]
		if r == nil {
			continue // no longer found by the latest assessment
		}
		it := WorkItem{WS: l.ws, RiskID: d.RiskID, Title: r.Title, Level: r.Level, Status: st, Due: FormatDate(d.Due)}
		if p := l.plan[d.RiskID]; p != nil {
			it.InPlan = true
			if it.Due == "" {
				it.Due = p.Due
			}
		}
		it.Overdue = it.Due != "" && it.Due < today
		out.Items = append(out.Items, it)
	}
	sort.SliceStable(out.Items, func(i, j int) bool {
		a, b := out.Items[i], out.Items[j]
		if (a.Due == "") != (b.Due == "") {
			return b.Due == ""
		}
		if a.Due != b.Due {
			return a.Due < b.Due
		}
		return a.Level > b.Level
	})
	for _, rv := range reviews {
		l, err := load(rv.WorkspaceID)
		if err != nil {
			return MyWork{}, err
		}
		w := WaitingReview{WS: l.ws, Review: rv, Title: rv.RiskID}
		if r := l.risks[rv.RiskID]; r != nil {
			w.Title = r.Title
		}
		out.Reviews = append(out.Reviews, w)
	}
	return out, nil
}
