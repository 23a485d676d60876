// Package auth holds accounts: password hashing and policy, TOTP and
// recovery codes, throttling and lockout, sessions, API tokens, and the one
// permission matrix. Every state change it makes is written together with
// its audit entry, and every time-dependent function takes now.
package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"rcmguard/internal/audit"
	"rcmguard/internal/store"
)

// Config holds the tunable limits. Zero fields take the defaults.
type Config struct {
	// IdleTimeout ends a session after this long without a request
	// (automatic logoff, 45 CFR 164.312(a)(2)(iii)). Default 15 minutes.
	IdleTimeout time.Duration
	// AbsoluteLifetime ends a session this long after sign-in whatever the
	// activity. Default 12 hours.
	AbsoluteLifetime time.Duration
	// Params are the argon2id costs for new hashes.
	Params Params
	// Issuer names rcmguard in authenticator apps.
	Issuer string
	// HashGate bounds concurrent password hashing. Default: one gate for
	// the whole process, one slot per CPU.
	HashGate *HashGate
}

func (c Config) withDefaults() Config {
	if c.IdleTimeout <= 0 {
		c.IdleTimeout = 15 * time.Minute
	}
	if c.AbsoluteLifetime <= 0 {
		c.AbsoluteLifetime = 12 * time.Hour
	}
	if c.Params == (Params{}) {
		c.Params = DefaultParams
	}
	if c.Issuer == "" {
		c.Issuer = "rcmguard"
	}
	if c.HashGate == nil {
		c.HashGate = processGate
	}
	return c
}

// Service performs account operations against the store and audit log.
type Service struct {
	st    *store.Store
	log   *audit.Log
	cfg   Config
	dummy func() string
}

// New returns a Service.
func New(st *store.Store, log *audit.Log, cfg Config) *Service {
	s := &Service{st: st, log: log, cfg: cfg.withDefaults()}
	// Unknown users are checked against this hash so that a sign-in takes
	// as long whether or not the address exists (ASVS 6.3.8).
	s.dummy = sync.OnceValue(func() string {
		h, err := hashPassword("rcmguard dummy password for timing", s.cfg.Params)
		if err != nil {
			return ""
		}
		return h
	})
	return s
}

// hash returns the hash of a new password, computed in a slot of the
// hashing gate; ErrBusy when none came free in time.
func (s *Service) hash(ctx context.Context, pw string) (string, error) {
	release, err := s.cfg.HashGate.Acquire(ctx)
	if err != nil {
		return "", err
	}
	defer release()
	return hashPassword(pw, s.cfg.Params)
}

// verify checks pw against the PHC hash phc in a slot of the hashing gate.
// With phc "" it checks against a dummy hash and reports no match: an
// attempt on an unknown, disabled or locked account then costs what any
// other does. When pw matches a hash made with lower costs than
// configured, newHash is its replacement, made in the same slot.
func (s *Service) verify(ctx context.Context, pw, phc string) (ok bool, newHash string, err error) {
	release, err := s.cfg.HashGate.Acquire(ctx)
	if err != nil {
		return false, "", err
	}
	defer release()
	if phc == "" {
		verifyPassword(pw, s.dummy(), s.cfg.Params)
		return false, "", nil
	}
	ok, rehash, err := verifyPassword(pw, phc, s.cfg.Params)
	if err != nil || !ok || !rehash {
		return ok, "", err
	}
	newHash, err = hashPassword(pw, s.cfg.Params)
	return ok, newHash, err
}

// NewUser describes an account to create.
type NewUser struct {
	Email     string
	Password  string
	Workspace string // created as a practice when it does not exist
	Role      Role
	// Expires ends the membership; required for auditors (default 90 days).
	Expires time.Time
	Actor   audit.Actor // who asks, for the audit log
}

// AuditorDefaultAccess is how long an auditor's access lasts when no expiry
// is given.
const AuditorDefaultAccess = 90 * 24 * time.Hour

// CreateUser creates the account, its membership and (when missing) the
// workspace, and returns the TOTP enrolment to show the user. Everything,
// audit entries included, commits together or not at all. It is the
// administrator's path (rcmguard user add, the demo), so the address
// counts as proven: the administrator vouches for it.
func (s *Service) CreateUser(ctx context.Context, in NewUser, now time.Time) (store.User, Enrollment, error) {
	var u store.User
	email := store.NormalizeEmail(in.Email)
	if !plausibleEmail(email) {
		return u, Enrollment{}, errors.New("auth: create user: not an e-mail address")
	}
	if _, err := ParseRole(string(in.Role)); err != nil {
		return u, Enrollment{}, err
	}
	if strings.TrimSpace(in.Workspace) == "" {
		return u, Enrollment{}, errors.New("auth: create user: workspace name is required")
	}
	if err := CheckPassword(in.Password, email, in.Workspace); err != nil {
		return u, Enrollment{}, err
	}
	if in.Role == RoleAuditor && in.Expires.IsZero() {
		in.Expires = now.Add(AuditorDefaultAccess)
	}
	hash, err := s.hash(ctx, in.Password)
	if err != nil {
		return u, Enrollment{}, fmt.Errorf("auth: create user: %w", err)
	}
	enr, err := NewTOTP(s.cfg.Issuer, email)
	if err != nil {
		return u, Enrollment{}, err
	}
	err = s.st.InTx(ctx, func(tx *store.Tx) error {
		w, err := tx.WorkspaceByName(ctx, in.Workspace)
		if errors.Is(err, store.ErrNotFound) {
			if w, err = tx.CreateWorkspace(ctx, store.Workspace{Name: in.Workspace, Kind: store.KindPractice, Created: now}); err != nil {
				return err
			}
			if _, err := s.log.Append(ctx, tx, audit.Event{At: now, Actor: in.Actor, WorkspaceID: w.ID,
				Action: audit.WorkspaceCreate, Object: fmt.Sprintf("workspace:%d", w.ID), Details: map[string]any{"kind": w.Kind}}); err != nil {
				return err
			}
		} else if err != nil {
			return err
		}
		u, err = tx.CreateUser(ctx, store.User{Email: email, PasswordHash: hash, TOTPSecret: enr.Secret, Created: now})
		if err != nil {
			return err
		}
		// The administrator who creates an account vouches for its address.
		if err := tx.VerifyEmail(ctx, u.ID, now); err != nil {
			return err
		}
		if err := tx.PutMembership(ctx, store.Membership{UserID: u.ID, WorkspaceID: w.ID, Role: string(in.Role),
			Expires: in.Expires, Created: now}); err != nil {
			return err
		}
		details := map[string]any{"role": string(in.Role), "email_hint": EmailHint(email), "address": "vouched for by the administrator"}
		if !in.Expires.IsZero() {
			details["expires"] = store.FormatTime(in.Expires)
		}
		_, err = s.log.Append(ctx, tx, audit.Event{At: now, Actor: in.Actor, WorkspaceID: w.ID,
			Action: audit.UserCreate, Object: string(audit.UserActor(u.ID)), Details: details})
		return err
	})
	if err != nil {
		if errors.Is(err, store.ErrConflict) {
			return u, Enrollment{}, fmt.Errorf("auth: create user: an account with that address already exists: %w", err)
		}
		return u, Enrollment{}, fmt.Errorf("auth: create user: %w", err)
	}
	return u, enr, nil
}

func plausibleEmail(e string) bool {
	at := strings.LastIndexByte(e, '@')
	return at > 0 && at < len(e)-1 && !strings.ContainsAny(e, " \t\r\n") && len(e) <= 254
}

// EmailHint shortens an address for logs and audit details ("a…@example.org"):
// enough for an administrator to recognise, not the full identifier.
func EmailHint(email string) string {
	local, domain, ok := strings.Cut(store.NormalizeEmail(email), "@")
	if !ok || local == "" {
		return "?"
	}
	return local[:1] + "…@" + domain
}

// newSecret returns a 256-bit random token and the hash to store for it.
func newSecret(prefix string) (token, hash string, err error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", "", fmt.Errorf("auth: random token: %w", err)
	}
	token = prefix + base64.RawURLEncoding.EncodeToString(b)
	return token, hashSecret(token), nil
}

// hashSecret hashes a high-entropy token for storage; lookups go by hash so
// no token is ever compared byte by byte against attacker input.
func hashSecret(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}
