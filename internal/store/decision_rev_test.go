package store_test

import (
	"context"
	"testing"
	"time"

	"rcmguard/internal/store"
	"rcmguard/internal/store/storetest"
)

// TestDecisionsRevMoves: every insert, update and delete of a decision —
// through the store or by any other SQL — moves its workspace's counter,
// and only its workspace's.
func TestDecisionsRevMoves(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dsn string) {
		f := newFixture(t, dsn)
		ctx := context.Background()
		w := f.workspace(t, "W", store.KindPractice, 0)
		other := f.workspace(t, "Other", store.KindPractice, 0)
		u := f.user(t, "u@example.org")
		revs := func() (int64, int64) {
			t.Helper()
			a, err := f.s.Workspace(ctx, w.ID)
			if err != nil {
				t.Fatal(err)
			}
			b, err := f.s.Workspace(ctx, other.ID)
			if err != nil {
				t.Fatal(err)
			}
			return a.DecisionsRev, b.DecisionsRev
		}
		last, otherRev := revs()
		step := func(what string, fn func(tx *store.Tx) error) {
			t.Helper()
			if err := f.write(t, "risk.decide", fn); err != nil {
				t.Fatalf("%s: %v", what, err)
			}
			rev, o := revs()
			if rev == last {
				t.Errorf("%s left decisions_rev at %d", what, rev)
			}
			if o != otherRev {
				t.Errorf("%s moved another workspace's decisions_rev", what)
			}
			last = rev
		}
		d := store.RiskDecision{WorkspaceID: w.ID, RiskID: "R-1", Status: "in_progress", Owner: "IT",
			UpdatedBy: u.ID, Updated: t0}
		step("insert", func(tx *store.Tx) error { return tx.PutRiskDecision(ctx, d) })
		d.Owner, d.Updated = "Billing", t0.Add(time.Minute)
		step("replace", func(tx *store.Tx) error { return tx.PutRiskDecision(ctx, d) })
		// The same values again still count as a change: the view cannot
		// tell, and rebuilding once is cheap.
		step("same values", func(tx *store.Tx) error { return tx.PutRiskDecision(ctx, d) })
		step("raw update", func(tx *store.Tx) error {
			_, err := tx.Exec(ctx, `UPDATE risk_decisions SET owner = 'Front desk'`)
			return err
		})
		step("raw delete", func(tx *store.Tx) error {
			_, err := tx.Exec(ctx, `DELETE FROM risk_decisions`)
			return err
		})
		// Memberships and other workspace reads carry the counter too.
		if err := f.write(t, "member", func(tx *store.Tx) error {
			return tx.PutMembership(ctx, store.Membership{UserID: u.ID, WorkspaceID: w.ID, Role: "owner", Created: t0})
		}); err != nil {
			t.Fatal(err)
		}
		if _, ws, err := f.s.MembershipWorkspace(ctx, w.ID, u.ID); err != nil || ws.DecisionsRev != last {
			t.Errorf("MembershipWorkspace: rev %d, %v; want %d", ws.DecisionsRev, err, last)
		}
	})
}
