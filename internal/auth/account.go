package auth

import (
	"context"
	"fmt"
	"time"

	"rcmguard/internal/audit"
	"rcmguard/internal/store"
)

// ChangePassword replaces a signed-in user's password after checking the
// current one again (ASVS 7.5.1), applies the password policy, and ends the
// user's other sessions (keepSessionHash is the one to keep; "" ends all).
func (s *Service) ChangePassword(ctx context.Context, userID int64, current, next, keepSessionHash string, now time.Time) error {
	u, err := s.st.User(ctx, userID)
	if err != nil {
		return fmt.Errorf("auth: change password: %w", err)
	}
	if now.Before(u.LockedUntil) {
		return fmt.Errorf("%w (%w)", ErrInvalidCredentials, ErrLocked)
	}
	ok, _, err := VerifyPassword(current, u.PasswordHash, s.cfg.Params)
	if err != nil {
		return fmt.Errorf("auth: change password: user %d: %w", u.ID, err)
	}
	if !ok {
		return s.fail(ctx, u, now, "auth.password.change.fail", "wrong current password")
	}
	if err := CheckPassword(next, u.Email); err != nil {
		return err
	}
	hash, err := HashPassword(next, s.cfg.Params)
	if err != nil {
		return err
	}
	err = s.st.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.SetPasswordHash(ctx, u.ID, hash); err != nil {
			return err
		}
		sessions, err := tx.UserSessions(ctx, u.ID)
		if err != nil {
			return err
		}
		ended := 0
		for _, sess := range sessions {
			if sess.IDHash == keepSessionHash {
				continue
			}
			if err := tx.DeleteSession(ctx, sess.IDHash); err != nil {
				return err
			}
			ended++
		}
		_, err = s.log.Append(ctx, tx, audit.Event{At: now, Actor: userActor(u.ID), Action: "auth.password.change",
			Object: userActor(u.ID), Details: map[string]any{"other_sessions_ended": ended}})
		return err
	})
	if err != nil {
		return fmt.Errorf("auth: change password: %w", err)
	}
	return nil
}

// SessionHash returns the stored form of a session token, for callers that
// must name a session to keep (ChangePassword) without storing the token.
func SessionHash(token string) string { return hashSecret(token) }

// DisableUser disables an account, ending its sessions and API tokens at
// once (ASVS 7.4.2).
func (s *Service) DisableUser(ctx context.Context, userID int64, actor string, now time.Time) error {
	err := s.st.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.DisableUser(ctx, userID, now); err != nil {
			return err
		}
		_, err := s.log.Append(ctx, tx, audit.Event{At: now, Actor: actor, Action: "user.disable", Object: userActor(userID)})
		return err
	})
	if err != nil {
		return fmt.Errorf("auth: disable user: %w", err)
	}
	return nil
}

// LiveSessions lists a user's signed-in sessions (past the second factor
// and not expired), newest first, for the account page.
func (s *Service) LiveSessions(ctx context.Context, userID int64, now time.Time) ([]store.Session, error) {
	all, err := s.st.UserSessions(ctx, userID)
	if err != nil {
		return nil, fmt.Errorf("auth: sessions: %w", err)
	}
	var out []store.Session
	for _, sess := range all {
		if sess.MFAPassed && now.Before(sess.IdleExpires) && now.Before(sess.AbsoluteExpires) {
			out = append(out, sess)
		}
	}
	return out, nil
}

// EndOtherSessions signs a user out everywhere but the session whose hash
// is keepSessionHash, and returns how many sessions it ended.
func (s *Service) EndOtherSessions(ctx context.Context, userID int64, keepSessionHash string, now time.Time) (int, error) {
	ended := 0
	err := s.st.InTx(ctx, func(tx *store.Tx) error {
		sessions, err := tx.UserSessions(ctx, userID)
		if err != nil {
			return err
		}
		for _, sess := range sessions {
			if sess.IDHash == keepSessionHash {
				continue
			}
			if err := tx.DeleteSession(ctx, sess.IDHash); err != nil {
				return err
			}
			ended++
		}
		_, err = s.log.Append(ctx, tx, audit.Event{At: now, Actor: userActor(userID), Action: "auth.sessions.end_others",
			Object: userActor(userID), Details: map[string]any{"sessions": ended}})
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("auth: end other sessions: %w", err)
	}
	return ended, nil
}
