package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"rcmguard/internal/store"
	"rcmguard/internal/store/storetest"
)

// The joined reads of the hot paths return exactly what the single-table
// reads return, and not-found when either side is missing.
func TestJoinedReads(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dsn string) {
		f := newFixture(t, dsn)
		ctx := context.Background()
		w := f.workspace(t, "W", store.KindPractice, 0)
		other := f.workspace(t, "Other", store.KindPractice, 0)
		u := f.user(t, "u@example.org")
		signer := f.user(t, "signer@example.org")
		sess := store.Session{IDHash: "h1", UserID: u.ID, Created: t0, LastSeen: t0.Add(time.Second),
			IdleExpires: t0.Add(time.Minute), AbsoluteExpires: t0.Add(time.Hour), MFAPassed: true}
		m := store.Membership{UserID: u.ID, WorkspaceID: w.ID, Role: "auditor", Expires: t0.AddDate(0, 0, 30), Created: t0}
		err := f.write(t, "setup", func(tx *store.Tx) error {
			if err := tx.CreateSession(ctx, sess); err != nil {
				return err
			}
			return tx.PutMembership(ctx, m)
		})
		if err != nil {
			t.Fatal(err)
		}

		gs, gu, err := f.s.SessionUser(ctx, "h1")
		if err != nil {
			t.Fatal(err)
		}
		ws, _ := f.s.SessionByHash(ctx, "h1")
		wu, _ := f.s.User(ctx, u.ID)
		if gs != ws || gu.ID != wu.ID || gu.Email != wu.Email || gu.TOTPSecret != wu.TOTPSecret ||
			!gu.Created.Equal(wu.Created) || gu.MFAEnrolled != wu.MFAEnrolled || !gs.MFAPassed {
			t.Fatalf("SessionUser = %+v, %+v; want %+v, %+v", gs, gu, ws, wu)
		}
		if _, _, err := f.s.SessionUser(ctx, "nope"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("SessionUser of an unknown hash: %v; want ErrNotFound", err)
		}

		gm, gw, err := f.s.MembershipWorkspace(ctx, w.ID, u.ID)
		if err != nil || gm.Role != "auditor" || !gm.Expires.Equal(m.Expires) || gw.ID != w.ID || gw.Name != "W" || !gw.Created.Equal(w.Created) {
			t.Fatalf("MembershipWorkspace = %+v, %+v, %v", gm, gw, err)
		}
		for _, c := range []struct{ ws, user int64 }{{other.ID, u.ID}, {w.ID, signer.ID}, {999999, u.ID}} {
			if _, _, err := f.s.MembershipWorkspace(ctx, c.ws, c.user); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("MembershipWorkspace(%d, %d): %v; want ErrNotFound", c.ws, c.user, err)
			}
		}

		// Assessment heads carry who ran and who signed off.
		err = f.write(t, "assessment.run", func(tx *store.Tx) error {
			a, err := tx.CreateAssessment(ctx, store.Assessment{WorkspaceID: w.ID, CreatedBy: u.ID, Created: t0, ModelYAML: []byte("m")})
			if err != nil {
				return err
			}
			if err := tx.SetAssessmentResult(ctx, w.ID, a.ID, []byte(`{}`)); err != nil {
				return err
			}
			if err := tx.SignOffAssessment(ctx, w.ID, a.ID, signer.ID, t0.Add(time.Hour)); err != nil {
				return err
			}
			_, err = tx.CreateAssessment(ctx, store.Assessment{WorkspaceID: w.ID, Created: t0.Add(2 * time.Hour), ModelYAML: []byte("m2")})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		heads, err := f.s.AssessmentHeads(ctx, w.ID)
		if err != nil || len(heads) != 2 {
			t.Fatalf("AssessmentHeads = %+v, %v", heads, err)
		}
		if h := heads[1]; h.Version != 1 || h.CreatedByEmail != "u@example.org" || h.SignedOffByEmail != "signer@example.org" || !h.SignedOff.Equal(t0.Add(time.Hour)) {
			t.Fatalf("first assessment head = %+v", h)
		}
		if h := heads[0]; h.Version != 2 || h.CreatedBy != 0 || h.CreatedByEmail != "" || h.SignedOffByEmail != "" || !h.SignedOff.IsZero() {
			t.Fatalf("second assessment head = %+v", h)
		}
		if heads, err := f.s.AssessmentHeads(ctx, other.ID); err != nil || len(heads) != 0 {
			t.Fatalf("AssessmentHeads of another workspace = %+v, %v", heads, err)
		}
	})
}
