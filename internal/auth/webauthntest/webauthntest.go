// Package webauthntest is a software security key for tests: it answers
// the options the server sends for navigator.credentials.create and .get
// the way a browser and a CTAP2 authenticator would, with an ECDSA P-256
// key, "none" attestation and a signature counter the test can wind back.
package webauthntest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/go-webauthn/webauthn/protocol/webauthncbor"
)

var b64 = base64.RawURLEncoding

// Authenticator flags (WebAuthn §6.1).
const (
	flagUP = 0x01
	flagUV = 0x04
	flagAT = 0x40
)

// Authenticator is one software key. Origin is what the pretend browser
// reports as the page's origin; RPID, when set, overrides the RP ID the key
// hashes into its answers (to play a phishing site).
type Authenticator struct {
	Origin  string
	RPID    string
	ID      []byte
	Counter uint32
	key     *ecdsa.PrivateKey
}

// New returns a key with a random credential ID, answering as origin.
func New(origin string) (*Authenticator, error) {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	id := make([]byte, 32)
	if _, err := rand.Read(id); err != nil {
		return nil, err
	}
	return &Authenticator{Origin: origin, ID: id, key: k}, nil
}

// options is the part of the server's options the key needs.
type options struct {
	PublicKey struct {
		Challenge string `json:"challenge"`
		RPID      string `json:"rpId"`
		RP        struct {
			ID string `json:"id"`
		} `json:"rp"`
		User struct {
			ID string `json:"id"`
		} `json:"user"`
	} `json:"publicKey"`
}

func (a *Authenticator) parse(raw []byte) (options, string, error) {
	var o options
	if err := json.Unmarshal(raw, &o); err != nil {
		return o, "", fmt.Errorf("webauthntest: options: %w", err)
	}
	if o.PublicKey.Challenge == "" {
		return o, "", errors.New("webauthntest: options carry no challenge")
	}
	rp := o.PublicKey.RP.ID
	if rp == "" {
		rp = o.PublicKey.RPID
	}
	if a.RPID != "" {
		rp = a.RPID
	}
	return o, rp, nil
}

func (a *Authenticator) clientData(typ, challenge string) []byte {
	b, _ := json.Marshal(map[string]any{"type": typ, "challenge": challenge, "origin": a.Origin, "crossOrigin": false})
	return b
}

func authData(rpID string, flags byte, counter uint32, attested []byte) []byte {
	h := sha256.Sum256([]byte(rpID))
	out := append(h[:], flags)
	out = binary.BigEndian.AppendUint32(out, counter)
	return append(out, attested...)
}

// Create answers registration options with the JSON a browser posts back.
func (a *Authenticator) Create(raw []byte) ([]byte, error) {
	o, rp, err := a.parse(raw)
	if err != nil {
		return nil, err
	}
	pub := a.key.PublicKey
	x, y := make([]byte, 32), make([]byte, 32)
	pub.X.FillBytes(x)
	pub.Y.FillBytes(y)
	cose, err := webauthncbor.Marshal(map[int]any{1: 2, 3: -7, -1: 1, -2: x, -3: y})
	if err != nil {
		return nil, err
	}
	attested := make([]byte, 16) // AAGUID: all zero, as software keys report
	attested = binary.BigEndian.AppendUint16(attested, uint16(len(a.ID)))
	attested = append(append(attested, a.ID...), cose...)
	att, err := webauthncbor.Marshal(map[string]any{"fmt": "none", "attStmt": map[string]any{},
		"authData": authData(rp, flagUP|flagUV|flagAT, a.Counter, attested)})
	if err != nil {
		return nil, err
	}
	return json.Marshal(map[string]any{
		"id": b64.EncodeToString(a.ID), "rawId": b64.EncodeToString(a.ID), "type": "public-key",
		"response": map[string]any{
			"clientDataJSON":    b64.EncodeToString(a.clientData("webauthn.create", o.PublicKey.Challenge)),
			"attestationObject": b64.EncodeToString(att),
			"transports":        []string{"usb"},
		},
		"clientExtensionResults": map[string]any{},
	})
}

// Get answers sign-in options with the JSON a browser posts back, moving
// the signature counter on by one first.
func (a *Authenticator) Get(raw []byte) ([]byte, error) {
	o, rp, err := a.parse(raw)
	if err != nil {
		return nil, err
	}
	a.Counter++
	ad := authData(rp, flagUP|flagUV, a.Counter, nil)
	cd := a.clientData("webauthn.get", o.PublicKey.Challenge)
	h := sha256.Sum256(cd)
	digest := sha256.Sum256(append(append([]byte{}, ad...), h[:]...))
	sig, err := ecdsa.SignASN1(rand.Reader, a.key, digest[:])
	if err != nil {
		return nil, err
	}
	return json.Marshal(map[string]any{
		"id": b64.EncodeToString(a.ID), "rawId": b64.EncodeToString(a.ID), "type": "public-key",
		"response": map[string]any{
			"clientDataJSON":    b64.EncodeToString(cd),
			"authenticatorData": b64.EncodeToString(ad),
			"signature":         b64.EncodeToString(sig),
		},
		"clientExtensionResults": map[string]any{},
	})
}
