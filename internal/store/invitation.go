package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Invitation asks the person who holds an address to join one workspace,
// through a one-time link: a person without an account sets their own
// password on it, one with an account accepts it signed in as that
// account. It is the only way into a workspace by address, so a membership
// is never granted without the person's acceptance. Only the SHA-256 hash
// of the link's token is stored.
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
	// Delivery is how the current link left the server: DeliveryEmail
	// when only the e-mail to the address carried it, so accepting it
	// proves control of the address; DeliveryLink when it was shown to
	// the owner to pass on, which proves nothing about the address.
	Delivery string
}

// The ways an invitation link is delivered.
const (
	DeliveryLink  = "link"
	DeliveryEmail = "email"
)

// Pending reports whether the invitation can still be accepted at now.
func (i Invitation) Pending(now time.Time) bool {
	return i.Used.IsZero() && i.Revoked.IsZero() && now.Before(i.ValidUntil)
}

const invitationCols = `id, workspace_id, email, role, access_expires_at, token_hash, created_by, created_at,
	expires_at, used_at, used_by, revoked_at, revoked_by, delivery`

func scanInvitation(row rowScanner) (Invitation, error) {
	var i Invitation
	var access, used, revoked sql.NullString
	var created, validUntil string
	var usedBy, revokedBy sql.NullInt64
	if err := row.Scan(&i.ID, &i.WorkspaceID, &i.Email, &i.Role, &access, &i.TokenHash, &i.CreatedBy, &created,
		&validUntil, &used, &usedBy, &revoked, &revokedBy, &i.Delivery); err != nil {
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
// An empty Delivery is DeliveryLink: nothing proven.
func (t *Tx) CreateInvitation(ctx context.Context, i Invitation) (Invitation, error) {
	i.Email = NormalizeEmail(i.Email)
	if i.Delivery == "" {
		i.Delivery = DeliveryLink
	}
	id, err := t.insertID(ctx, `INSERT INTO invitations (workspace_id, email, role, access_expires_at, token_hash,
		created_by, created_at, expires_at, delivery) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		i.WorkspaceID, i.Email, i.Role, nts(i.Expires), i.TokenHash, i.CreatedBy, ts(i.Created), ts(i.ValidUntil), i.Delivery)
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

// RevokePendingInvitations revokes every invitation of a workspace for an
// address that was neither used nor revoked, expired or not, and returns
// their IDs: a new invitation replaces them, so one address has one live
// link per workspace.
func (t *Tx) RevokePendingInvitations(ctx context.Context, workspaceID int64, email string, by int64, at time.Time) ([]int64, error) {
	t.wrote = true
	ids, err := collect(ctx, &t.conn, func(r rowScanner) (id int64, err error) { return id, r.Scan(&id) },
		`UPDATE invitations SET revoked_at = ?, revoked_by = ?
		WHERE workspace_id = ? AND email = ? AND used_at IS NULL AND revoked_at IS NULL RETURNING id`,
		ts(at), by, workspaceID, NormalizeEmail(email))
	if err != nil {
		return nil, fmt.Errorf("store: revoke pending invitations in workspace %d: %w", workspaceID, err)
	}
	return ids, nil
}

// RenewInvitation gives a workspace's invitation a new link (token hash),
// validity and delivery; the old link stops working. Only an invitation
// neither used nor revoked can be renewed: otherwise, and for another
// workspace's invitation, it fails with ErrNotFound.
func (t *Tx) RenewInvitation(ctx context.Context, workspaceID, id int64, tokenHash, delivery string, validUntil time.Time) error {
	err := mustAffect(t.exec(ctx, `UPDATE invitations SET token_hash = ?, delivery = ?, expires_at = ?
		WHERE workspace_id = ? AND id = ? AND used_at IS NULL AND revoked_at IS NULL`,
		tokenHash, delivery, ts(validUntil), workspaceID, id))
	if err != nil {
		return fmt.Errorf("store: renew invitation %d: %w", id, conflict(err))
	}
	return nil
}

// UseInvitation marks an invitation accepted by the account userID. It is
// a compare-and-set on the link too: an invitation already used, revoked,
// expired at at, or renewed since tokenHash was looked up fails with
// ErrConflict, so two acceptances of one link cannot both win and an old
// link cannot win over the one that replaced it.
func (t *Tx) UseInvitation(ctx context.Context, id int64, tokenHash string, userID int64, at time.Time) error {
	err := mustAffect(t.exec(ctx, `UPDATE invitations SET used_at = ?, used_by = ?
		WHERE id = ? AND token_hash = ? AND used_at IS NULL AND revoked_at IS NULL AND expires_at > ?`,
		ts(at), userID, id, tokenHash, ts(at)))
	if errors.Is(err, ErrNotFound) {
		err = ErrConflict
	}
	if err != nil {
		return fmt.Errorf("store: use invitation %d: %w", id, err)
	}
	return nil
}

// invitationsV7 keeps the invitations an owner sends to people without an
// account (emailProofV12 extends them to people with one). The token's hash is unique, so a lookup finds one row at most;
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
