package app_test

import (
	"context"
	"testing"

	"rcmguard/internal/auth"
	"rcmguard/internal/store/storetest"
)

// TestWorkspacesStatus: the list shows each workspace's latest assessment,
// its open very high and high risks and when the analysis is next due for
// review; an assessment stored before summaries were kept is summarised
// once, on first view.
func TestWorkspacesStatus(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dsn string) {
		f := newFixture(t, dsn)
		ctx := context.Background()
		owner, _ := f.as(t, auth.RoleOwner)
		list, err := f.a.Workspaces(ctx, owner, "", 1)
		if err != nil || len(list.Rows) != 1 {
			t.Fatalf("list: %+v, %v", list, err)
		}
		_, res, _, _ := f.a.Latest(ctx, f.ws)
		// The example accepts a risk until 2027-06-30: that acceptance is
		// due for review before the yearly review of the analysis.
		row := list.Rows[0]
		if row.AsOf != res.AsOf || row.Open != res.Summary.Open || row.High != res.Summary.OpenByLevel["high"] ||
			row.VeryHigh != res.Summary.OpenByLevel["very_high"] || row.NextReview.Format("2006-01-02") != "2027-06-30" || row.ReviewDue {
			t.Errorf("status %+v; want the latest result's counts and the acceptance's expiry as next review", row)
		}
		if row.Open == 0 {
			t.Fatal("the example practice has no open risk: the test shows nothing")
		}
		// An assessment from before summaries: same status, read from its result.
		if _, err := f.st.DB().ExecContext(ctx, "DELETE FROM assessment_status"); err != nil {
			t.Fatal(err)
		}
		again, err := f.a.Workspaces(ctx, owner, "", 1)
		if err != nil || again.Rows[0].Open != row.Open || again.Rows[0].NextReview != row.NextReview {
			t.Errorf("backfilled status %+v, %v; want %+v", again.Rows, err, row)
		}
		var n int
		if err := f.st.DB().QueryRowContext(ctx, "SELECT COUNT(*) FROM assessment_status").Scan(&n); err != nil || n != 1 {
			t.Errorf("the backfilled summary was not kept: %d rows, %v", n, err)
		}
		if l, _ := f.a.Workspaces(ctx, owner, "no such", 1); l.Matching != 0 {
			t.Errorf("search for nothing matched %d", l.Matching)
		}
	})
}
