package probe

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"strings"
)

// SMTPReport is what the SMTP probe observed.
type SMTPReport struct {
	Banner     string   `json:"banner"`
	Extensions []string `json:"extensions,omitempty"`
	STARTTLS   bool     `json:"starttls"`
	// TLS is the full TLS probe run through STARTTLS, when offered.
	TLS *TLSReport `json:"tls,omitempty"`
	// TLSError says why the TLS probe after STARTTLS failed.
	TLSError string `json:"tls_error,omitempty"`
}

// smtpHelloName is what the probe calls itself in EHLO; .invalid is
// reserved (RFC 2606), so it can never name a real host.
const smtpHelloName = "rcmguard-probe.invalid"

func probeSMTP(ctx context.Context, addr string, opts Options) (*SMTPReport, error) {
	c, err := dial(ctx, addr, opts)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	br := bufio.NewReader(c)
	rep := &SMTPReport{}
	deadline(c, opts)
	if _, err := br.Peek(1); err == nil {
		if err := checkGreeting(br, ProtoSMTP); err != nil {
			return nil, err
		}
	}
	greet, err := greeting(c, br, opts)
	if err != nil {
		return nil, fmt.Errorf("probe: smtp %s: %w", addr, err)
	}
	rep.Banner = greet.text()
	ehlo, err := command(c, br, opts, "EHLO "+smtpHelloName)
	if err != nil {
		return nil, fmt.Errorf("probe: smtp %s: EHLO: %w", addr, err)
	}
	// Every SMTP server knows EHLO or at least HELO (RFC 5321 4.1.1.1); a
	// server that knows neither is not one. FTP servers answer 500/502.
	if ehlo.code == 500 || ehlo.code == 502 {
		if helo, err := command(c, br, opts, "HELO "+smtpHelloName); err == nil && helo.code >= 500 {
			return nil, &protocolMismatch{declared: ProtoSMTP, observed: ProtoFTP + " or another protocol",
				evidence: clip(printable(fmt.Sprintf("%d %s", ehlo.code, ehlo.text())))}
		}
	}
	if ehlo.code == 250 {
		rep.Extensions = ehlo.lines[1:]
		rep.STARTTLS = hasExtension(rep.Extensions, "STARTTLS")
	}
	// The verdict is known; QUIT is courtesy.
	_, _ = command(c, br, opts, "QUIT")

	if rep.STARTTLS && !opts.SkipSTARTTLS {
		tr, err := probeTLS(ctx, addr, opts, starttlsDialer(addr, opts))
		if err != nil {
			rep.TLSError = err.Error()
		} else {
			tr.STARTTLS = true
			rep.TLS = tr
		}
	}
	return rep, nil
}

func hasExtension(exts []string, name string) bool {
	for _, e := range exts {
		kw, _, _ := strings.Cut(strings.TrimSpace(e), " ")
		if strings.EqualFold(kw, name) {
			return true
		}
	}
	return false
}

// starttlsDialer returns connections already upgraded to the point where the
// server expects a ClientHello, so every TLS check runs unchanged on SMTP.
func starttlsDialer(addr string, opts Options) dialFunc {
	return func(ctx context.Context) (net.Conn, error) {
		c, err := dial(ctx, addr, opts)
		if err != nil {
			return nil, err
		}
		if err := startTLS(c, opts); err != nil {
			c.Close()
			return nil, fmt.Errorf("probe: smtp %s: %w", addr, err)
		}
		return c, nil
	}
}

func startTLS(c net.Conn, opts Options) error {
	br := bufio.NewReader(c)
	if _, err := greeting(c, br, opts); err != nil {
		return err
	}
	ehlo, err := command(c, br, opts, "EHLO "+smtpHelloName)
	if err != nil {
		return fmt.Errorf("EHLO: %w", err)
	}
	if ehlo.code != 250 {
		return fmt.Errorf("EHLO refused: %d", ehlo.code)
	}
	st, err := command(c, br, opts, "STARTTLS")
	if err != nil {
		return fmt.Errorf("STARTTLS: %w", err)
	}
	if st.code != 220 {
		return fmt.Errorf("STARTTLS refused: %d %s", st.code, clip(st.text()))
	}
	if br.Buffered() > 0 {
		// Bytes after the 220 would be injected into the TLS stream
		// (the CVE-2011-0411 class of bugs); refuse rather than guess.
		return fmt.Errorf("STARTTLS: server sent data before the handshake")
	}
	return nil
}
