package seal

import (
	"errors"
	"strings"
	"testing"
)

func mustKey(t *testing.T) *Key {
	t.Helper()
	k, err := GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestSealOpenRoundTrip(t *testing.T) {
	r := NewKeyring(mustKey(t))
	s, err := r.Seal("users.totp_secret", []byte("canary-secret"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(s, "canary") {
		t.Fatalf("sealed value contains plaintext: %q", s)
	}
	got, err := r.Open("users.totp_secret", s)
	if err != nil || string(got) != "canary-secret" {
		t.Fatalf("Open = %q, %v; want canary-secret", got, err)
	}
	s2, _ := r.Seal("users.totp_secret", []byte("canary-secret"))
	if s == s2 {
		t.Fatal("two seals of the same value are equal; nonce not random")
	}
}

func TestOpenRejectsTamperingAndWrongField(t *testing.T) {
	r := NewKeyring(mustKey(t))
	s, _ := r.Seal("a", []byte("hello world"))
	if _, err := r.Open("b", s); !errors.Is(err, ErrIntegrity) {
		t.Fatalf("Open with other aad: %v; want ErrIntegrity", err)
	}
	for i := len(prefix) + 9; i < len(s); i++ {
		b := []byte(s)
		if b[i] == 'A' {
			b[i] = 'B'
		} else {
			b[i] = 'A'
		}
		if _, err := r.Open("a", string(b)); err == nil {
			t.Fatalf("flipping byte %d went unnoticed", i)
		}
	}
}

func TestRotationKeepsOldValuesReadable(t *testing.T) {
	old, cur := mustKey(t), mustKey(t)
	s, _ := NewKeyring(old).Seal("f", []byte("x"))
	r := NewKeyring(cur, old)
	if got, err := r.Open("f", s); err != nil || string(got) != "x" {
		t.Fatalf("Open old value = %q, %v", got, err)
	}
	if _, err := NewKeyring(cur).Open("f", s); !errors.Is(err, ErrUnknownKey) {
		t.Fatalf("Open without old key: %v; want ErrUnknownKey", err)
	}
	id, _ := KeyID(s)
	if id != old.ID() {
		t.Fatalf("KeyID = %s; want %s", id, old.ID())
	}
}

func TestKeyFileAndEnv(t *testing.T) {
	a, b := mustKey(t), mustKey(t)
	data := FormatKeyFile(NewKeyring(a, b))
	r, err := ParseKeyFile(data)
	if err != nil {
		t.Fatal(err)
	}
	if r.Current().ID() != a.ID() || len(r.Keys()) != 2 {
		t.Fatalf("parsed keyring: current %s, %d keys", r.Current().ID(), len(r.Keys()))
	}
	env := map[string]string{"RCMGUARD_KEY": a.Encode()}
	r, err = Load("", func(k string) string { return env[k] })
	if err != nil || r.Current().ID() != a.ID() {
		t.Fatalf("Load from env: %v", err)
	}
	if _, err := Load("", func(string) string { return "" }); !errors.Is(err, ErrNoKey) {
		t.Fatalf("Load with nothing: %v; want ErrNoKey", err)
	}
	if _, err := ParseKey("c2hvcnQ="); err == nil {
		t.Fatal("short key accepted")
	}
	if _, err := ParseKey("not base64 !!"); err == nil || strings.Contains(err.Error(), "!!") {
		t.Fatalf("bad key error = %v", err)
	}
}
