package auth

import (
	"context"
	"errors"
	"fmt"
	"time"

	"rcmguard/internal/audit"
	"rcmguard/internal/store"
)

var (
	// ErrInvalidCredentials is the only failure a sign-in form should show.
	ErrInvalidCredentials = errors.New("auth: the e-mail address, password or code is not correct")
	// ErrLocked accompanies ErrInvalidCredentials while an account is locked
	// out; it is for logs and operators, not for the sign-in page.
	ErrLocked = errors.New("auth: account temporarily locked after repeated failures")
	// ErrUnauthenticated means no valid session or token was presented.
	ErrUnauthenticated = errors.New("auth: not signed in")
	// ErrMFARequired means the session has passed the password step only.
	ErrMFARequired = errors.New("auth: second factor required")
)

// Lockout policy: the first LockoutThreshold consecutive failures are free;
// each further one locks the account for twice as long as the last, from
// one minute up to LockoutMax. Far under NIST's ceiling of 100 attempts.
const (
	LockoutThreshold = 5
	lockoutBase      = time.Minute
	LockoutMax       = time.Hour
)

// lockoutFor returns how long to lock after the given number of failures.
func lockoutFor(failures int) time.Duration {
	if failures < LockoutThreshold {
		return 0
	}
	d := lockoutBase
	for i := LockoutThreshold; i < failures && d < LockoutMax; i++ {
		d *= 2
	}
	return min(d, LockoutMax)
}

// preMFAIdle bounds how long a password-only session may wait for its code.
const preMFAIdle = 5 * time.Minute

// LoginResult is a session that has passed the password step.
type LoginResult struct {
	Token        string // set as the session cookie; shown nowhere else
	NeedsEnrol   bool   // the user has not yet confirmed a TOTP code
	EnrolmentURI string // for NeedsEnrol: the otpauth URI to show as a QR code
}

// Login checks email and password and opens a session that still needs the
// second factor. Failures are counted, locked out and audited.
func (s *Service) Login(ctx context.Context, email, password string, now time.Time) (LoginResult, error) {
	u, err := s.st.UserByEmail(ctx, email)
	if errors.Is(err, store.ErrNotFound) {
		VerifyPassword(password, s.dummy(), s.cfg.Params)
		return LoginResult{}, s.auditFailure(ctx, now, 0, "auth.login.fail", map[string]any{"reason": "unknown account", "email_hint": EmailHint(email)})
	}
	if err != nil {
		return LoginResult{}, fmt.Errorf("auth: login: %w", err)
	}
	if !u.Disabled.IsZero() {
		VerifyPassword(password, s.dummy(), s.cfg.Params)
		return LoginResult{}, s.auditFailure(ctx, now, u.ID, "auth.login.fail", map[string]any{"reason": "disabled"})
	}
	if now.Before(u.LockedUntil) {
		VerifyPassword(password, s.dummy(), s.cfg.Params)
		err := s.auditFailure(ctx, now, u.ID, "auth.login.locked", map[string]any{"locked_until": store.FormatTime(u.LockedUntil)})
		if errors.Is(err, ErrInvalidCredentials) {
			err = fmt.Errorf("%w (%w)", ErrInvalidCredentials, ErrLocked)
		}
		return LoginResult{}, err
	}
	ok, rehash, err := VerifyPassword(password, u.PasswordHash, s.cfg.Params)
	if err != nil {
		return LoginResult{}, fmt.Errorf("auth: login: user %d: %w", u.ID, err)
	}
	if !ok {
		return LoginResult{}, s.fail(ctx, u, now, "auth.login.fail", "wrong password")
	}
	var token string
	err = s.st.InTx(ctx, func(tx *store.Tx) error {
		if rehash {
			h, err := HashPassword(password, s.cfg.Params)
			if err != nil {
				return err
			}
			if err := tx.SetPasswordHash(ctx, u.ID, h); err != nil {
				return err
			}
		}
		// The failure count is reset only once the second factor passes too,
		// so knowing the password does not buy unlimited code guesses.
		var err error
		if token, err = s.startPending(ctx, tx, u.ID, now); err != nil {
			return err
		}
		_, err = s.log.Append(ctx, tx, audit.Event{At: now, Actor: userActor(u.ID), Action: "auth.password.ok",
			Object: userActor(u.ID), Details: map[string]any{"rehashed": rehash}})
		return err
	})
	if err != nil {
		return LoginResult{}, fmt.Errorf("auth: login: %w", err)
	}
	res := LoginResult{Token: token, NeedsEnrol: !u.MFAEnrolled}
	if res.NeedsEnrol {
		res.EnrolmentURI = enrolmentURI(s.cfg.Issuer, u.Email, u.TOTPSecret)
	}
	return res, nil
}

// startPending opens the session of a user who has passed the password
// step: it waits at most preMFAIdle for the second factor (or for TOTP
// enrolment) and returns the token for the cookie; only its hash is stored.
func (s *Service) startPending(ctx context.Context, tx *store.Tx, userID int64, now time.Time) (string, error) {
	token, hash, err := newSecret("")
	if err != nil {
		return "", err
	}
	if err := tx.CreateSession(ctx, store.Session{IDHash: hash, UserID: userID, Created: now, LastSeen: now,
		IdleExpires: now.Add(preMFAIdle), AbsoluteExpires: now.Add(s.cfg.AbsoluteLifetime)}); err != nil {
		return "", err
	}
	return token, nil
}

// VerifyTOTP completes sign-in with an authenticator code. A code is
// accepted once: its time step must be later than the last one used. On
// success the session token is replaced (ASVS 7.2.4) and the new one returned.
func (s *Service) VerifyTOTP(ctx context.Context, token, code string, now time.Time) (string, error) {
	return s.secondFactor(ctx, token, now, "totp", func(tx *store.Tx, u store.User) (bool, error) {
		step, ok := checkTOTP(u.TOTPSecret, code, now)
		if !ok || step <= u.TOTPLastStep {
			return false, nil
		}
		err := tx.UseTOTPStep(ctx, u.ID, step)
		if errors.Is(err, store.ErrConflict) {
			return false, nil // another request used this step first
		}
		return err == nil, err
	})
}

// VerifyRecoveryCode completes sign-in with a one-time recovery code.
func (s *Service) VerifyRecoveryCode(ctx context.Context, token, code string, now time.Time) (string, error) {
	return s.secondFactor(ctx, token, now, "recovery_code", func(tx *store.Tx, u store.User) (bool, error) {
		err := tx.UseRecoveryCode(ctx, u.ID, hashRecoveryCode(code))
		if errors.Is(err, store.ErrNotFound) {
			return false, nil
		}
		return err == nil, err
	})
}

func (s *Service) secondFactor(ctx context.Context, token string, now time.Time, method string,
	check func(tx *store.Tx, u store.User) (bool, error)) (string, error) {
	sess, err := s.liveSession(ctx, token, now)
	if err != nil {
		return "", err
	}
	if sess.MFAPassed {
		return "", fmt.Errorf("auth: second factor already passed: %w", ErrUnauthenticated)
	}
	u, err := s.st.User(ctx, sess.UserID)
	if err != nil {
		return "", fmt.Errorf("auth: second factor: %w", err)
	}
	if !u.Disabled.IsZero() {
		return "", ErrUnauthenticated
	}
	if now.Before(u.LockedUntil) {
		return "", fmt.Errorf("%w (%w)", ErrInvalidCredentials, ErrLocked)
	}
	newToken, newHash, err := newSecret("")
	if err != nil {
		return "", err
	}
	passed := false
	err = s.st.InTx(ctx, func(tx *store.Tx) error {
		ok, err := check(tx, u)
		if err != nil || !ok {
			return err
		}
		passed = true
		if err := tx.SetLoginState(ctx, u.ID, 0, time.Time{}); err != nil {
			return err
		}
		if err := tx.DeleteSession(ctx, sess.IDHash); err != nil {
			return err
		}
		if err := tx.CreateSession(ctx, store.Session{IDHash: newHash, UserID: u.ID, Created: sess.Created, LastSeen: now,
			IdleExpires: minTime(now.Add(s.cfg.IdleTimeout), sess.AbsoluteExpires), AbsoluteExpires: sess.AbsoluteExpires,
			MFAPassed: true}); err != nil {
			return err
		}
		_, err = s.log.Append(ctx, tx, audit.Event{At: now, Actor: userActor(u.ID), Action: "auth.mfa.ok",
			Object: userActor(u.ID), Details: map[string]any{"method": method, "first_enrolment": !u.MFAEnrolled && method == "totp"}})
		return err
	})
	if err != nil {
		return "", fmt.Errorf("auth: second factor: %w", err)
	}
	if !passed {
		return "", s.fail(ctx, u, now, "auth.mfa.fail", method)
	}
	return newToken, nil
}

// fail counts a failed attempt, locks out when due, audits it, and returns
// ErrInvalidCredentials (or the error that prevented recording it: a
// failure that cannot be audited must not look like an ordinary one).
func (s *Service) fail(ctx context.Context, u store.User, now time.Time, action, reason string) error {
	failures := u.FailedAttempts + 1
	var until time.Time
	if d := lockoutFor(failures); d > 0 {
		until = now.Add(d)
	}
	err := s.st.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.SetLoginState(ctx, u.ID, failures, until); err != nil {
			return err
		}
		details := map[string]any{"reason": reason, "failed_attempts": failures}
		if !until.IsZero() {
			details["locked_until"] = store.FormatTime(until)
		}
		_, err := s.log.Append(ctx, tx, audit.Event{At: now, Actor: userActor(u.ID), Action: action, Object: userActor(u.ID), Details: details})
		return err
	})
	if err != nil {
		return fmt.Errorf("auth: record failed attempt: %w", err)
	}
	if !until.IsZero() {
		return fmt.Errorf("%w (%w)", ErrInvalidCredentials, ErrLocked)
	}
	return ErrInvalidCredentials
}

func (s *Service) auditFailure(ctx context.Context, now time.Time, userID int64, action string, details map[string]any) error {
	actor, object := "anonymous", ""
	if userID != 0 {
		actor, object = userActor(userID), userActor(userID)
	}
	err := s.st.InTx(ctx, func(tx *store.Tx) error {
		_, err := s.log.Append(ctx, tx, audit.Event{At: now, Actor: actor, Action: action, Object: object, Details: details})
		return err
	})
	if err != nil {
		return fmt.Errorf("auth: record failed attempt: %w", err)
	}
	return ErrInvalidCredentials
}

func userActor(id int64) string { return fmt.Sprintf("user:%d", id) }

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}
