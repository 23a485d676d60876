package store

import (
	"context"
	"fmt"
	"time"
)

// Session is a signed-in browser. Only the SHA-256 of the session token is
// stored, so a copy of the database does not hand out live sessions.
type Session struct {
	IDHash          string
	UserID          int64
	Created         time.Time
	LastSeen        time.Time
	IdleExpires     time.Time
	AbsoluteExpires time.Time
	MFAPassed       bool
}

const sessionCols = `id_hash, user_id, created_at, last_seen_at, idle_expires_at, absolute_expires_at, mfa_passed`

func scanSession(row rowScanner) (Session, error) {
	var s Session
	var created, seen, idle, abs string
	var mfa int
	if err := row.Scan(&s.IDHash, &s.UserID, &created, &seen, &idle, &abs, &mfa); err != nil {
		return s, err
	}
	s.MFAPassed = mfa != 0
	var err error
	for _, p := range []struct {
		dst *time.Time
		src string
	}{{&s.Created, created}, {&s.LastSeen, seen}, {&s.IdleExpires, idle}, {&s.AbsoluteExpires, abs}} {
		if *p.dst, err = parseTS(p.src); err != nil {
			return s, err
		}
	}
	return s, nil
}

// CreateSession stores a new session.
func (t *Tx) CreateSession(ctx context.Context, s Session) error {
	_, err := t.exec(ctx, `INSERT INTO sessions (`+sessionCols+`) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		s.IDHash, s.UserID, ts(s.Created), ts(s.LastSeen), ts(s.IdleExpires), ts(s.AbsoluteExpires), b2i(s.MFAPassed))
	if err != nil {
		return fmt.Errorf("store: create session for user %d: %w", s.UserID, conflict(err))
	}
	return nil
}

// SessionByHash returns the session whose token hashes to idHash.
func (c *conn) SessionByHash(ctx context.Context, idHash string) (Session, error) {
	s, err := scanSession(c.queryRow(ctx, `SELECT `+sessionCols+` FROM sessions WHERE id_hash = ?`, idHash))
	if err != nil {
		return s, fmt.Errorf("store: session: %w", notFound(err))
	}
	return s, nil
}

// UserSessions lists a user's sessions, newest first.
func (c *conn) UserSessions(ctx context.Context, userID int64) ([]Session, error) {
	out, err := collect(ctx, c, scanSession, `SELECT `+sessionCols+` FROM sessions WHERE user_id = ? ORDER BY created_at DESC`, userID)
	if err != nil {
		return nil, fmt.Errorf("store: sessions of user %d: %w", userID, err)
	}
	return out, nil
}

// TouchSession slides a session's idle expiry. It is the one write outside
// InTx: a page view is not a state change worth an audit entry.
func (s *Store) TouchSession(ctx context.Context, idHash string, seen, idleExpires time.Time) error {
	_, err := s.db.ExecContext(ctx, s.d.rebind(`UPDATE sessions SET last_seen_at = ?, idle_expires_at = ? WHERE id_hash = ?`),
		ts(seen), ts(idleExpires), idHash)
	if err != nil {
		return fmt.Errorf("store: touch session: %w", err)
	}
	return nil
}

// DeleteExpiredSessions removes sessions past either expiry (housekeeping;
// an expired session is already refused, so this is not audited).
func (s *Store) DeleteExpiredSessions(ctx context.Context, now time.Time) (int64, error) {
	res, err := s.db.ExecContext(ctx, s.d.rebind(`DELETE FROM sessions WHERE idle_expires_at <= ? OR absolute_expires_at <= ?`),
		ts(now), ts(now))
	if err != nil {
		return 0, fmt.Errorf("store: delete expired sessions: %w", err)
	}
	return res.RowsAffected()
}

// DeleteSession ends one session.
func (t *Tx) DeleteSession(ctx context.Context, idHash string) error {
	if err := mustAffect(t.exec(ctx, `DELETE FROM sessions WHERE id_hash = ?`, idHash)); err != nil {
		return fmt.Errorf("store: delete session: %w", err)
	}
	return nil
}

// DeleteUserSessions ends every session of a user and returns how many.
func (t *Tx) DeleteUserSessions(ctx context.Context, userID int64) (int64, error) {
	res, err := t.exec(ctx, `DELETE FROM sessions WHERE user_id = ?`, userID)
	if err != nil {
		return 0, fmt.Errorf("store: delete sessions of user %d: %w", userID, err)
	}
	return res.RowsAffected()
}

var sessionUserQuery = `SELECT ` + qualify("s", sessionCols) + `, ` + qualify("u", userCols) + `
	FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id_hash = ?`

// SessionUser returns the session with the given hash and its user, in one
// query: every signed-in page view asks for both.
func (c *conn) SessionUser(ctx context.Context, idHash string) (Session, User, error) {
	var s Session
	var u User
	err := scanJoined(c.queryRow(ctx, sessionUserQuery, idHash),
		func(r rowScanner) (err error) { s, err = scanSession(r); return err },
		func(r rowScanner) (err error) { u, err = c.scanUser(r); return err })
	if err != nil {
		return s, u, fmt.Errorf("store: session: %w", notFound(err))
	}
	return s, u, nil
}
