package auth

import (
	"context"
	"errors"
	"fmt"
	"time"

	"rcmguard/internal/audit"
	"rcmguard/internal/store"
)

// Principal is who a request acts as.
type Principal struct {
	User    store.User
	Session store.Session // zero for API tokens
	// TokenWorkspace is the one workspace an API token is limited to.
	TokenWorkspace int64
}

// liveSession returns the session for token if it has not expired.
func (s *Service) liveSession(ctx context.Context, token string, now time.Time) (store.Session, error) {
	if token == "" {
		return store.Session{}, ErrUnauthenticated
	}
	sess, err := s.st.SessionByHash(ctx, hashSecret(token))
	if errors.Is(err, store.ErrNotFound) {
		return sess, ErrUnauthenticated
	}
	if err != nil {
		return sess, fmt.Errorf("auth: session: %w", err)
	}
	if !now.Before(sess.IdleExpires) || !now.Before(sess.AbsoluteExpires) {
		return sess, ErrSessionExpired
	}
	return sess, nil
}

// Authenticate returns the signed-in user of a session token and slides its
// idle expiry. It refuses sessions past either expiry, sessions that have not
// passed the second factor (ErrMFARequired), and disabled users.
func (s *Service) Authenticate(ctx context.Context, token string, now time.Time) (Principal, error) {
	if token == "" {
		return Principal{}, ErrUnauthenticated
	}
	// The session and its user in one query: this runs on every page view.
	sess, u, err := s.st.SessionUser(ctx, hashSecret(token))
	if errors.Is(err, store.ErrNotFound) {
		return Principal{}, ErrUnauthenticated
	}
	if err != nil {
		return Principal{}, fmt.Errorf("auth: session: %w", err)
	}
	if !now.Before(sess.IdleExpires) || !now.Before(sess.AbsoluteExpires) {
		return Principal{}, ErrSessionExpired
	}
	if !sess.MFAPassed {
		return Principal{}, ErrMFARequired
	}
	if !u.Disabled.IsZero() {
		return Principal{}, ErrUnauthenticated
	}
	// The idle expiry is written only once it would move by a thirtieth of
	// the idle timeout (30 s of the default 15 min): on SQLite each write is
	// a synced commit, and writing on every page view queued every reader
	// behind the disk. A session so ends at most that much before the idle
	// timeout after the last request, never after it.
	idle := minTime(now.Add(s.cfg.IdleTimeout), sess.AbsoluteExpires)
	if idle.Sub(sess.IdleExpires) >= min(s.cfg.IdleTimeout/30, 30*time.Second) {
		sess.LastSeen, sess.IdleExpires = now, idle
		if err := s.st.TouchSession(ctx, sess.IDHash, sess.LastSeen, sess.IdleExpires); err != nil {
			return Principal{}, fmt.Errorf("auth: %w", err)
		}
	}
	return Principal{User: u, Session: sess}, nil
}

// Logout ends the session of token.
func (s *Service) Logout(ctx context.Context, token string, now time.Time) error {
	sess, err := s.st.SessionByHash(ctx, hashSecret(token))
	if errors.Is(err, store.ErrNotFound) {
		return nil // already gone: logging out twice is not an error
	}
	if err != nil {
		return fmt.Errorf("auth: logout: %w", err)
	}
	err = s.st.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.DeleteSession(ctx, sess.IDHash); err != nil {
			return err
		}
		_, err := s.log.Append(ctx, tx, audit.Event{At: now, Actor: audit.UserActor(sess.UserID), Action: audit.Logout, Object: string(audit.UserActor(sess.UserID))})
		return err
	})
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("auth: logout: %w", err)
	}
	return nil
}

// EndSessions ends every session of a user (after a password or MFA change,
// or by an administrator) and returns how many were ended.
func (s *Service) EndSessions(ctx context.Context, userID int64, actor audit.Actor, now time.Time) (int64, error) {
	var n int64
	err := s.st.InTx(ctx, func(tx *store.Tx) (err error) {
		if n, err = tx.DeleteUserSessions(ctx, userID); err != nil {
			return err
		}
		_, err = s.log.Append(ctx, tx, audit.Event{At: now, Actor: actor, Action: audit.SessionsEnd, Object: string(audit.UserActor(userID)),
			Details: map[string]any{"sessions": n}})
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("auth: end sessions: %w", err)
	}
	return n, nil
}

// Authorize checks that a user may perform action in a workspace: the
// membership must exist, be unexpired, and its role must allow the action.
// Tokens are further limited to their own workspace.
func (s *Service) Authorize(ctx context.Context, p Principal, workspaceID int64, action Action, now time.Time) (store.Membership, error) {
	if p.TokenWorkspace != 0 && p.TokenWorkspace != workspaceID {
		return store.Membership{}, fmt.Errorf("%w: token is for another workspace", ErrForbidden)
	}
	m, err := s.st.Membership(ctx, workspaceID, p.User.ID)
	if errors.Is(err, store.ErrNotFound) {
		return m, fmt.Errorf("%w: not a member of workspace %d", ErrForbidden, workspaceID)
	}
	if err != nil {
		return m, fmt.Errorf("auth: authorize: %w", err)
	}
	return m, Allowed(m, action, now)
}

// apiTokenPrefix makes tokens recognisable to secret scanners.
const apiTokenPrefix = "rcmg_"

// CreateAPIToken issues a token acting as the user in one workspace with the
// user's role there. The token is returned once; only its hash is kept.
func (s *Service) CreateAPIToken(ctx context.Context, userID, workspaceID int64, name string, ttl time.Duration, actor audit.Actor, now time.Time) (string, store.APIToken, error) {
	if _, err := s.st.Membership(ctx, workspaceID, userID); err != nil {
		return "", store.APIToken{}, fmt.Errorf("auth: create api token: %w", err)
	}
	if ttl <= 0 || ttl > 366*24*time.Hour {
		return "", store.APIToken{}, errors.New("auth: create api token: lifetime must be between 1 second and 366 days")
	}
	secret, hash, err := newSecret(apiTokenPrefix)
	if err != nil {
		return "", store.APIToken{}, err
	}
	var k store.APIToken
	err = s.st.InTx(ctx, func(tx *store.Tx) (err error) {
		k, err = tx.CreateAPIToken(ctx, store.APIToken{Hash: hash, UserID: userID, WorkspaceID: workspaceID, Name: name,
			Created: now, Expires: now.Add(ttl)})
		if err != nil {
			return err
		}
		_, err = s.log.Append(ctx, tx, audit.Event{At: now, Actor: actor, WorkspaceID: workspaceID, Action: audit.TokenCreate,
			Object: fmt.Sprintf("token:%d", k.ID), Details: map[string]any{"user": string(audit.UserActor(userID)), "expires": store.FormatTime(k.Expires)}})
		return err
	})
	if err != nil {
		return "", k, fmt.Errorf("auth: create api token: %w", err)
	}
	return secret, k, nil
}

// AuthenticateToken returns the principal of an API token.
func (s *Service) AuthenticateToken(ctx context.Context, secret string, now time.Time) (Principal, error) {
	k, err := s.st.APITokenByHash(ctx, hashSecret(secret))
	if errors.Is(err, store.ErrNotFound) {
		return Principal{}, ErrUnauthenticated
	}
	if err != nil {
		return Principal{}, fmt.Errorf("auth: api token: %w", err)
	}
	if !now.Before(k.Expires) {
		return Principal{}, fmt.Errorf("auth: api token expired: %w", ErrUnauthenticated)
	}
	u, err := s.st.User(ctx, k.UserID)
	if err != nil {
		return Principal{}, fmt.Errorf("auth: api token user: %w", err)
	}
	if !u.Disabled.IsZero() {
		return Principal{}, ErrUnauthenticated
	}
	if err := s.st.TouchAPIToken(ctx, k.ID, now); err != nil {
		return Principal{}, fmt.Errorf("auth: %w", err)
	}
	return Principal{User: u, TokenWorkspace: k.WorkspaceID}, nil
}

// SetRecoveryCodes replaces a user's recovery codes and returns the new
// codes to show once.
func (s *Service) SetRecoveryCodes(ctx context.Context, userID int64, actor audit.Actor, now time.Time) ([]string, error) {
	codes, hashes, err := NewRecoveryCodes()
	if err != nil {
		return nil, err
	}
	err = s.st.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.SetRecoveryCodes(ctx, userID, hashes); err != nil {
			return err
		}
		_, err := s.log.Append(ctx, tx, audit.Event{At: now, Actor: actor, Action: audit.RecoveryCodesReset, Object: string(audit.UserActor(userID)),
			Details: map[string]any{"count": len(codes)}})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("auth: recovery codes: %w", err)
	}
	return codes, nil
}
