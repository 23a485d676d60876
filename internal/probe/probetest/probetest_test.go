package probetest

import (
	"crypto/tls"
	"io"
	"net"
	"testing"
	"time"
)

// TestCloseHangsUp: Close returns once open connections are hung up, not
// when the peer gets round to it or the deadline passes.
func TestCloseHangsUp(t *testing.T) {
	reading := make(chan struct{})
	s, err := Serve(func(c net.Conn) {
		close(reading)
		_, _ = io.Copy(io.Discard, c) // until the server hangs up
	})
	if err != nil {
		t.Fatal(err)
	}
	c, err := net.Dial("tcp", s.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	<-reading
	s.Close()
	if _, err := c.Read(make([]byte, 1)); err == nil {
		t.Fatal("the connection is still open after Close")
	}
	if _, err := net.Dial("tcp", s.Addr()); err == nil {
		t.Fatal("the server still accepts after Close")
	}
}

// TestLegacyPortal: the portal speaks TLS 1.0 and a CBC suite, as the
// demo's probe evidence says it does.
func TestLegacyPortal(t *testing.T) {
	now := time.Now()
	cfg, err := LegacyPortal([]string{"portal.example"}, now)
	if err != nil {
		t.Fatal(err)
	}
	s, err := ServeTLS(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	c, err := tls.Dial("tcp", s.Addr(), &tls.Config{InsecureSkipVerify: true, MinVersion: tls.VersionTLS10, MaxVersion: tls.VersionTLS10,
		CipherSuites: []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA}})
	if err != nil {
		t.Fatalf("a TLS 1.0 CBC handshake: %v", err)
	}
	defer c.Close()
	st := c.ConnectionState()
	if st.Version != tls.VersionTLS10 || st.PeerCertificates[0].DNSNames[0] != "portal.example" {
		t.Fatalf("version %x, names %v", st.Version, st.PeerCertificates[0].DNSNames)
	}
}
