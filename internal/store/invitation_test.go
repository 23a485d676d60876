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
		if err != nil || a.ID == 0 || a.Email != "new.person@example.org" || a.Delivery != store.DeliveryLink {
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
			!got.Used.IsZero() || !got.Revoked.IsZero() || !got.Pending(t0) || got.Delivery != store.DeliveryLink {
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
		if err := f.write(t, "invite.accept", func(tx *store.Tx) error { return tx.UseInvitation(ctx, a.ID, "hash-b", newcomer.ID, t0.Add(time.Hour)) }); !errors.Is(err, store.ErrConflict) {
			t.Errorf("use with another invitation's hash: %v; want ErrConflict", err)
		}
		if err := f.write(t, "invite.accept", func(tx *store.Tx) error { return tx.UseInvitation(ctx, a.ID, "hash-a", newcomer.ID, t0.Add(time.Hour)) }); err != nil {
			t.Fatal(err)
		}
		for name, inv := range map[string]store.Invitation{"used": a, "revoked": b, "expired": short} {
			err := f.write(t, "invite.accept", func(tx *store.Tx) error {
				return tx.UseInvitation(ctx, inv.ID, inv.TokenHash, newcomer.ID, t0.Add(2*time.Hour))
			})
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

// TestInvitationRenewAndReplace: a new link replaces the old one (which then
// cannot be used), an invitation for an address replaces the live ones of
// that workspace only, and how the link went out is kept.
func TestInvitationRenewAndReplace(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dsn string) {
		f := newFixture(t, dsn)
		ctx := context.Background()
		w := f.workspace(t, "Riverbend", store.KindPractice, 0)
		other := f.workspace(t, "Elsewhere", store.KindPractice, 0)
		owner := f.user(t, "owner@example.org")
		invite := func(ws int64, email, hash, delivery string) store.Invitation {
			t.Helper()
			var inv store.Invitation
			err := f.write(t, "invite.create", func(tx *store.Tx) (err error) {
				inv, err = tx.CreateInvitation(ctx, store.Invitation{WorkspaceID: ws, Email: email, Role: "contributor",
					TokenHash: hash, CreatedBy: owner.ID, Created: t0, ValidUntil: t0.Add(time.Hour), Delivery: delivery})
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			return inv
		}
		mailed := invite(w.ID, "x@b.example", "hash-1", store.DeliveryEmail)
		if got, _ := f.s.InvitationByHash(ctx, "hash-1"); got.Delivery != store.DeliveryEmail {
			t.Errorf("delivery = %q; want email", got.Delivery)
		}
		// Renewing moves the link: the old hash finds nothing and cannot be used.
		if err := f.write(t, "invite.resend", func(tx *store.Tx) error {
			return tx.RenewInvitation(ctx, w.ID, mailed.ID, "hash-2", store.DeliveryLink, t0.Add(3*time.Hour))
		}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.s.InvitationByHash(ctx, "hash-1"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("old link after renewal: %v; want ErrNotFound", err)
		}
		got, err := f.s.InvitationByHash(ctx, "hash-2")
		if err != nil || got.ID != mailed.ID || got.Delivery != store.DeliveryLink || !got.ValidUntil.Equal(t0.Add(3*time.Hour)) {
			t.Errorf("renewed invitation = %+v, %v", got, err)
		}
		u := f.user(t, "x@b.example")
		if err := f.write(t, "invite.accept", func(tx *store.Tx) error {
			return tx.UseInvitation(ctx, mailed.ID, "hash-1", u.ID, t0.Add(time.Minute))
		}); !errors.Is(err, store.ErrConflict) {
			t.Errorf("using the replaced link: %v; want ErrConflict", err)
		}
		// Another workspace cannot renew it; a used one cannot be renewed.
		if err := f.write(t, "invite.resend", func(tx *store.Tx) error {
			return tx.RenewInvitation(ctx, other.ID, mailed.ID, "hash-3", store.DeliveryLink, t0.Add(3*time.Hour))
		}); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("renewal through another workspace: %v; want ErrNotFound", err)
		}
		if err := f.write(t, "invite.resend", func(tx *store.Tx) error {
			return tx.RenewInvitation(ctx, w.ID, mailed.ID, "hash-1", store.DeliveryEmail, t0.Add(3*time.Hour))
		}); err != nil {
			t.Fatal(err)
		}
		if err := f.write(t, "x", func(tx *store.Tx) error {
			return tx.RenewInvitation(ctx, w.ID, mailed.ID, "hash-taken", "carrier pigeon", t0.Add(3*time.Hour))
		}); err == nil {
			t.Error("an unknown delivery was stored")
		}

		// Replacing: the live ones of that address here, expired or not; not used
		// ones, not other addresses, not other workspaces.
		expired := invite(w.ID, "y@b.example", "hash-y1", store.DeliveryLink)
		live := invite(w.ID, "Y@b.example", "hash-y2", store.DeliveryEmail)
		elsewhere := invite(other.ID, "y@b.example", "hash-y3", store.DeliveryLink)
		someoneElse := invite(w.ID, "z@b.example", "hash-z", store.DeliveryLink)
		var ids []int64
		if err := f.write(t, "invite.revoke", func(tx *store.Tx) (err error) {
			ids, err = tx.RevokePendingInvitations(ctx, w.ID, " y@B.example", owner.ID, t0.Add(2*time.Hour))
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if len(ids) != 2 || ids[0]+ids[1] != expired.ID+live.ID {
			t.Errorf("revoked %v; want %d and %d", ids, expired.ID, live.ID)
		}
		for _, inv := range []store.Invitation{elsewhere, someoneElse} {
			if got, _ := f.s.Invitation(ctx, inv.WorkspaceID, inv.ID); !got.Revoked.IsZero() {
				t.Errorf("invitation %d (%s) was revoked too", inv.ID, inv.Email)
			}
		}
		if got, _ := f.s.Invitation(ctx, w.ID, live.ID); got.RevokedBy != owner.ID {
			t.Errorf("revoked invitation = %+v", got)
		}
		if err := f.s.InTx(ctx, func(tx *store.Tx) error {
			_, err := tx.RevokePendingInvitations(ctx, w.ID, "z@b.example", owner.ID, t0)
			return err
		}); !errors.Is(err, store.ErrUnaudited) {
			t.Errorf("unaudited revocation: %v; want ErrUnaudited", err)
		}
	})
}

// TestEmailVerified: an address is proven once, keeps the first time, and
// the Members page can tell which members are unproven; backups carry it.
func TestEmailVerified(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dsn string) {
		f := newFixture(t, dsn)
		ctx := context.Background()
		w := f.workspace(t, "Riverbend", store.KindPractice, 0)
		a := f.user(t, "a@example.org")
		b := f.user(t, "b@example.org")
		if at, err := f.s.EmailVerified(ctx, a.ID); err != nil || !at.IsZero() {
			t.Fatalf("new account: proven at %v, %v; want unproven", at, err)
		}
		if _, err := f.s.EmailVerified(ctx, 99999); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("unknown account: %v; want ErrNotFound", err)
		}
		if err := f.write(t, "membership.put", func(tx *store.Tx) error {
			for _, u := range []store.User{a, b} {
				if err := tx.PutMembership(ctx, store.Membership{UserID: u.ID, WorkspaceID: w.ID, Role: "contributor", Created: t0}); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		for _, at := range []time.Time{t0.Add(time.Hour), t0.Add(2 * time.Hour)} {
			if err := f.write(t, "user.email.verify", func(tx *store.Tx) error { return tx.VerifyEmail(ctx, a.ID, at) }); err != nil {
				t.Fatal(err)
			}
		}
		if at, err := f.s.EmailVerified(ctx, a.ID); err != nil || !at.Equal(t0.Add(time.Hour)) {
			t.Errorf("proven at %v, %v; want the first time", at, err)
		}
		if err := f.write(t, "user.email.verify", func(tx *store.Tx) error { return tx.VerifyEmail(ctx, 99999, t0) }); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("verifying an unknown account: %v; want ErrNotFound", err)
		}
		un, err := f.s.UnverifiedMembers(ctx, w.ID)
		if err != nil || len(un) != 1 || !un[b.ID] {
			t.Errorf("UnverifiedMembers = %v, %v; want only b", un, err)
		}
		snapPath := filepath.Join(t.TempDir(), "snap.db")
		if err := f.s.Snapshot(ctx, snapPath); err != nil {
			t.Fatal(err)
		}
		snap := storetest.Open(t, snapPath, f.kr)
		if at, err := snap.EmailVerified(ctx, a.ID); err != nil || !at.Equal(t0.Add(time.Hour)) {
			t.Errorf("snapshot: proven at %v, %v", at, err)
		}
	})
}
