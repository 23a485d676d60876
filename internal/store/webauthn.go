package store

import (
	"context"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"
)

// webAuthnV4 adds security keys (WebAuthn credentials) and the pending
// ceremony challenges, each bound to one session and used once.
func webAuthnV4(d dialect) []string {
	stmts := []string{
		`CREATE TABLE webauthn_credentials (
			id {{pk}},
			user_id BIGINT NOT NULL REFERENCES users (id),
			credential_id TEXT NOT NULL UNIQUE,
			public_key TEXT NOT NULL,
			sign_count BIGINT NOT NULL DEFAULT 0,
			flags INTEGER NOT NULL DEFAULT 0,
			aaguid TEXT NOT NULL DEFAULT '',
			attestation_format TEXT NOT NULL DEFAULT '',
			transports TEXT NOT NULL DEFAULT '',
			name TEXT NOT NULL,
			created_at TEXT NOT NULL,
			last_used_at TEXT,
			UNIQUE (user_id, name)
		)`,
		`CREATE INDEX webauthn_credentials_user ON webauthn_credentials (user_id)`,
		`CREATE TABLE webauthn_challenges (
			session_hash TEXT NOT NULL,
			purpose TEXT NOT NULL CHECK (purpose IN ('register', 'login')),
			data TEXT NOT NULL,
			expires_at TEXT NOT NULL,
			PRIMARY KEY (session_hash, purpose)
		)`,
	}
	for i, s := range stmts {
		stmts[i] = d.ddl(s)
	}
	return stmts
}

var b64 = base64.RawURLEncoding

// WebAuthnCredential is a security key or passkey registered by a user.
// CredentialID and PublicKey are the raw bytes the authenticator gave, kept
// base64url-encoded; the public key is COSE-encoded.
type WebAuthnCredential struct {
	ID                int64
	UserID            int64
	CredentialID      []byte
	PublicKey         []byte
	SignCount         uint32
	Flags             byte // the authenticator data flags at registration (UP, UV, BE, BS)
	AAGUID            []byte
	AttestationFormat string
	Transports        []string
	Name              string
	Created           time.Time
	LastUsed          time.Time
}

const webAuthnCols = `id, user_id, credential_id, public_key, sign_count, flags, aaguid, attestation_format,
	transports, name, created_at, last_used_at`

func scanWebAuthn(row rowScanner) (WebAuthnCredential, error) {
	var k WebAuthnCredential
	var credID, pub, aaguid, transports, created string
	var count int64
	var flags int
	var used sql.NullString
	if err := row.Scan(&k.ID, &k.UserID, &credID, &pub, &count, &flags, &aaguid, &k.AttestationFormat,
		&transports, &k.Name, &created, &used); err != nil {
		return k, err
	}
	var err error
	if k.CredentialID, err = b64.DecodeString(credID); err != nil {
		return k, fmt.Errorf("credential id: %w", err)
	}
	if k.PublicKey, err = b64.DecodeString(pub); err != nil {
		return k, fmt.Errorf("public key: %w", err)
	}
	if k.AAGUID, err = b64.DecodeString(aaguid); err != nil {
		return k, fmt.Errorf("aaguid: %w", err)
	}
	k.SignCount, k.Flags = uint32(count), byte(flags)
	if transports != "" {
		k.Transports = strings.Split(transports, ",")
	}
	if k.Created, err = parseTS(created); err != nil {
		return k, err
	}
	k.LastUsed, err = parseNTS(used)
	return k, err
}

// CreateWebAuthnCredential stores a newly registered key. A credential ID
// already registered (to anyone) or a name the user already gave another
// key is ErrConflict.
func (t *Tx) CreateWebAuthnCredential(ctx context.Context, k WebAuthnCredential) (WebAuthnCredential, error) {
	id, err := t.insertID(ctx, `INSERT INTO webauthn_credentials (user_id, credential_id, public_key, sign_count, flags,
		aaguid, attestation_format, transports, name, created_at, last_used_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		k.UserID, b64.EncodeToString(k.CredentialID), b64.EncodeToString(k.PublicKey), int64(k.SignCount), int(k.Flags),
		b64.EncodeToString(k.AAGUID), k.AttestationFormat, strings.Join(k.Transports, ","), k.Name, ts(k.Created), nts(k.LastUsed))
	if err != nil {
		return k, fmt.Errorf("store: create security key %q for user %d: %w", k.Name, k.UserID, conflict(err))
	}
	k.ID = id
	return k, nil
}

// WebAuthnCredentials lists a user's keys, oldest first.
func (c *conn) WebAuthnCredentials(ctx context.Context, userID int64) ([]WebAuthnCredential, error) {
	out, err := collect(ctx, c, scanWebAuthn, `SELECT `+webAuthnCols+` FROM webauthn_credentials WHERE user_id = ? ORDER BY created_at, id`, userID)
	if err != nil {
		return nil, fmt.Errorf("store: security keys of user %d: %w", userID, err)
	}
	return out, nil
}

// UseWebAuthnCredential records a sign-in with a key. The update only
// applies while the stored count is still prev, so two sign-ins racing with
// the same assertion cannot both pass (ErrConflict for the loser).
func (t *Tx) UseWebAuthnCredential(ctx context.Context, userID, id int64, prev, next uint32, at time.Time) error {
	err := mustAffect(t.exec(ctx, `UPDATE webauthn_credentials SET sign_count = ?, last_used_at = ?
		WHERE id = ? AND user_id = ? AND sign_count = ?`, int64(next), ts(at), id, userID, int64(prev)))
	if errors.Is(err, ErrNotFound) {
		err = ErrConflict
	}
	if err != nil {
		return fmt.Errorf("store: use security key %d: %w", id, err)
	}
	return nil
}

// DeleteWebAuthnCredential removes one of a user's keys; another user's key
// is ErrNotFound.
func (t *Tx) DeleteWebAuthnCredential(ctx context.Context, userID, id int64) error {
	if err := mustAffect(t.exec(ctx, `DELETE FROM webauthn_credentials WHERE id = ? AND user_id = ?`, id, userID)); err != nil {
		return fmt.Errorf("store: delete security key %d: %w", id, err)
	}
	return nil
}

// PutWebAuthnChallenge keeps the state of a ceremony begun by a session,
// replacing any earlier one of the same purpose, and drops expired ones.
// Like TouchSession it is written outside InTx: a challenge changes nothing
// until it is answered, and the answer is audited.
func (s *Store) PutWebAuthnChallenge(ctx context.Context, sessionHash, purpose, data string, expires, now time.Time) error {
	if _, err := s.db.ExecContext(ctx, s.d.rebind(`DELETE FROM webauthn_challenges WHERE expires_at <= ? OR (session_hash = ? AND purpose = ?)`),
		ts(now), sessionHash, purpose); err != nil {
		return fmt.Errorf("store: replace webauthn challenge: %w", err)
	}
	if _, err := s.db.ExecContext(ctx, s.d.rebind(`INSERT INTO webauthn_challenges (session_hash, purpose, data, expires_at) VALUES (?, ?, ?, ?)`),
		sessionHash, purpose, data, ts(expires)); err != nil {
		return fmt.Errorf("store: put webauthn challenge: %w", conflict(err))
	}
	return nil
}

// TakeWebAuthnChallenge removes and returns a session's pending challenge,
// so that each is answered at most once whatever the outcome. A missing or
// expired one is ErrNotFound.
func (s *Store) TakeWebAuthnChallenge(ctx context.Context, sessionHash, purpose string, now time.Time) (string, error) {
	var data, expires string
	err := s.db.QueryRowContext(ctx, s.d.rebind(`DELETE FROM webauthn_challenges WHERE session_hash = ? AND purpose = ?
		RETURNING data, expires_at`), sessionHash, purpose).Scan(&data, &expires)
	if err != nil {
		return "", fmt.Errorf("store: take webauthn challenge: %w", notFound(err))
	}
	exp, err := parseTS(expires)
	if err != nil {
		return "", fmt.Errorf("store: take webauthn challenge: %w", err)
	}
	if !now.Before(exp) {
		return "", fmt.Errorf("store: take webauthn challenge: expired: %w", ErrNotFound)
	}
	return data, nil
}
