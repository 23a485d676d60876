package probe

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"slices"
	"strings"
)

// Go's crypto/tls cannot offer SSLv3, cannot offer TLS 1.0/1.1 together with
// every legacy suite, and does not let a caller offer exactly one suite at a
// chosen version. The probe therefore writes its own ClientHello and reads
// only as far as the server's answer: a ServerHello (and, when asked, the
// Certificate message that follows it in TLS 1.2 and older) or an alert. It
// never completes a handshake, so it needs no key material beyond a TLS 1.3
// key share the server uses to answer.

// Record and handshake types used by the probe.
const (
	recordChangeCipherSpec = 20
	recordAlert            = 21
	recordHandshake        = 22
	recordApplicationData  = 23

	hsClientHello       = 1
	hsServerHello       = 2
	hsCertificate       = 11
	hsServerKeyExchange = 12
	hsServerHelloDone   = 14

	extServerName          = 0
	extSupportedGroups     = 10
	extECPointFormats      = 11
	extSignatureAlgorithms = 13
	extPadding             = 21
	extSupportedVersions   = 43
	extKeyShare            = 51
	extRenegotiationInfo   = 0xFF01

	groupX25519 = 29

	// maxRecord is the largest TLSCiphertext a peer may send (RFC 8446 5.2).
	maxRecord = 16384 + 2048
	// maxHandshake bounds the handshake bytes buffered while looking for the
	// certificate, so a hostile server cannot make the probe allocate freely.
	maxHandshake = 1 << 18
)

// helloRetryRandom is the fixed ServerHello.random that marks a TLS 1.3
// HelloRetryRequest (RFC 8446 4.1.3).
var helloRetryRandom = []byte{
	0xCF, 0x21, 0xAD, 0x74, 0xE5, 0x9A, 0x61, 0x11, 0xBE, 0x1D, 0x8C, 0x02, 0x1E, 0x65, 0xB8, 0x91,
	0xC2, 0xA2, 0x11, 0x16, 0x7A, 0xBB, 0x8C, 0x5E, 0x07, 0x9E, 0x09, 0xE2, 0xC8, 0xA8, 0x33, 0x9C,
}

// errNotTLS means the peer answered with bytes that are not TLS records.
var errNotTLS = errors.New("probe: peer did not answer with TLS records")

// clientHello describes the hello the probe offers.
type clientHello struct {
	version    uint16   // the one version offered
	suites     []uint16 // offered in this order
	serverName string   // SNI; empty or an IP address sends none
	random     [32]byte
	keyShare   []byte // X25519 public key, used only for TLS 1.3
	// groups overrides the supported_groups offered; with it, TLS 1.3
	// sends a key share only when the list holds X25519, so the server
	// names the group it wants in a HelloRetryRequest.
	groups []uint16
}

// helloGroups is offered unless clientHello.groups says otherwise: every
// group a server may need to pick an ECDHE or DHE suite.
var helloGroups = []uint16{groupX25519, 23, 24, 25, 30, 26, 27, 28, 22, 21, 19, 256, 257, 258, 259, 260}

// marshal returns the hello as one TLS record.
func (h clientHello) marshal() []byte {
	var body []byte
	legacy := min(h.version, versionTLS12)
	body = binary.BigEndian.AppendUint16(body, legacy)
	body = append(body, h.random[:]...)
	if h.version == versionTLS13 {
		// A non-empty legacy session ID keeps middleboxes that expect
		// TLS 1.2 resumption from dropping the hello (RFC 8446 D.4).
		body = append(body, 32)
		body = append(body, h.random[:]...)
	} else {
		body = append(body, 0)
	}
	suites := append([]uint16(nil), h.suites...)
	if h.version != versionTLS13 {
		// The renegotiation SCSV is what every real client sends; some
		// servers refuse hellos without it.
		suites = append(suites, 0x00FF)
	}
	body = binary.BigEndian.AppendUint16(body, uint16(2*len(suites)))
	for _, s := range suites {
		body = binary.BigEndian.AppendUint16(body, s)
	}
	body = append(body, 1, 0) // compression: null only
	if h.version >= versionTLS10 {
		ext := h.extensions()
		// Some load balancers hang on hellos of 256 to 511 bytes; the
		// padding extension (RFC 7685) moves the hello past 512 as real
		// clients do.
		if n := 4 + len(body) + 2 + len(ext); n >= 256 && n < 512 {
			pad := max(0, 512-n-4)
			ext = binary.BigEndian.AppendUint16(ext, extPadding)
			ext = binary.BigEndian.AppendUint16(ext, uint16(pad))
			ext = append(ext, make([]byte, pad)...)
		}
		body = binary.BigEndian.AppendUint16(body, uint16(len(ext)))
		body = append(body, ext...)
	}

	msg := []byte{hsClientHello}
	msg = appendUint24(msg, len(body))
	msg = append(msg, body...)

	recVersion := versionTLS10
	if h.version == versionSSL30 {
		recVersion = versionSSL30
	}
	rec := []byte{recordHandshake}
	rec = binary.BigEndian.AppendUint16(rec, recVersion)
	rec = binary.BigEndian.AppendUint16(rec, uint16(len(msg)))
	return append(rec, msg...)
}

func (h clientHello) extensions() []byte {
	var out []byte
	add := func(typ uint16, data []byte) {
		out = binary.BigEndian.AppendUint16(out, typ)
		out = binary.BigEndian.AppendUint16(out, uint16(len(data)))
		out = append(out, data...)
	}
	if h.serverName != "" && net.ParseIP(h.serverName) == nil {
		name := []byte(h.serverName)
		var d []byte
		d = binary.BigEndian.AppendUint16(d, uint16(len(name)+3))
		d = append(d, 0) // host_name
		d = binary.BigEndian.AppendUint16(d, uint16(len(name)))
		add(extServerName, append(d, name...))
	}
	groups := helloGroups
	if h.groups != nil {
		groups = h.groups
	}
	add(extSupportedGroups, uint16List(groups))
	add(extECPointFormats, []byte{1, 0})
	if h.version >= versionTLS12 {
		// Broad on purpose, SHA-1 included: the probe asks what a server
		// accepts, not what is safe.
		sigs := []uint16{0x0403, 0x0503, 0x0603, 0x0804, 0x0805, 0x0806, 0x0807,
			0x0401, 0x0501, 0x0601, 0x0203, 0x0201, 0x0402, 0x0202}
		add(extSignatureAlgorithms, uint16List(sigs))
	}
	if h.version == versionTLS13 {
		add(extSupportedVersions, []byte{2, 0x03, 0x04})
		var ks []byte
		if slices.Contains(groups, groupX25519) {
			ks = binary.BigEndian.AppendUint16(ks, uint16(4+len(h.keyShare)))
			ks = binary.BigEndian.AppendUint16(ks, groupX25519)
			ks = binary.BigEndian.AppendUint16(ks, uint16(len(h.keyShare)))
			ks = append(ks, h.keyShare...)
		} else {
			ks = binary.BigEndian.AppendUint16(ks, 0)
		}
		add(extKeyShare, ks)
	}
	return out
}

func uint16List(vs []uint16) []byte {
	out := binary.BigEndian.AppendUint16(nil, uint16(2*len(vs)))
	for _, v := range vs {
		out = binary.BigEndian.AppendUint16(out, v)
	}
	return out
}

func appendUint24(b []byte, n int) []byte {
	return append(b, byte(n>>16), byte(n>>8), byte(n))
}

// serverFlight is what the probe learned from the server's first answer.
type serverFlight struct {
	hello        *serverHello
	alert        *tlsAlert
	certificates [][]byte // DER, leaf first; only for TLS 1.2 and older
	keyExchange  []byte   // the ServerKeyExchange body, when read
}

type serverHello struct {
	version uint16 // negotiated: supported_versions when present
	suite   uint16
	retry   bool // a TLS 1.3 HelloRetryRequest, which still names a suite
	// group is the key share's group (TLS 1.3), or the group a
	// HelloRetryRequest asks for.
	group uint16
	// secureRenegotiation is set when the server answered with the
	// renegotiation_info extension (RFC 5746).
	secureRenegotiation bool
}

// flightGoal says how far into the server's first flight to read.
type flightGoal int

const (
	untilHello flightGoal = iota
	untilCertificate
	untilHelloDone // through the ServerKeyExchange, for its parameters
)

type tlsAlert struct {
	level, description uint8
}

func (a tlsAlert) String() string {
	names := map[uint8]string{
		10: "unexpected_message", 40: "handshake_failure", 47: "illegal_parameter",
		70: "protocol_version", 71: "insufficient_security", 80: "internal_error",
		86: "inappropriate_fallback", 112: "unrecognized_name",
	}
	if n, ok := names[a.description]; ok {
		return n
	}
	return fmt.Sprintf("alert %d", a.description)
}

// readServerFlight reads records until it has the ServerHello (and, with
// wantCert, the certificate chain or proof there is none in clear) or an
// alert. A connection closed before either yields an empty flight: for a
// probe, silence is a refusal.
func readServerFlight(r io.Reader, wantCert bool) (serverFlight, error) {
	goal := untilHello
	if wantCert {
		goal = untilCertificate
	}
	return readFlight(r, goal)
}

// readFlight reads the server's first flight as far as goal asks.
func readFlight(r io.Reader, goal flightGoal) (serverFlight, error) {
	var fl serverFlight
	var hs []byte
	hdr := make([]byte, 5)
	for records := 0; records < 64; records++ {
		if _, err := io.ReadFull(r, hdr); err != nil {
			if fl.hello != nil || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
				return fl, nil
			}
			return fl, fmt.Errorf("probe: read tls record: %w", err)
		}
		typ, major := hdr[0], hdr[1]
		n := int(binary.BigEndian.Uint16(hdr[3:]))
		if typ < recordChangeCipherSpec || typ > recordApplicationData || major != 3 || n > maxRecord {
			return fl, notTLS(r, hdr)
		}
		frag := make([]byte, n)
		if _, err := io.ReadFull(r, frag); err != nil {
			return fl, fmt.Errorf("probe: read tls record: %w", err)
		}
		switch typ {
		case recordAlert:
			if len(frag) < 2 {
				return fl, fmt.Errorf("probe: short tls alert")
			}
			if fl.hello == nil {
				fl.alert = &tlsAlert{level: frag[0], description: frag[1]}
			}
			return fl, nil
		case recordHandshake:
			if len(hs)+len(frag) > maxHandshake {
				return fl, fmt.Errorf("probe: server handshake larger than %d bytes", maxHandshake)
			}
			hs = append(hs, frag...)
		default:
			// A TLS 1.3 middlebox-compatibility ChangeCipherSpec or
			// encrypted records: nothing more is readable in clear.
			if fl.hello != nil {
				return fl, nil
			}
			continue
		}
		for len(hs) >= 4 {
			mlen := int(hs[1])<<16 | int(hs[2])<<8 | int(hs[3])
			if len(hs) < 4+mlen {
				break
			}
			mtype, body := hs[0], hs[4:4+mlen]
			hs = hs[4+mlen:]
			switch mtype {
			case hsServerHello:
				sh, err := parseServerHello(body)
				if err != nil {
					return fl, err
				}
				fl.hello = &sh
				if goal == untilHello || sh.retry || sh.version >= versionTLS13 {
					return fl, nil
				}
			case hsCertificate:
				if fl.hello == nil {
					return fl, fmt.Errorf("probe: certificate before server hello")
				}
				certs, err := parseCertificateList(body)
				if err != nil {
					return fl, err
				}
				fl.certificates = certs
				if goal == untilCertificate {
					return fl, nil
				}
			case hsServerKeyExchange:
				if fl.hello == nil {
					return fl, fmt.Errorf("probe: key exchange before server hello")
				}
				fl.keyExchange = append([]byte(nil), body...)
				return fl, nil
			case hsServerHelloDone:
				return fl, nil
			}
		}
	}
	return fl, fmt.Errorf("probe: no server hello in 64 tls records")
}

// parseServerHello parses a ServerHello body (RFC 5246 7.4.1.3, RFC 8446
// 4.1.3).
func parseServerHello(b []byte) (serverHello, error) {
	var sh serverHello
	if len(b) < 2+32+1 {
		return sh, fmt.Errorf("probe: short server hello")
	}
	sh.version = binary.BigEndian.Uint16(b)
	random := b[2:34]
	sh.retry = string(random) == string(helloRetryRandom)
	b = b[34:]
	sidLen := int(b[0])
	if len(b) < 1+sidLen+3 {
		return sh, fmt.Errorf("probe: short server hello")
	}
	b = b[1+sidLen:]
	sh.suite = binary.BigEndian.Uint16(b)
	b = b[3:] // suite and compression method
	if len(b) == 0 {
		return sh, nil
	}
	if len(b) < 2 {
		return sh, fmt.Errorf("probe: truncated server hello extensions")
	}
	extLen := int(binary.BigEndian.Uint16(b))
	b = b[2:]
	if extLen > len(b) {
		return sh, fmt.Errorf("probe: truncated server hello extensions")
	}
	b = b[:extLen]
	for len(b) > 0 {
		if len(b) < 4 {
			return sh, fmt.Errorf("probe: truncated server hello extension")
		}
		typ := binary.BigEndian.Uint16(b)
		n := int(binary.BigEndian.Uint16(b[2:]))
		if len(b) < 4+n {
			return sh, fmt.Errorf("probe: truncated server hello extension")
		}
		data := b[4 : 4+n]
		b = b[4+n:]
		switch typ {
		case extSupportedVersions:
			if len(data) != 2 {
				return sh, fmt.Errorf("probe: bad supported_versions in server hello")
			}
			sh.version = binary.BigEndian.Uint16(data)
		case extKeyShare:
			// A ServerHello's share starts with its group, and a
			// HelloRetryRequest's body is only the group.
			if len(data) < 2 {
				return sh, fmt.Errorf("probe: bad key_share in server hello")
			}
			sh.group = binary.BigEndian.Uint16(data)
		case extRenegotiationInfo:
			sh.secureRenegotiation = true
		}
	}
	return sh, nil
}

// parseCertificateList parses a TLS 1.2-and-older Certificate body.
func parseCertificateList(b []byte) ([][]byte, error) {
	if len(b) < 3 {
		return nil, fmt.Errorf("probe: short certificate message")
	}
	total := int(b[0])<<16 | int(b[1])<<8 | int(b[2])
	b = b[3:]
	if total != len(b) {
		return nil, fmt.Errorf("probe: certificate list length %d, message has %d", total, len(b))
	}
	var certs [][]byte
	for len(b) > 0 {
		if len(b) < 3 {
			return nil, fmt.Errorf("probe: truncated certificate")
		}
		n := int(b[0])<<16 | int(b[1])<<8 | int(b[2])
		if len(b) < 3+n {
			return nil, fmt.Errorf("probe: truncated certificate")
		}
		certs = append(certs, b[3:3+n])
		b = b[3+n:]
	}
	return certs, nil
}

// keyExchangeParams reads what the server chose from a ServerKeyExchange
// (RFC 5246 7.4.3, RFC 8422 5.4): the prime's size for finite-field DH, the
// named curve for ECDH. dh says which of the two the suite uses.
func keyExchangeParams(ske []byte, dh bool) (dhBits int, group uint16, err error) {
	if dh {
		if len(ske) < 2 {
			return 0, 0, fmt.Errorf("probe: short server key exchange")
		}
		n := int(binary.BigEndian.Uint16(ske))
		if n == 0 || len(ske) < 2+n {
			return 0, 0, fmt.Errorf("probe: truncated dh prime")
		}
		return new(big.Int).SetBytes(ske[2 : 2+n]).BitLen(), 0, nil
	}
	if len(ske) < 3 || ske[0] != 3 {
		return 0, 0, fmt.Errorf("probe: server key exchange without a named curve")
	}
	return 0, binary.BigEndian.Uint16(ske[1:]), nil
}

// notTLS says what the peer speaks instead, when its first line tells.
func notTLS(r io.Reader, hdr []byte) error {
	rest := make([]byte, 256)
	n, _ := io.ReadAtLeast(r, rest, 1)
	line := string(hdr) + string(rest[:max(n, 0)])
	line, _, _ = strings.Cut(line, "\n")
	got := identifyGreeting(line)
	if got == "" && strings.HasPrefix(line, "220") {
		got = "FTP or SMTP"
	}
	if got != "" {
		return fmt.Errorf("%w: %w", errNotTLS, &protocolMismatch{declared: ProtoTLS, observed: got, evidence: clip(strings.TrimSpace(printable(line)))})
	}
	return errNotTLS
}
