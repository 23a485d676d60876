package probe

import (
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"rcmguard/internal/evidence"
)

// opensslServer describes an `openssl s_server` to probe: Go's TLS server
// can only offer suites Go implements, OpenSSL offers the exotic rest.
type opensslServer struct {
	cipher       string   // -cipher, TLS 1.2 and older
	ciphersuites string   // -ciphersuites, TLS 1.3; "" keeps the default
	flags        []string // e.g. -tls1_2
}

// startOpenSSL starts `openssl s_server` on 127.0.0.1 with a fresh RSA key
// and self-signed certificate and returns its address and certificate path.
func startOpenSSL(t *testing.T, s opensslServer) (addr, certPath string) {
	t.Helper()
	bin := needTool(t, "openssl")
	dir := t.TempDir()
	key, cert := filepath.Join(dir, "key.pem"), filepath.Join(dir, "cert.pem")
	gen := exec.Command(bin, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert,
		"-days", "30", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1")
	if out, err := gen.CombinedOutput(); err != nil {
		t.Fatalf("openssl req: %v\n%s", err, out)
	}
	port := sparePort(t)
	args := []string{"s_server", "-quiet", "-accept", "127.0.0.1:" + strconv.Itoa(port),
		"-cert", cert, "-key", key, "-cipher", s.cipher}
	if s.ciphersuites != "" {
		args = append(args, "-ciphersuites", s.ciphersuites)
	}
	args = append(args, s.flags...)
	cmd := exec.Command(bin, args...)
	// Debian's system configuration raises the minimum protocol and the
	// security level; the servers stand in for old ones, so ignore it.
	cmd.Env = append(os.Environ(), "OPENSSL_CONF=/dev/null")
	var logs strings.Builder
	cmd.Stdout, cmd.Stderr = &logs, &logs
	// s_server ends a connection when its stdin reaches end of file; an
	// open pipe keeps connections up past the handshake (renegotiation).
	stdin, hold, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdin = stdin
	if err := cmd.Start(); err != nil {
		t.Fatalf("openssl s_server: %v", err)
	}
	stdin.Close()
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-exited
		hold.Close()
	})
	addr = net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	// Wait until it listens: a bounded number of attempts, each bounded.
	for i := 0; ; i++ {
		select {
		case <-exited:
			t.Fatalf("openssl s_server exited: %s", logs.String())
		default:
		}
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
			return addr, cert
		}
		if i == 200 {
			t.Fatalf("openssl s_server never listened on %s: %s", addr, logs.String())
		}
		time.Sleep(25 * time.Millisecond)
	}
}

func allSuites(r *TLSReport) []string {
	var out []string
	for _, vc := range r.Ciphers {
		for _, s := range vc.Suites {
			if !slices.Contains(out, s) {
				out = append(out, s)
			}
		}
	}
	slices.Sort(out)
	return out
}

// opensslSuites is what `openssl ciphers -stdname` says a cipher string
// enables, in IANA names: the oracle the probe must match.
func opensslSuites(t *testing.T, cipher string, tls13 bool) []string {
	t.Helper()
	cmd := exec.Command(needTool(t, "openssl"), "ciphers", "-stdname", "-s", cipher)
	cmd.Env = append(os.Environ(), "OPENSSL_CONF=/dev/null")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("openssl ciphers: %v", err)
	}
	var names []string
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(line)
		if len(f) == 0 || (!tls13 && strings.Count(f[0], "_") < 3 && !strings.Contains(f[0], "_WITH_")) {
			continue
		}
		names = append(names, f[0])
	}
	slices.Sort(names)
	return names
}

var (
	fullCipherString   = "ALL:COMPLEMENTOFALL:eNULL:@SECLEVEL=0"
	exoticCipherString = "ADH-CAMELLIA128-SHA:DHE-RSA-ARIA128-GCM-SHA256:AES128-CCM8:@SECLEVEL=0"
)

func TestProbeOpenSSLFull(t *testing.T) {
	addr, _ := startOpenSSL(t, opensslServer{cipher: fullCipherString})
	res := Probe(context.Background(), Target{Protocol: ProtoTLS, Address: addr}, Options{Timeout: 10 * time.Second})
	if res.Error != "" {
		t.Fatalf("probe: %s", res.Error)
	}
	got := allSuites(res.TLS)
	want := opensslSuites(t, fullCipherString, true)
	// PSK and SRP suites need a key the server does not have, and DSS and
	// ECDSA suites a certificate it does not have (its key is RSA), so
	// OpenSSL never selects them; every other enabled suite must be found.
	want = slices.DeleteFunc(want, func(s string) bool {
		return strings.Contains(s, "PSK") || strings.Contains(s, "SRP") || strings.Contains(s, "_DSS_") || strings.Contains(s, "_ECDSA_")
	})
	if !slices.Equal(got, want) {
		t.Errorf("suites: found %d, OpenSSL enables %d\n missing %v\n extra   %v", len(got), len(want), diff(want, got), diff(got, want))
	}
	for _, check := range []string{CheckTLSWeakCipher, CheckTLSLegacyProtocol} {
		if !hasCheck(res.Facts, check) {
			t.Errorf("no %s%s", check, factSummaries(res.Facts))
		}
	}
	if res.TLS.DHBits < 2048 || !slices.Contains(res.TLS.Groups, "x25519") || res.TLS.SecureRenegotiation == nil || !*res.TLS.SecureRenegotiation {
		t.Errorf("key exchange not read: dh_bits %d, groups %v, secure renegotiation %v", res.TLS.DHBits, res.TLS.Groups, res.TLS.SecureRenegotiation)
	}
	// s_server picks by the client's order unless -serverpref.
	for _, vc := range res.TLS.Ciphers {
		if vc.ServerOrder == nil || *vc.ServerOrder {
			t.Errorf("%s: server order %v; want the client's", vc.Version, vc.ServerOrder)
		}
	}
	t.Logf("%s", strings.Join(res.Details(), "\n"))
}

func TestProbeOpenSSLExoticOnly(t *testing.T) {
	addr, _ := startOpenSSL(t, opensslServer{cipher: exoticCipherString, flags: []string{"-tls1_2"}})
	res := Probe(context.Background(), Target{Protocol: ProtoTLS, Address: addr}, Options{Timeout: 10 * time.Second})
	if res.Error != "" {
		t.Fatalf("probe: %s", res.Error)
	}
	if want := []string{"TLS1.2"}; !slices.Equal(res.TLS.Versions, want) {
		t.Fatalf("versions = %v (%s); want %v", res.TLS.Versions, res.TLS.HandshakeError, want)
	}
	want := []string{"TLS_DHE_RSA_WITH_ARIA_128_GCM_SHA256", "TLS_DH_anon_WITH_CAMELLIA_128_CBC_SHA", "TLS_RSA_WITH_AES_128_CCM_8"}
	if got := allSuites(res.TLS); !slices.Equal(got, want) {
		t.Errorf("suites = %v; want %v", got, want)
	}
	var anon bool
	for _, f := range res.Facts {
		if f.Check == CheckTLSWeakCipher && f.Attrs["cipher"] == "TLS_DH_anon_WITH_CAMELLIA_128_CBC_SHA" {
			anon = f.Severity == "critical"
		}
	}
	if !anon {
		t.Errorf("anonymous suite not reported critical%s", factSummaries(res.Facts))
	}
}

// TestProbeNoCommonSuite: a server that speaks TLS but accepts nothing the
// probe offers is reported as such, not as "no TLS".
func TestProbeNoCommonSuite(t *testing.T) {
	addr := serveLegacyTLS(t, []uint16{versionTLS12}, []uint16{0xFFF0}, nil)
	res := Probe(context.Background(), Target{Protocol: ProtoTLS, Address: addr}, Options{Timeout: 10 * time.Second})
	if res.Error != "" {
		t.Fatalf("probe: %s", res.Error)
	}
	if !res.TLS.NoCommonSuite || !hasCheck(res.Facts, CheckTLSNoCommonSuite) || hasCheck(res.Facts, CheckTLSNoHandshake) {
		t.Errorf("no-common-suite not reported: %+v%s", res.TLS, factSummaries(res.Facts))
	}
}

func hasCheck(facts []evidence.Fact, check string) bool {
	return slices.ContainsFunc(facts, func(f evidence.Fact) bool { return f.Check == check })
}

func diff(a, b []string) []string {
	var out []string
	for _, s := range a {
		if !slices.Contains(b, s) {
			out = append(out, s)
		}
	}
	return out
}

// TestProbeClientRenegotiation runs testssl.sh's check against two real
// OpenSSL servers: one started with -client_renegotiation, which accepts a
// new handshake the client asks for on an established connection (a DoS
// lever), and one with OpenSSL 3's default, which refuses it with a
// no_renegotiation alert. A server limited to TLS 1.3, which has no
// renegotiation, is not tested and not reported.
func TestProbeClientRenegotiation(t *testing.T) {
	for _, tt := range []struct {
		name   string
		flags  []string
		cipher string
		want   *bool
	}{
		{"allowed", []string{"-client_renegotiation"}, "ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384", ptr(true)},
		{"allowed, AES-256 only", []string{"-client_renegotiation", "-tls1_2"}, "ECDHE-RSA-AES256-GCM-SHA384", ptr(true)},
		{"refused", nil, "ECDHE-RSA-AES128-GCM-SHA256", ptr(false)},
		{"no renegotiation at all", []string{"-no_renegotiation"}, "ECDHE-RSA-AES128-GCM-SHA256", ptr(false)},
		{"TLS 1.3 only", []string{"-tls1_3"}, "ECDHE-RSA-AES128-GCM-SHA256", nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			addr, _ := startOpenSSL(t, opensslServer{cipher: tt.cipher, flags: tt.flags})
			res := Probe(context.Background(), Target{Protocol: ProtoTLS, Address: addr}, Options{Timeout: 10 * time.Second})
			if res.Error != "" {
				t.Fatalf("probe: %s", res.Error)
			}
			got := res.TLS.ClientRenegotiation
			if (got == nil) != (tt.want == nil) || got != nil && *got != *tt.want {
				t.Fatalf("client renegotiation = %v (untested: %q); want %v", deref(got), res.TLS.RenegotiationUntested, deref(tt.want))
			}
			reported := hasCheck(res.Facts, CheckTLSClientReneg)
			if reported != (tt.want != nil && *tt.want) {
				t.Errorf("%s reported: %v%s", CheckTLSClientReneg, reported, factSummaries(res.Facts))
			}
			details := strings.Join(res.Details(), "\n")
			if tt.want != nil && !strings.Contains(details, "client-initiated renegotiation: ") {
				t.Errorf("details lack the renegotiation line:\n%s", details)
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }

func deref(b *bool) string {
	if b == nil {
		return "untested"
	}
	return strconv.FormatBool(*b)
}
