package notify

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/mail"
	"net/url"
	"strconv"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"
)

// SMTPConfig is how to reach the organisation's mail relay. Links in the
// messages are credentials (an invitation link lets its holder join a
// workspace), so the connection is encrypted unless the operator says
// otherwise in so many words.
type SMTPConfig struct {
	Host string
	Port int
	// ImplicitTLS speaks TLS from the first byte (smtps://, port 465);
	// otherwise the relay must offer STARTTLS and the message is sent only
	// after it, unless Plaintext is set.
	ImplicitTLS bool
	// Plaintext sends without TLS (smtp://…?tls=none): for a relay on the
	// same machine. Credentials are refused with it.
	Plaintext bool
	Username  string
	Password  string
	// From is the sender address, "rcmguard@example.org" or
	// "rcmguard <rcmguard@example.org>".
	From string
	// RootCAs verify the relay's certificate; nil: the system's roots.
	RootCAs *x509.CertPool
	// Timeout bounds the connection and each exchange with the relay;
	// zero: 15 seconds. A whole message is bounded by four times it.
	Timeout time.Duration
}

// ParseSMTPURL reads the relay's address as operators write it:
//
//	smtp://[user:password@]host[:port][?from=ADDRESS][&tls=none]   STARTTLS required, port 587
//	smtps://[user:password@]host[:port][?from=ADDRESS]             TLS from the start, port 465
//
// from, when not empty, is the sender address given apart from the URL
// (a flag); it and ?from= must agree when both are given. Characters in
// the password that have a meaning in URLs are percent-encoded. Errors
// never repeat the URL: it may hold the password.
func ParseSMTPURL(raw, from string) (SMTPConfig, error) {
	var c SMTPConfig
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return c, errors.New("notify: smtp URL: not a URL (want smtp://user:password@host:port or smtps://…; percent-encode special characters in the password)")
	}
	switch u.Scheme {
	case "smtp":
		c.Port = gomail.DefaultPortTLS
	case "smtps":
		c.ImplicitTLS, c.Port = true, gomail.DefaultPortSSL
	default:
		return c, fmt.Errorf("notify: smtp URL: scheme %q (want smtp or smtps)", u.Scheme)
	}
	if u.Opaque != "" || (u.Path != "" && u.Path != "/") || u.Fragment != "" {
		return c, errors.New("notify: smtp URL: only a host, a port and options are allowed (no path)")
	}
	c.Host = u.Hostname()
	if c.Host == "" {
		return c, errors.New("notify: smtp URL: the relay's host name is missing")
	}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return c, fmt.Errorf("notify: smtp URL: port %q is not a number from 1 to 65535", p)
		}
		c.Port = n
	}
	if u.User != nil {
		c.Username = u.User.Username()
		c.Password, _ = u.User.Password()
	}
	for k, vs := range u.Query() {
		v := vs[len(vs)-1]
		switch k {
		case "from":
			if from != "" && !sameAddress(from, v) {
				return c, errors.New("notify: smtp URL: ?from= and the sender flag name different addresses")
			}
			if from == "" {
				from = v
			}
		case "tls":
			switch v {
			case "none":
				c.Plaintext = true
			case "starttls":
			default:
				return c, fmt.Errorf("notify: smtp URL: tls=%q (want starttls, the default, or none)", v)
			}
		default:
			return c, fmt.Errorf("notify: smtp URL: unknown option %q (want from or tls)", k)
		}
	}
	if c.Plaintext && c.ImplicitTLS {
		return c, errors.New("notify: smtp URL: smtps:// with tls=none contradicts itself")
	}
	c.From = from
	return c, c.validate()
}

func sameAddress(a, b string) bool {
	x, err1 := mail.ParseAddress(a)
	y, err2 := mail.ParseAddress(b)
	return err1 == nil && err2 == nil && strings.EqualFold(x.Address, y.Address)
}

// validate checks what ParseSMTPURL and callers that fill SMTPConfig
// themselves must both respect.
func (c SMTPConfig) validate() error {
	if c.Host == "" || c.Port < 1 || c.Port > 65535 {
		return errors.New("notify: smtp: a relay host and port are required")
	}
	if c.From == "" {
		return errors.New("notify: smtp: a sender address is required (?from= in the URL or the sender flag)")
	}
	if _, err := mail.ParseAddress(c.From); err != nil {
		return fmt.Errorf("notify: smtp: sender %q is not an e-mail address", c.From)
	}
	if c.Password != "" && c.Username == "" {
		return errors.New("notify: smtp: a password without a user name")
	}
	if c.Plaintext && c.Username != "" {
		return errors.New("notify: smtp: credentials would cross the network in clear with tls=none; use STARTTLS or smtps://")
	}
	return nil
}

// Describe names the relay and its TLS policy for start-up messages and
// logs, without the password.
func (c SMTPConfig) Describe() string {
	mode := "STARTTLS required"
	switch {
	case c.ImplicitTLS:
		mode = "TLS"
	case c.Plaintext:
		mode = "no TLS"
	}
	who := ""
	if c.Username != "" {
		who = c.Username + "@"
	}
	return fmt.Sprintf("smtp relay %s%s (%s), from %s", who, net.JoinHostPort(c.Host, strconv.Itoa(c.Port)), mode, c.From)
}

// SMTP sends messages through a relay, one connection per message: the
// messages are few (invitations, notices) and a held connection would only
// time out between them.
type SMTP struct {
	cfg SMTPConfig
}

// NewSMTP checks cfg and returns a Sender for it. It does not connect.
func NewSMTP(cfg SMTPConfig) (*SMTP, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 15 * time.Second
	}
	return &SMTP{cfg: cfg}, nil
}

// Config returns the configuration in use.
func (s *SMTP) Config() SMTPConfig { return s.cfg }

// Send delivers m to the relay. It fails when the relay cannot be reached
// in time, does not offer the TLS the configuration requires, refuses the
// credentials or refuses a recipient; the error never carries the
// message's text.
func (s *SMTP) Send(ctx context.Context, m Message) error {
	msg, err := s.compose(m)
	if err != nil {
		return err
	}
	opts := []gomail.Option{
		gomail.WithPort(s.cfg.Port),
		gomail.WithTimeout(s.cfg.Timeout),
		gomail.WithTLSConfig(&tls.Config{ServerName: s.cfg.Host, MinVersion: tls.VersionTLS12, RootCAs: s.cfg.RootCAs}),
	}
	switch {
	case s.cfg.ImplicitTLS:
		opts = append(opts, gomail.WithSSL())
	case s.cfg.Plaintext:
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	default:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	}
	if s.cfg.Username != "" {
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover),
			gomail.WithUsername(s.cfg.Username), gomail.WithPassword(s.cfg.Password))
	}
	client, err := gomail.NewClient(s.cfg.Host, opts...)
	if err != nil {
		return fmt.Errorf("notify: smtp client: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, 4*s.cfg.Timeout)
	defer cancel()
	if err := client.DialAndSendWithContext(ctx, msg); err != nil {
		return fmt.Errorf("notify: send through %s:%d: %w", s.cfg.Host, s.cfg.Port, err)
	}
	return nil
}

// compose builds the MIME message. The subject is one line whatever the
// caller passed (a workspace name is typed by people), and the message
// says it was sent by a program so that out-of-office replies stay away.
func (s *SMTP) compose(m Message) (*gomail.Msg, error) {
	if len(m.To) == 0 {
		return nil, errors.New("notify: message without a recipient")
	}
	if m.Text == "" {
		return nil, errors.New("notify: message without a text part")
	}
	msg := gomail.NewMsg(gomail.WithNoDefaultUserAgent())
	if err := msg.From(s.cfg.From); err != nil {
		return nil, fmt.Errorf("notify: sender: %w", err)
	}
	if err := msg.To(m.To...); err != nil {
		return nil, fmt.Errorf("notify: recipient: %w", err)
	}
	msg.Subject(oneLine(m.Subject))
	msg.SetDate()
	msg.SetMessageID()
	msg.SetUserAgent("rcmguard")
	msg.SetGenHeader(gomail.Header("Auto-Submitted"), "auto-generated")
	msg.SetBodyString(gomail.TypeTextPlain, m.Text)
	if m.HTML != "" {
		msg.AddAlternativeString(gomail.TypeTextHTML, m.HTML)
	}
	return msg, nil
}

// oneLine replaces control characters (line breaks among them) by spaces.
func oneLine(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, s)
}
