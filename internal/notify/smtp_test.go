package notify_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"rcmguard/internal/notify"
	"rcmguard/internal/notify/mailpittest"
)

func TestParseSMTPURL(t *testing.T) {
	for _, tc := range []struct {
		name, url, from string
		want            notify.SMTPConfig
	}{
		{"starttls default port", "smtp://relay.example.org?from=rcmguard@example.org", "",
			notify.SMTPConfig{Host: "relay.example.org", Port: 587, From: "rcmguard@example.org"}},
		{"credentials and port", "smtp://mailer:s%40cret%2Fx@relay.example.org:2525", "rcmguard@example.org",
			notify.SMTPConfig{Host: "relay.example.org", Port: 2525, Username: "mailer", Password: "s@cret/x", From: "rcmguard@example.org"}},
		{"implicit tls", "smtps://u:p@smtp.example.org/", "Risk team <risk@example.org>",
			notify.SMTPConfig{Host: "smtp.example.org", Port: 465, ImplicitTLS: true, Username: "u", Password: "p", From: "Risk team <risk@example.org>"}},
		{"plaintext to a local relay", "smtp://127.0.0.1:25?tls=none&from=rcmguard@example.org", "",
			notify.SMTPConfig{Host: "127.0.0.1", Port: 25, Plaintext: true, From: "rcmguard@example.org"}},
		{"explicit starttls, same sender twice", "smtp://relay.example.org?tls=starttls&from=RCMGUARD@example.org", "rcmguard@example.org",
			notify.SMTPConfig{Host: "relay.example.org", Port: 587, From: "rcmguard@example.org"}},
		{"ipv6 host", "smtp://[::1]:1025?from=a@example.org&tls=none", "",
			notify.SMTPConfig{Host: "::1", Port: 1025, Plaintext: true, From: "a@example.org"}},
	} {
		got, err := notify.ParseSMTPURL(tc.url, tc.from)
		if err != nil || got != tc.want {
			t.Errorf("%s: ParseSMTPURL(%q) = %+v, %v; want %+v", tc.name, tc.url, got, err, tc.want)
		}
	}
	const secret = "hunter2-secret"
	for _, tc := range []struct {
		name, url, from, want string
	}{
		{"not a URL", "smtp://u:" + secret + "@relay.example.org:x y", "a@example.org", "not a URL"},
		{"wrong scheme", "http://u:" + secret + "@relay.example.org", "a@example.org", `scheme "http"`},
		{"no host", "smtp://u:" + secret + "@:25", "a@example.org", "host name is missing"},
		{"bad port", "smtp://u:" + secret + "@relay.example.org:70000", "a@example.org", `port "70000"`},
		{"path", "smtp://relay.example.org/inbox", "a@example.org", "no path"},
		{"no sender", "smtp://u:" + secret + "@relay.example.org", "", "sender address is required"},
		{"bad sender", "smtp://relay.example.org?from=not-an-address", "", "not an e-mail address"},
		{"two senders", "smtp://relay.example.org?from=a@example.org", "b@example.org", "different addresses"},
		{"unknown option", "smtp://relay.example.org?from=a@example.org&insecure=1", "", `unknown option "insecure"`},
		{"unknown tls", "smtp://relay.example.org?from=a@example.org&tls=maybe", "", `tls="maybe"`},
		{"credentials in clear", "smtp://u:" + secret + "@relay.example.org?tls=none", "a@example.org", "in clear"},
		{"smtps without tls", "smtps://relay.example.org?tls=none", "a@example.org", "contradicts"},
		{"password without user", "smtp://:" + secret + "@relay.example.org", "a@example.org", "without a user name"},
	} {
		_, err := notify.ParseSMTPURL(tc.url, tc.from)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: ParseSMTPURL(%q) error %v; want one saying %q", tc.name, tc.url, err, tc.want)
			continue
		}
		if strings.Contains(err.Error(), secret) {
			t.Errorf("%s: the error repeats the password: %v", tc.name, err)
		}
	}
	c, _ := notify.ParseSMTPURL("smtp://mailer:"+secret+"@relay.example.org", "a@example.org")
	if d := c.Describe(); strings.Contains(d, secret) || !strings.Contains(d, "mailer@relay.example.org:587 (STARTTLS required)") {
		t.Errorf("Describe() = %q", d)
	}
}

func sender(t *testing.T, cfg notify.SMTPConfig) *notify.SMTP {
	t.Helper()
	cfg.Timeout = 10 * time.Second
	s, err := notify.NewSMTP(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestSMTPDeliversToARealServer sends through Mailpit in each TLS mode and
// reads each message back through Mailpit's API.
func TestSMTPDeliversToARealServer(t *testing.T) {
	ctx := context.Background()
	msg := notify.Message{To: []string{"x@b.example"}, Subject: "Invitation\r\nBcc: evil@example.org",
		Text: "Open https://rcmguard.example.org/invite/abc to join.\n"}

	t.Run("starttls", func(t *testing.T) {
		mp := mailpittest.Start(t, mailpittest.WithTLS(true), mailpittest.WithAuth())
		s := sender(t, notify.SMTPConfig{Host: mp.Host, Port: mp.Port, Username: "mailer", Password: "pw",
			From: "rcmguard <rcmguard@example.org>", RootCAs: mp.RootCAs})
		if err := s.Send(ctx, msg); err != nil {
			t.Fatalf("send: %v\n%s", err, mp.Logs())
		}
		got := mp.WaitTo(t, "x@b.example", 1)[0]
		if got.From.Address != "rcmguard@example.org" || strings.ReplaceAll(got.Text, "\r\n", "\n") != msg.Text {
			t.Errorf("received from %q text %q", got.From.Address, got.Text)
		}
		// The subject stays one line: a name with a line break adds no header.
		if strings.ContainsAny(got.Subject, "\r\n") || len(got.To) != 1 || len(mp.To(t, "evil@example.org")) != 0 {
			t.Errorf("subject %q, recipients %v: header injection", got.Subject, got.To)
		}
		if h := got.Headers["Auto-Submitted"]; len(h) != 1 || h[0] != "auto-generated" {
			t.Errorf("Auto-Submitted = %v; want auto-generated", h)
		}
		if len(got.Headers["Message-Id"]) != 1 || len(got.Headers["Date"]) != 1 {
			t.Errorf("headers lack Message-ID or Date: %v", got.Headers)
		}
	})

	t.Run("implicit tls", func(t *testing.T) {
		mp := mailpittest.Start(t, mailpittest.WithImplicitTLS())
		s := sender(t, notify.SMTPConfig{Host: mp.Host, Port: mp.Port, ImplicitTLS: true, From: "rcmguard@example.org", RootCAs: mp.RootCAs})
		if err := s.Send(ctx, msg); err != nil {
			t.Fatalf("send: %v\n%s", err, mp.Logs())
		}
		mp.WaitTo(t, "x@b.example", 1)
	})

	t.Run("plaintext when asked", func(t *testing.T) {
		mp := mailpittest.Start(t)
		s := sender(t, notify.SMTPConfig{Host: mp.Host, Port: mp.Port, Plaintext: true, From: "rcmguard@example.org"})
		if err := s.Send(ctx, msg); err != nil {
			t.Fatalf("send: %v\n%s", err, mp.Logs())
		}
		mp.WaitTo(t, "x@b.example", 1)
	})
}

// TestSMTPRefusesWithoutTLS: by default a relay that does not offer
// STARTTLS, or whose certificate is not trusted, gets nothing.
func TestSMTPRefusesWithoutTLS(t *testing.T) {
	ctx := context.Background()
	msg := notify.Message{To: []string{"x@b.example"}, Subject: "Invitation", Text: "a link"}

	plain := mailpittest.Start(t)
	s := sender(t, notify.SMTPConfig{Host: plain.Host, Port: plain.Port, From: "rcmguard@example.org"})
	if err := s.Send(ctx, msg); err == nil || !strings.Contains(err.Error(), "STARTTLS") {
		t.Errorf("send to a relay without STARTTLS: %v; want a refusal naming STARTTLS", err)
	}

	untrusted := mailpittest.Start(t, mailpittest.WithTLS(false))
	s = sender(t, notify.SMTPConfig{Host: untrusted.Host, Port: untrusted.Port, From: "rcmguard@example.org"})
	if err := s.Send(ctx, msg); err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Errorf("send to a relay with an untrusted certificate: %v; want a certificate error", err)
	}
	for _, mp := range []*mailpittest.Server{plain, untrusted} {
		if got := mp.Messages(t); len(got) != 0 {
			t.Errorf("%d messages delivered without TLS", len(got))
		}
	}
}

func TestSMTPRefusesIncompleteMessages(t *testing.T) {
	s := sender(t, notify.SMTPConfig{Host: "127.0.0.1", Port: 1, Plaintext: true, From: "rcmguard@example.org"})
	for _, m := range []notify.Message{
		{Subject: "no one", Text: "x"},
		{To: []string{"x@b.example"}, Subject: "no text"},
		{To: []string{"not an address"}, Subject: "s", Text: "x"},
	} {
		if err := s.Send(context.Background(), m); err == nil {
			t.Errorf("Send(%+v) succeeded", m)
		}
	}
	if _, err := notify.NewSMTP(notify.SMTPConfig{Host: "relay.example.org", Port: 587}); err == nil {
		t.Error("NewSMTP without a sender succeeded")
	}
}
