package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/argon2"
	"golang.org/x/text/unicode/norm"
)

// Params are argon2id cost parameters. They are stored in every hash (PHC
// string format) so they can be raised later: hashes made with weaker
// parameters are re-hashed at the next successful sign-in.
type Params struct {
	Memory  uint32 // KiB
	Time    uint32
	Threads uint8
}

// DefaultParams are t=2, m=64 MiB, p=1: above OWASP ASVS 5.0 Appendix C's
// minimum (t=2 needs m ≥ 19 MiB) as security-reliability.md §4 asks.
var DefaultParams = Params{Memory: 64 * 1024, Time: 2, Threads: 1}

const (
	saltLen = 16
	hashLen = 32
)

// ErrMalformedHash means a stored hash is not an argon2id PHC string.
var ErrMalformedHash = errors.New("auth: malformed password hash")

// normalize is the one place passwords are put in canonical form: NFKC, so
// the same passphrase typed on two keyboards hashes alike (NIST 800-63B-4).
// Nothing is trimmed or case-folded: the password is verified as received.
func normalize(pw string) string { return norm.NFKC.String(pw) }

// deriveKey is the one place argon2id runs. Callers hold a HashGate slot
// (Service.hash and Service.verify take it), so the memory the
// computations need at once stays bounded.
func deriveKey(pw string, salt []byte, p Params, keyLen uint32) []byte {
	hashStarted()
	defer hashDone()
	return argon2.IDKey([]byte(normalize(pw)), salt, p.Time, p.Memory, p.Threads, keyLen)
}

// hashPassword returns the PHC-format argon2id hash of pw.
func hashPassword(pw string, p Params) (string, error) {
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("auth: salt: %w", err)
	}
	key := deriveKey(pw, salt, p, hashLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.Memory, p.Time, p.Threads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key)), nil
}

// verifyPassword reports whether pw matches the PHC hash, and whether the
// hash should be replaced because its parameters are below want.
func verifyPassword(pw, phc string, want Params) (ok, rehash bool, err error) {
	p, salt, key, err := parsePHC(phc)
	if err != nil {
		return false, false, err
	}
	got := deriveKey(pw, salt, p, uint32(len(key)))
	ok = subtle.ConstantTimeCompare(got, key) == 1
	rehash = p.Memory < want.Memory || p.Time < want.Time || p.Threads < want.Threads
	return ok, rehash, nil
}

func parsePHC(phc string) (p Params, salt, key []byte, err error) {
	parts := strings.Split(phc, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return p, nil, nil, ErrMalformedHash
	}
	var v int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &v); err != nil || v != argon2.Version {
		return p, nil, nil, ErrMalformedHash
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.Memory, &p.Time, &p.Threads); err != nil ||
		p.Time == 0 || p.Threads == 0 || p.Memory < 8*uint32(p.Threads) {
		return p, nil, nil, ErrMalformedHash
	}
	if salt, err = base64.RawStdEncoding.DecodeString(parts[4]); err != nil || len(salt) < 8 {
		return p, nil, nil, ErrMalformedHash
	}
	if key, err = base64.RawStdEncoding.DecodeString(parts[5]); err != nil || len(key) < 16 {
		return p, nil, nil, ErrMalformedHash
	}
	return p, salt, key, nil
}
