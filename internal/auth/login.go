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
	// ErrSessionExpired means the session presented was past its idle or
	// absolute expiry: the sign-in page says so. It matches
	// ErrUnauthenticated too, so callers that only ask whether anyone is
	// signed in need not know it.
	ErrSessionExpired = fmt.Errorf("auth: session expired: %w", ErrUnauthenticated)
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
//
// The lock is checked twice: before the (slow) password hash, to spare it
// on a locked account, and again inside the transaction that records the
// outcome, holding the user's row. So of many concurrent attempts only
// those decided before a lock took effect count or succeed; the rest are
// refused as locked, whatever password they carried.
func (s *Service) Login(ctx context.Context, email, password string, now time.Time) (LoginResult, error) {
	u, err := s.st.UserByEmail(ctx, email)
	if errors.Is(err, store.ErrNotFound) {
		if _, _, err := s.verify(ctx, password, ""); err != nil {
			return LoginResult{}, fmt.Errorf("auth: login: %w", err)
		}
		return LoginResult{}, s.auditFailure(ctx, now, 0, audit.LoginFail, map[string]any{"reason": "unknown account", "email_hint": EmailHint(email)})
	}
	if err != nil {
		return LoginResult{}, fmt.Errorf("auth: login: %w", err)
	}
	if !u.Disabled.IsZero() || now.Before(u.LockedUntil) {
		if _, _, err := s.verify(ctx, password, ""); err != nil {
			return LoginResult{}, fmt.Errorf("auth: login: %w", err)
		}
		if u.Disabled.IsZero() {
			return LoginResult{}, s.refuseLocked(ctx, u.ID, u.LockedUntil, now, audit.LoginLocked, nil)
		}
		return LoginResult{}, s.auditFailure(ctx, now, u.ID, audit.LoginFail, map[string]any{"reason": "disabled"})
	}
	ok, newHash, err := s.verify(ctx, password, u.PasswordHash)
	if err != nil {
		return LoginResult{}, fmt.Errorf("auth: login: user %d: %w", u.ID, err)
	}
	var token string
	var out outcome
	err = s.st.InTx(ctx, func(tx *store.Tx) error {
		var err error
		if out, err = s.decide(ctx, tx, u.ID, ok, now, loginCheck, "wrong password", nil); err != nil || out.refused() {
			return err
		}
		if newHash != "" {
			if err := tx.SetPasswordHash(ctx, u.ID, newHash); err != nil {
				return err
			}
		}
		// The failure count is reset only once the second factor passes too,
		// so knowing the password does not buy unlimited code guesses.
		if token, err = s.startPending(ctx, tx, u.ID, now); err != nil {
			return err
		}
		_, err = s.log.Append(ctx, tx, audit.Event{At: now, Actor: audit.UserActor(u.ID), Action: audit.PasswordOK,
			Object: string(audit.UserActor(u.ID)), Details: map[string]any{"rehashed": newHash != ""}})
		return err
	})
	if err != nil {
		return LoginResult{}, fmt.Errorf("auth: login: %w", err)
	}
	if out.refused() {
		return LoginResult{}, out.err()
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

// secondFactor decides a second-factor attempt in one transaction that
// holds the user's row: the lock is checked, the factor checked, and a
// failure counted (or the count reset on success) before the row is let
// go. Concurrent attempts are thereby decided one after another, and
// none is checked once earlier failures have locked the account.
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
	newToken, newHash, err := newSecret("")
	if err != nil {
		return "", err
	}
	var out outcome
	err = s.st.InTx(ctx, func(tx *store.Tx) error {
		st, err := tx.HoldLoginState(ctx, u.ID)
		if err != nil {
			return err
		}
		ok := false
		if !now.Before(st.LockedUntil) {
			if ok, err = check(tx, u); err != nil {
				return err
			}
		}
		details := map[string]any{"method": method}
		if out, err = s.decideHeld(ctx, tx, u.ID, st, ok, now, mfaCheck, method, details); err != nil || out.refused() {
			return err
		}
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
		_, err = s.log.Append(ctx, tx, audit.Event{At: now, Actor: audit.UserActor(u.ID), Action: audit.MFAOK,
			Object: string(audit.UserActor(u.ID)), Details: map[string]any{"method": method, "first_enrolment": !u.MFAEnrolled && method == "totp"}})
		return err
	})
	if err != nil {
		return "", fmt.Errorf("auth: second factor: %w", err)
	}
	if out.refused() {
		return "", out.err()
	}
	return newToken, nil
}

// outcome is how a transaction decided a credential check.
type outcome int

const (
	passed        outcome = iota
	failed                // counted; the account is not (yet) locked
	failedLocking         // counted, and this failure locked the account
	locked                // refused unchecked: the account was locked
)

func (o outcome) refused() bool { return o != passed }

// err is the error a refused attempt returns: ErrInvalidCredentials, with
// ErrLocked for logs when the account is locked.
func (o outcome) err() error {
	if o == failed {
		return ErrInvalidCredentials
	}
	return fmt.Errorf("%w (%w)", ErrInvalidCredentials, ErrLocked)
}

// checked names the entries written for an attempt at one kind of
// credential check: fail when it fails, locked when it is refused because
// the account is locked.
type checked struct{ fail, locked audit.Action }

// The checks whose failures count towards the lockout.
var (
	loginCheck          = checked{fail: audit.LoginFail, locked: audit.LoginLocked}
	mfaCheck            = checked{fail: audit.MFAFail, locked: audit.MFALocked}
	passwordChangeCheck = checked{fail: audit.PasswordChangeFail, locked: audit.PasswordChangeLocked}
)

// decide holds the user's login state in tx and decides an attempt whose
// credential check gave ok; see decideHeld.
func (s *Service) decide(ctx context.Context, tx *store.Tx, userID int64, ok bool, now time.Time,
	action checked, reason string, details map[string]any) (outcome, error) {
	st, err := tx.HoldLoginState(ctx, userID)
	if err != nil {
		return passed, err
	}
	return s.decideHeld(ctx, tx, userID, st, ok, now, action, reason, details)
}

// decideHeld decides an attempt against the login state st that tx holds.
// While the account is locked the attempt is refused whatever ok says and
// audited as action.locked; a failure is counted in the database (one
// per failure, however many run at once), extends the lock when due — a
// lock is never shortened — and is audited as action.fail. On passed
// the caller goes on with the transaction.
func (s *Service) decideHeld(ctx context.Context, tx *store.Tx, userID int64, st store.LoginState, ok bool, now time.Time,
	action checked, reason string, details map[string]any) (outcome, error) {
	if now.Before(st.LockedUntil) {
		return locked, s.appendLocked(ctx, tx, userID, st.LockedUntil, now, action.locked, details)
	}
	if ok {
		return passed, nil
	}
	n, err := tx.AddFailedAttempt(ctx, userID)
	if err != nil {
		return failed, err
	}
	out := failed
	d := map[string]any{"reason": reason, "failed_attempts": n}
	if lock := lockoutFor(n); lock > 0 {
		until, err := tx.ExtendLock(ctx, userID, now.Add(lock))
		if err != nil {
			return failed, err
		}
		out = failedLocking
		d["locked_until"] = store.FormatTime(until)
	}
	_, err = s.log.Append(ctx, tx, audit.Event{At: now, Actor: audit.UserActor(userID), Action: action.fail, Object: string(audit.UserActor(userID)), Details: d})
	return out, err
}

// failAttempt decides, in a transaction of its own, a failed check of a
// password that was verified outside any transaction (hashing is too slow
// to hold the user's row for), and returns the error to answer with.
func (s *Service) failAttempt(ctx context.Context, userID int64, now time.Time, action checked, reason string) error {
	var out outcome
	err := s.st.InTx(ctx, func(tx *store.Tx) (err error) {
		out, err = s.decide(ctx, tx, userID, false, now, action, reason, nil)
		return err
	})
	if err != nil {
		return fmt.Errorf("auth: record failed attempt: %w", err)
	}
	return out.err()
}

// refuseLocked audits an attempt on an account found locked before any
// transaction, and returns the error to answer with.
func (s *Service) refuseLocked(ctx context.Context, userID int64, until, now time.Time, action audit.Action, details map[string]any) error {
	err := s.st.InTx(ctx, func(tx *store.Tx) error {
		return s.appendLocked(ctx, tx, userID, until, now, action, details)
	})
	if err != nil {
		return fmt.Errorf("auth: record failed attempt: %w", err)
	}
	return locked.err()
}

func (s *Service) appendLocked(ctx context.Context, tx *store.Tx, userID int64, until, now time.Time, action audit.Action, details map[string]any) error {
	d := map[string]any{"locked_until": store.FormatTime(until)}
	for k, v := range details {
		d[k] = v
	}
	_, err := s.log.Append(ctx, tx, audit.Event{At: now, Actor: audit.UserActor(userID), Action: action, Object: string(audit.UserActor(userID)), Details: d})
	return err
}

func (s *Service) auditFailure(ctx context.Context, now time.Time, userID int64, action audit.Action, details map[string]any) error {
	actor, object := audit.Anonymous, ""
	if userID != 0 {
		actor, object = audit.UserActor(userID), string(audit.UserActor(userID))
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

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}
