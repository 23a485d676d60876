package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Invitation lets a person who has no account yet join one workspace: the
// owner hands them a one-time link, and the person sets their own password
// on it. Only the SHA-256 hash of the link's token is stored.
type Invitation struct {
	ID          int64
	WorkspaceID int64
	Email       string // normalised
	Role        string
	Expires     time.Time // the membership's end of access; zero: none
	TokenHash   string
	CreatedBy   int64
	Created     time.Time
	ValidUntil  time.Time // the link itself stops working then
	Used        time.Time // zero until accepted
	UsedBy      int64     // the account the acceptance created
	Revoked     time.Time // zero unless revoked
	RevokedBy   int64
}

// Pending reports whether the invitation can still be accepted at now.
func (i Invitation) Pending(now time.Time) bool {
	return i.Used.IsZero() && i.Revoked.IsZero() && now.Before(i.ValidUntil)
}

const invitationCols = `id, workspace_id, email, role, access_expires_at, token_hash, created_by, created_at,
	expires_at, used_at, used_by, revoked_at, revoked_by`

func scanInvitation(row rowScanner) (Invitation, error) {
	var i Invitation
	var access, used, revoked sql.NullString
	var created, validUntil string
	var usedBy, revokedBy sql.NullInt64
	if err := row.Scan(&i.ID, &i.WorkspaceID, &i.Email, &i.Role, &access, &i.TokenHash, &i.CreatedBy, &created,
		&validUntil, &used, &usedBy, &revoked, &revokedBy); err != nil {
		return i, err
	}
	i.UsedBy, i.RevokedBy = usedBy.Int64, revokedBy.Int64
	var err error
	if i.Expires, err = parseNTS(access); err != nil {
		return i, err
	}
	if i.Created, err = parseTS(created); err != nil {
		return i, err
	}
	if i.ValidUntil, err = parseTS(validUntil); err != nil {
		return i, err
	}
	if i.Used, err = parseNTS(used); err != nil {
		return i, err
	}
	i.Revoked, err = parseNTS(revoked)
	return i, err
}

// CreateInvitation stores an invitation and returns it with its ID. The
// address is normalised; the caller gives the token's hash, never the token.
func (t *Tx) CreateInvitation(ctx context.Context, i Invitation) (Invitation, error) {
	i.Email = NormalizeEmail(i.Email)
	id, err := t.insertID(ctx, `INSERT INTO invitations (workspace_id, email, role, access_expires_at, token_hash,
		created_by, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		i.WorkspaceID, i.Email, i.Role, nts(i.Expires), i.TokenHash, i.CreatedBy, ts(i.Created), ts(i.ValidUntil))
	if err != nil {
		// The address is an identifier: keep it out of the error.
		return i, fmt.Errorf("store: create invitation in workspace %d: %w", i.WorkspaceID, conflict(err))
	}
	i.ID = id
	return i, nil
}

// InvitationByHash returns the invitation whose token hashes to hash,
// whatever its state: the caller decides whether it may still be used.
func (c *conn) InvitationByHash(ctx context.Context, hash string) (Invitation, error) {
	i, err := scanInvitation(c.queryRow(ctx, `SELECT `+invitationCols+` FROM invitations WHERE token_hash = ?`, hash))
	if err != nil {
		return i, fmt.Errorf("store: invitation: %w", notFound(err))
	}
	return i, nil
}

// Invitation returns one invitation of a workspace (ErrNotFound when the
// workspace has no such invitation, including another workspace's).
func (c *conn) Invitation(ctx context.Context, workspaceID, id int64) (Invitation, error) {
	i, err := scanInvitation(c.queryRow(ctx, `SELECT `+invitationCols+` FROM invitations
		WHERE workspace_id = ? AND id = ?`, workspaceID, id))
	if err != nil {
		return i, fmt.Errorf("store: invitation %d: %w", id, notFound(err))
	}
	return i, nil
}

// PendingInvitations lists a workspace's invitations that can still be
// accepted at now (not used, not revoked, not expired), oldest first.
func (c *conn) PendingInvitations(ctx context.Context, workspaceID int64, now time.Time) ([]Invitation, error) {
	out, err := collect(ctx, c, scanInvitation, `SELECT `+invitationCols+` FROM invitations
		WHERE workspace_id = ? AND used_at IS NULL AND revoked_at IS NULL AND expires_at > ?
		ORDER BY created_at, id`, workspaceID, ts(now))
	if err != nil {
		return nil, fmt.Errorf("store: invitations of workspace %d: %w", workspaceID, err)
	}
	return out, nil
}

// RevokeInvitation stops a workspace's invitation from working. Only one
// that was neither used nor revoked can be revoked: otherwise, and for
// another workspace's invitation, it fails with ErrNotFound.
func (t *Tx) RevokeInvitation(ctx context.Context, workspaceID, id, by int64, at time.Time) error {
	err := mustAffect(t.exec(ctx, `UPDATE invitations SET revoked_at = ?, revoked_by = ?
		WHERE workspace_id = ? AND id = ? AND used_at IS NULL AND revoked_at IS NULL`, ts(at), by, workspaceID, id))
	if err != nil {
		return fmt.Errorf("store: revoke invitation %d: %w", id, err)
	}
	return nil
}

// UseInvitation marks an invitation accepted by the account userID. It is
// a compare-and-set: an invitation already used, revoked or expired at at
// fails with ErrConflict, so two acceptances of one link cannot both win.
func (t *Tx) UseInvitation(ctx context.Context, id, userID int64, at time.Time) error {
	err := mustAffect(t.exec(ctx, `UPDATE invitations SET used_at = ?, used_by = ?
		WHERE id = ? AND used_at IS NULL AND revoked_at IS NULL AND expires_at > ?`, ts(at), userID, id, ts(at)))
	if errors.Is(err, ErrNotFound) {
		err = ErrConflict
	}
	if err != nil {
		return fmt.Errorf("store: use invitation %d: %w", id, err)
	}
	return nil
}

// invitationsV7 keeps the invitations an owner sends to people without an
// account. The token's hash is unique, so a lookup finds one row at most;
// the address is not unique, since a person may be invited again after a
// link expired or to several workspaces.
func invitationsV7(d dialect) []string {
	return []string{
		d.ddl(`CREATE TABLE invitations (
			id {{pk}},
			workspace_id BIGINT NOT NULL REFERENCES workspaces (id),
			email TEXT NOT NULL,
			role TEXT NOT NULL CHECK (role IN ('owner', 'compliance_officer', 'contributor', 'auditor')),
			access_expires_at TEXT,
			token_hash TEXT NOT NULL UNIQUE,
			created_by BIGINT NOT NULL REFERENCES users (id),
			created_at TEXT NOT NULL,
			expires_at TEXT NOT NULL,
			used_at TEXT,
			used_by BIGINT REFERENCES users (id),
			revoked_at TEXT,
			revoked_by BIGINT REFERENCES users (id),
			CHECK (used_at IS NULL OR revoked_at IS NULL)
		)`),
		`CREATE INDEX invitations_workspace ON invitations (workspace_id)`,
	}
}
