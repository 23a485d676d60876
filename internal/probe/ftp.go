package probe

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"strings"
)

// FTPReport is what the FTP probe observed.
type FTPReport struct {
	Banner   string   `json:"banner"`
	Features []string `json:"features,omitempty"`
	// AuthTLS is set when the server answered AUTH TLS with 234, ready to
	// upgrade the control connection (RFC 4217).
	AuthTLS bool `json:"auth_tls"`
	// AuthTLSReply is the server's answer to AUTH TLS.
	AuthTLSReply string `json:"auth_tls_reply"`
}

// probeFTP reads the greeting, asks FEAT, and tries AUTH TLS. It trusts the
// AUTH TLS answer over the FEAT list: servers omit AUTH from FEAT and still
// support it, and the reverse happens when TLS is misconfigured.
func probeFTP(ctx context.Context, addr string, opts Options) (*FTPReport, error) {
	c, err := dial(ctx, addr, opts)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	br := bufio.NewReader(c)
	rep := &FTPReport{}

	deadline(c, opts)
	if _, err := br.Peek(1); err == nil {
		if err := checkGreeting(br, ProtoFTP); err != nil {
			return nil, err
		}
	}
	greet, err := greeting(c, br, opts)
	if err != nil {
		return nil, fmt.Errorf("probe: ftp %s: %w", addr, err)
	}
	rep.Banner = greet.text()

	feat, err := command(c, br, opts, "FEAT")
	if err != nil {
		return nil, fmt.Errorf("probe: ftp %s: FEAT: %w", addr, err)
	}
	if feat.code == 211 && len(feat.lines) > 2 {
		for _, l := range feat.lines[1 : len(feat.lines)-1] {
			if l = strings.TrimSpace(l); l != "" {
				rep.Features = append(rep.Features, l)
			}
		}
	}

	auth, err := command(c, br, opts, "AUTH TLS")
	if err != nil {
		return nil, fmt.Errorf("probe: ftp %s: AUTH TLS: %w", addr, err)
	}
	// An SMTP server with a banner that does not say so still answers
	// with RFC 3463 enhanced status codes (5.5.1), which FTP never uses.
	if auth.code != 234 && smtpStatus(auth) && smtpStatus(feat) {
		return nil, &protocolMismatch{declared: ProtoFTP, observed: ProtoSMTP,
			evidence: clip(printable(fmt.Sprintf("%d %s", auth.code, auth.text())))}
	}
	rep.AuthTLS = auth.code == 234
	rep.AuthTLSReply = fmt.Sprintf("%d %s", auth.code, clip(auth.text()))
	if !rep.AuthTLS {
		// A polite goodbye; the verdict is already known, so a failed
		// QUIT changes nothing.
		_, _ = command(c, br, opts, "QUIT")
	}
	return rep, nil
}

// greeting reads the server's opening reply, skipping a 120 "ready in n
// minutes" preliminary.
func greeting(c net.Conn, br *bufio.Reader, opts Options) (reply, error) {
	deadline(c, opts)
	rep, err := readReply(br)
	if err != nil {
		return rep, err
	}
	if rep.code == 120 {
		deadline(c, opts)
		if rep, err = readReply(br); err != nil {
			return rep, err
		}
	}
	if rep.code != 220 {
		return rep, fmt.Errorf("greeting %d %s", rep.code, clip(rep.text()))
	}
	return rep, nil
}

// command sends one line and reads its reply.
func command(c net.Conn, br *bufio.Reader, opts Options, line string) (reply, error) {
	deadline(c, opts)
	if _, err := c.Write([]byte(line + "\r\n")); err != nil {
		return reply{}, fmt.Errorf("send: %w", err)
	}
	return readReply(br)
}

// smtpStatus reports whether a reply carries an enhanced status code.
func smtpStatus(r reply) bool {
	if len(r.lines) == 0 {
		return false
	}
	f := strings.Fields(r.lines[0])
	return len(f) > 0 && len(f[0]) >= 5 && (f[0][0] == '4' || f[0][0] == '5') && f[0][1] == '.' && strings.Count(f[0], ".") == 2
}
