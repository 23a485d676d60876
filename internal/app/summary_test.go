package app_test

import (
	"context"
	"testing"
	"time"

	"rcmguard/examples"
	"rcmguard/internal/app"
	"rcmguard/internal/audit"
	"rcmguard/internal/auth"
	"rcmguard/internal/store"
	"rcmguard/internal/store/storetest"
)

// TestClientPostures: the portfolio's postures come from the summaries
// stored beside each assessment, in two queries for any number of
// clients, and say what decoding each client's latest result says. An
// assessment stored without a summary (before there were any) gets one
// from its result, once, and it is stored.
func TestClientPostures(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		f := newFixture(t, dsn)
		owner := f.users[auth.RoleOwner]
		var company int64
		clients := map[string]int64{}
		err := f.st.InTx(ctx, func(tx *store.Tx) error {
			co, err := tx.CreateWorkspace(ctx, store.Workspace{Name: "Billing", Kind: store.KindBillingCompany, Created: f.now})
			if err != nil {
				return err
			}
			company = co.ID
			for _, name := range []string{"Client C", "Client A", "Client B"} {
				w, err := tx.CreateWorkspace(ctx, store.Workspace{Name: name, ParentID: co.ID, Created: f.now})
				if err != nil {
					return err
				}
				clients[name] = w.ID
				if name != "Client B" {
					if err := tx.PutMembership(ctx, store.Membership{UserID: owner.ID, WorkspaceID: w.ID, Role: string(auth.RoleOwner), Created: f.now}); err != nil {
						return err
					}
				}
			}
			if err := tx.PutMembership(ctx, store.Membership{UserID: owner.ID, WorkspaceID: co.ID, Role: string(auth.RoleOwner), Created: f.now}); err != nil {
				return err
			}
			_, err = audit.New(f.st.Keyring()).Append(ctx, tx, audit.Event{At: f.now, Actor: "test", Action: "workspace.create"})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		data, err := examples.FS.ReadFile("practice.yaml")
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range []string{"Client A", "Client C"} {
			sc, err := f.a.Enter(ctx, owner.ID, clients[name])
			if err != nil {
				t.Fatal(err)
			}
			who := app.Actor{User: owner, Via: app.ViaCLI}
			if _, err := f.a.ImportModel(ctx, who, sc, data, app.AnyRevision); err != nil {
				t.Fatal(err)
			}
			for range 2 {
				if _, err := f.a.RunAssessment(ctx, who, sc); err != nil {
					t.Fatal(err)
				}
			}
		}
		// Client C's latest assessment as stored before summaries were.
		latestC, _, _, err := f.a.Latest(ctx, clients["Client C"])
		if err != nil {
			t.Fatal(err)
		}
		ph := "?"
		if store.IsPostgres(dsn) {
			ph = "$1"
		}
		if _, err := f.st.DB().ExecContext(ctx, `DELETE FROM assessment_summaries WHERE assessment_id = `+ph, latestC.ID); err != nil {
			t.Fatal(err)
		}
		// A server that has decoded nothing yet.
		set, _ := builtin()
		fresh := app.New(app.Config{Store: f.st, Audit: audit.New(f.st.Keyring()),
			Auth: auth.New(f.st, audit.New(f.st.Keyring()), auth.Config{}), Rules: set, Now: func() time.Time { return f.now }})
		got, err := fresh.ClientPostures(ctx, company, owner.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 3 || got[0].Workspace.Name != "Client A" || got[1].Workspace.Name != "Client B" || got[2].Workspace.Name != "Client C" {
			t.Fatalf("clients %+v; want A, B, C by name", got)
		}
		if !got[0].Member || got[1].Member || !got[2].Member {
			t.Errorf("membership flags %v %v %v; want true false true", got[0].Member, got[1].Member, got[2].Member)
		}
		if got[1].Latest.ID != 0 {
			t.Errorf("Client B, never assessed, has latest assessment %d", got[1].Latest.ID)
		}
		for _, p := range []app.ClientPosture{got[0], got[2]} {
			a, res, ok, err := f.a.Latest(ctx, p.Workspace.ID)
			if err != nil || !ok {
				t.Fatal(err)
			}
			s := p.Summary
			if p.Latest.ID != a.ID || p.Latest.Version != 2 || s.Open != res.Summary.Open || s.Risks != res.Summary.Risks ||
				s.Highest != res.Summary.Highest || s.AsOf != res.AsOf || s.OpenByLevel["high"] != res.Summary.OpenByLevel["high"] {
				t.Errorf("%s: posture %+v (assessment %d v%d); the result says %+v", p.Workspace.Name, s, p.Latest.ID, p.Latest.Version, res.Summary)
			}
			overdue := 0
			for _, it := range res.Plan {
				if it.Due != "" && it.Due < "2027-06-01" && it.Status != "mitigated" && it.Status != "false_positive" {
					overdue++
				}
			}
			if n := app.OverdueOn(s, "2027-06-01"); n != overdue {
				t.Errorf("%s: %d overdue on 2027-06-01 by the summary; %d by the plan", p.Workspace.Name, n, overdue)
			}
		}
		sums, err := f.st.AssessmentSummaries(ctx, []int64{latestC.ID})
		if err != nil || sums[latestC.ID].Risks == 0 {
			t.Errorf("the summary made from Client C's result was not stored: %+v, %v", sums, err)
		}
	})
}
