// Package probetest serves endpoints for rcmguard probe to look at: a
// local server that hands each connection to a handler, and the TLS
// configuration of a neglected portal. The probe's tests use it, and so
// does the demo, which has no real portal to probe. It listens on
// 127.0.0.1 only and is never part of a production path.
package probetest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"math/big"
	"net"
	"sync"
	"time"
)

// connDeadline bounds one connection, so that a stuck peer cannot hold
// the server (or a test) open.
const connDeadline = 30 * time.Second

// Server accepts connections on 127.0.0.1.
type Server struct {
	ln     net.Listener
	wg     sync.WaitGroup
	mu     sync.Mutex
	conns  map[net.Conn]bool
	closed bool
}

// Serve starts a server that hands each connection to handle in its own
// goroutine and closes the connection when handle returns.
func Serve(handle func(net.Conn)) (*Server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("probetest: %w", err)
	}
	s := &Server{ln: ln, conns: map[net.Conn]bool{}}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			if !s.track(c) {
				c.Close()
				return
			}
			s.wg.Add(1)
			go func() {
				defer s.wg.Done()
				defer s.untrack(c)
				_ = c.SetDeadline(time.Now().Add(connDeadline))
				handle(c)
			}()
		}
	}()
	return s, nil
}

// ServeTLS starts a server that answers TLS handshakes with cfg and hangs
// up. Failed handshakes are what a probe provokes on purpose.
func ServeTLS(cfg *tls.Config) (*Server, error) {
	return Serve(func(c net.Conn) { _ = tls.Server(c, cfg).Handshake() })
}

// TB is what Start and StartTLS need of a test: testing.TB has it.
type TB interface {
	Helper()
	Fatal(args ...any)
	Cleanup(func())
}

// Start serves handle (as Serve does) until the test ends, and returns the
// address.
func Start(t TB, handle func(net.Conn)) string {
	t.Helper()
	s, err := Serve(handle)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s.Addr()
}

// StartTLS serves TLS handshakes with cfg (as ServeTLS does) until the
// test ends, and returns the address.
func StartTLS(t TB, cfg *tls.Config) string {
	t.Helper()
	s, err := ServeTLS(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s.Addr()
}

// Addr is the server's host:port.
func (s *Server) Addr() string { return s.ln.Addr().String() }

// Close stops accepting, hangs up on open connections and waits for
// their handlers to return.
func (s *Server) Close() {
	s.mu.Lock()
	s.closed = true
	for c := range s.conns {
		c.Close()
	}
	s.mu.Unlock()
	s.ln.Close()
	s.wg.Wait()
}

func (s *Server) track(c net.Conn) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	s.conns[c] = true
	return true
}

func (s *Server) untrack(c net.Conn) {
	s.mu.Lock()
	delete(s.conns, c)
	s.mu.Unlock()
	c.Close()
}

// LegacyPortal is TLS as a portal nobody maintains serves it: TLS 1.0 to
// 1.2, CBC suites beside one AEAD suite, and a self-signed certificate for
// hosts, valid from a day before now for a year.
func LegacyPortal(hosts []string, now time.Time) (*tls.Config, error) {
	if len(hosts) == 0 {
		return nil, fmt.Errorf("probetest: a certificate needs at least one host")
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("probetest: %w", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(now.Unix()),
		Subject:      pkix.Name{CommonName: hosts[0], Organization: []string{"rcmguard demo"}},
		DNSNames:     hosts,
		NotBefore:    now.Add(-24 * time.Hour),
		NotAfter:     now.AddDate(1, 0, 0),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, fmt.Errorf("probetest: %w", err)
	}
	return &tls.Config{
		Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}},
		MinVersion:   tls.VersionTLS10,
		MaxVersion:   tls.VersionTLS12,
		CipherSuites: []uint16{
			tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA,
			tls.TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA,
			tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
		},
	}, nil
}
