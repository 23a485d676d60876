package seal

import (
	"bytes"
	"crypto/rand"
	"errors"
	"io"
	"testing"
	"time"
)

func TestStreamRoundTripAndTamper(t *testing.T) {
	kr := NewKeyring(mustKey(t))
	data := make([]byte, 2*chunkSize+12345)
	rand.Read(data)
	var enc bytes.Buffer
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	if err := EncryptStream(&enc, bytes.NewReader(data), kr, "sqlite", now); err != nil {
		t.Fatal(err)
	}
	var dec bytes.Buffer
	h, err := DecryptStream(&dec, bytes.NewReader(enc.Bytes()), kr)
	if err != nil || !bytes.Equal(dec.Bytes(), data) || h.Kind != "sqlite" || !h.Created.Equal(now) {
		t.Fatalf("round trip: %v, equal=%v, header %+v", err, bytes.Equal(dec.Bytes(), data), h)
	}
	// Empty input still round-trips.
	var e2 bytes.Buffer
	EncryptStream(&e2, bytes.NewReader(nil), kr, "sqlite", now)
	if _, err := DecryptStream(io.Discard, &e2, kr); err != nil {
		t.Fatalf("empty stream: %v", err)
	}
	b := enc.Bytes()
	for _, pos := range []int{0, 20, 40, len(b) / 3, len(b) / 2, len(b) - 40, len(b) - 1} {
		bad := bytes.Clone(b)
		bad[pos] ^= 0x01
		if _, err := DecryptStream(io.Discard, bytes.NewReader(bad), kr); err == nil {
			t.Errorf("flipped byte %d accepted", pos)
		}
	}
	for _, cut := range []int{len(b) - 1, len(b) - 60, chunkSize + 100} {
		if _, err := DecryptStream(io.Discard, bytes.NewReader(b[:cut]), kr); !errors.Is(err, ErrBackupCorrupt) {
			t.Errorf("truncated at %d: %v; want ErrBackupCorrupt", cut, err)
		}
	}
	if _, err := DecryptStream(io.Discard, bytes.NewReader(append(bytes.Clone(b), 0)), kr); err == nil {
		t.Error("trailing data accepted")
	}
	if _, err := DecryptStream(io.Discard, bytes.NewReader(b), NewKeyring(mustKey(t))); !errors.Is(err, ErrUnknownKey) {
		t.Errorf("other key: %v; want ErrUnknownKey", err)
	}
}
