package store

import (
	"context"
	"testing"
)

// TestEmailProofMigration: accounts made through an invitation link before
// the change (shown to the owner, so nothing proven) come out unproven;
// every other account was made by an administrator and comes out proven;
// old invitations count as copied links; the database refuses any other
// delivery.
func TestEmailProofMigration(t *testing.T) {
	eachDialect(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		s := openBefore(t, dsn, "proven e-mail addresses and invitations delivered by e-mail")
		exec := func(q string, args ...any) {
			t.Helper()
			if _, err := s.db.ExecContext(ctx, s.d.rebind(q), args...); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		const created = "2026-01-02T03:04:05.000000000Z"
		exec(`INSERT INTO workspaces (name, kind, created_at) VALUES ('W', 'practice', ?)`, created)
		exec(`INSERT INTO users (email, password_hash, created_at) VALUES ('admin-made@example.org', 'h', ?)`, created)
		exec(`INSERT INTO users (email, password_hash, created_at) VALUES ('link-made@example.org', 'h', ?)`, created)
		exec(`INSERT INTO invitations (workspace_id, email, role, token_hash, created_by, created_at, expires_at, used_at, used_by)
			VALUES (1, 'link-made@example.org', 'auditor', 'h1', 1, ?, ?, ?, 2)`, created, created, created)
		exec(`INSERT INTO invitations (workspace_id, email, role, token_hash, created_by, created_at, expires_at)
			VALUES (1, 'pending@example.org', 'auditor', 'h2', 1, ?, ?)`, created, created)
		if err := s.migrate(ctx); err != nil {
			t.Fatalf("migrate: %v", err)
		}
		if at, err := s.EmailVerified(ctx, 1); err != nil || FormatTime(at) != created {
			t.Errorf("administrator's account: proven at %v, %v; want its creation time", at, err)
		}
		if at, err := s.EmailVerified(ctx, 2); err != nil || !at.IsZero() {
			t.Errorf("account made through a copied link: proven at %v, %v; want unproven", at, err)
		}
		for _, h := range []string{"h1", "h2"} {
			if inv, err := s.InvitationByHash(ctx, h); err != nil || inv.Delivery != DeliveryLink {
				t.Errorf("invitation %s: delivery %q, %v; want %q", h, inv.Delivery, err, DeliveryLink)
			}
		}
		if _, err := s.db.ExecContext(ctx, `UPDATE invitations SET delivery = 'carrier pigeon'`); err == nil {
			t.Error("an unknown delivery was stored")
		}
	})
}
