package probe

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"net"
	"os"
	"os/exec"
	"sync"
	"testing"
	"time"

	"rcmguard/internal/probe/probetest"
)

// The servers in these tests listen on 127.0.0.1 only.

// testNow is the fixed clock every certificate verdict is judged at.
var testNow = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

// testPKI is a throwaway CA for certificates the tests can trust.
type testPKI struct {
	cert *x509.Certificate
	key  crypto.Signer
	pool *x509.CertPool
}

func newTestPKI(t testing.TB) *testPKI {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "rcmguard test CA"},
		NotBefore:             testNow.AddDate(-1, 0, 0),
		NotAfter:              testNow.AddDate(5, 0, 0),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &testPKI{cert: cert, key: key, pool: pool}
}

// leafSpec describes a server certificate.
type leafSpec struct {
	hosts      []string // DNS names or IPs; default 127.0.0.1 and localhost
	notBefore  time.Time
	notAfter   time.Time
	rsaBits    int // 0 means ECDSA P-256
	selfSigned bool
}

var (
	keyMu    sync.Mutex
	rsaCache = map[int]*rsa.PrivateKey{}
)

// rsaKey caches keys by size: generating them dominates test time and
// reusing one across servers changes nothing the probe sees.
func rsaKey(t testing.TB, bits int) *rsa.PrivateKey {
	t.Helper()
	keyMu.Lock()
	defer keyMu.Unlock()
	if k, ok := rsaCache[bits]; ok {
		return k
	}
	// Go refuses to generate keys under 1024 bits only with rsa1024min; 1024
	// is allowed and is what the weak servers need.
	k, err := rsa.GenerateKey(rand.Reader, bits)
	if err != nil {
		t.Fatal(err)
	}
	rsaCache[bits] = k
	return k
}

func (p *testPKI) leaf(t testing.TB, s leafSpec) tls.Certificate {
	t.Helper()
	if s.hosts == nil {
		s.hosts = []string{"127.0.0.1", "localhost"}
	}
	if s.notBefore.IsZero() {
		s.notBefore = testNow.AddDate(0, -1, 0)
	}
	if s.notAfter.IsZero() {
		s.notAfter = testNow.AddDate(0, 6, 0)
	}
	var key crypto.Signer
	if s.rsaBits > 0 {
		key = rsaKey(t, s.rsaBits)
	} else {
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		key = k
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject:      pkix.Name{CommonName: s.hosts[0]},
		NotBefore:    s.notBefore,
		NotAfter:     s.notAfter,
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	for _, h := range s.hosts {
		if ip := net.ParseIP(h); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, h)
		}
	}
	parent, signer := p.cert, p.key
	if s.selfSigned {
		parent, signer = tmpl, key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, key.Public(), signer)
	if err != nil {
		t.Fatal(err)
	}
	chain := [][]byte{der}
	if !s.selfSigned {
		chain = append(chain, p.cert.Raw)
	}
	return tls.Certificate{Certificate: chain, PrivateKey: key}
}

// serve accepts connections on 127.0.0.1 until the test ends and hands each
// to handle in its own goroutine.
func serve(t testing.TB, handle func(net.Conn)) string { return probetest.Start(t, handle) }

// serveTLS runs a Go TLS server that completes handshakes and hangs up.
func serveTLS(t testing.TB, cfg *tls.Config) string { return probetest.StartTLS(t, cfg) }

// needTool returns the path of an external tool, skipping the test when it
// is missing outside CI and failing it in CI, where .ci/run installs it.
func needTool(t testing.TB, names ...string) string {
	t.Helper()
	for _, n := range names {
		if p, err := exec.LookPath(n); err == nil {
			return p
		}
		if p := "/usr/sbin/" + n; fileExists(p) {
			return p
		}
	}
	if ci := os.Getenv("CI"); ci != "" && ci != "false" && ci != "0" {
		t.Fatalf("%s not installed; CI must install it (see .ci/run)", names[0])
	}
	t.Skipf("%s not installed; install it (apt-get install openssh-server ssh-audit testssl.sh) to run this test", names[0])
	return ""
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}
