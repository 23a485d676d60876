package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base32"
	"encoding/hex"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

// TOTP settings: RFC 6238 defaults that every authenticator app supports.
const (
	totpPeriod = 30
	totpSkew   = 1 // steps accepted either side of now, for clock drift
)

var totpOpts = totp.ValidateOpts{Period: totpPeriod, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}

// Enrollment is what a user needs to add rcmguard to an authenticator app.
type Enrollment struct {
	Secret string // base32, 160 bits from crypto/rand
	URI    string // otpauth://totp/…
}

// NewTOTP makes a fresh secret for account (an e-mail address).
func NewTOTP(issuer, account string) (Enrollment, error) {
	key, err := totp.Generate(totp.GenerateOpts{
		Issuer: issuer, AccountName: account, Period: totpPeriod, SecretSize: 20,
		Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1, Rand: rand.Reader,
	})
	if err != nil {
		return Enrollment{}, fmt.Errorf("auth: totp secret: %w", err)
	}
	return Enrollment{Secret: key.Secret(), URI: enrolmentURI(issuer, account, key.Secret())}, nil
}

// enrolmentURI builds the otpauth URI (the Key URI Format that
// authenticator apps read from a QR code) for a secret.
func enrolmentURI(issuer, account, secret string) string {
	q := url.Values{}
	q.Set("secret", secret)
	q.Set("issuer", issuer)
	q.Set("algorithm", "SHA1")
	q.Set("digits", "6")
	q.Set("period", strconv.Itoa(totpPeriod))
	u := url.URL{Scheme: "otpauth", Host: "totp", Path: "/" + issuer + ":" + account, RawQuery: q.Encode()}
	return u.String()
}

// TOTPStep is the RFC 6238 time step of t.
func TOTPStep(t time.Time) int64 { return t.Unix() / totpPeriod }

// checkTOTP returns the time step whose code equals code, trying now and one
// step either side, comparing in constant time. The caller must still refuse
// a step at or before the last one used (replay).
func checkTOTP(secret, code string, now time.Time) (step int64, ok bool) {
	code = strings.TrimSpace(code)
	if len(code) != 6 {
		return 0, false
	}
	cur := TOTPStep(now)
	for s := cur - totpSkew; s <= cur+totpSkew; s++ {
		want, err := totp.GenerateCodeCustom(secret, time.Unix(s*totpPeriod, 0), totpOpts)
		if err != nil {
			return 0, false
		}
		if subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			step, ok = s, true
		}
	}
	return step, ok
}

// RecoveryCodeCount is how many one-time recovery codes a user gets.
const RecoveryCodeCount = 10

// NewRecoveryCodes returns codes to show the user once, and their hashes to
// store. Each code carries 130 random bits, above the 112 bits under which
// ASVS 6.5.2 would require a slow salted hash, so SHA-256 is enough.
func NewRecoveryCodes() (codes, hashes []string, err error) {
	enc := base32.StdEncoding.WithPadding(base32.NoPadding)
	for range RecoveryCodeCount {
		b := make([]byte, 17)
		if _, err := rand.Read(b); err != nil {
			return nil, nil, fmt.Errorf("auth: recovery code: %w", err)
		}
		s := strings.ToLower(enc.EncodeToString(b))[:26]
		codes = append(codes, s[0:5]+"-"+s[5:10]+"-"+s[10:15]+"-"+s[15:20]+"-"+s[20:26])
		hashes = append(hashes, hashRecoveryCode(s))
	}
	return codes, hashes, nil
}

// hashRecoveryCode hashes a code as typed, ignoring case, spaces and dashes.
func hashRecoveryCode(code string) string {
	c := strings.ToLower(strings.NewReplacer("-", "", " ", "").Replace(code))
	sum := sha256.Sum256([]byte("rcmguard recovery code\x00" + c))
	return hex.EncodeToString(sum[:])
}
