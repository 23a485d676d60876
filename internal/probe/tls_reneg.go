package probe

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/ecdh"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
	"io"
	"net"
	"slices"
)

// Client-initiated renegotiation, as testssl.sh tests it: a client that
// may start a new handshake on an established connection at will makes
// the server do the expensive half of a key exchange for each one, over a
// single TCP connection (a DoS that rate limits per connection do not
// see); without RFC 5746 it is also the CVE-2009-3555 injection.
//
// Testing it needs what the rest of the probe avoids: a completed
// handshake, so that a second ClientHello can be sent encrypted. Go's
// crypto/tls cannot initiate renegotiation, so this file completes a
// TLS 1.2 handshake by hand with the one family every TLS 1.2 server
// keeps — ECDHE with AES-GCM (RFC 5288, 5289) — then sends the new hello
// and reads whether the server answers it with a ServerHello or refuses
// (a no_renegotiation alert, another alert, or closing). The server's
// certificate is not verified: nothing is sent but hellos.

// renegSuites are the suites the handshake may use, with the PRF hash and
// key length each needs.
var renegSuites = map[uint16]struct {
	sha384 bool
	keyLen int
}{
	0xC02B: {false, 16}, // TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256
	0xC02F: {false, 16}, // TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256
	0xC02C: {true, 32},  // TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384
	0xC030: {true, 32},  // TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384
}

// renegCurves are the groups the handshake offers, those crypto/ecdh has.
var renegCurves = map[uint16]ecdh.Curve{
	groupX25519: ecdh.X25519(), 23: ecdh.P256(), 24: ecdh.P384(), 25: ecdh.P521(),
}

const (
	hsCertificateRequest = 13
	hsClientKeyExchange  = 16
	hsFinished           = 20
)

// errRenegUntested says the handshake could not be completed with what
// the probe implements, so nothing is known about renegotiation.
var errRenegUntested = errors.New("probe: no ECDHE AES-GCM suite at TLS 1.2 to complete a handshake with")

// clientRenegotiation completes a TLS 1.2 handshake with one of suites
// (those the server accepted) and asks to renegotiate. It reports whether
// the server began a new handshake.
func clientRenegotiation(ctx context.Context, dialer dialFunc, serverName string, suites []uint16, opts Options) (bool, error) {
	var offer []uint16
	for _, s := range suites {
		if _, ok := renegSuites[s]; ok {
			offer = append(offer, s)
		}
	}
	if len(offer) == 0 {
		return false, errRenegUntested
	}
	c, err := dialer(ctx)
	if err != nil {
		return false, dialError{err}
	}
	defer c.Close()
	deadline(c, opts)
	rc := &recordConn{c: c}

	var clientRandom [32]byte
	_, _ = rand.Read(clientRandom[:])
	hello := renegHello(clientRandom, offer, serverName, []byte{})
	transcript := slices.Clone(hello)
	if err := rc.write(recordHandshake, hello); err != nil {
		return false, fmt.Errorf("probe: renegotiation: send client hello: %w", err)
	}

	// The server's flight, through ServerHelloDone.
	var sh serverHello
	var serverRandom, ske []byte
	certRequested := false
	for done := false; !done; {
		typ, body, raw, err := rc.readHandshake()
		if err != nil {
			return false, fmt.Errorf("probe: renegotiation: %w", err)
		}
		transcript = append(transcript, raw...)
		switch typ {
		case hsServerHello:
			if sh, err = parseServerHello(body); err != nil {
				return false, err
			}
			serverRandom = slices.Clone(body[2:34])
		case hsServerKeyExchange:
			ske = slices.Clone(body)
		case hsCertificateRequest:
			certRequested = true
		case hsServerHelloDone:
			done = true
		}
	}
	suite, ok := renegSuites[sh.suite]
	if serverRandom == nil || sh.version != versionTLS12 || !ok || !slices.Contains(offer, sh.suite) {
		return false, errRenegUntested
	}
	if len(ske) < 4 || ske[0] != 3 {
		return false, fmt.Errorf("probe: renegotiation: server key exchange without a named curve")
	}
	curve, ok := renegCurves[binary.BigEndian.Uint16(ske[1:])]
	n := int(ske[3])
	if !ok || len(ske) < 4+n {
		return false, errRenegUntested
	}
	peer, err := curve.NewPublicKey(ske[4 : 4+n])
	if err != nil {
		return false, fmt.Errorf("probe: renegotiation: server key share: %w", err)
	}
	priv, err := curve.GenerateKey(rand.Reader)
	if err != nil {
		return false, fmt.Errorf("probe: renegotiation: key share: %w", err)
	}
	preMaster, err := priv.ECDH(peer)
	if err != nil {
		return false, fmt.Errorf("probe: renegotiation: key agreement: %w", err)
	}

	// Our flight: an empty certificate when asked, the key exchange,
	// ChangeCipherSpec and Finished.
	if certRequested {
		msg := handshakeMessage(hsCertificate, []byte{0, 0, 0})
		transcript = append(transcript, msg...)
		if err := rc.write(recordHandshake, msg); err != nil {
			return false, err
		}
	}
	pub := priv.PublicKey().Bytes()
	cke := handshakeMessage(hsClientKeyExchange, append([]byte{byte(len(pub))}, pub...))
	transcript = append(transcript, cke...)
	if err := rc.write(recordHandshake, cke); err != nil {
		return false, err
	}
	newHash := sha256.New
	if suite.sha384 {
		newHash = sha512.New384
	}
	master := prf12(newHash, preMaster, "master secret", slices.Concat(clientRandom[:], serverRandom), 48)
	kb := prf12(newHash, master, "key expansion", slices.Concat(serverRandom, clientRandom[:]), 2*suite.keyLen+8)
	if rc.out, err = newGCM(kb[:suite.keyLen], kb[2*suite.keyLen:2*suite.keyLen+4]); err != nil {
		return false, err
	}
	if rc.in, err = newGCM(kb[suite.keyLen:2*suite.keyLen], kb[2*suite.keyLen+4:]); err != nil {
		return false, err
	}
	clientVerify := prf12(newHash, master, "client finished", digest(newHash, transcript), 12)
	fin := handshakeMessage(hsFinished, clientVerify)
	transcript = append(transcript, fin...)
	if err := rc.writeCCS(); err != nil {
		return false, err
	}
	if err := rc.write(recordHandshake, fin); err != nil {
		return false, err
	}
	typ, body, _, err := rc.readHandshake()
	if err != nil {
		return false, fmt.Errorf("probe: renegotiation: server finished: %w", err)
	}
	serverVerify := prf12(newHash, master, "server finished", digest(newHash, transcript), 12)
	if typ != hsFinished || !hmac.Equal(body, serverVerify) {
		return false, fmt.Errorf("probe: renegotiation: the server's Finished does not verify")
	}

	// The handshake is complete: ask for another. With RFC 5746 the
	// hello carries both Finished values' client half; without, nothing.
	var info []byte
	if sh.secureRenegotiation {
		info = clientVerify
	}
	_, _ = rand.Read(clientRandom[:])
	if err := rc.write(recordHandshake, renegHello(clientRandom, offer, serverName, info)); err != nil {
		// A server that closed at once refused.
		return false, nil
	}
	for records := 0; records < 8; records++ {
		typ, frag, err := rc.read()
		if err != nil {
			// Closing the connection, or never answering until the
			// deadline, is a refusal.
			return false, nil
		}
		switch typ {
		case recordHandshake:
			return len(frag) > 0 && frag[0] == hsServerHello, nil
		case recordAlert:
			return false, nil
		}
	}
	return false, nil
}

// renegHello is a TLS 1.2 ClientHello message (without its record) for
// the handshake and the renegotiation. info is the renegotiation_info
// payload: empty (not nil) on the first handshake, the client's
// verify_data on a secure renegotiation, nil (no extension) on an
// insecure one. The SCSV is
// never sent: a renegotiating hello must not carry it.
func renegHello(random [32]byte, suites []uint16, serverName string, info []byte) []byte {
	var ext []byte
	add := func(typ uint16, data []byte) {
		ext = binary.BigEndian.AppendUint16(ext, typ)
		ext = binary.BigEndian.AppendUint16(ext, uint16(len(data)))
		ext = append(ext, data...)
	}
	if serverName != "" && net.ParseIP(serverName) == nil {
		var d []byte
		d = binary.BigEndian.AppendUint16(d, uint16(len(serverName)+3))
		d = append(d, 0)
		d = binary.BigEndian.AppendUint16(d, uint16(len(serverName)))
		add(extServerName, append(d, serverName...))
	}
	add(extSupportedGroups, uint16List([]uint16{groupX25519, 23, 24, 25}))
	add(extECPointFormats, []byte{1, 0})
	add(extSignatureAlgorithms, uint16List([]uint16{0x0403, 0x0503, 0x0603, 0x0804, 0x0805, 0x0806, 0x0401, 0x0501, 0x0601, 0x0203, 0x0201}))
	if info != nil {
		add(extRenegotiationInfo, append([]byte{byte(len(info))}, info...))
	}
	body := binary.BigEndian.AppendUint16(nil, versionTLS12)
	body = append(body, random[:]...)
	body = append(body, 0) // no session to resume
	body = append(body, uint16List(suites)...)
	body = append(body, 1, 0)
	body = binary.BigEndian.AppendUint16(body, uint16(len(ext)))
	body = append(body, ext...)
	return handshakeMessage(hsClientHello, body)
}

func handshakeMessage(typ byte, body []byte) []byte {
	return append(appendUint24([]byte{typ}, len(body)), body...)
}

func digest(h func() hash.Hash, b []byte) []byte {
	d := h()
	d.Write(b)
	return d.Sum(nil)
}

// prf12 is TLS 1.2's PRF (RFC 5246 section 5): P_hash(secret, label+seed).
func prf12(h func() hash.Hash, secret []byte, label string, seed []byte, n int) []byte {
	seed = append([]byte(label), seed...)
	out := make([]byte, 0, n+64)
	mac := hmac.New(h, secret)
	mac.Write(seed)
	a := mac.Sum(nil)
	for len(out) < n {
		mac.Reset()
		mac.Write(a)
		mac.Write(seed)
		out = mac.Sum(out)
		mac.Reset()
		mac.Write(a)
		a = mac.Sum(nil)
	}
	return out[:n]
}

// gcmState protects one direction of a TLS 1.2 AES-GCM connection
// (RFC 5288): a 4-byte implicit salt, an 8-byte explicit nonce per
// record, the sequence number in the additional data.
type gcmState struct {
	aead cipher.AEAD
	salt []byte
	seq  uint64
}

func newGCM(key, salt []byte) (*gcmState, error) {
	b, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("probe: renegotiation: %w", err)
	}
	g, err := cipher.NewGCM(b)
	if err != nil {
		return nil, fmt.Errorf("probe: renegotiation: %w", err)
	}
	return &gcmState{aead: g, salt: slices.Clone(salt)}, nil
}

func (g *gcmState) additional(typ byte, n int) []byte {
	ad := binary.BigEndian.AppendUint64(nil, g.seq)
	ad = append(ad, typ, 3, 3)
	return binary.BigEndian.AppendUint16(ad, uint16(n))
}

// recordConn reads and writes TLS 1.2 records, in clear until the
// ChangeCipherSpec of each direction and with AES-GCM after it.
type recordConn struct {
	c       net.Conn
	in, out *gcmState
	readOn  bool // the server's ChangeCipherSpec was read
	writeOn bool // ours was sent
	hs      []byte
}

func (r *recordConn) write(typ byte, frag []byte) error {
	if r.writeOn {
		explicit := binary.BigEndian.AppendUint64(nil, r.out.seq)
		nonce := append(slices.Clone(r.out.salt), explicit...)
		frag = r.out.aead.Seal(explicit, nonce, frag, r.out.additional(typ, len(frag)))
		r.out.seq++
	}
	rec := binary.BigEndian.AppendUint16([]byte{typ}, versionTLS12)
	rec = binary.BigEndian.AppendUint16(rec, uint16(len(frag)))
	_, err := r.c.Write(append(rec, frag...))
	return err
}

func (r *recordConn) writeCCS() error {
	if err := r.write(recordChangeCipherSpec, []byte{1}); err != nil {
		return err
	}
	r.writeOn = true
	return nil
}

// read returns the next record other than ChangeCipherSpec, decrypted.
func (r *recordConn) read() (byte, []byte, error) {
	hdr := make([]byte, 5)
	for {
		if _, err := io.ReadFull(r.c, hdr); err != nil {
			return 0, nil, err
		}
		typ, n := hdr[0], int(binary.BigEndian.Uint16(hdr[3:]))
		if hdr[1] != 3 || n > maxRecord {
			return 0, nil, errNotTLS
		}
		frag := make([]byte, n)
		if _, err := io.ReadFull(r.c, frag); err != nil {
			return 0, nil, err
		}
		if typ == recordChangeCipherSpec {
			if r.in == nil || r.readOn {
				return 0, nil, fmt.Errorf("unexpected ChangeCipherSpec")
			}
			r.readOn = true
			continue
		}
		if r.readOn {
			if len(frag) < 8+16 {
				return 0, nil, fmt.Errorf("short encrypted record")
			}
			nonce := append(slices.Clone(r.in.salt), frag[:8]...)
			plain, err := r.in.aead.Open(nil, nonce, frag[8:], r.in.additional(typ, len(frag)-8-16))
			if err != nil {
				return 0, nil, fmt.Errorf("record does not decrypt: %w", err)
			}
			r.in.seq++
			frag = plain
		}
		return typ, frag, nil
	}
}

// readHandshake returns the next handshake message: its type, body and
// bytes as sent (for the transcript). An alert ends the handshake.
func (r *recordConn) readHandshake() (byte, []byte, []byte, error) {
	for {
		if len(r.hs) >= 4 {
			n := int(r.hs[1])<<16 | int(r.hs[2])<<8 | int(r.hs[3])
			if n > maxHandshake {
				return 0, nil, nil, fmt.Errorf("handshake message of %d bytes", n)
			}
			if len(r.hs) >= 4+n {
				raw := r.hs[:4+n]
				r.hs = r.hs[4+n:]
				return raw[0], raw[4:], raw, nil
			}
		}
		typ, frag, err := r.read()
		if err != nil {
			return 0, nil, nil, err
		}
		switch typ {
		case recordHandshake:
			r.hs = append(r.hs, frag...)
		case recordAlert:
			if len(frag) == 2 {
				return 0, nil, nil, fmt.Errorf("server sent %s", tlsAlert{frag[0], frag[1]})
			}
			return 0, nil, nil, fmt.Errorf("server sent an alert")
		default:
			return 0, nil, nil, fmt.Errorf("unexpected record type %d during the handshake", typ)
		}
	}
}
