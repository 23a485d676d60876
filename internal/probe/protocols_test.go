package probe

import (
	"bufio"
	"context"
	"crypto/tls"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"rcmguard/internal/evidence"
)

// serveFTP is a tiny FTP control-channel server: enough of RFC 959 and
// RFC 4217 for the probe's questions.
func serveFTP(t *testing.T, authTLS bool) string {
	return serve(t, func(c net.Conn) {
		br := bufio.NewReader(c)
		write := func(s string) { _, _ = io.WriteString(c, s) }
		write("220-Welcome to the billing drop box\r\n Files are deleted after 30 days\r\n220 Ready\r\n")
		for {
			line, err := br.ReadString('\n')
			if err != nil {
				return
			}
			switch cmd := strings.ToUpper(strings.TrimSpace(line)); {
			case cmd == "FEAT":
				if authTLS {
					write("211-Features:\r\n AUTH TLS\r\n PBSZ\r\n PROT\r\n UTF8\r\n211 End\r\n")
				} else {
					write("211-Features:\r\n UTF8\r\n SIZE\r\n211 End\r\n")
				}
			case cmd == "AUTH TLS" && authTLS:
				write("234 AUTH TLS successful\r\n")
				return
			case strings.HasPrefix(cmd, "AUTH"):
				write("502 Command not implemented\r\n")
			case cmd == "QUIT":
				write("221 Goodbye\r\n")
				return
			default:
				write("500 Unknown command\r\n")
			}
		}
	})
}

// serveSMTP is a tiny ESMTP server; with cfg set it offers STARTTLS and
// hands the connection to a Go TLS server after the 220.
func serveSMTP(t *testing.T, cfg *tls.Config) string {
	return serve(t, func(c net.Conn) {
		br := bufio.NewReader(c)
		write := func(s string) { _, _ = io.WriteString(c, s) }
		write("220 mail.test ESMTP ready\r\n")
		for {
			line, err := br.ReadString('\n')
			if err != nil {
				return
			}
			switch cmd := strings.ToUpper(strings.TrimSpace(line)); {
			case strings.HasPrefix(cmd, "EHLO"):
				if cfg != nil {
					write("250-mail.test greets you\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n250 STARTTLS\r\n")
				} else {
					write("250-mail.test greets you\r\n250-PIPELINING\r\n250 SIZE 10240000\r\n")
				}
			case cmd == "STARTTLS" && cfg != nil:
				write("220 Go ahead\r\n")
				_ = tls.Server(c, cfg).Handshake()
				return
			case cmd == "QUIT":
				write("221 Bye\r\n")
				return
			default:
				write("502 5.5.2 Error: command not recognized\r\n")
			}
		}
	})
}

func TestProbeFTP(t *testing.T) {
	for _, authTLS := range []bool{true, false} {
		addr := serveFTP(t, authTLS)
		res := Probe(context.Background(), Target{Protocol: ProtoFTP, Address: addr, Element: "sys-dropbox"}, Options{})
		if res.Error != "" {
			t.Fatalf("probe: %s", res.Error)
		}
		if res.FTP.AuthTLS != authTLS {
			t.Errorf("AuthTLS = %v; want %v", res.FTP.AuthTLS, authTLS)
		}
		if got := factChecks(res.Facts)[CheckFTPNoAuthTLS]; got == authTLS {
			t.Errorf("authTLS=%v: %s reported = %v%s", authTLS, CheckFTPNoAuthTLS, got, factSummaries(res.Facts))
		}
		if !strings.Contains(res.FTP.Banner, "billing drop box") {
			t.Errorf("banner = %q", res.FTP.Banner)
		}
		for _, f := range res.Facts {
			if f.Attrs["element"] != "sys-dropbox" {
				t.Errorf("fact %s lacks the element: %v", f.Check, f.Attrs)
			}
		}
	}
}

func TestProbeSMTP(t *testing.T) {
	pki := newTestPKI(t)
	t.Run("no starttls", func(t *testing.T) {
		res := Probe(context.Background(), Target{Protocol: ProtoSMTP, Address: serveSMTP(t, nil)}, Options{})
		if res.Error != "" {
			t.Fatalf("probe: %s", res.Error)
		}
		if !factChecks(res.Facts)[CheckSMTPNoSTARTTLS] {
			t.Errorf("missing %s%s", CheckSMTPNoSTARTTLS, factSummaries(res.Facts))
		}
	})
	t.Run("starttls on TLS 1.0", func(t *testing.T) {
		cfg := &tls.Config{
			Certificates: []tls.Certificate{pki.leaf(t, leafSpec{rsaBits: 2048})},
			MinVersion:   tls.VersionTLS10,
			MaxVersion:   tls.VersionTLS12,
			CipherSuites: []uint16{tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA, tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256},
		}
		res := Probe(context.Background(), Target{Protocol: ProtoSMTP, Address: serveSMTP(t, cfg)},
			Options{Roots: pki.pool, Now: func() time.Time { return testNow }})
		if res.Error != "" {
			t.Fatalf("probe: %s", res.Error)
		}
		checks := factChecks(res.Facts)
		if checks[CheckSMTPNoSTARTTLS] || !res.SMTP.STARTTLS {
			t.Errorf("STARTTLS not seen%s", factSummaries(res.Facts))
		}
		if res.SMTP.TLS == nil {
			t.Fatalf("no TLS report after STARTTLS: %s", res.SMTP.TLSError)
		}
		if got := strings.Join(res.SMTP.TLS.Versions, ","); got != "TLS1.0,TLS1.1,TLS1.2" {
			t.Errorf("versions after STARTTLS = %s", got)
		}
		if !checks[CheckTLSLegacyProtocol] || checks[CheckTLSCertUntrusted] {
			t.Errorf("TLS verdicts after STARTTLS wrong%s", factSummaries(res.Facts))
		}
	})
}

// TestProbeSSHTerrapin uses a server written here that sends a chosen
// KEXINIT, to cover offers no installed sshd would make.
func TestProbeSSHTerrapin(t *testing.T) {
	tests := []struct {
		name    string
		kex     string
		ciphers string
		macs    string
		want    bool
	}{
		{"chacha without strict kex", "curve25519-sha256", "chacha20-poly1305@openssh.com,aes128-ctr", "hmac-sha2-256-etm@openssh.com", true},
		{"cbc with etm without strict kex", "curve25519-sha256", "aes128-cbc", "hmac-sha2-256-etm@openssh.com", true},
		{"chacha with strict kex", "curve25519-sha256,kex-strict-s-v00@openssh.com", "chacha20-poly1305@openssh.com", "hmac-sha2-256-etm@openssh.com", false},
		{"ctr with etm", "curve25519-sha256", "aes128-ctr", "hmac-sha2-256-etm@openssh.com", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			addr := serve(t, func(c net.Conn) {
				_, _ = io.WriteString(c, "Hello, this line comes before the version\r\nSSH-2.0-FakeSSH_1.0\r\n")
				br := bufio.NewReader(c)
				if _, err := readBoundedLine(br, 255); err != nil {
					return
				}
				_, _ = c.Write(sshPacket(marshalKexInit([10]string{tt.kex, "ssh-ed25519", tt.ciphers, tt.ciphers,
					tt.macs, tt.macs, "none", "none", "", ""})))
				// Hang up once the client's KEXINIT is in: this server
				// cannot go on with a key exchange.
				_, _ = readSSHPacket(br)
			})
			res := Probe(context.Background(), Target{Protocol: ProtoSSH, Address: addr}, Options{Timeout: 5 * time.Second})
			if res.Error != "" {
				t.Fatalf("probe: %s", res.Error)
			}
			if got := factChecks(res.Facts)[CheckSSHTerrapin]; got != tt.want {
				t.Errorf("%s = %v; want %v%s", CheckSSHTerrapin, got, tt.want, factSummaries(res.Facts))
			}
			if res.SSH.Banner != "SSH-2.0-FakeSSH_1.0" {
				t.Errorf("banner = %q", res.SSH.Banner)
			}
			// The fake server never finishes a key exchange, so the auth
			// methods stay unknown and the probe says why.
			if res.SSH.AuthError == "" || res.SSH.AuthMethods != nil {
				t.Errorf("auth = %v, error %q; want unknown with an error", res.SSH.AuthMethods, res.SSH.AuthError)
			}
		})
	}
}

func TestProbeUnreachable(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := ln.Addr().String()
	ln.Close()

	// A silent server accepts and never says a word; the probe must give up
	// on its own, whatever the protocol.
	silentServer := func(t *testing.T) (addr string, accepted <-chan struct{}) {
		ch := make(chan struct{}, 1)
		addr = serve(t, func(c net.Conn) {
			select {
			case ch <- struct{}{}:
			default:
			}
			_, _ = io.Copy(io.Discard, c)
		})
		return addr, ch
	}

	for _, proto := range Protocols {
		t.Run(proto+" closed port", func(t *testing.T) {
			res := Probe(context.Background(), Target{Protocol: proto, Address: closed}, Options{})
			wantUnreachable(t, res)
		})
		// The timeout is generous for a dial on the loopback interface, so
		// only the silent read can use it up, however loaded the machine.
		t.Run(proto+" silent server, timeout", func(t *testing.T) {
			silent, _ := silentServer(t)
			res := Probe(context.Background(), Target{Protocol: proto, Address: silent}, Options{Timeout: 300 * time.Millisecond})
			if proto == ProtoTLS {
				// Silence to every hello is a refusal of every version.
				if !factChecks(res.Facts)[CheckTLSNoHandshake] {
					t.Errorf("facts: %s", factSummaries(res.Facts))
				}
				return
			}
			wantUnreachable(t, res)
		})
		t.Run(proto+" silent server, cancelled", func(t *testing.T) {
			silent, accepted := silentServer(t)
			ctx, cancel := context.WithCancel(context.Background())
			go func() {
				<-accepted
				cancel()
			}()
			res := Probe(ctx, Target{Protocol: proto, Address: silent}, Options{Timeout: time.Hour})
			cancel()
			wantUnreachable(t, res)
		})
	}
	t.Run("bad address", func(t *testing.T) {
		wantUnreachable(t, Probe(context.Background(), Target{Protocol: ProtoTLS, Address: "no-port"}, Options{}))
	})
	t.Run("unknown protocol", func(t *testing.T) {
		wantUnreachable(t, Probe(context.Background(), Target{Protocol: "gopher", Address: closed}, Options{}))
	})
}

func wantUnreachable(t *testing.T, res Result) {
	t.Helper()
	if res.Error == "" || len(res.Facts) != 1 || res.Facts[0].Check != CheckUnreachable {
		t.Fatalf("result = error %q, facts %s; want %s", res.Error, factSummaries(res.Facts), CheckUnreachable)
	}
	if res.Facts[0].Severity != evidence.SeverityMedium || res.Facts[0].Attrs["error"] == "" {
		t.Errorf("unreachable fact = %+v", res.Facts[0])
	}
}

// TestProbeWrongProtocol: an endpoint that speaks another protocol than the
// declared one is reported as such, not judged as the declared protocol
// (an SMTP server is not "an FTP server without AUTH TLS").
func TestProbeWrongProtocol(t *testing.T) {
	smtp := serveSMTP(t, nil)
	ftp := serveFTP(t, false)
	tests := []struct {
		declared, addr, observed string
		notWant                  string
	}{
		{ProtoFTP, smtp, ProtoSMTP, CheckFTPNoAuthTLS},
		{ProtoSMTP, ftp, "ftp or another protocol", CheckSMTPNoSTARTTLS},
		{ProtoTLS, smtp, ProtoSMTP, CheckTLSNoHandshake},
		{ProtoSSH, ftp, "FTP or SMTP", CheckUnreachable},
	}
	for _, tt := range tests {
		res := Probe(context.Background(), Target{Protocol: tt.declared, Address: tt.addr}, Options{Timeout: 10 * time.Second})
		if res.Observed != tt.observed || !hasCheck(res.Facts, CheckWrongProtocol) || hasCheck(res.Facts, tt.notWant) {
			t.Errorf("%s on a %s server: observed %q, error %q%s", tt.declared, tt.observed, res.Observed, res.Error, factSummaries(res.Facts))
		}
	}
	// The right protocol is still judged as before.
	if res := Probe(context.Background(), Target{Protocol: ProtoFTP, Address: ftp}, Options{Timeout: 10 * time.Second}); !hasCheck(res.Facts, CheckFTPNoAuthTLS) || res.Observed != "" {
		t.Errorf("plain FTP: %+v%s", res, factSummaries(res.Facts))
	}
}
