// Legacy suites and versions for the weak test servers. Explicit
// Config.CipherSuites and MinVersion already enable them in Go 1.26; these
// settings also restore them in the defaults, so a server configured
// without an explicit list behaves like the old servers it stands in for.
//go:debug tls10server=1
//go:debug tlsrsakex=1
//go:debug tls3des=1

package probe

import (
	"context"
	"crypto/tls"
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	"rcmguard/internal/evidence"
)

func TestProbeTLS(t *testing.T) {
	pki := newTestPKI(t)
	tests := []struct {
		name       string
		cfg        func() *tls.Config
		serverName string
		versions   []string
		suites     map[string][]string // per version, when checked exactly
		want       []string            // checks that must be present
		wantNot    []string            // checks that must be absent
	}{
		{
			name: "strong",
			cfg: func() *tls.Config {
				return &tls.Config{
					Certificates: []tls.Certificate{pki.leaf(t, leafSpec{})},
					MinVersion:   tls.VersionTLS12,
					CipherSuites: []uint16{
						tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
						tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
						tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305,
					},
				}
			},
			versions: []string{"TLS1.2", "TLS1.3"},
			suites: map[string][]string{
				"TLS1.2": {"TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256"},
				"TLS1.3": {"TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256"},
			},
			want: []string{CheckTLSSummary},
			wantNot: []string{CheckTLSLegacyProtocol, CheckTLSWeakCipher, CheckTLSCertExpired, CheckTLSCertHostname,
				CheckTLSCertWeakKey, CheckTLSCertUntrusted, CheckTLSCertExpiring, CheckTLSCertUnavailable},
		},
		{
			name: "tls1.0 only, legacy suites, weak expired self-signed cert for another host",
			cfg: func() *tls.Config {
				return &tls.Config{
					Certificates: []tls.Certificate{pki.leaf(t, leafSpec{
						hosts: []string{"other.example"}, rsaBits: 1024, selfSigned: true,
						notBefore: testNow.AddDate(-2, 0, 0), notAfter: testNow.AddDate(0, 0, -3),
					})},
					MinVersion: tls.VersionTLS10,
					MaxVersion: tls.VersionTLS10,
					CipherSuites: []uint16{
						tls.TLS_RSA_WITH_AES_128_CBC_SHA,
						tls.TLS_RSA_WITH_3DES_EDE_CBC_SHA,
						tls.TLS_RSA_WITH_RC4_128_SHA,
						tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA,
					},
				}
			},
			versions: []string{"TLS1.0"},
			suites: map[string][]string{
				"TLS1.0": {"TLS_RSA_WITH_RC4_128_SHA", "TLS_RSA_WITH_3DES_EDE_CBC_SHA", "TLS_RSA_WITH_AES_128_CBC_SHA", "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA"},
			},
			want: []string{CheckTLSSummary, CheckTLSLegacyProtocol, CheckTLSWeakCipher, CheckTLSCertExpired,
				CheckTLSCertHostname, CheckTLSCertWeakKey, CheckTLSCertUntrusted, CheckTLSCertLifespan},
		},
		{
			name: "tls1.1 and 1.2, certificate expiring soon",
			cfg: func() *tls.Config {
				return &tls.Config{
					Certificates: []tls.Certificate{pki.leaf(t, leafSpec{rsaBits: 2048, notAfter: testNow.AddDate(0, 0, 10)})},
					MinVersion:   tls.VersionTLS11,
					MaxVersion:   tls.VersionTLS12,
					CipherSuites: []uint16{tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, tls.TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA},
				}
			},
			versions: []string{"TLS1.1", "TLS1.2"},
			suites: map[string][]string{
				"TLS1.1": {"TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA"},
				"TLS1.2": {"TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"},
			},
			want:    []string{CheckTLSLegacyProtocol, CheckTLSWeakCipher, CheckTLSCertExpiring},
			wantNot: []string{CheckTLSCertExpired, CheckTLSCertHostname, CheckTLSCertWeakKey, CheckTLSCertUntrusted},
		},
		{
			name: "tls1.3 only, name checked against localhost",
			cfg: func() *tls.Config {
				return &tls.Config{
					Certificates: []tls.Certificate{pki.leaf(t, leafSpec{hosts: []string{"localhost"}})},
					MinVersion:   tls.VersionTLS13,
				}
			},
			serverName: "localhost",
			versions:   []string{"TLS1.3"},
			want:       []string{CheckTLSSummary},
			wantNot:    []string{CheckTLSLegacyProtocol, CheckTLSWeakCipher, CheckTLSCertHostname, CheckTLSCertUntrusted, CheckTLSCertUnavailable},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			addr := serveTLS(t, tt.cfg())
			opts := Options{Timeout: 10 * time.Second, Roots: pki.pool, Now: func() time.Time { return testNow }, ServerName: tt.serverName}
			res := Probe(context.Background(), Target{Protocol: ProtoTLS, Address: addr}, opts)
			if res.Error != "" {
				t.Fatalf("Probe error: %s", res.Error)
			}
			if !slices.Equal(res.TLS.Versions, tt.versions) {
				t.Errorf("versions = %v; want %v", res.TLS.Versions, tt.versions)
			}
			for _, vc := range res.TLS.Ciphers {
				want, ok := tt.suites[vc.Version]
				if !ok {
					continue
				}
				got := slices.Sorted(slices.Values(vc.Suites))
				if !slices.Equal(got, slices.Sorted(slices.Values(want))) {
					t.Errorf("%s suites = %v; want %v", vc.Version, got, want)
				}
			}
			checks := factChecks(res.Facts)
			for _, c := range tt.want {
				if !checks[c] {
					t.Errorf("missing %s in %v", c, factSummaries(res.Facts))
				}
			}
			for _, c := range tt.wantNot {
				if checks[c] {
					t.Errorf("unexpected %s in %v", c, factSummaries(res.Facts))
				}
			}
			for _, f := range res.Facts {
				if err := f.Validate(); err != nil {
					t.Errorf("invalid fact: %v", err)
				}
			}
		})
	}
}

func TestProbeTLSWeakCipherSeverities(t *testing.T) {
	pki := newTestPKI(t)
	addr := serveTLS(t, &tls.Config{
		Certificates: []tls.Certificate{pki.leaf(t, leafSpec{rsaBits: 2048})},
		MinVersion:   tls.VersionTLS12,
		MaxVersion:   tls.VersionTLS12,
		CipherSuites: []uint16{tls.TLS_RSA_WITH_RC4_128_SHA, tls.TLS_RSA_WITH_AES_128_GCM_SHA256, tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256},
	})
	res := Probe(context.Background(), Target{Protocol: ProtoTLS, Address: addr},
		Options{Roots: pki.pool, Now: func() time.Time { return testNow }})
	got := map[string]evidence.Severity{}
	for _, f := range res.Facts {
		if f.Check == CheckTLSWeakCipher {
			got[f.Attrs["cipher"]] = f.Severity
		}
	}
	want := map[string]evidence.Severity{
		"TLS_RSA_WITH_RC4_128_SHA":        evidence.SeverityHigh,
		"TLS_RSA_WITH_AES_128_GCM_SHA256": evidence.SeverityMedium,
	}
	if len(got) != len(want) {
		t.Fatalf("weak ciphers = %v; want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("severity of %s = %q; want %q", k, got[k], v)
		}
	}
}

func TestProbeTLSNotTLS(t *testing.T) {
	// Bytes that name no protocol: no TLS handshake. A greeting that does
	// name one (220 of FTP or SMTP) is the wrong protocol instead.
	for answer, want := range map[string]string{
		"hello, this is not TLS\r\n":     CheckTLSNoHandshake,
		"220 hello, this is not TLS\r\n": CheckWrongProtocol,
	} {
		addr := serve(t, func(c net.Conn) { _, _ = c.Write([]byte(answer)) })
		res := Probe(context.Background(), Target{Protocol: ProtoTLS, Address: addr}, Options{})
		if !factChecks(res.Facts)[want] {
			t.Errorf("%q: facts = %v; want %s", answer, factSummaries(res.Facts), want)
		}
	}
}

func factChecks(fs []evidence.Fact) map[string]bool {
	m := map[string]bool{}
	for _, f := range fs {
		m[f.Check] = true
	}
	return m
}

func factSummaries(fs []evidence.Fact) string {
	var b strings.Builder
	for _, f := range fs {
		b.WriteString("\n  " + f.Check + " [" + string(f.Severity) + "] " + f.Summary)
	}
	return b.String()
}

// TestExpiredLeafOfNewerCA: a CA issued after its leaf expired (a reissued
// CA, or a test PKI made today) must not turn the expiry into a second,
// "untrusted" finding with a date in the middle of nowhere.
func TestExpiredLeafOfNewerCA(t *testing.T) {
	pki := newTestPKI(t) // valid from a year before testNow
	cert := pki.leaf(t, leafSpec{rsaBits: 2048,
		notBefore: testNow.AddDate(-3, 0, 0), notAfter: testNow.AddDate(-2, 0, 0)})
	addr := serveTLS(t, &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12})
	res := Probe(context.Background(), Target{Protocol: ProtoTLS, Address: addr},
		Options{Timeout: 10 * time.Second, Roots: pki.pool, Now: func() time.Time { return testNow }})
	if res.Error != "" {
		t.Fatalf("probe: %s", res.Error)
	}
	if !hasCheck(res.Facts, CheckTLSCertExpired) || hasCheck(res.Facts, CheckTLSCertUntrusted) {
		t.Errorf("want the expiry alone%s", factSummaries(res.Facts))
	}
	// An unknown CA is still reported, expired or not.
	other := newTestPKI(t)
	res = Probe(context.Background(), Target{Protocol: ProtoTLS, Address: addr},
		Options{Timeout: 10 * time.Second, Roots: other.pool, Now: func() time.Time { return testNow }})
	if !hasCheck(res.Facts, CheckTLSCertUntrusted) {
		t.Errorf("unknown CA not reported%s", factSummaries(res.Facts))
	}
}
