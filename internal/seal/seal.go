// Package seal encrypts sensitive fields at rest with AES-256-GCM under a
// keyring loaded from a key file or the environment. Every sealed value names
// the key that sealed it, so keys can rotate while old values stay readable
// until they are re-sealed.
package seal

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"runtime"
	"strings"
)

// KeySize is the size of a master key in bytes (AES-256).
const KeySize = 32

// prefix marks the sealed-value format version; a new format gets a new prefix.
const prefix = "s1."

var (
	// ErrUnknownKey means a sealed value names a key that is not in the keyring.
	ErrUnknownKey = errors.New("seal: value sealed with a key that is not in the keyring")
	// ErrIntegrity means a sealed value was altered or belongs to another field.
	ErrIntegrity = errors.New("seal: sealed value failed its integrity check")
	// ErrNoKey means no key was configured.
	ErrNoKey = errors.New("seal: no key configured (use --key-file, RCMGUARD_KEY or RCMGUARD_KEY_FILE)")
)

// Key is one 256-bit master key. Purpose-specific keys (field encryption,
// audit signing, backups) are derived from it with HKDF so that one secret
// file is all an administrator has to keep, yet no two uses share a key.
type Key struct {
	id     string
	master []byte
	field  cipher.AEAD
}

// NewKey wraps raw key bytes.
func NewKey(raw []byte) (*Key, error) {
	if len(raw) != KeySize {
		return nil, fmt.Errorf("seal: key must be %d bytes, got %d", KeySize, len(raw))
	}
	master := bytes.Clone(raw)
	sum := sha256.Sum256(append([]byte("rcmguard key id\x00"), master...))
	k := &Key{id: hex.EncodeToString(sum[:4]), master: master}
	fk, err := k.Derive("rcmguard field encryption v1", 32)
	if err != nil {
		return nil, err
	}
	k.field, err = newGCM(fk)
	if err != nil {
		return nil, err
	}
	return k, nil
}

// GenerateKey returns a fresh random key.
func GenerateKey() (*Key, error) {
	raw := make([]byte, KeySize)
	if _, err := rand.Read(raw); err != nil {
		return nil, fmt.Errorf("seal: generate key: %w", err)
	}
	return NewKey(raw)
}

// ID is a short public fingerprint of the key; it reveals nothing about it.
func (k *Key) ID() string { return k.id }

// Encode returns the key in the key-file format (standard base64).
func (k *Key) Encode() string { return base64.StdEncoding.EncodeToString(k.master) }

// Derive returns n bytes of key material for one named purpose.
func (k *Key) Derive(purpose string, n int) ([]byte, error) {
	b, err := hkdf.Key(sha256.New, k.master, nil, purpose, n)
	if err != nil {
		return nil, fmt.Errorf("seal: derive key: %w", err)
	}
	return b, nil
}

func newGCM(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("seal: %w", err)
	}
	g, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("seal: %w", err)
	}
	return g, nil
}

// Keyring holds the current key, which seals, and previous keys, which only
// open values not yet re-sealed.
type Keyring struct {
	keys []*Key // keys[0] is current
}

// NewKeyring returns a keyring whose first key is current.
func NewKeyring(current *Key, previous ...*Key) *Keyring {
	ks := []*Key{current}
	for _, p := range previous {
		if p.id != current.id {
			ks = append(ks, p)
		}
	}
	return &Keyring{keys: ks}
}

// Current is the key used for sealing and signing.
func (r *Keyring) Current() *Key { return r.keys[0] }

// Keys returns every key, current first.
func (r *Keyring) Keys() []*Key { return append([]*Key(nil), r.keys...) }

// Key returns the key with the given ID.
func (r *Keyring) Key(id string) (*Key, bool) {
	for _, k := range r.keys {
		if k.id == id {
			return k, true
		}
	}
	return nil, false
}

// Seal encrypts plaintext for the field named by aad (for example
// "users.totp_secret"); the name is authenticated so a value copied into
// another column does not open there.
func (r *Keyring) Seal(aad string, plaintext []byte) (string, error) {
	k := r.Current()
	nonce := make([]byte, k.field.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return "", fmt.Errorf("seal: nonce: %w", err)
	}
	out := k.field.Seal(nonce, nonce, plaintext, []byte(aad))
	return prefix + k.id + "." + base64.RawURLEncoding.EncodeToString(out), nil
}

// Open decrypts a value produced by Seal with the same aad.
func (r *Keyring) Open(aad, sealed string) ([]byte, error) {
	id, body, err := split(sealed)
	if err != nil {
		return nil, err
	}
	k, ok := r.Key(id)
	if !ok {
		return nil, fmt.Errorf("%w (key %s)", ErrUnknownKey, id)
	}
	raw, err := base64.RawURLEncoding.DecodeString(body)
	if err != nil || len(raw) < k.field.NonceSize()+k.field.Overhead() {
		return nil, ErrIntegrity
	}
	ns := k.field.NonceSize()
	pt, err := k.field.Open(nil, raw[:ns], raw[ns:], []byte(aad))
	if err != nil {
		return nil, ErrIntegrity
	}
	return pt, nil
}

// KeyID returns the ID of the key a sealed value was sealed with.
func KeyID(sealed string) (string, error) {
	id, _, err := split(sealed)
	return id, err
}

func split(sealed string) (id, body string, err error) {
	rest, ok := strings.CutPrefix(sealed, prefix)
	if !ok {
		return "", "", ErrIntegrity
	}
	id, body, ok = strings.Cut(rest, ".")
	if !ok || id == "" {
		return "", "", ErrIntegrity
	}
	return id, body, nil
}

// ParseKeyFile reads a key file: one base64 key per line, the first being
// current and any others previous; blank lines and lines starting with '#'
// are ignored.
func ParseKeyFile(data []byte) (*Keyring, error) {
	var keys []*Key
	for n, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, err := ParseKey(line)
		if err != nil {
			return nil, fmt.Errorf("seal: key file line %d: %w", n+1, err)
		}
		keys = append(keys, k)
	}
	if len(keys) == 0 {
		return nil, ErrNoKey
	}
	return NewKeyring(keys[0], keys[1:]...), nil
}

// ParseKey decodes one base64 key.
func ParseKey(s string) (*Key, error) {
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(s))
	if err != nil {
		// Do not wrap: the decoder's message can quote key bytes.
		return nil, errors.New("seal: key is not valid base64")
	}
	return NewKey(raw)
}

// LoadKeyFile reads a key file from disk. Like ssh with a private key, it
// refuses a file that group or others may read or change (a
// *PermissionError), unless AllowInsecurePermissions is given.
func LoadKeyFile(path string, opts ...LoadOption) (*Keyring, error) {
	var cfg loadConfig
	for _, o := range opts {
		o(&cfg)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("seal: read key file: %w", err)
	}
	defer f.Close()
	// Checked on the open file, so the answer is about what is read.
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("seal: read key file: %w", err)
	}
	if perr := checkPermissions(path, fi); perr != nil {
		if cfg.insecure == nil {
			return nil, perr
		}
		cfg.insecure(perr)
	}
	// A key file is a few lines; a device or a huge file is a mistake.
	data, err := io.ReadAll(io.LimitReader(f, maxKeyFile+1))
	if err != nil {
		return nil, fmt.Errorf("seal: read key file: %w", err)
	}
	if len(data) > maxKeyFile {
		return nil, fmt.Errorf("seal: key file %s is larger than %d bytes; it is not a key file", path, maxKeyFile)
	}
	return ParseKeyFile(data)
}

// maxKeyFile bounds a key file: hundreds of rotated keys fit.
const maxKeyFile = 64 << 10

// PermissionError reports a key file that people other than its owner may
// read or change. Whoever can read the key can read every sealed field and
// forge the audit log's signatures.
type PermissionError struct {
	Path string
	Mode fs.FileMode
}

func (e *PermissionError) Error() string {
	return fmt.Sprintf("seal: key file %s is open to group or others (mode %04o); allow its owner alone with: chmod 600 %s",
		e.Path, e.Mode.Perm(), e.Path)
}

// checkPermissions applies to regular files: a pipe or a descriptor handed
// over by a service manager has no permissions on disk to get wrong. On
// Windows the mode bits do not describe access.
func checkPermissions(path string, fi fs.FileInfo) *PermissionError {
	if runtime.GOOS == "windows" || !fi.Mode().IsRegular() || fi.Mode().Perm()&0o077 == 0 {
		return nil
	}
	return &PermissionError{Path: path, Mode: fi.Mode()}
}

// LoadOption changes how a key file is loaded.
type LoadOption func(*loadConfig)

type loadConfig struct {
	insecure func(*PermissionError)
}

// AllowInsecurePermissions loads a key file that group or others may read,
// after passing what is wrong with it to warn, which must not be nil.
func AllowInsecurePermissions(warn func(*PermissionError)) LoadOption {
	return func(c *loadConfig) { c.insecure = warn }
}

// Load finds the keyring: the key file path when given, else the
// RCMGUARD_KEY variable (the key itself), else RCMGUARD_KEY_FILE. Key files
// are loaded as LoadKeyFile does, with opts.
func Load(keyFile string, getenv func(string) string, opts ...LoadOption) (*Keyring, error) {
	switch {
	case keyFile != "":
		return LoadKeyFile(keyFile, opts...)
	case getenv("RCMGUARD_KEY") != "":
		return ParseKeyFile([]byte(getenv("RCMGUARD_KEY")))
	case getenv("RCMGUARD_KEY_FILE") != "":
		return LoadKeyFile(getenv("RCMGUARD_KEY_FILE"), opts...)
	}
	return nil, ErrNoKey
}

// FormatKeyFile renders keys in the key-file format, current first.
func FormatKeyFile(r *Keyring) []byte {
	var b strings.Builder
	b.WriteString("# rcmguard data key: first line current, later lines previous keys.\n")
	for _, k := range r.keys {
		b.WriteString(k.Encode())
		b.WriteByte('\n')
	}
	return []byte(b.String())
}
