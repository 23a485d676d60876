package store_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"rcmguard/internal/store"
	"rcmguard/internal/store/storetest"
)

// TestWorkspaceStatuses lists a member's workspaces of a billing company
// with 400 clients: a page at a time, clients under their company, the
// latest assessment's summary of each, search, and ended memberships left
// out. The plan of the one query shows each workspace's latest assessment
// and summary found through an index, so a page costs the same with 400
// clients as with 4.
func TestWorkspaceStatuses(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dsn string) {
		f := newFixture(t, dsn)
		ctx := context.Background()
		u := f.user(t, "lead@example.org")
		other := f.user(t, "other@example.org")
		company := f.workspace(t, "Keystone Revenue", store.KindBillingCompany, 0)
		f.workspace(t, "Aardvark Practice", store.KindPractice, 0) // not u's
		const clients = 400
		var ids []int64
		err := f.write(t, "test.seed", func(tx *store.Tx) error {
			if err := tx.PutMembership(ctx, store.Membership{UserID: u.ID, WorkspaceID: company.ID, Role: "owner", Created: t0}); err != nil {
				return err
			}
			for i := range clients {
				w, err := tx.CreateWorkspace(ctx, store.Workspace{Name: fmt.Sprintf("Client %03d", i), Kind: store.KindPractice, ParentID: company.ID, Created: t0})
				if err != nil {
					return err
				}
				ids = append(ids, w.ID)
				m := store.Membership{UserID: u.ID, WorkspaceID: w.ID, Role: "compliance_officer", Created: t0}
				if i == 7 {
					m.Expires = t0.Add(time.Hour) // ended before "now" below
				}
				if err := tx.PutMembership(ctx, m); err != nil {
					return err
				}
				if err := tx.PutMembership(ctx, store.Membership{UserID: other.ID, WorkspaceID: w.ID, Role: "auditor", Created: t0}); err != nil {
					return err
				}
				if i%3 != 0 {
					continue
				}
				for v := 1; v <= 2; v++ {
					a, err := tx.CreateAssessment(ctx, store.Assessment{WorkspaceID: w.ID, CreatedBy: u.ID, Created: t0.Add(time.Duration(v) * time.Minute),
						ModelYAML: []byte("version: 2\n"), ResultJSON: []byte("{}")})
					if err != nil {
						return err
					}
					if err := tx.PutAssessmentStatus(ctx, store.AssessmentStatus{AssessmentID: a.ID, WorkspaceID: w.ID, AsOf: "2026-11-27",
						Open: 10 * v, OpenHigh: v, OpenVeryHigh: i % 5, NextReview: t0.AddDate(1, 0, 0)}); err != nil {
						return err
					}
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		now := t0.Add(2 * time.Hour)
		page, total, err := f.s.WorkspaceStatuses(ctx, store.WorkspaceStatusQuery{UserID: u.ID, Now: now, Limit: 50})
		if err != nil {
			t.Fatal(err)
		}
		if total != clients || len(page) != 50 {
			t.Fatalf("page 1: %d rows of %d; want 50 of %d (the company and its clients but the ended one)", len(page), total, clients)
		}
		if page[0].WS.ID != company.ID || page[0].ParentName != "" || page[1].WS.Name != "Client 000" || page[1].ParentName != "Keystone Revenue" {
			t.Errorf("page 1 starts %q (%q), %q (%q); want the company, then its clients by name",
				page[0].WS.Name, page[0].ParentName, page[1].WS.Name, page[1].ParentName)
		}
		c0 := page[1]
		if c0.LatestID == 0 || !c0.HasStatus || c0.Status.Open != 20 || c0.Status.OpenHigh != 2 || !c0.Status.NextReview.Equal(t0.AddDate(1, 0, 0)) || c0.Role != "compliance_officer" {
			t.Errorf("Client 000: %+v; want the latest (second) assessment's summary", c0)
		}
		if c1 := page[2]; c1.LatestID != 0 || c1.HasStatus {
			t.Errorf("Client 001 has no assessment, yet: %+v", c1)
		}
		for _, st := range page {
			if st.WS.Name == "Client 007" || st.WS.Name == "Aardvark Practice" {
				t.Errorf("listed %q, which the user may not see", st.WS.Name)
			}
		}
		last, total, err := f.s.WorkspaceStatuses(ctx, store.WorkspaceStatusQuery{UserID: u.ID, Now: now, Offset: 350, Limit: 50})
		if err != nil || total != clients || len(last) != 50 || last[49].WS.Name != "Client 399" {
			t.Errorf("last page: %d rows of %d, %v", len(last), total, err)
		}
		found, total, err := f.s.WorkspaceStatuses(ctx, store.WorkspaceStatusQuery{UserID: u.ID, Now: now, Search: "ENT 12", Limit: 50})
		if err != nil || total != 10 || found[0].WS.Name != "Client 120" {
			t.Errorf("search: %d matching, %v", total, err)
		}
		if _, total, _ := f.s.WorkspaceStatuses(ctx, store.WorkspaceStatusQuery{UserID: u.ID, Now: now, Search: "100%", Limit: 50}); total != 0 {
			t.Errorf("a %% in the search matched %d: it must be taken literally", total)
		}
		if _, total, _ := f.s.WorkspaceStatuses(ctx, store.WorkspaceStatusQuery{UserID: u.ID, Now: now, Search: "keystone", Limit: 50}); total != clients {
			t.Errorf("searching the company's name found %d; want it and all its clients", total)
		}
		plan := explain(t, f.s, dsn, u.ID, now)
		for _, bad := range []string{"SCAN a2", "SCAN s", "Seq Scan on assessments", "Seq Scan on assessment_status"} {
			if strings.Contains(plan, bad) {
				t.Errorf("the workspaces query reads a whole table (%q):\n%s", bad, plan)
			}
		}
	})
}

// explain returns the database's plan of the workspaces query. PostgreSQL
// is told to avoid sequential scans, as it would on tables this small
// anyway: only a scan it cannot avoid, for want of an index, is left.
func explain(t *testing.T, s *store.Store, dsn string, user int64, now time.Time) string {
	t.Helper()
	ctx := context.Background()
	conn, err := s.DB().Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	q, prefix := store.WorkspaceStatusesQuery, "EXPLAIN QUERY PLAN "
	args := []any{user, store.FormatTime(now), "%", "%", 50, 0}
	if store.IsPostgres(dsn) {
		if _, err := conn.ExecContext(ctx, "SET enable_seqscan = off"); err != nil {
			t.Fatal(err)
		}
		defer conn.ExecContext(ctx, "RESET enable_seqscan")
		prefix = "EXPLAIN "
		n := 0
		var b strings.Builder
		for _, r := range q {
			if r == '?' {
				n++
				fmt.Fprintf(&b, "$%d", n)
				continue
			}
			b.WriteRune(r)
		}
		q = b.String()
	}
	rows, err := conn.QueryContext(ctx, prefix+q, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var out strings.Builder
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintln(&out, vals...)
	}
	return out.String()
}
