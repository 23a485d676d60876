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
// A wrong current password counts towards lockout as at sign-in, and a
// locked account cannot change its password.
func (s *Service) ChangePassword(ctx context.Context, userID int64, current, next, keepSessionHash string, now time.Time) error {
	u, err := s.st.User(ctx, userID)
	if err != nil {
		return fmt.Errorf("auth: change password: %w", err)
	}
	if now.Before(u.LockedUntil) {
		return locked.err()
	}
	ok, _, err := s.verify(ctx, current, u.PasswordHash)
	if err != nil {
		return fmt.Errorf("auth: change password: user %d: %w", u.ID, err)
	}
	if !ok {
		return s.failAttempt(ctx, u.ID, now, passwordChangeCheck, "wrong current password")
	}
	words, err := s.passwordContext(ctx, u)
	if err != nil {
		return fmt.Errorf("auth: change password: %w", err)
	}
	if err := CheckPassword(next, words...); err != nil {
		return err
	}
	hash, err := s.hash(ctx, next)
	if err != nil {
		return fmt.Errorf("auth: change password: %w", err)
	}
	var out outcome
	err = s.st.InTx(ctx, func(tx *store.Tx) error {
		// Failures of other attempts may have locked the account while
		// the hashes ran.
		var err error
		if out, err = s.decide(ctx, tx, u.ID, true, now, passwordChangeCheck, "", nil); err != nil || out.refused() {
			return err
		}
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
		_, err = s.log.Append(ctx, tx, audit.Event{At: now, Actor: audit.UserActor(u.ID), Action: audit.PasswordChange,
			Object: string(audit.UserActor(u.ID)), Details: map[string]any{"other_sessions_ended": ended}})
		return err
	})
	if err != nil {
		return fmt.Errorf("auth: change password: %w", err)
	}
	if out.refused() {
		return out.err()
	}
	return nil
}

// passwordContext is what a user's new password must not be made of: their
// e-mail address and the names of their workspaces.
func (s *Service) passwordContext(ctx context.Context, u store.User) ([]string, error) {
	words := []string{u.Email}
	ms, err := s.st.UserMemberships(ctx, u.ID)
	if err != nil {
		return nil, err
	}
	for _, m := range ms {
		w, err := s.st.Workspace(ctx, m.WorkspaceID)
		if err != nil {
			return nil, err
		}
		words = append(words, w.Name)
	}
	return words, nil
}

// SessionHash returns the stored form of a session token, for callers that
// must name a session to keep (ChangePassword) without storing the token.
func SessionHash(token string) string { return hashSecret(token) }

// Disabled is what disabling an account ended.
type Disabled struct {
	// Already is set when the account was disabled before; the time it was
	// first disabled is kept.
	Already  bool
	Sessions int64 // sessions ended, signed in or waiting for the second factor
	Tokens   int64 // API tokens revoked
}

// DisableUser disables an account, ending its sessions and revoking its API
// tokens in the same transaction (ASVS 7.4.2; the termination procedures
// of 45 CFR 164.308(a)(3)(ii)(C)). Each revoked token is also recorded in
// its workspace's audit log. Disabling a disabled account again still
// clears anything left and is audited.
func (s *Service) DisableUser(ctx context.Context, userID int64, actor audit.Actor, now time.Time) (Disabled, error) {
	var d Disabled
	err := s.st.InTx(ctx, func(tx *store.Tx) error {
		u, err := tx.User(ctx, userID)
		if err != nil {
			return err
		}
		d.Already = !u.Disabled.IsZero()
		sessions, tokens, err := tx.DisableUser(ctx, userID, now)
		if err != nil {
			return err
		}
		d.Sessions, d.Tokens = sessions, int64(len(tokens))
		for _, k := range tokens {
			if _, err := s.log.Append(ctx, tx, audit.Event{At: now, Actor: actor, WorkspaceID: k.WorkspaceID, Action: audit.TokenRevoke,
				Object: fmt.Sprintf("token:%d", k.ID), Details: map[string]any{"user": string(audit.UserActor(userID)), "reason": "user disabled"}}); err != nil {
				return err
			}
		}
		_, err = s.log.Append(ctx, tx, audit.Event{At: now, Actor: actor, Action: audit.UserDisable, Object: string(audit.UserActor(userID)),
			Details: map[string]any{"email_hint": EmailHint(u.Email), "already_disabled": d.Already,
				"sessions_ended": d.Sessions, "tokens_revoked": d.Tokens}})
		return err
	})
	if err != nil {
		return Disabled{}, fmt.Errorf("auth: disable user: %w", err)
	}
	return d, nil
}

// EnableUser lifts the disable of an account, and nothing else: sessions
// and API tokens the disable ended stay ended, and lockout, password and
// MFA are as they were. It reports whether the account was disabled; an
// account that was not is left alone and nothing is audited.
func (s *Service) EnableUser(ctx context.Context, userID int64, actor audit.Actor, now time.Time) (bool, error) {
	enabled := false
	err := s.st.InTx(ctx, func(tx *store.Tx) error {
		u, err := tx.User(ctx, userID)
		if err != nil || u.Disabled.IsZero() {
			return err
		}
		if err := tx.EnableUser(ctx, userID); err != nil {
			return err
		}
		enabled = true
		_, err = s.log.Append(ctx, tx, audit.Event{At: now, Actor: actor, Action: audit.UserEnable, Object: string(audit.UserActor(userID)),
			Details: map[string]any{"email_hint": EmailHint(u.Email), "disabled_since": store.FormatTime(u.Disabled)}})
		return err
	})
	if err != nil {
		return false, fmt.Errorf("auth: enable user: %w", err)
	}
	return enabled, nil
}

// Reset asks an administrator's reset of an account: for a person who
// forgot their password or lost their authenticator.
type Reset struct {
	UserID   int64
	Password string // the new password; the password policy applies
	// KeepMFA keeps the TOTP secret, recovery codes and security keys;
	// otherwise MFA is reset and must be enrolled again at next sign-in.
	KeepMFA bool
	Actor   audit.Actor // who asks, for the audit log
}

// ResetDone is what a reset changed. Enrollment is set when MFA was reset:
// the new TOTP secret to hand to the person (Login also shows it at their
// next sign-in, until a first code completes enrolment).
type ResetDone struct {
	Enrollment    *Enrollment
	Sessions      int64 // sessions ended
	SecurityKeys  int64 // security keys removed
	RecoveryCodes int   // unused recovery codes removed
}

// ResetUser sets a new password, clears the lockout and ends every session
// of an account; unless KeepMFA it also replaces the TOTP secret (enrolment
// required again), and removes the recovery codes and security keys.
// Nothing changes when the password is refused. The audit entry says
// whether MFA was reset, never the password or the secret.
func (s *Service) ResetUser(ctx context.Context, in Reset, now time.Time) (ResetDone, error) {
	var done ResetDone
	u, err := s.st.User(ctx, in.UserID)
	if err != nil {
		return done, fmt.Errorf("auth: reset user: %w", err)
	}
	words, err := s.passwordContext(ctx, u)
	if err != nil {
		return done, fmt.Errorf("auth: reset user: %w", err)
	}
	if err := CheckPassword(in.Password, words...); err != nil {
		return done, err
	}
	hash, err := s.hash(ctx, in.Password)
	if err != nil {
		return done, fmt.Errorf("auth: reset user: %w", err)
	}
	var enr Enrollment
	if !in.KeepMFA {
		if enr, err = NewTOTP(s.cfg.Issuer, u.Email); err != nil {
			return done, err
		}
	}
	err = s.st.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.SetPasswordHash(ctx, u.ID, hash); err != nil {
			return err
		}
		if err := tx.SetLoginState(ctx, u.ID, 0, time.Time{}); err != nil {
			return err
		}
		n, err := tx.DeleteUserSessions(ctx, u.ID)
		if err != nil {
			return err
		}
		done.Sessions = n
		details := map[string]any{"email_hint": EmailHint(u.Email), "mfa_reset": !in.KeepMFA, "sessions_ended": n}
		if !in.KeepMFA {
			// Counted inside the transaction, as the codes are removed.
			cur, err := tx.User(ctx, u.ID)
			if err != nil {
				return err
			}
			done.RecoveryCodes = len(cur.RecoveryCodes)
			if err := tx.SetTOTP(ctx, u.ID, enr.Secret, false); err != nil {
				return err
			}
			if err := tx.SetRecoveryCodes(ctx, u.ID, nil); err != nil {
				return err
			}
			if done.SecurityKeys, err = tx.DeleteUserWebAuthnCredentials(ctx, u.ID); err != nil {
				return err
			}
			details["recovery_codes_removed"] = done.RecoveryCodes
			details["security_keys_removed"] = done.SecurityKeys
		}
		_, err = s.log.Append(ctx, tx, audit.Event{At: now, Actor: in.Actor, Action: audit.UserReset, Object: string(audit.UserActor(u.ID)),
			Details: details})
		return err
	})
	if err != nil {
		return ResetDone{}, fmt.Errorf("auth: reset user: %w", err)
	}
	if !in.KeepMFA {
		done.Enrollment = &enr
	}
	return done, nil
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
		_, err = s.log.Append(ctx, tx, audit.Event{At: now, Actor: audit.UserActor(userID), Action: audit.SessionsEndOthers,
			Object: string(audit.UserActor(userID)), Details: map[string]any{"sessions": ended}})
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("auth: end other sessions: %w", err)
	}
	return ended, nil
}
