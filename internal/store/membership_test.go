package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"rcmguard/internal/store"
	"rcmguard/internal/store/storetest"
)

// TestRemoveMembershipRevokesTokens: a member's API tokens for a workspace
// end with their membership, so adding them back does not bring an old
// token back to life. Their tokens elsewhere, and others' tokens, stay.
func TestRemoveMembershipRevokesTokens(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dsn string) {
		f := newFixture(t, dsn)
		ctx := context.Background()
		w := f.workspace(t, "Riverbend", store.KindPractice, 0)
		other := f.workspace(t, "Elsewhere", store.KindPractice, 0)
		leaver, stayer := f.user(t, "leaver@example.org"), f.user(t, "stayer@example.org")
		token := func(hash string, user, ws int64) {
			t.Helper()
			err := f.write(t, "token.create", func(tx *store.Tx) error {
				if err := tx.PutMembership(ctx, store.Membership{UserID: user, WorkspaceID: ws, Role: "owner", Created: t0}); err != nil {
					return err
				}
				_, err := tx.CreateAPIToken(ctx, store.APIToken{Hash: hash, UserID: user, WorkspaceID: ws, Name: hash,
					Created: t0, Expires: t0.Add(24 * time.Hour)})
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		token("leaver-here", leaver.ID, w.ID)
		token("leaver-elsewhere", leaver.ID, other.ID)
		token("stayer-here", stayer.ID, w.ID)
		if err := f.write(t, "membership.remove", func(tx *store.Tx) error { return tx.RemoveMembership(ctx, w.ID, leaver.ID) }); err != nil {
			t.Fatal(err)
		}
		if err := f.write(t, "membership.put", func(tx *store.Tx) error {
			return tx.PutMembership(ctx, store.Membership{UserID: leaver.ID, WorkspaceID: w.ID, Role: "owner", Created: t0.Add(time.Hour)})
		}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.s.APITokenByHash(ctx, "leaver-here"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("the removed member's token after they were added back: %v; want ErrNotFound", err)
		}
		for _, h := range []string{"leaver-elsewhere", "stayer-here"} {
			if _, err := f.s.APITokenByHash(ctx, h); err != nil {
				t.Errorf("token %s: %v; want it kept", h, err)
			}
		}
	})
}
