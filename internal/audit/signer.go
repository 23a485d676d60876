package audit

import (
	"crypto/ed25519"
	"encoding/base64"
	"fmt"

	"rcmguard/internal/seal"
	"rcmguard/internal/store"
)

// Why Ed25519 and not an HMAC under the data key: both stop someone who can
// write to the database but does not hold the key from forging a head or a
// checkpoint. A signature also lets a third party (an auditor, a witness
// holding exported checkpoints) check them with only the public key, which
// an HMAC cannot offer without handing over the secret. The signing key is
// derived from the data key with HKDF, so there is still one secret file.

const (
	kindHead       = "head"
	kindCheckpoint = "checkpoint"
)

func signingKey(k *seal.Key) (ed25519.PrivateKey, error) {
	seed, err := k.Derive("rcmguard audit signing v1", ed25519.SeedSize)
	if err != nil {
		return nil, fmt.Errorf("audit: signing key: %w", err)
	}
	return ed25519.NewKeyFromSeed(seed), nil
}

// PublicKey returns the current checkpoint-verification key, safe to share.
func (l *Log) PublicKey() (ed25519.PublicKey, error) {
	priv, err := signingKey(l.kr.Current())
	if err != nil {
		return nil, err
	}
	return priv.Public().(ed25519.PublicKey), nil
}

func sealMessage(kind string, s store.AuditSeal) []byte {
	return fmt.Appendf(nil, "rcmguard-audit-seal-v1\n%s\n%d\n%s\n", kind, s.Seq, s.Hash)
}

func (l *Log) sign(kind string, s store.AuditSeal) (keyID, sig string, err error) {
	k := l.kr.Current()
	priv, err := signingKey(k)
	if err != nil {
		return "", "", err
	}
	return k.ID(), base64.StdEncoding.EncodeToString(ed25519.Sign(priv, sealMessage(kind, s))), nil
}

func (l *Log) verifySig(kind string, s store.AuditSeal) bool {
	k, ok := l.kr.Key(s.KeyID)
	if !ok {
		return false
	}
	priv, err := signingKey(k)
	if err != nil {
		return false
	}
	sig, err := base64.StdEncoding.DecodeString(s.Signature)
	if err != nil {
		return false
	}
	return ed25519.Verify(priv.Public().(ed25519.PublicKey), sealMessage(kind, s), sig)
}

// keyHint explains a signature that fails because its key is not in the
// key file, the usual cause after a rotation the reader has not caught up
// with, rather than leaving it to look like tampering alone.
func (l *Log) keyHint(s store.AuditSeal) string {
	if s.KeyID == "" {
		return ""
	}
	if _, ok := l.kr.Key(s.KeyID); ok {
		return ""
	}
	return fmt.Sprintf(" (it is signed with key %s, which is not in this key file)", s.KeyID)
}
