package store_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"rcmguard/internal/audit"
	"rcmguard/internal/store"
	"rcmguard/internal/store/storetest"
)

func TestInvitations(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dsn string) {
		f := newFixture(t, dsn)
		ctx := context.Background()
		w := f.workspace(t, "Riverbend", store.KindPractice, 0)
		other := f.workspace(t, "Elsewhere", store.KindPractice, 0)
		owner := f.user(t, "owner@example.org")
		invite := func(ws int64, email, hash string, validFor time.Duration) (store.Invitation, error) {
			var inv store.Invitation
			err := f.write(t, "invite.create", func(tx *store.Tx) (err error) {
				inv, err = tx.CreateInvitation(ctx, store.Invitation{WorkspaceID: ws, Email: email, Role: "auditor",
					Expires: t0.AddDate(0, 0, 90), TokenHash: hash, CreatedBy: owner.ID, Created: t0, ValidUntil: t0.Add(validFor)})
				return err
			})
			return inv, err
		}
		a, err := invite(w.ID, " New.Person@Example.org", "hash-a", 72*time.Hour)
		if err != nil || a.ID == 0 || a.Email != "new.person@example.org" {
			t.Fatalf("create invitation: %+v, %v; want an ID and the address normalised", a, err)
		}
		b, err := invite(w.ID, "second@example.org", "hash-b", 72*time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		short, err := invite(w.ID, "late@example.org", "hash-short", time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		theirs, err := invite(other.ID, "theirs@example.org", "hash-theirs", 72*time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := invite(w.ID, "again@example.org", "hash-a", time.Hour); !errors.Is(err, store.ErrConflict) {
			t.Errorf("second invitation with the same token hash: %v; want ErrConflict", err)
		}
		if err := f.s.InTx(ctx, func(tx *store.Tx) error {
			_, err := tx.CreateInvitation(ctx, store.Invitation{WorkspaceID: w.ID, Email: "quiet@example.org", Role: "owner",
				TokenHash: "hash-quiet", CreatedBy: owner.ID, Created: t0, ValidUntil: t0.Add(time.Hour)})
			return err
		}); !errors.Is(err, store.ErrUnaudited) {
			t.Errorf("unaudited invitation: %v; want ErrUnaudited", err)
		}

		got, err := f.s.InvitationByHash(ctx, "hash-a")
		if err != nil || got.ID != a.ID || got.WorkspaceID != w.ID || got.Role != "auditor" || got.CreatedBy != owner.ID ||
			!got.Expires.Equal(t0.AddDate(0, 0, 90)) || !got.ValidUntil.Equal(t0.Add(72*time.Hour)) || !got.Created.Equal(t0) ||
			!got.Used.IsZero() || !got.Revoked.IsZero() || !got.Pending(t0) {
			t.Fatalf("InvitationByHash = %+v, %v", got, err)
		}
		if _, err := f.s.InvitationByHash(ctx, "no-such-hash"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("unknown hash: %v; want ErrNotFound", err)
		}

		// The list holds this workspace's pending invitations only.
		list, err := f.s.PendingInvitations(ctx, w.ID, t0.Add(2*time.Hour))
		if err != nil || len(list) != 2 || list[0].ID != a.ID || list[1].ID != b.ID {
			t.Fatalf("PendingInvitations = %+v, %v; want a and b (the short one expired)", list, err)
		}
		if short.Pending(t0.Add(time.Hour)) {
			t.Error("an invitation is still pending at its expiry")
		}

		// Another workspace's invitation cannot be read or revoked through this one.
		if _, err := f.s.Invitation(ctx, w.ID, theirs.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("other tenant's invitation: %v; want ErrNotFound", err)
		}
		err = f.write(t, "invite.revoke", func(tx *store.Tx) error { return tx.RevokeInvitation(ctx, w.ID, theirs.ID, owner.ID, t0) })
		if !errors.Is(err, store.ErrNotFound) {
			t.Errorf("revoke other tenant's invitation: %v; want ErrNotFound", err)
		}
		if got, _ := f.s.Invitation(ctx, other.ID, theirs.ID); !got.Revoked.IsZero() {
			t.Error("other tenant's invitation was revoked")
		}

		// Revoking stops it; it cannot be revoked twice or used afterwards.
		if err := f.write(t, "invite.revoke", func(tx *store.Tx) error { return tx.RevokeInvitation(ctx, w.ID, b.ID, owner.ID, t0.Add(time.Minute)) }); err != nil {
			t.Fatal(err)
		}
		if got, _ := f.s.Invitation(ctx, w.ID, b.ID); got.RevokedBy != owner.ID || !got.Revoked.Equal(t0.Add(time.Minute)) || got.Pending(t0) {
			t.Errorf("revoked invitation = %+v", got)
		}
		err = f.write(t, "invite.revoke", func(tx *store.Tx) error { return tx.RevokeInvitation(ctx, w.ID, b.ID, owner.ID, t0) })
		if !errors.Is(err, store.ErrNotFound) {
			t.Errorf("second revocation: %v; want ErrNotFound", err)
		}

		// Using is a compare-and-set: once, before expiry, never when revoked.
		newcomer := f.user(t, "new.person@example.org")
		if err := f.write(t, "invite.accept", func(tx *store.Tx) error { return tx.UseInvitation(ctx, a.ID, newcomer.ID, t0.Add(time.Hour)) }); err != nil {
			t.Fatal(err)
		}
		for name, id := range map[string]int64{"used": a.ID, "revoked": b.ID, "expired": short.ID} {
			err := f.write(t, "invite.accept", func(tx *store.Tx) error { return tx.UseInvitation(ctx, id, newcomer.ID, t0.Add(2*time.Hour)) })
			if !errors.Is(err, store.ErrConflict) {
				t.Errorf("use the %s invitation: %v; want ErrConflict", name, err)
			}
		}
		if got, _ := f.s.Invitation(ctx, w.ID, a.ID); got.UsedBy != newcomer.ID || !got.Used.Equal(t0.Add(time.Hour)) || got.Pending(t0) {
			t.Errorf("used invitation = %+v", got)
		}
		err = f.write(t, "invite.revoke", func(tx *store.Tx) error { return tx.RevokeInvitation(ctx, w.ID, a.ID, owner.ID, t0) })
		if !errors.Is(err, store.ErrNotFound) {
			t.Errorf("revoke a used invitation: %v; want ErrNotFound", err)
		}
		// The database itself refuses a row both used and revoked.
		err = f.write(t, "x", func(tx *store.Tx) error {
			_, err := tx.Exec(ctx, `UPDATE invitations SET revoked_at = created_at WHERE id = ?`, a.ID)
			return err
		})
		if err == nil {
			t.Error("an invitation was marked both used and revoked")
		}
		if list, _ := f.s.PendingInvitations(ctx, w.ID, t0); len(list) != 1 || list[0].ID != short.ID {
			t.Errorf("pending after use and revocation: %+v; want only the short one", list)
		}

		// Backups carry the invitations with their state.
		snapPath := filepath.Join(t.TempDir(), "snap.db")
		if err := f.s.Snapshot(ctx, snapPath); err != nil {
			t.Fatal(err)
		}
		snap := storetest.Open(t, snapPath, f.kr)
		if got, err := snap.InvitationByHash(ctx, "hash-a"); err != nil || got.UsedBy != newcomer.ID || got.Email != a.Email {
			t.Errorf("snapshot's invitation = %+v, %v", got, err)
		}
		if f.s.Postgres() {
			// Restored into PostgreSQL, new invitations get IDs past the copied ones.
			dst := storetest.Open(t, storetest.PostgresDSN(t), f.kr)
			if err := dst.ReplaceFrom(ctx, snap); err != nil {
				t.Fatal(err)
			}
			var next store.Invitation
			err := dst.InTx(ctx, func(tx *store.Tx) (err error) {
				if next, err = tx.CreateInvitation(ctx, store.Invitation{WorkspaceID: w.ID, Email: "later@example.org", Role: "contributor",
					TokenHash: "hash-later", CreatedBy: owner.ID, Created: t0, ValidUntil: t0.Add(time.Hour)}); err != nil {
					return err
				}
				_, err = f.log.Append(ctx, tx, audit.Event{At: t0, Actor: "test", Action: "invite.create"})
				return err
			})
			if err != nil || next.ID <= theirs.ID {
				t.Errorf("invitation after restore: ID %d, %v; want one past %d", next.ID, err, theirs.ID)
			}
		}
	})
}
