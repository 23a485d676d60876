// Package mailpittest runs a real SMTP server for tests: Mailpit, on free
// loopback ports with a database of its own, read back through its HTTP
// API. Tests that need it skip with a hint when the binary is absent, and
// fail instead under CI (CI=true), which installs it.
package mailpittest

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Server is a running Mailpit.
type Server struct {
	Host string // 127.0.0.1
	Port int    // its SMTP port
	api  string // base URL of its HTTP API
	// RootCAs trusts the server's certificate when it was started WithTLS.
	RootCAs *x509.CertPool
	log     *syncBuffer
}

// Option changes how the server starts.
type Option func(*startConfig)

type startConfig struct {
	tls         bool
	requireTLS  bool
	implicitTLS bool
	auth        bool
}

// WithTLS gives the server a certificate for 127.0.0.1 made for this test
// and offers STARTTLS; require makes it refuse mail without it.
func WithTLS(require bool) Option {
	return func(c *startConfig) { c.tls, c.requireTLS = true, require }
}

// WithImplicitTLS gives the server a certificate as WithTLS does and
// speaks TLS from the first byte, as an smtps:// relay does.
func WithImplicitTLS() Option {
	return func(c *startConfig) { c.tls, c.implicitTLS = true, true }
}

// WithAuth makes the server offer authentication and accept any user name
// and password.
func WithAuth() Option { return func(c *startConfig) { c.auth = true } }

// Binary finds the mailpit executable on PATH or in $(go env GOPATH)/bin.
// It returns "" when there is none.
func Binary() string {
	if p, err := exec.LookPath("mailpit"); err == nil {
		return p
	}
	out, err := exec.Command("go", "env", "GOPATH").Output()
	if err != nil {
		return ""
	}
	for _, dir := range filepath.SplitList(strings.TrimSpace(string(out))) {
		p := filepath.Join(dir, "bin", "mailpit")
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0 {
			return p
		}
	}
	return ""
}

// Start runs a Mailpit for the test and stops it when the test ends.
func Start(t testing.TB, opts ...Option) *Server {
	t.Helper()
	var cfg startConfig
	for _, o := range opts {
		o(&cfg)
	}
	bin := Binary()
	if bin == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("mailpit is not installed under CI: .ci/run installs it with go install github.com/axllent/mailpit@v1.33.1")
		}
		t.Skip("mailpit not found on PATH or in $(go env GOPATH)/bin; install it with go install github.com/axllent/mailpit@v1.33.1")
	}
	dir := t.TempDir()
	smtpPort, apiPort := freePort(t), freePort(t)
	s := &Server{Host: "127.0.0.1", Port: smtpPort, api: fmt.Sprintf("http://127.0.0.1:%d", apiPort), log: &syncBuffer{}}
	args := []string{
		"--smtp", net.JoinHostPort(s.Host, strconv.Itoa(smtpPort)),
		"--listen", net.JoinHostPort(s.Host, strconv.Itoa(apiPort)),
		"--database", filepath.Join(dir, "mailpit.db"),
		"--disable-version-check", "--smtp-disable-rdns",
	}
	if cfg.tls {
		cert, key, pool := selfSigned(t, dir)
		s.RootCAs = pool
		args = append(args, "--smtp-tls-cert", cert, "--smtp-tls-key", key)
		switch {
		case cfg.implicitTLS:
			args = append(args, "--smtp-require-tls")
		case cfg.requireTLS:
			args = append(args, "--smtp-require-starttls")
		}
	}
	if cfg.auth {
		args = append(args, "--smtp-auth-accept-any")
	}
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = s.log, s.log
	if err := cmd.Start(); err != nil {
		t.Fatalf("start mailpit: %v", err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-exited
	})
	// Ready when both the API answers and the SMTP port accepts; bounded by
	// a count of attempts, with a generous pause, not by a deadline.
	for i := 0; ; i++ {
		select {
		case <-exited:
			t.Fatalf("mailpit exited at start:\n%s", s.log.String())
		default:
		}
		if s.ready() {
			return s
		}
		if i == 400 {
			t.Fatalf("mailpit did not become ready:\n%s", s.log.String())
		}
		time.Sleep(25 * time.Millisecond)
	}
}

func (s *Server) ready() bool {
	resp, err := http.Get(s.api + "/api/v1/info")
	if err != nil {
		return false
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return false
	}
	c, err := net.DialTimeout("tcp", net.JoinHostPort(s.Host, strconv.Itoa(s.Port)), time.Second)
	if err != nil {
		return false
	}
	c.Close()
	return true
}

// Logs returns what Mailpit printed, for failure messages.
func (s *Server) Logs() string { return s.log.String() }

// Address is one address of a message as Mailpit reports it.
type Address struct {
	Name    string `json:"Name"`
	Address string `json:"Address"`
}

// Summary is a message in Mailpit's list.
type Summary struct {
	ID      string    `json:"ID"`
	From    Address   `json:"From"`
	To      []Address `json:"To"`
	Subject string    `json:"Subject"`
}

// Message is one message with its parts and headers.
type Message struct {
	Summary
	Text    string              `json:"Text"`
	HTML    string              `json:"HTML"`
	Headers map[string][]string `json:"-"`
}

// Messages lists what the server received, newest first.
func (s *Server) Messages(t testing.TB) []Summary {
	t.Helper()
	var list struct {
		Messages []Summary `json:"messages"`
	}
	s.getJSON(t, "/api/v1/messages", &list)
	return list.Messages
}

// To returns the messages addressed to addr, newest first.
func (s *Server) To(t testing.TB, addr string) []Message {
	t.Helper()
	var out []Message
	for _, m := range s.Messages(t) {
		for _, a := range m.To {
			if strings.EqualFold(a.Address, addr) {
				out = append(out, s.Message(t, m.ID))
				break
			}
		}
	}
	return out
}

// WaitTo returns the messages addressed to addr once there are at least n,
// newest first. Mailpit stores a message as it answers the end of its
// data, so the wait is short; it is bounded by a count of attempts.
func (s *Server) WaitTo(t testing.TB, addr string, n int) []Message {
	t.Helper()
	for i := 0; ; i++ {
		if got := s.To(t, addr); len(got) >= n || i == 200 {
			if len(got) < n {
				t.Fatalf("%d messages to %s; want %d\n%s", len(got), addr, n, s.Logs())
			}
			return got
		}
		time.Sleep(25 * time.Millisecond)
	}
}

// Message reads one message in full.
func (s *Server) Message(t testing.TB, id string) Message {
	t.Helper()
	var m Message
	s.getJSON(t, "/api/v1/message/"+id, &m)
	s.getJSON(t, "/api/v1/message/"+id+"/headers", &m.Headers)
	return m
}

func (s *Server) getJSON(t testing.TB, path string, v any) {
	t.Helper()
	resp, err := http.Get(s.api + path)
	if err != nil {
		t.Fatalf("mailpit API %s: %v", path, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("mailpit API %s: status %d", path, resp.StatusCode)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatalf("mailpit API %s: %v", path, err)
	}
}

// freePort asks the kernel for a loopback port that is free now.
func freePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// selfSigned writes a certificate and key for 127.0.0.1 and localhost and
// returns their paths and a pool that trusts the certificate.
func selfSigned(t testing.TB, dir string) (certPath, keyPath string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "mailpittest"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		IPAddresses:           []net.IP{net.ParseIP("127.0.0.1")},
		DNSNames:              []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certPath, keyPath = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certPath, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyPath, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		t.Fatal(err)
	}
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return certPath, keyPath, pool
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}
