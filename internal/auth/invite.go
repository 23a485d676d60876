package auth

import (
	"context"
	"errors"
	"fmt"
	"time"

	"rcmguard/internal/audit"
	"rcmguard/internal/store"
)

// Invitations are a use case of package app; what they need from here is
// what every account needs: tokens, credentials and the session that
// follows the password step.

// InvitationLifetime is how long an invitation link works.
const InvitationLifetime = 72 * time.Hour

var (
	// ErrInvitationInvalid means an invitation link is unknown, expired,
	// used or revoked. Pages say the same for all four; the audit log and
	// the server log say which.
	ErrInvitationInvalid = errors.New("auth: the invitation link is not valid")
	// ErrAccountExists means the invited address has an account already,
	// so the invitation cannot create one: that account accepts it
	// signed in.
	ErrAccountExists = errors.New("auth: an account with the invited address already exists")
)

// NewInvitationToken returns a 256-bit random token for an invitation
// link, and the hash to store. The token itself is never stored.
func NewInvitationToken() (token, hash string, err error) { return newSecret("") }

// maxInvitationToken bounds what is hashed and looked up: a real token is
// 43 characters.
const maxInvitationToken = 128

// InvitationTokenHash returns the stored form of a link's token; ok is
// false for a token that cannot be one (empty or too long), which callers
// treat as an unknown link.
func InvitationTokenHash(token string) (hash string, ok bool) {
	if token == "" || len(token) > maxInvitationToken {
		return "", false
	}
	return hashSecret(token), true
}

// ValidEmail reports whether s is an address an account can be created
// for, by the same rule as CreateUser.
func ValidEmail(s string) bool { return plausibleEmail(store.NormalizeEmail(s)) }

// Credentials are a new account's password hash and TOTP secret, made
// before the transaction that stores the account (hashing is slow), with
// the enrolment URI to show once the account exists.
type Credentials struct {
	PasswordHash string
	TOTPSecret   string
	EnrolmentURI string
}

// NewCredentials applies the password policy (with the address and
// context words such as the workspace's name) and makes the credentials
// of a person who chose their own password. A password the policy refuses
// fails with a *PolicyError.
func (s *Service) NewCredentials(ctx context.Context, email, password string, words ...string) (Credentials, error) {
	if err := CheckPassword(password, append([]string{email}, words...)...); err != nil {
		return Credentials{}, err
	}
	hash, err := s.hash(ctx, password)
	if err != nil {
		return Credentials{}, err
	}
	enr, err := NewTOTP(s.cfg.Issuer, email)
	if err != nil {
		return Credentials{}, err
	}
	return Credentials{PasswordHash: hash, TOTPSecret: enr.Secret, EnrolmentURI: enr.URI}, nil
}

// StartSecondFactor opens, in tx, the session of an account whose password
// step is done, exactly as Login does: the person then enrols or enters
// their second factor. It returns the token for the cookie.
func (s *Service) StartSecondFactor(ctx context.Context, tx *store.Tx, userID int64, now time.Time) (string, error) {
	return s.startPending(ctx, tx, userID, now)
}

// VouchForAddress records that an administrator vouches for an account's
// address (rcmguard user verify): for an account made through a copied
// invitation link whose holder the administrator has confirmed reads that
// mailbox. It reports when the address was proven before (zero when it was
// not); an address already proven is left alone and nothing is audited.
func (s *Service) VouchForAddress(ctx context.Context, userID int64, actor audit.Actor, now time.Time) (time.Time, error) {
	var before time.Time
	err := s.st.InTx(ctx, func(tx *store.Tx) error {
		u, err := tx.User(ctx, userID)
		if err != nil {
			return err
		}
		if before, err = tx.EmailVerified(ctx, userID); err != nil || !before.IsZero() {
			return err
		}
		if err := tx.VerifyEmail(ctx, userID, now); err != nil {
			return err
		}
		_, err = s.log.Append(ctx, tx, audit.Event{At: now, Actor: actor, Action: audit.EmailVerify, Object: string(audit.UserActor(userID)),
			Details: map[string]any{"email_hint": EmailHint(u.Email), "by": "the administrator (rcmguard user verify)"}})
		return err
	})
	if err != nil {
		return time.Time{}, fmt.Errorf("auth: vouch for address: %w", err)
	}
	return before, nil
}
