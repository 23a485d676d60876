package auth

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"

	"rcmguard/internal/audit"
	"rcmguard/internal/store"
)

// Security keys (WebAuthn) are an additional, phishing-resistant second
// factor (NIST SP 800-63B-4 §3.1.7): TOTP stays enrolled for everyone, and
// a user with a key may use either at sign-in. Each ceremony's challenge is
// kept server-side, bound to the session that began it, and taken (deleted)
// when answered, so it can be answered once only.

var (
	// ErrKeyRejected means the browser's answer to a registration did not
	// verify: wrong or reused challenge, wrong origin, bad signature.
	ErrKeyRejected = errors.New("auth: the security key's answer was not accepted")
	// ErrNoKeys means the user has no security key to sign in with.
	ErrNoKeys = errors.New("auth: no security key registered")
)

// KeyNameError is a name for a security key that cannot be used; Msg is
// for the form.
type KeyNameError struct{ Msg string }

func (e *KeyNameError) Error() string { return "auth: security key name: " + e.Msg }

// MaxKeys bounds how many security keys one user may register.
const MaxKeys = 10

// keyChallengeTTL is how long a begun ceremony may take; browsers give the
// person about as long to touch the key.
const keyChallengeTTL = 5 * time.Minute

const (
	purposeRegister = "register"
	purposeLogin    = "login"
)

// RelyingParty is the site security keys are registered with: the origin
// the browser shows (scheme://host[:port]) and the RP ID, its host name.
type RelyingParty struct {
	ID     string
	Origin string
}

func (s *Service) relyingParty(rp RelyingParty) (*webauthn.WebAuthn, error) {
	if rp.ID == "" || rp.Origin == "" {
		return nil, errors.New("auth: security keys: no relying party address configured")
	}
	wa, err := webauthn.New(&webauthn.Config{RPID: rp.ID, RPDisplayName: s.cfg.Issuer, RPOrigins: []string{rp.Origin},
		Timeouts: webauthn.TimeoutsConfig{
			Login:        webauthn.TimeoutConfig{Enforce: true, Timeout: keyChallengeTTL},
			Registration: webauthn.TimeoutConfig{Enforce: true, Timeout: keyChallengeTTL},
		}})
	if err != nil {
		return nil, fmt.Errorf("auth: security keys: %w", err)
	}
	return wa, nil
}

// keyUser is a user as the WebAuthn library sees one.
type keyUser struct {
	u    store.User
	keys []store.WebAuthnCredential
}

// WebAuthnID is the user handle: the account number, which is neither
// personal data nor reused across accounts.
func (k keyUser) WebAuthnID() []byte          { return binary.BigEndian.AppendUint64(nil, uint64(k.u.ID)) }
func (k keyUser) WebAuthnName() string        { return k.u.Email }
func (k keyUser) WebAuthnDisplayName() string { return k.u.Email }
func (k keyUser) WebAuthnCredentials() []webauthn.Credential {
	out := make([]webauthn.Credential, 0, len(k.keys))
	for _, c := range k.keys {
		tr := make([]protocol.AuthenticatorTransport, 0, len(c.Transports))
		for _, t := range c.Transports {
			tr = append(tr, protocol.AuthenticatorTransport(t))
		}
		out = append(out, webauthn.Credential{ID: c.CredentialID, PublicKey: c.PublicKey, AttestationFormat: c.AttestationFormat,
			Transport: tr, Flags: webauthn.NewCredentialFlags(protocol.AuthenticatorFlags(c.Flags)),
			Authenticator: webauthn.Authenticator{AAGUID: c.AAGUID, SignCount: c.SignCount}})
	}
	return out
}

// Keys lists a user's security keys.
func (s *Service) Keys(ctx context.Context, userID int64) ([]store.WebAuthnCredential, error) {
	keys, err := s.st.WebAuthnCredentials(ctx, userID)
	if err != nil {
		return nil, fmt.Errorf("auth: security keys: %w", err)
	}
	return keys, nil
}

// checkKeyName applies the naming rules and refuses a name the user
// already gave another key.
func checkKeyName(name string, keys []store.WebAuthnCredential) error {
	if name == "" || utf8.RuneCountInString(name) > 64 {
		return &KeyNameError{Msg: "Name the key so you can tell it apart (1 to 64 characters)."}
	}
	if !utf8.ValidString(name) || strings.ContainsFunc(name, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		return &KeyNameError{Msg: "Use letters, digits, spaces and punctuation only."}
	}
	for _, k := range keys {
		if k.Name == name {
			return &KeyNameError{Msg: "You already have a key with this name."}
		}
	}
	return nil
}

// BeginKeyRegistration starts adding a security key for a signed-in user
// and returns the options for navigator.credentials.create as JSON. Keys
// the user already has are excluded, so one key is not registered twice.
func (s *Service) BeginKeyRegistration(ctx context.Context, rp RelyingParty, u store.User, sessionToken string, now time.Time) ([]byte, error) {
	wa, err := s.relyingParty(rp)
	if err != nil {
		return nil, err
	}
	keys, err := s.Keys(ctx, u.ID)
	if err != nil {
		return nil, err
	}
	if len(keys) >= MaxKeys {
		return nil, &KeyNameError{Msg: fmt.Sprintf("You have %d security keys, the most allowed. Remove one first.", MaxKeys)}
	}
	ku := keyUser{u: u, keys: keys}
	creation, session, err := wa.BeginRegistration(ku,
		webauthn.WithExclusions(webauthn.Credentials(ku.WebAuthnCredentials()).CredentialDescriptors()),
		webauthn.WithAuthenticatorSelection(protocol.AuthenticatorSelection{
			ResidentKey: protocol.ResidentKeyRequirementDiscouraged, UserVerification: protocol.VerificationPreferred}),
		webauthn.WithConveyancePreference(protocol.PreferNoAttestation))
	if err != nil {
		return nil, fmt.Errorf("auth: begin key registration: %w", err)
	}
	return s.putChallenge(ctx, sessionToken, purposeRegister, session, creation, now)
}

func (s *Service) putChallenge(ctx context.Context, sessionToken, purpose string, session *webauthn.SessionData, options any, now time.Time) ([]byte, error) {
	data, err := json.Marshal(session)
	if err != nil {
		return nil, fmt.Errorf("auth: security key challenge: %w", err)
	}
	if err := s.st.PutWebAuthnChallenge(ctx, hashSecret(sessionToken), purpose, string(data), now.Add(keyChallengeTTL), now); err != nil {
		return nil, fmt.Errorf("auth: security key challenge: %w", err)
	}
	out, err := json.Marshal(options)
	if err != nil {
		return nil, fmt.Errorf("auth: security key options: %w", err)
	}
	return out, nil
}

// takeChallenge removes the session's pending challenge of a purpose;
// ok is false when there is none (never begun, already used, expired).
func (s *Service) takeChallenge(ctx context.Context, sessionHash, purpose string, now time.Time) (webauthn.SessionData, bool, error) {
	var sd webauthn.SessionData
	data, err := s.st.TakeWebAuthnChallenge(ctx, sessionHash, purpose, now)
	if errors.Is(err, store.ErrNotFound) {
		return sd, false, nil
	}
	if err != nil {
		return sd, false, fmt.Errorf("auth: security key challenge: %w", err)
	}
	if err := json.Unmarshal([]byte(data), &sd); err != nil {
		return sd, false, fmt.Errorf("auth: security key challenge: %w", err)
	}
	return sd, true, nil
}

// FinishKeyRegistration verifies the browser's answer (the JSON of the
// PublicKeyCredential) against the session's challenge and stores the key
// under name. A rejected answer is audited and returns ErrKeyRejected.
func (s *Service) FinishKeyRegistration(ctx context.Context, rp RelyingParty, u store.User, sessionToken, name string, response []byte, now time.Time) (store.WebAuthnCredential, error) {
	var k store.WebAuthnCredential
	name = strings.TrimSpace(name)
	keys, err := s.Keys(ctx, u.ID)
	if err != nil {
		return k, err
	}
	if err := checkKeyName(name, keys); err != nil {
		return k, err // the challenge stays: the person may correct the name
	}
	wa, err := s.relyingParty(rp)
	if err != nil {
		return k, err
	}
	session, ok, err := s.takeChallenge(ctx, hashSecret(sessionToken), purposeRegister, now)
	if err != nil {
		return k, err
	}
	reject := func(reason string) (store.WebAuthnCredential, error) {
		if err := s.auditKeyEvent(ctx, u.ID, audit.SecurityKeyAddFail, map[string]any{"reason": reason}, now); err != nil {
			return k, err
		}
		return k, ErrKeyRejected
	}
	if !ok {
		return reject("no pending challenge")
	}
	parsed, err := protocol.ParseCredentialCreationResponseBytes(response)
	if err != nil {
		return reject("unreadable response")
	}
	cred, err := wa.CreateCredential(keyUser{u: u, keys: keys}, session, parsed)
	if err != nil {
		return reject(ceremonyReason(err))
	}
	k = store.WebAuthnCredential{UserID: u.ID, CredentialID: cred.ID, PublicKey: cred.PublicKey,
		SignCount: cred.Authenticator.SignCount, Flags: byte(cred.Flags.ProtocolValue()), AAGUID: cred.Authenticator.AAGUID,
		AttestationFormat: cred.AttestationFormat, Name: name, Created: now}
	for _, t := range cred.Transport {
		k.Transports = append(k.Transports, string(t))
	}
	err = s.st.InTx(ctx, func(tx *store.Tx) (err error) {
		if k, err = tx.CreateWebAuthnCredential(ctx, k); err != nil {
			return err
		}
		_, err = s.log.Append(ctx, tx, audit.Event{At: now, Actor: audit.UserActor(u.ID), Action: audit.SecurityKeyAdd, Object: string(audit.UserActor(u.ID)),
			Details: map[string]any{"key": k.ID, "name": k.Name, "transports": strings.Join(k.Transports, ",")}})
		return err
	})
	if errors.Is(err, store.ErrConflict) {
		return k, &KeyNameError{Msg: "This security key is already registered."}
	}
	if err != nil {
		return k, fmt.Errorf("auth: add security key: %w", err)
	}
	return k, nil
}

// ceremonyReason is a short, fixed description of why the library refused
// an answer, for the audit log (its messages can quote client data).
func ceremonyReason(err error) string {
	var pe *protocol.Error
	if errors.As(err, &pe) && pe.Type != "" {
		return "verification failed: " + pe.Type
	}
	return "verification failed"
}

// RemoveKey deletes one of a user's security keys.
func (s *Service) RemoveKey(ctx context.Context, userID, keyID int64, now time.Time) error {
	err := s.st.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.DeleteWebAuthnCredential(ctx, userID, keyID); err != nil {
			return err
		}
		_, err := s.log.Append(ctx, tx, audit.Event{At: now, Actor: audit.UserActor(userID), Action: audit.SecurityKeyRemove,
			Object: string(audit.UserActor(userID)), Details: map[string]any{"key": keyID}})
		return err
	})
	if err != nil {
		return fmt.Errorf("auth: remove security key: %w", err)
	}
	return nil
}

// BeginKeyLogin starts the second factor with a security key for a session
// past the password step, and returns the options for
// navigator.credentials.get as JSON, listing the user's keys.
func (s *Service) BeginKeyLogin(ctx context.Context, rp RelyingParty, sessionToken string, now time.Time) ([]byte, error) {
	u, err := s.PendingUser(ctx, sessionToken, now)
	if err != nil {
		return nil, err
	}
	keys, err := s.Keys(ctx, u.ID)
	if err != nil {
		return nil, err
	}
	if len(keys) == 0 {
		return nil, ErrNoKeys
	}
	wa, err := s.relyingParty(rp)
	if err != nil {
		return nil, err
	}
	assertion, session, err := wa.BeginLogin(keyUser{u: u, keys: keys}, webauthn.WithUserVerification(protocol.VerificationPreferred))
	if err != nil {
		return nil, fmt.Errorf("auth: begin key sign-in: %w", err)
	}
	return s.putChallenge(ctx, sessionToken, purposeLogin, session, assertion, now)
}

// VerifyKey completes sign-in with a security key's assertion. Like a TOTP
// code it is counted towards lockout when it fails, and on success the
// session token is replaced. A signature counter that did not move forward
// (a cloned key, or a replayed assertion) is refused.
func (s *Service) VerifyKey(ctx context.Context, rp RelyingParty, sessionToken string, response []byte, now time.Time) (string, error) {
	sess, err := s.liveSession(ctx, sessionToken, now)
	if err != nil {
		return "", err
	}
	wa, err := s.relyingParty(rp)
	if err != nil {
		return "", err
	}
	// Taken before anything else, so that a failed answer uses it up too.
	session, pending, err := s.takeChallenge(ctx, sess.IDHash, purposeLogin, now)
	if err != nil {
		return "", err
	}
	return s.secondFactor(ctx, sessionToken, now, "webauthn", func(tx *store.Tx, u store.User) (bool, error) {
		if !pending {
			return false, nil
		}
		parsed, err := protocol.ParseCredentialRequestResponseBytes(response)
		if err != nil {
			return false, nil
		}
		keys, err := tx.WebAuthnCredentials(ctx, u.ID)
		if err != nil {
			return false, err
		}
		cred, err := wa.ValidateLogin(keyUser{u: u, keys: keys}, session, parsed)
		if err != nil || cred.Authenticator.CloneWarning {
			return false, nil
		}
		var used store.WebAuthnCredential
		for _, k := range keys {
			if bytes.Equal(k.CredentialID, cred.ID) {
				used = k
			}
		}
		if used.ID == 0 {
			return false, nil
		}
		err = tx.UseWebAuthnCredential(ctx, u.ID, used.ID, used.SignCount, cred.Authenticator.SignCount, now)
		if errors.Is(err, store.ErrConflict) {
			return false, nil // another sign-in moved the counter first
		}
		if err != nil {
			return false, err
		}
		_, err = s.log.Append(ctx, tx, audit.Event{At: now, Actor: audit.UserActor(u.ID), Action: audit.SecurityKeyUse, Object: string(audit.UserActor(u.ID)),
			Details: map[string]any{"key": used.ID, "sign_count": cred.Authenticator.SignCount}})
		return err == nil, err
	})
}

func (s *Service) auditKeyEvent(ctx context.Context, userID int64, action audit.Action, details map[string]any, now time.Time) error {
	err := s.st.InTx(ctx, func(tx *store.Tx) error {
		_, err := s.log.Append(ctx, tx, audit.Event{At: now, Actor: audit.UserActor(userID), Action: action, Object: string(audit.UserActor(userID)), Details: details})
		return err
	})
	if err != nil {
		return fmt.Errorf("auth: audit %s: %w", action, err)
	}
	return nil
}
