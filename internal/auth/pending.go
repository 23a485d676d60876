package auth

import (
	"context"
	"fmt"
	"time"

	"rcmguard/internal/store"
)

// PendingUser returns the user of a session that has passed the password
// step but not yet the second factor, for the pages that ask for the code
// (and, before enrolment, show the secret to add to an authenticator). A
// session that already passed MFA, or has expired, is refused.
func (s *Service) PendingUser(ctx context.Context, token string, now time.Time) (store.User, error) {
	sess, err := s.liveSession(ctx, token, now)
	if err != nil {
		return store.User{}, err
	}
	if sess.MFAPassed {
		return store.User{}, fmt.Errorf("auth: second factor already passed: %w", ErrUnauthenticated)
	}
	u, err := s.st.User(ctx, sess.UserID)
	if err != nil {
		return store.User{}, fmt.Errorf("auth: pending session user: %w", err)
	}
	if !u.Disabled.IsZero() {
		return store.User{}, ErrUnauthenticated
	}
	return u, nil
}

// EnrolmentURI is the otpauth URI of a user's TOTP secret, for the
// enrolment page.
func (s *Service) EnrolmentURI(u store.User) string {
	return enrolmentURI(s.cfg.Issuer, u.Email, u.TOTPSecret)
}

// IdleTimeout is the configured automatic-logoff delay.
func (s *Service) IdleTimeout() time.Duration { return s.cfg.IdleTimeout }
