package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// sealed field names, also the AEAD associated data for their values.
const fieldTOTPSecret = "users.totp_secret"

// User is an account. PasswordHash is a PHC string; TOTPSecret is held
// sealed in the database and opened here; RecoveryCodes are hashes.
type User struct {
	ID             int64
	Email          string
	PasswordHash   string
	TOTPSecret     string
	TOTPLastStep   int64
	MFAEnrolled    bool
	RecoveryCodes  []string
	FailedAttempts int
	LockedUntil    time.Time
	Created        time.Time
	Disabled       time.Time
}

// NormalizeEmail is the one place an address is put in canonical form.
func NormalizeEmail(email string) string { return strings.ToLower(strings.TrimSpace(email)) }

const userCols = `id, email, password_hash, totp_secret, totp_last_step, mfa_enrolled, recovery_codes,
	failed_attempts, locked_until, created_at, disabled_at`

func (c *conn) scanUser(row rowScanner) (User, error) {
	var u User
	var sealed, codes, created string
	var enrolled int
	var locked, disabled sql.NullString
	if err := row.Scan(&u.ID, &u.Email, &u.PasswordHash, &sealed, &u.TOTPLastStep, &enrolled, &codes,
		&u.FailedAttempts, &locked, &created, &disabled); err != nil {
		return u, err
	}
	u.MFAEnrolled = enrolled != 0
	if codes != "" {
		u.RecoveryCodes = strings.Split(codes, "\n")
	}
	secret, err := c.open(fieldTOTPSecret, sealed)
	if err != nil {
		return u, err
	}
	u.TOTPSecret = string(secret)
	if u.LockedUntil, err = parseNTS(locked); err != nil {
		return u, err
	}
	if u.Created, err = parseTS(created); err != nil {
		return u, err
	}
	u.Disabled, err = parseNTS(disabled)
	return u, err
}

// CreateUser inserts u, sealing its TOTP secret, and returns it with its ID.
func (t *Tx) CreateUser(ctx context.Context, u User) (User, error) {
	u.Email = NormalizeEmail(u.Email)
	sealed := ""
	if u.TOTPSecret != "" {
		var err error
		if sealed, err = t.seal(fieldTOTPSecret, []byte(u.TOTPSecret)); err != nil {
			return u, fmt.Errorf("store: create user: %w", err)
		}
	}
	id, err := t.insertID(ctx, `INSERT INTO users (email, password_hash, totp_secret, totp_last_step, mfa_enrolled,
		recovery_codes, failed_attempts, locked_until, created_at, disabled_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		u.Email, u.PasswordHash, sealed, u.TOTPLastStep, b2i(u.MFAEnrolled), strings.Join(u.RecoveryCodes, "\n"),
		u.FailedAttempts, nts(u.LockedUntil), ts(u.Created), nts(u.Disabled))
	if err != nil {
		// The address is an identifier: keep it out of the error.
		return u, fmt.Errorf("store: create user: %w", conflict(err))
	}
	u.ID = id
	return u, nil
}

// User returns the user with the given ID.
func (c *conn) User(ctx context.Context, id int64) (User, error) {
	u, err := c.scanUser(c.queryRow(ctx, `SELECT `+userCols+` FROM users WHERE id = ?`, id))
	if err != nil {
		return u, fmt.Errorf("store: user %d: %w", id, notFound(err))
	}
	return u, nil
}

// UserByEmail returns the user with the given address.
func (c *conn) UserByEmail(ctx context.Context, email string) (User, error) {
	u, err := c.scanUser(c.queryRow(ctx, `SELECT `+userCols+` FROM users WHERE email = ?`, NormalizeEmail(email)))
	if err != nil {
		return u, fmt.Errorf("store: user by email: %w", notFound(err))
	}
	return u, nil
}

// SetPasswordHash replaces a user's password hash.
func (t *Tx) SetPasswordHash(ctx context.Context, id int64, hash string) error {
	if err := mustAffect(t.exec(ctx, `UPDATE users SET password_hash = ? WHERE id = ?`, hash, id)); err != nil {
		return fmt.Errorf("store: set password of user %d: %w", id, err)
	}
	return nil
}

// LoginState is what a transaction deciding a sign-in attempt needs.
type LoginState struct {
	FailedAttempts int
	LockedUntil    time.Time
}

// HoldLoginState reads a user's failed-attempt count and lockout and holds
// them until the transaction ends, so that a sign-in attempt is decided
// against the lock as it is when the decision commits: on PostgreSQL by a
// row lock, on SQLite by the write lock the transaction (BEGIN IMMEDIATE)
// already holds.
func (t *Tx) HoldLoginState(ctx context.Context, id int64) (LoginState, error) {
	q := `SELECT failed_attempts, locked_until FROM users WHERE id = ?`
	if t.d == postgres {
		q += ` FOR UPDATE`
	}
	var st LoginState
	var locked sql.NullString
	err := t.queryRow(ctx, q, id).Scan(&st.FailedAttempts, &locked)
	if err == nil {
		st.LockedUntil, err = parseNTS(locked)
	}
	if err != nil {
		return st, fmt.Errorf("store: login state of user %d: %w", id, notFound(err))
	}
	return st, nil
}

// AddFailedAttempt counts one failed sign-in attempt of a user in the
// database itself and returns the new count: concurrent failures each
// add one, none overwrites another's.
func (t *Tx) AddFailedAttempt(ctx context.Context, id int64) (int, error) {
	t.wrote = true
	var n int
	err := t.ex.QueryRowContext(ctx, t.d.rebind(`UPDATE users SET failed_attempts = failed_attempts + 1 WHERE id = ?
		RETURNING failed_attempts`), id).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("store: count failed attempt of user %d: %w", id, notFound(err))
	}
	return n, nil
}

// ExtendLock locks a user out until until, unless a lock already runs
// later: a lock is only ever moved later here (an administrator's reset
// clears it with SetLoginState). It returns the lock now in force.
func (t *Tx) ExtendLock(ctx context.Context, id int64, until time.Time) (time.Time, error) {
	t.wrote = true
	var locked sql.NullString
	// Stored times are fixed-width UTC text, so text order is time order.
	err := t.ex.QueryRowContext(ctx, t.d.rebind(`UPDATE users SET locked_until =
		CASE WHEN locked_until IS NULL OR locked_until < ? THEN ? ELSE locked_until END
		WHERE id = ? RETURNING locked_until`), ts(until), ts(until), id).Scan(&locked)
	var got time.Time
	if err == nil {
		got, err = parseNTS(locked)
	}
	if err != nil {
		return got, fmt.Errorf("store: lock user %d: %w", id, notFound(err))
	}
	return got, nil
}

// SetLoginState records the failed-attempt count and lockout of a user,
// whatever they were: for a successful sign-in and an administrator's
// reset, which clear both. Failures go through AddFailedAttempt and
// ExtendLock instead.
func (t *Tx) SetLoginState(ctx context.Context, id int64, failed int, lockedUntil time.Time) error {
	if err := mustAffect(t.exec(ctx, `UPDATE users SET failed_attempts = ?, locked_until = ? WHERE id = ?`,
		failed, nts(lockedUntil), id)); err != nil {
		return fmt.Errorf("store: set login state of user %d: %w", id, err)
	}
	return nil
}

// SetTOTP replaces a user's TOTP secret (sealed) and enrolment flag.
func (t *Tx) SetTOTP(ctx context.Context, id int64, secret string, enrolled bool) error {
	sealed, err := t.seal(fieldTOTPSecret, []byte(secret))
	if err != nil {
		return fmt.Errorf("store: set totp of user %d: %w", id, err)
	}
	if err := mustAffect(t.exec(ctx, `UPDATE users SET totp_secret = ?, mfa_enrolled = ?, totp_last_step = 0 WHERE id = ?`,
		sealed, b2i(enrolled), id)); err != nil {
		return fmt.Errorf("store: set totp of user %d: %w", id, err)
	}
	return nil
}

// UseTOTPStep records that the code of time step step was accepted and marks
// MFA enrolled. It fails with ErrConflict when that step or a later one was
// already used, so a code cannot be replayed even by two concurrent logins.
func (t *Tx) UseTOTPStep(ctx context.Context, id, step int64) error {
	err := mustAffect(t.exec(ctx, `UPDATE users SET totp_last_step = ?, mfa_enrolled = 1 WHERE id = ? AND totp_last_step < ?`,
		step, id, step))
	if errors.Is(err, ErrNotFound) {
		err = ErrConflict
	}
	if err != nil {
		return fmt.Errorf("store: use totp step of user %d: %w", id, err)
	}
	return nil
}

// SetRecoveryCodes replaces a user's recovery-code hashes.
func (t *Tx) SetRecoveryCodes(ctx context.Context, id int64, hashes []string) error {
	if err := mustAffect(t.exec(ctx, `UPDATE users SET recovery_codes = ? WHERE id = ?`,
		strings.Join(hashes, "\n"), id)); err != nil {
		return fmt.Errorf("store: set recovery codes of user %d: %w", id, err)
	}
	return nil
}

// UseRecoveryCode removes one recovery-code hash; ErrNotFound when the
// user has no such code (never had it, or it was used).
func (t *Tx) UseRecoveryCode(ctx context.Context, id int64, hash string) error {
	u, err := t.User(ctx, id)
	if err != nil {
		return err
	}
	kept := make([]string, 0, len(u.RecoveryCodes))
	found := false
	for _, h := range u.RecoveryCodes {
		if h == hash && !found {
			found = true
			continue
		}
		kept = append(kept, h)
	}
	if !found {
		return fmt.Errorf("store: use recovery code of user %d: %w", id, ErrNotFound)
	}
	// Compare-and-set on the old list so two concurrent uses cannot both win.
	err = mustAffect(t.exec(ctx, `UPDATE users SET recovery_codes = ? WHERE id = ? AND recovery_codes = ?`,
		strings.Join(kept, "\n"), id, strings.Join(u.RecoveryCodes, "\n")))
	if err != nil {
		return fmt.Errorf("store: use recovery code of user %d: %w", id, err)
	}
	return nil
}

// DisableUser disables an account and ends all its sessions and API
// tokens, returning how many sessions it ended and the tokens it revoked.
// Disabling an account that is already disabled keeps the time it was
// first disabled.
func (t *Tx) DisableUser(ctx context.Context, id int64, at time.Time) (sessions int64, tokens []APIToken, err error) {
	if err := mustAffect(t.exec(ctx, `UPDATE users SET disabled_at = COALESCE(disabled_at, ?) WHERE id = ?`, ts(at), id)); err != nil {
		return 0, nil, fmt.Errorf("store: disable user %d: %w", id, err)
	}
	if sessions, err = t.DeleteUserSessions(ctx, id); err != nil {
		return 0, nil, err
	}
	// The UPDATE above marked the transaction as writing: it must be audited.
	tokens, err = collect(ctx, &t.conn, scanToken, `DELETE FROM api_tokens WHERE user_id = ? RETURNING `+tokenCols, id)
	if err != nil {
		return 0, nil, fmt.Errorf("store: disable user %d: revoke tokens: %w", id, err)
	}
	return sessions, tokens, nil
}
