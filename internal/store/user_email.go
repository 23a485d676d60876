package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// An account's address is proven when a message to it carried the link
// the account was made or joined with, or when an administrator vouched for
// it (rcmguard user add, user verify). Until then the address is only what
// whoever made the account typed: an owner in one workspace could have made
// an account for an address at another organisation. The proof is kept
// apart from User because only invitations and the administrator's
// commands read or change it.

// VerifyEmail records that the user's address is proven at at. An address
// proven before keeps the first time.
func (t *Tx) VerifyEmail(ctx context.Context, userID int64, at time.Time) error {
	err := mustAffect(t.exec(ctx, `UPDATE users SET email_verified_at = COALESCE(email_verified_at, ?) WHERE id = ?`,
		ts(at), userID))
	if err != nil {
		return fmt.Errorf("store: verify address of user %d: %w", userID, err)
	}
	return nil
}

// EmailVerified returns when the user's address was proven; zero when it
// never was.
func (c *conn) EmailVerified(ctx context.Context, userID int64) (time.Time, error) {
	var at sql.NullString
	if err := c.queryRow(ctx, `SELECT email_verified_at FROM users WHERE id = ?`, userID).Scan(&at); err != nil {
		return time.Time{}, fmt.Errorf("store: address proof of user %d: %w", userID, notFound(err))
	}
	t, err := parseNTS(at)
	if err != nil {
		return time.Time{}, fmt.Errorf("store: address proof of user %d: %w", userID, err)
	}
	return t, nil
}

// UnverifiedMembers returns the members of a workspace whose address was
// never proven, for the Members page to say so.
func (c *conn) UnverifiedMembers(ctx context.Context, workspaceID int64) (map[int64]bool, error) {
	ids, err := collect(ctx, c, func(r rowScanner) (id int64, err error) { return id, r.Scan(&id) },
		`SELECT m.user_id FROM memberships m JOIN users u ON u.id = m.user_id
		WHERE m.workspace_id = ? AND u.email_verified_at IS NULL`, workspaceID)
	if err != nil {
		return nil, fmt.Errorf("store: unverified members of workspace %d: %w", workspaceID, err)
	}
	out := make(map[int64]bool, len(ids))
	for _, id := range ids {
		out[id] = true
	}
	return out, nil
}

// emailProofV12 records which accounts' addresses are proven and how each
// invitation link was delivered. Accounts that exist were made by an
// administrator (proven: the administrator vouched) or through an
// invitation link that was shown to the inviting owner (unproven: whoever
// held the link chose the password). Existing invitations were all shown
// to the owner.
func emailProofV12(d dialect) []string {
	return []string{
		`ALTER TABLE users ADD COLUMN email_verified_at TEXT`,
		`UPDATE users SET email_verified_at = created_at
			WHERE id NOT IN (SELECT used_by FROM invitations WHERE used_by IS NOT NULL)`,
		`ALTER TABLE invitations ADD COLUMN delivery TEXT NOT NULL DEFAULT 'link' CHECK (delivery IN ('link', 'email'))`,
	}
}
