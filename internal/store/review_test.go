package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"rcmguard/internal/store"
	"rcmguard/internal/store/storetest"
)

func TestRiskReviews(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dsn string) {
		f := newFixture(t, dsn)
		ctx := context.Background()
		w := f.workspace(t, "W", store.KindPractice, 0)
		other := f.workspace(t, "Other", store.KindPractice, 0)
		contributor := f.user(t, "c@example.org")
		officer := f.user(t, "o@example.org")
		due := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
		propose := func(risk, status string) {
			t.Helper()
			err := f.write(t, "risk.review.request", func(tx *store.Tx) error {
				return tx.PutRiskReview(ctx, store.RiskReview{WorkspaceID: w.ID, RiskID: risk, Status: status,
					Justification: "MFA is on", Owner: "IT", Due: due, RequestedBy: contributor.ID, Requested: t0})
			})
			if err != nil {
				t.Fatalf("propose %s %s: %v", status, risk, err)
			}
		}
		propose("EDI-02@f1", "mitigated")
		propose("PORTAL-01@p", "false_positive")
		pending, err := f.s.PendingRiskReviews(ctx, w.ID)
		if err != nil || len(pending) != 2 || pending[0].State != store.ReviewPending || !pending[0].Due.Equal(due) {
			t.Fatalf("PendingRiskReviews = %+v, %v; want 2 pending", pending, err)
		}
		if got, _ := f.s.PendingRiskReviews(ctx, other.ID); len(got) != 0 {
			t.Fatalf("reviews leak into another workspace: %+v", got)
		}
		// Only a closure can wait for review.
		err = f.write(t, "risk.review.request", func(tx *store.Tx) error {
			return tx.PutRiskReview(ctx, store.RiskReview{WorkspaceID: w.ID, RiskID: "X", Status: "accepted",
				Justification: "j", RequestedBy: contributor.ID, Requested: t0})
		})
		if err == nil {
			t.Fatal("a review proposing status accepted was stored")
		}

		// Approving takes the pending review, once.
		err = f.write(t, "risk.review.approve", func(tx *store.Tx) error {
			r, err := tx.TakePendingRiskReview(ctx, w.ID, "EDI-02@f1")
			if err != nil {
				return err
			}
			if r.Status != "mitigated" || r.RequestedBy != contributor.ID || r.Owner != "IT" {
				t.Errorf("taken review %+v", r)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		err = f.write(t, "risk.review.approve", func(tx *store.Tx) error {
			_, err := tx.TakePendingRiskReview(ctx, w.ID, "EDI-02@f1")
			return err
		})
		if !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("second approval: %v; want ErrNotFound", err)
		}

		// A rejection keeps the review, with its note, out of the pending
		// list; it cannot be approved any more; a new proposal reopens it.
		err = f.write(t, "risk.review.reject", func(tx *store.Tx) error {
			return tx.RejectRiskReview(ctx, w.ID, "PORTAL-01@p", officer.ID, t0.Add(time.Hour), "the portal still allows passwords")
		})
		if err != nil {
			t.Fatal(err)
		}
		r, err := f.s.RiskReview(ctx, w.ID, "PORTAL-01@p")
		if err != nil || r.State != store.ReviewRejected || r.ReviewedBy != officer.ID || r.Note == "" || !r.Reviewed.Equal(t0.Add(time.Hour)) {
			t.Fatalf("rejected review = %+v, %v", r, err)
		}
		if got, _ := f.s.PendingRiskReviews(ctx, w.ID); len(got) != 0 {
			t.Fatalf("a rejected review is still pending: %+v", got)
		}
		err = f.write(t, "risk.review.approve", func(tx *store.Tx) error {
			_, err := tx.TakePendingRiskReview(ctx, w.ID, "PORTAL-01@p")
			return err
		})
		if !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("approving a rejected review: %v; want ErrNotFound", err)
		}
		propose("PORTAL-01@p", "mitigated")
		if r, _ := f.s.RiskReview(ctx, w.ID, "PORTAL-01@p"); r.State != store.ReviewPending || r.Note != "" || r.ReviewedBy != 0 {
			t.Fatalf("proposed again: %+v; want pending with no reviewer", r)
		}
		err = f.write(t, "risk.decide", func(tx *store.Tx) error { return tx.DeleteRiskReview(ctx, w.ID, "PORTAL-01@p") })
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.s.RiskReview(ctx, w.ID, "PORTAL-01@p"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("after DeleteRiskReview: %v; want ErrNotFound", err)
		}
	})
}
