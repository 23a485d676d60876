package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// Membership gives a user a role in one workspace. Auditor memberships
// carry an expiry; the permission check in package auth enforces it.
type Membership struct {
	UserID      int64
	WorkspaceID int64
	Role        string
	Expires     time.Time // zero: no expiry
	Created     time.Time
}

const membershipCols = `user_id, workspace_id, role, expires_at, created_at`

func scanMembership(row rowScanner) (Membership, error) {
	var m Membership
	var exp sql.NullString
	var created string
	if err := row.Scan(&m.UserID, &m.WorkspaceID, &m.Role, &exp, &created); err != nil {
		return m, err
	}
	var err error
	if m.Expires, err = parseNTS(exp); err != nil {
		return m, err
	}
	m.Created, err = parseTS(created)
	return m, err
}

// PutMembership adds a membership or replaces its role and expiry.
func (t *Tx) PutMembership(ctx context.Context, m Membership) error {
	_, err := t.exec(ctx, `INSERT INTO memberships (user_id, workspace_id, role, expires_at, created_at)
		VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (user_id, workspace_id) DO UPDATE SET role = excluded.role, expires_at = excluded.expires_at`,
		m.UserID, m.WorkspaceID, m.Role, nts(m.Expires), ts(m.Created))
	if err != nil {
		return fmt.Errorf("store: put membership of user %d in workspace %d: %w", m.UserID, m.WorkspaceID, err)
	}
	return nil
}

// RemoveMembership takes a user out of a workspace, with everything that
// acted for them there: their API tokens for it and their assignments.
// Sessions belong to no workspace (each request checks membership anew),
// so they stay for the user's other workspaces.
func (t *Tx) RemoveMembership(ctx context.Context, workspaceID, userID int64) error {
	err := mustAffect(t.exec(ctx, `DELETE FROM memberships WHERE workspace_id = ? AND user_id = ?`, workspaceID, userID))
	if err != nil {
		return fmt.Errorf("store: remove user %d from workspace %d: %w", userID, workspaceID, err)
	}
	// A token outliving the membership would work again the day its owner
	// is added back, without anyone having issued it anew.
	if _, err := t.exec(ctx, `DELETE FROM api_tokens WHERE workspace_id = ? AND user_id = ?`, workspaceID, userID); err != nil {
		return fmt.Errorf("store: revoke api tokens of user %d in workspace %d: %w", userID, workspaceID, err)
	}
	// Work assigned to someone who left is not theirs if they come back.
	if _, err := t.exec(ctx, `DELETE FROM assignments WHERE workspace_id = ? AND user_id = ?`, workspaceID, userID); err != nil {
		return fmt.Errorf("store: remove assignments of user %d: %w", userID, err)
	}
	return nil
}

// Membership returns a user's membership in a workspace.
func (c *conn) Membership(ctx context.Context, workspaceID, userID int64) (Membership, error) {
	m, err := scanMembership(c.queryRow(ctx, `SELECT `+membershipCols+` FROM memberships
		WHERE workspace_id = ? AND user_id = ?`, workspaceID, userID))
	if err != nil {
		return m, fmt.Errorf("store: membership of user %d in workspace %d: %w", userID, workspaceID, notFound(err))
	}
	return m, nil
}

// Members lists a workspace's memberships.
func (c *conn) Members(ctx context.Context, workspaceID int64) ([]Membership, error) {
	return c.memberships(ctx, `WHERE workspace_id = ? ORDER BY user_id`, workspaceID)
}

// UserMemberships lists the workspaces a user belongs to.
func (c *conn) UserMemberships(ctx context.Context, userID int64) ([]Membership, error) {
	return c.memberships(ctx, `WHERE user_id = ? ORDER BY workspace_id`, userID)
}

func (c *conn) memberships(ctx context.Context, where string, arg int64) ([]Membership, error) {
	out, err := collect(ctx, c, scanMembership, `SELECT `+membershipCols+` FROM memberships `+where, arg)
	if err != nil {
		return nil, fmt.Errorf("store: memberships: %w", err)
	}
	return out, nil
}

var membershipWorkspaceQuery = `SELECT ` + qualify("m", membershipCols) + `, ` + qualify("w", workspaceCols) + `
	FROM memberships m JOIN workspaces w ON w.id = m.workspace_id WHERE m.workspace_id = ? AND m.user_id = ?`

// MembershipWorkspace returns a user's membership of a workspace and the
// workspace, in one query: every workspace page checks both.
func (c *conn) MembershipWorkspace(ctx context.Context, workspaceID, userID int64) (Membership, Workspace, error) {
	var m Membership
	var w Workspace
	err := scanJoined(c.queryRow(ctx, membershipWorkspaceQuery, workspaceID, userID),
		func(r rowScanner) (err error) { m, err = scanMembership(r); return err },
		func(r rowScanner) (err error) { w, err = scanWorkspace(r); return err })
	if err != nil {
		return m, w, fmt.Errorf("store: membership of user %d in workspace %d: %w", userID, workspaceID, notFound(err))
	}
	return m, w, nil
}
