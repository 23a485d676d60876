package probe

import (
	"context"
	"crypto/tls"
	"net"
	"sync/atomic"
	"testing"
	"time"
)

// TestProbeDial reaches a declared address through Options.Dial: every
// connection goes where Dial says, the result and its facts name the
// declared address, and the certificate is checked against its host.
func TestProbeDial(t *testing.T) {
	pki := newTestPKI(t)
	local := serveTLS(t, &tls.Config{
		Certificates: []tls.Certificate{pki.leaf(t, leafSpec{hosts: []string{"portal.clearpath.example"}})},
		MinVersion:   tls.VersionTLS11,
		MaxVersion:   tls.VersionTLS12,
		CipherSuites: []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA},
	})
	const declared = "portal.clearpath.example:443"
	var dials atomic.Int32
	opts := Options{Timeout: 5 * time.Second, Roots: pki.pool, Now: func() time.Time { return testNow },
		Dial: func(ctx context.Context, address string) (net.Conn, error) {
			if address != declared {
				t.Errorf("Dial got %q; want the declared %q", address, declared)
			}
			dials.Add(1)
			var d net.Dialer
			return d.DialContext(ctx, "tcp", local)
		}}
	res := Probe(context.Background(), Target{Protocol: ProtoTLS, Address: declared, Element: "ch-portal"}, opts)
	if res.Error != "" || res.TLS == nil || dials.Load() == 0 {
		t.Fatalf("probe through Dial: %q, %d dials", res.Error, dials.Load())
	}
	checks := factChecks(res.Facts)
	if !checks[CheckTLSLegacyProtocol] || checks[CheckTLSCertHostname] || checks[CheckTLSCertUntrusted] || checks[CheckUnreachable] {
		t.Errorf("facts %v; want legacy TLS 1.1 and a certificate valid for the declared host", factSummaries(res.Facts))
	}
	for _, f := range res.Facts {
		if f.Target != declared || f.Attrs["element"] != "ch-portal" {
			t.Errorf("fact %s on %q (%s); want the declared address and element", f.Check, f.Target, f.Attrs["element"])
		}
	}

	// A Dial that fails is an unreachable endpoint, as a failed TCP dial is.
	opts.Dial = func(ctx context.Context, address string) (net.Conn, error) { return nil, net.ErrClosed }
	res = Probe(context.Background(), Target{Protocol: ProtoTLS, Address: declared}, opts)
	if checks := factChecks(res.Facts); res.Error == "" || !checks[CheckUnreachable] {
		t.Errorf("failing Dial: %q %v; want an unreachable fact", res.Error, factSummaries(res.Facts))
	}
}
