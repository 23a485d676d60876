package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
)

// Account is a user as an administrator lists one: the state of the
// account and where it has access, without its password hash, TOTP secret
// or recovery-code hashes (the list opens nothing sealed).
type Account struct {
	ID             int64
	Email          string
	Created        time.Time
	MFAEnrolled    bool
	SecurityKeys   int
	RecoveryCodes  int // unused recovery codes left
	FailedAttempts int
	LockedUntil    time.Time
	Disabled       time.Time
	// LastSeen is the latest activity of a signed-in session still stored
	// (sessions are deleted at sign-out, when the account is disabled or
	// reset, and by restores); zero when there is none.
	LastSeen time.Time
	// EmailVerified is when the address was proven (a mailed link, or an
	// administrator vouching); zero while it is not.
	EmailVerified time.Time
	Memberships   []AccountMembership
}

// AccountMembership is one workspace an account belongs to, by name.
type AccountMembership struct {
	WorkspaceID int64
	Workspace   string
	Role        string
	Expires     time.Time // zero: no expiry
}

// Accounts lists every account by e-mail address with its memberships, or
// with workspaceID set, only that workspace's members and their role in it.
func (c *conn) Accounts(ctx context.Context, workspaceID int64) ([]Account, error) {
	userWhere, memberWhere := "", ""
	var args []any
	if workspaceID != 0 {
		userWhere = ` WHERE u.id IN (SELECT user_id FROM memberships WHERE workspace_id = ?)`
		memberWhere = ` WHERE m.workspace_id = ?`
		args = append(args, workspaceID)
	}
	accounts, err := collect(ctx, c, scanAccount, `SELECT u.id, u.email, u.created_at, u.mfa_enrolled, u.recovery_codes,
		u.failed_attempts, u.locked_until, u.disabled_at,
		(SELECT COUNT(*) FROM webauthn_credentials k WHERE k.user_id = u.id),
		(SELECT MAX(s.last_seen_at) FROM sessions s WHERE s.user_id = u.id AND s.mfa_passed = 1),
		u.email_verified_at
		FROM users u`+userWhere+` ORDER BY u.email`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: accounts: %w", err)
	}
	type userMembership struct {
		userID int64
		m      AccountMembership
	}
	ms, err := collect(ctx, c, func(row rowScanner) (userMembership, error) {
		var um userMembership
		var exp sql.NullString
		if err := row.Scan(&um.userID, &um.m.WorkspaceID, &um.m.Workspace, &um.m.Role, &exp); err != nil {
			return um, err
		}
		var err error
		um.m.Expires, err = parseNTS(exp)
		return um, err
	}, `SELECT m.user_id, m.workspace_id, w.name, m.role, m.expires_at
		FROM memberships m JOIN workspaces w ON w.id = m.workspace_id`+memberWhere+` ORDER BY w.name, w.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: accounts: memberships: %w", err)
	}
	byID := make(map[int64]int, len(accounts))
	for i, a := range accounts {
		byID[a.ID] = i
	}
	for _, um := range ms {
		if i, ok := byID[um.userID]; ok {
			accounts[i].Memberships = append(accounts[i].Memberships, um.m)
		}
	}
	return accounts, nil
}

func scanAccount(row rowScanner) (Account, error) {
	var a Account
	var created, codes string
	var enrolled, keys int
	var locked, disabled, seen, verified sql.NullString
	if err := row.Scan(&a.ID, &a.Email, &created, &enrolled, &codes, &a.FailedAttempts, &locked, &disabled,
		&keys, &seen, &verified); err != nil {
		return a, err
	}
	a.MFAEnrolled, a.SecurityKeys = enrolled != 0, keys
	if codes != "" {
		a.RecoveryCodes = strings.Count(codes, "\n") + 1
	}
	var err error
	if a.Created, err = parseTS(created); err != nil {
		return a, err
	}
	if a.LockedUntil, err = parseNTS(locked); err != nil {
		return a, err
	}
	if a.Disabled, err = parseNTS(disabled); err != nil {
		return a, err
	}
	if a.LastSeen, err = parseNTS(seen); err != nil {
		return a, err
	}
	a.EmailVerified, err = parseNTS(verified)
	return a, err
}

// EnableUser clears the disabled mark of an account. Nothing else that the
// disable ended (sessions, API tokens) comes back.
func (t *Tx) EnableUser(ctx context.Context, id int64) error {
	if err := mustAffect(t.exec(ctx, `UPDATE users SET disabled_at = NULL WHERE id = ?`, id)); err != nil {
		return fmt.Errorf("store: enable user %d: %w", id, err)
	}
	return nil
}

// DeleteUserWebAuthnCredentials removes every security key of a user and
// returns how many there were.
func (t *Tx) DeleteUserWebAuthnCredentials(ctx context.Context, userID int64) (int64, error) {
	res, err := t.exec(ctx, `DELETE FROM webauthn_credentials WHERE user_id = ?`, userID)
	if err != nil {
		return 0, fmt.Errorf("store: delete security keys of user %d: %w", userID, err)
	}
	return res.RowsAffected()
}
