package probe

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"slices"
	"strings"
	"testing"
)

// serverHelloRecord builds a ServerHello record for parser tests.
func serverHelloRecord(version, suite uint16, supportedVersion uint16) []byte {
	var body []byte
	body = binary.BigEndian.AppendUint16(body, version)
	body = append(body, make([]byte, 32)...)
	body = append(body, 0) // session id
	body = binary.BigEndian.AppendUint16(body, suite)
	body = append(body, 0)
	if supportedVersion != 0 {
		ext := []byte{0, extSupportedVersions, 0, 2, byte(supportedVersion >> 8), byte(supportedVersion)}
		body = binary.BigEndian.AppendUint16(body, uint16(len(ext)))
		body = append(body, ext...)
	}
	msg := append([]byte{hsServerHello}, appendUint24(nil, len(body))...)
	msg = append(msg, body...)
	rec := []byte{recordHandshake, 3, 3}
	rec = binary.BigEndian.AppendUint16(rec, uint16(len(msg)))
	return append(rec, msg...)
}

func TestReadServerFlight(t *testing.T) {
	certBody := []byte{0, 0, 7, 0, 0, 4, 'c', 'e', 'r', 't'}
	certMsg := append([]byte{hsCertificate}, appendUint24(nil, len(certBody))...)
	certMsg = append(certMsg, certBody...)
	certRec := append([]byte{recordHandshake, 3, 3, 0, byte(len(certMsg))}, certMsg...)

	tests := []struct {
		name     string
		in       []byte
		wantCert bool
		version  uint16
		suite    uint16
		alert    uint8
		certs    int
		err      bool
	}{
		{name: "tls1.2 hello", in: serverHelloRecord(versionTLS12, 0xC02F, 0), version: versionTLS12, suite: 0xC02F},
		{name: "tls1.3 via supported_versions", in: serverHelloRecord(versionTLS12, 0x1301, versionTLS13), version: versionTLS13, suite: 0x1301},
		{name: "alert", in: []byte{recordAlert, 3, 1, 0, 2, 2, 70}, alert: 70},
		{name: "closed without answer", in: nil},
		{name: "hello then certificate", in: append(serverHelloRecord(versionTLS10, 0x002F, 0), certRec...), wantCert: true,
			version: versionTLS10, suite: 0x002F, certs: 1},
		{name: "not tls", in: []byte("SSH-2.0-OpenSSH_9.2\r\n"), err: true},
		{name: "oversized record", in: []byte{recordHandshake, 3, 3, 0xFF, 0xFF}, err: true},
		{name: "truncated hello", in: []byte{recordHandshake, 3, 3, 0, 6, hsServerHello, 0, 0, 2, 3, 3}, err: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fl, err := readServerFlight(bytes.NewReader(tt.in), tt.wantCert)
			if (err != nil) != tt.err {
				t.Fatalf("readServerFlight error = %v; want error %v", err, tt.err)
			}
			if tt.err {
				return
			}
			if tt.version != 0 {
				if fl.hello == nil || fl.hello.version != tt.version || fl.hello.suite != tt.suite {
					t.Fatalf("hello = %+v; want version %x suite %x", fl.hello, tt.version, tt.suite)
				}
			} else if fl.hello != nil {
				t.Fatalf("hello = %+v; want none", fl.hello)
			}
			if tt.alert != 0 && (fl.alert == nil || fl.alert.description != tt.alert) {
				t.Errorf("alert = %+v; want %d", fl.alert, tt.alert)
			}
			if len(fl.certificates) != tt.certs {
				t.Errorf("certificates = %d; want %d", len(fl.certificates), tt.certs)
			}
		})
	}
}

func TestClientHelloRoundTrip(t *testing.T) {
	for _, v := range probedVersions {
		h := clientHello{version: v, suites: suitesFor(v), serverName: "clearinghouse.example", keyShare: make([]byte, 32)}
		rec := h.marshal()
		if rec[0] != recordHandshake || int(binary.BigEndian.Uint16(rec[3:])) != len(rec)-5 {
			t.Fatalf("%s: bad record header % x", VersionName(v), rec[:5])
		}
		msgLen := int(rec[6])<<16 | int(rec[7])<<8 | int(rec[8])
		if rec[5] != hsClientHello || msgLen != len(rec)-9 {
			t.Fatalf("%s: bad handshake header", VersionName(v))
		}
		hasSNI := bytes.Contains(rec, []byte("clearinghouse.example"))
		if hasSNI != (v != versionSSL30) {
			t.Errorf("%s: SNI present = %v", VersionName(v), hasSNI)
		}
	}
}

func TestParseKexInit(t *testing.T) {
	p := marshalKexInit([10]string{"curve25519-sha256,kex-strict-s-v00@openssh.com", "ssh-ed25519",
		"aes128-ctr", "aes256-ctr", "hmac-sha2-256-etm@openssh.com", "hmac-sha2-512", "none", "none,zlib", "", ""})
	ki, err := parseKexInit(p)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(ki.kex, []string{"curve25519-sha256", "kex-strict-s-v00@openssh.com"}) ||
		!slices.Equal(ki.ciphersSC, []string{"aes256-ctr"}) || !slices.Equal(ki.compressionSC, []string{"none", "zlib"}) ||
		ki.languagesCS != nil {
		t.Errorf("parsed %+v", ki)
	}
	for _, bad := range [][]byte{
		nil,
		{sshMsgKexInit},
		append([]byte{sshMsgKexInit}, make([]byte, 16)...),
		append(append([]byte{sshMsgKexInit}, make([]byte, 16)...), 0xFF, 0xFF, 0xFF, 0xFF),
		append(append([]byte{sshMsgKexInit}, make([]byte, 16)...), 0, 0, 0, 3, 'a', ',', 'b'),
		append(append([]byte{sshMsgKexInit}, make([]byte, 16)...), 0, 0, 0, 2, 'a', ','),
		append(append([]byte{sshMsgKexInit}, make([]byte, 16)...), 0, 0, 0, 1, ' '),
	} {
		if _, err := parseKexInit(bad); err == nil {
			t.Errorf("parseKexInit(% x) succeeded; want error", bad)
		}
	}
}

func TestReadSSHPacket(t *testing.T) {
	payload := []byte{sshMsgKexInit, 1, 2, 3}
	got, err := readSSHPacket(bytes.NewReader(sshPacket(payload)))
	if err != nil || !bytes.Equal(got, payload) {
		t.Fatalf("readSSHPacket = % x, %v; want % x", got, err, payload)
	}
	for _, bad := range [][]byte{
		{0, 0, 0, 0, 0},
		{0, 0, 0xFF, 0xFF, 4},
		{0, 0, 0, 8, 9, 1, 2, 3, 4, 5, 6, 7},
	} {
		if _, err := readSSHPacket(bytes.NewReader(bad)); err == nil {
			t.Errorf("readSSHPacket(% x) succeeded; want error", bad)
		}
	}
}

func TestReadReply(t *testing.T) {
	tests := []struct {
		in    string
		code  int
		lines int
		err   bool
	}{
		{in: "220 ready\r\n", code: 220, lines: 1},
		{in: "250-mail.test\r\n250-PIPELINING\r\n250 STARTTLS\r\n", code: 250, lines: 3},
		{in: "211-Features:\r\n AUTH TLS\r\n UTF8\r\n211 End\r\n", code: 211, lines: 4},
		{in: "220\n", code: 220, lines: 1},
		{in: "hello\r\n", err: true},
		{in: "099 too low\r\n", err: true},
		{in: "250-never ends\r\n", err: true},
		{in: "250-" + strings.Repeat("x", maxReplyLine) + "\r\n", err: true},
	}
	for _, tt := range tests {
		rep, err := readReply(bufio.NewReader(strings.NewReader(tt.in)))
		if (err != nil) != tt.err {
			t.Errorf("readReply(%q) error = %v; want error %v", tt.in, err, tt.err)
			continue
		}
		if !tt.err && (rep.code != tt.code || len(rep.lines) != tt.lines) {
			t.Errorf("readReply(%q) = %d with %d lines; want %d with %d", tt.in, rep.code, len(rep.lines), tt.code, tt.lines)
		}
	}
}

func TestClassifySSH(t *testing.T) {
	tests := []struct{ kind, name, class string }{
		{KindKEX, "diffie-hellman-group1-sha1", ClassFail},
		{KindKEX, "ecdh-sha2-nistp384", ClassFail},
		{KindKEX, "curve25519-sha256", ClassWarn},
		{KindKEX, "mlkem768x25519-sha256", ClassOK},
		{KindHostKey, "ssh-rsa", ClassFail},
		{KindHostKey, "rsa-sha2-512", ClassOK},
		{KindCipher, "arcfour256", ClassFail},
		{KindCipher, "aes256-cbc", ClassWarn},
		{KindCipher, "aes128-gcm@openssh.com", ClassOK},
		{KindMAC, "hmac-md5-96-etm@openssh.com", ClassFail},
		{KindMAC, "hmac-sha1-96", ClassFail},
		{KindMAC, "umac-64-etm@openssh.com", ClassWarn},
		{KindMAC, "hmac-sha2-512-etm@openssh.com", ClassOK},
		{KindCipher, "serpent256-ctr", ClassUnknown},
	}
	for _, tt := range tests {
		if got, _ := ClassifySSH(tt.kind, tt.name); got != tt.class {
			t.Errorf("ClassifySSH(%s, %s) = %s; want %s", tt.kind, tt.name, got, tt.class)
		}
	}
}

func TestJudgeSuite(t *testing.T) {
	tests := []struct {
		id  uint16
		ok  bool
		sev string
	}{
		{0xC02F, true, "info"},
		{0x1301, true, "info"},
		{0x0002, false, "critical"}, // NULL
		{0x0034, false, "critical"}, // anon
		{0x0003, false, "critical"}, // export
		{0x0005, false, "high"},     // RC4
		{0x000A, false, "high"},     // 3DES
		{0x0009, false, "high"},     // DES
		{0x009C, false, "medium"},   // RSA key exchange
		{0xC013, false, "low"},      // CBC
		{0x1304, false, "low"},      // CCM
		{0x0046, false, "critical"}, // DH_anon Camellia, outside the old list
		{0xC0A2, false, "low"},      // DHE CCM_8
		{0xC052, false, "low"},      // DHE ARIA-GCM
		{0x0031, false, "medium"},   // static DH
		{0x008C, false, "medium"},   // PSK
		{0xC0B4, false, "critical"}, // integrity only (RFC 9150)
		{0x0000, false, "critical"}, // NULL_WITH_NULL_NULL
		{0x0062, false, "critical"}, // pre-standard EXPORT1024
		{0x0020, false, "high"},     // KRB5 RC4
		{0xC102, false, "high"},     // GOST 28147, 64-bit block
	}
	for _, tt := range tests {
		v := judgeSuite(tt.id)
		if v.ok != tt.ok || string(v.severity) != tt.sev {
			t.Errorf("judgeSuite(%s) = %v %s; want %v %s", SuiteName(tt.id), v.ok, v.severity, tt.ok, tt.sev)
		}
	}
}

// TestRegistryCoversIANA pins the table to facts of the IANA registry that
// an enumeration must not miss: its size, both ends of each block, and the
// TLS 1.3-only suites being kept apart.
func TestRegistryCoversIANA(t *testing.T) {
	if len(registry) != 348 {
		t.Errorf("registry has %d suites; the IANA registry assigns 348", len(registry))
	}
	for id, name := range map[uint16]string{
		0x0000: "TLS_NULL_WITH_NULL_NULL", 0x0046: "TLS_DH_anon_WITH_CAMELLIA_128_CBC_SHA",
		0x00C5: "TLS_DH_anon_WITH_CAMELLIA_256_CBC_SHA256", 0xC03C: "TLS_RSA_WITH_ARIA_128_CBC_SHA256",
		0xC071: "TLS_ECDHE_PSK_WITH_ARIA_256_CBC_SHA384", 0xC09B: "TLS_ECDHE_PSK_WITH_CAMELLIA_256_CBC_SHA384",
		0xC0AA: "TLS_PSK_DHE_WITH_AES_128_CCM_8", 0xC106: "TLS_GOSTR341112_256_WITH_MAGMA_MGM_S",
		0xD005: "TLS_ECDHE_PSK_WITH_AES_128_CCM_SHA256",
	} {
		if SuiteName(id) != name {
			t.Errorf("SuiteName(0x%04X) = %s; want %s", id, SuiteName(id), name)
		}
	}
	v12, v13 := suitesFor(versionTLS12), suitesFor(versionTLS13)
	if len(v12)+len(v13) != len(registry)+len(preStandard) || len(v13) != 9 {
		t.Errorf("offered %d at TLS 1.2 and %d at TLS 1.3; want all %d, 9 of them TLS 1.3", len(v12), len(v13), len(registry)+len(preStandard))
	}
	if slices.Contains(v12, 0x1301) || !slices.Contains(v13, 0x00C6) {
		t.Error("TLS 1.3 suites offered at TLS 1.2 or missing at TLS 1.3")
	}
	for _, id := range v12 {
		if c := ClassifySuite(id); !c.AEAD && !c.CBC && !c.RC4 && !c.Null && !c.Block64 && !strings.Contains(c.Cipher, "CNT") && !strings.Contains(c.Cipher, "CTR") {
			t.Errorf("%s: no cipher mode recognised (%+v)", SuiteName(id), c)
		}
	}
}

func FuzzReadServerFlight(f *testing.F) {
	f.Add(serverHelloRecord(versionTLS12, 0xC02F, 0), true)
	f.Add(serverHelloRecord(versionTLS12, 0x1301, versionTLS13), false)
	f.Add([]byte{recordAlert, 3, 1, 0, 2, 2, 40}, false)
	f.Fuzz(func(t *testing.T, data []byte, wantCert bool) {
		fl, err := readServerFlight(bytes.NewReader(data), wantCert)
		if err == nil && fl.hello != nil && fl.alert != nil {
			t.Fatalf("both a hello and an alert: %+v", fl)
		}
	})
}

func FuzzParseKexInit(f *testing.F) {
	f.Add(ourKexInit())
	f.Add(marshalKexInit([10]string{"a", "b", "c", "d", "e", "f", "g", "h", "", ""}))
	f.Fuzz(func(t *testing.T, data []byte) {
		ki, err := parseKexInit(data)
		if err != nil {
			return
		}
		for _, n := range append(ki.kex, ki.macsCS...) {
			if n == "" || strings.Contains(n, ",") {
				t.Fatalf("bad name %q", n)
			}
		}
	})
}

func FuzzReadSSHPacket(f *testing.F) {
	f.Add(sshPacket(ourKexInit()))
	f.Add([]byte("SSH-2.0-x\r\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := readSSHPacket(bytes.NewReader(data))
		if err == nil && len(p) > maxSSHPacket {
			t.Fatalf("payload of %d bytes", len(p))
		}
		_, _ = readSSHBanner(bufio.NewReader(bytes.NewReader(data)))
	})
}

func FuzzReadReply(f *testing.F) {
	f.Add("220 ready\r\n")
	f.Add("211-Features:\r\n AUTH TLS\r\n211 End\r\n")
	f.Add("250-a\r\n250-b\r\n250 STARTTLS\r\n")
	f.Fuzz(func(t *testing.T, in string) {
		rep, err := readReply(bufio.NewReader(strings.NewReader(in)))
		if err != nil {
			return
		}
		if rep.code < 100 || rep.code > 599 || len(rep.lines) == 0 || len(rep.lines) > maxReplyLines {
			t.Fatalf("reply %+v", rep)
		}
	})
}
