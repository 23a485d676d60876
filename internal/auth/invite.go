package auth

import (
	"context"
	"errors"
	"time"

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
func (s *Service) NewCredentials(email, password string, context ...string) (Credentials, error) {
	if err := CheckPassword(password, append([]string{email}, context...)...); err != nil {
		return Credentials{}, err
	}
	hash, err := HashPassword(password, s.cfg.Params)
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
