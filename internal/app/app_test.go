package app_test

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"rcmguard/examples"
	"rcmguard/internal/app"
	"rcmguard/internal/audit"
	"rcmguard/internal/auth"
	"rcmguard/internal/model"
	"rcmguard/internal/risk"
	"rcmguard/internal/rules"
	"rcmguard/internal/store"
	"rcmguard/internal/store/storetest"
)

var builtin = sync.OnceValues(func() (*rules.Set, error) { return rules.Load(rules.Builtin()) })

// fixture is an App over a real store with one practice, a user per role,
// the example model and a first assessment.
type fixture struct {
	a     *app.App
	st    *store.Store
	ws    int64
	users map[auth.Role]store.User
	now   time.Time
}

func newFixture(t *testing.T, dsn string) *fixture {
	t.Helper()
	ctx := context.Background()
	kr := storetest.Keyring(t)
	st := storetest.Open(t, dsn, kr)
	log := audit.New(kr)
	set, err := builtin()
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	svc := auth.New(st, log, auth.Config{Params: auth.Params{Time: 1, Memory: 8 * 1024, Threads: 1}})
	f := &fixture{a: app.New(app.Config{Store: st, Audit: log, Auth: svc, Rules: set, Now: func() time.Time { return now }}),
		st: st, users: map[auth.Role]store.User{}, now: now}
	for _, r := range auth.Roles {
		u, _, err := svc.CreateUser(ctx, auth.NewUser{Email: string(r) + "@example.org", Password: "correct horse battery staple 42",
			Workspace: "Practice", Role: r, Actor: "test"}, now)
		if err != nil {
			t.Fatal(err)
		}
		f.users[r] = u
	}
	w, err := st.WorkspaceByName(ctx, "Practice")
	if err != nil {
		t.Fatal(err)
	}
	f.ws = w.ID
	data, err := examples.FS.ReadFile("practice.yaml")
	if err != nil {
		t.Fatal(err)
	}
	who, ws := f.as(t, auth.RoleOwner)
	if _, err := f.a.ImportModel(ctx, who, ws, data, app.AnyRevision); err != nil {
		t.Fatal(err)
	}
	if _, err := f.a.RunAssessment(ctx, who, ws); err != nil {
		t.Fatal(err)
	}
	return f
}

// as returns the user of a role acting in the practice, entered as an
// adapter enters it.
func (f *fixture) as(t *testing.T, r auth.Role) (app.Actor, app.Scope) {
	t.Helper()
	ws, err := f.a.Enter(context.Background(), f.users[r].ID, f.ws)
	if err != nil {
		t.Fatal(err)
	}
	return app.Actor{User: f.users[r], Via: app.ViaWeb}, ws
}

func (f *fixture) risks(t *testing.T) []string {
	t.Helper()
	_, res, ok, err := f.a.Latest(context.Background(), f.ws)
	if err != nil || !ok {
		t.Fatalf("no assessment: %v", err)
	}
	var ids []string
	for _, r := range res.Risks {
		ids = append(ids, r.ID)
	}
	return ids
}

func TestAllowedNeedsTheActorsOwnScope(t *testing.T) {
	f := newFixture(t, t.TempDir()+"/rcmguard.db")
	ctx := context.Background()
	owner, ws := f.as(t, auth.RoleOwner)
	contributor, cws := f.as(t, auth.RoleContributor)
	for name, tc := range map[string]struct {
		who app.Actor
		ws  app.Scope
	}{
		"another member's scope":    {contributor, ws},
		"a scope with no workspace": {owner, app.Scope{Member: ws.Member}},
		"an auditor's scope":        {owner, func() app.Scope { _, s := f.as(t, auth.RoleAuditor); return s }()},
	} {
		if _, err := f.a.RunAssessment(ctx, tc.who, tc.ws); !errors.Is(err, app.ErrForbidden) {
			t.Errorf("%s: RunAssessment = %v; want ErrForbidden", name, err)
		}
	}
	// A contributor changes only what is assigned to them: nothing yet.
	risks := f.risks(t)
	_, err := f.a.DecideRisk(ctx, contributor, cws, risks[0], app.Decision{Status: risk.InProgress})
	if !errors.Is(err, app.ErrForbidden) {
		t.Errorf("unassigned contributor's decision = %v; want ErrForbidden", err)
	}
	if _, err := f.a.Enter(ctx, f.users[auth.RoleOwner].ID, f.ws+100); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("entering a workspace of no membership = %v; want not found", err)
	}
}

// TestClosureNeedsASecondPerson is the application's half of issue 8's
// finding 11 (the web's is TestContributorClosureWaitsForReview): a
// closure proposed by a contributor waits, and the person who proposed it
// never approves it, even once they may review closures.
func TestClosureNeedsASecondPerson(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dsn string) {
		f := newFixture(t, dsn)
		ctx := context.Background()
		risks := f.risks(t)
		officer, ows := f.as(t, auth.RoleComplianceOfficer)
		if err := f.a.SetWork(ctx, app.Actor{User: f.users[auth.RoleOwner]}, func() app.Scope { _, s := f.as(t, auth.RoleOwner); return s }(),
			f.users[auth.RoleContributor].ID, app.Work{AllRisks: true}, nil); err != nil {
			t.Fatal(err)
		}
		contributor, cws := f.as(t, auth.RoleContributor)
		out, err := f.a.DecideRisk(ctx, contributor, cws, risks[0], app.Decision{Status: risk.FalsePositive, Justification: "not ours"})
		if err != nil || out.Review == nil || out.Review.State != store.ReviewPending {
			t.Fatalf("contributor's closure = %+v, %v; want a pending review", out, err)
		}
		if _, err := f.st.RiskDecision(ctx, f.ws, risks[0]); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("a pending closure is a decision (%v)", err)
		}
		// Promoted meanwhile, the proposer still cannot approve their own.
		err = f.st.InTx(ctx, func(tx *store.Tx) error {
			if err := tx.PutMembership(ctx, store.Membership{UserID: f.users[auth.RoleContributor].ID, WorkspaceID: f.ws,
				Role: string(auth.RoleComplianceOfficer), Created: f.now}); err != nil {
				return err
			}
			_, err := audit.New(f.st.Keyring()).Append(ctx, tx, audit.Event{At: f.now, Actor: "test", Action: audit.MembershipPut})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		promoted, pws := f.as(t, auth.RoleContributor)
		if _, err := f.a.ReviewClosure(ctx, promoted, pws, risks[0], true, ""); !errors.Is(err, app.ErrForbidden) {
			t.Errorf("the proposer approving their own closure = %v; want ErrForbidden", err)
		}
		if _, err := f.a.ReviewClosure(ctx, officer, ows, risks[0], false, ""); !errors.Is(err, app.ErrInvalid) {
			t.Errorf("a rejection without a note = %v; want ErrInvalid", err)
		}
		out, err = f.a.ReviewClosure(ctx, officer, ows, risks[0], true, "")
		if err != nil || out.Decision.Status != string(risk.FalsePositive) || out.Decision.ApproverID != officer.User.ID {
			t.Fatalf("the officer's approval = %+v, %v", out, err)
		}
		if _, err := f.a.ReviewClosure(ctx, officer, ows, risks[0], true, ""); !errors.Is(err, app.ErrConflict) {
			t.Errorf("approving twice = %v; want ErrConflict", err)
		}
		// The closure approved, the next assessment closes the risk.
		owner, ws := f.as(t, auth.RoleOwner)
		if _, err := f.a.RunAssessment(ctx, owner, ws); err != nil {
			t.Fatal(err)
		}
		_, res, _, _ := f.a.Latest(ctx, f.ws)
		for _, r := range res.Risks {
			if r.ID == risks[0] && (r.Open() || r.Status != risk.FalsePositive) {
				t.Errorf("after approval and a run, %s is %s; want false_positive, not open", r.ID, r.Status)
			}
		}
	})
}

func TestSaveModelRefusesAStaleRevision(t *testing.T) {
	f := newFixture(t, t.TempDir()+"/rcmguard.db")
	ctx := context.Background()
	who, ws := f.as(t, auth.RoleComplianceOfficer)
	wm, m, _, err := f.a.CurrentModel(ctx, f.ws)
	if err != nil {
		t.Fatal(err)
	}
	m.Organization.Name = "Renamed"
	checked, el, err := app.CheckModel(m)
	if err != nil || len(el) > 0 {
		t.Fatalf("CheckModel = %v, %v", el, err)
	}
	change := app.ModelChange{Model: checked, Revision: wm.Revision, Part: store.ModelObject + "organization",
		Action: audit.ModelOrganization}
	if _, err := f.a.SaveModel(ctx, who, ws, change); err != nil {
		t.Fatal(err)
	}
	_, err = f.a.SaveModel(ctx, who, ws, change)
	if !errors.Is(err, app.ErrConflict) || app.Message(err) == "" {
		t.Errorf("saving over a newer revision = %v; want ErrConflict with a message", err)
	}
	if _, err := f.a.SaveModel(ctx, who, ws, app.ModelChange{Revision: app.AnyRevision, Part: change.Part, Action: change.Action}); err == nil {
		t.Error("a model that was never checked was saved")
	}
}

// TestStatusesAreOneList checks the model's tracking statuses, the risk
// package's and the store's agree: each is stored, anything else refused.
func TestStatusesAreOneList(t *testing.T) {
	var got []string
	for _, s := range risk.Statuses {
		got = append(got, string(s))
	}
	if want := model.TrackingStatus("").Enum(); !slices.Equal(got, want) {
		t.Errorf("risk.Statuses = %v; model.TrackingStatus = %v", got, want)
	}
	storetest.Each(t, func(t *testing.T, dsn string) {
		f := newFixture(t, dsn)
		ctx := context.Background()
		for _, s := range append(got, "open") {
			err := f.st.InTx(ctx, func(tx *store.Tx) error {
				if err := tx.PutRiskDecision(ctx, store.RiskDecision{WorkspaceID: f.ws, RiskID: "X-01@" + s, Status: s,
					UpdatedBy: f.users[auth.RoleOwner].ID, Updated: f.now}); err != nil {
					return err
				}
				_, err := audit.New(f.st.Keyring()).Append(ctx, tx, audit.Event{At: f.now, Actor: "test", Action: audit.RiskDecide})
				return err
			})
			if valid := risk.Status(s).Valid(); (err == nil) != valid {
				t.Errorf("storing a decision of status %q: %v; valid %t", s, err, valid)
			}
		}
	})
}
