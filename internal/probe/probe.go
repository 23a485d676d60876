// Package probe observes the endpoints PHI travels through — TLS services
// (HTTPS portals, CORE and AS2 endpoints), SSH/SFTP servers, FTP and SMTP —
// and turns what it saw into evidence facts. An observation beats what the
// model declares: a clearinghouse declared "encrypted" that still accepts
// TLS 1.0 is a finding.
//
// Every network operation is bounded by Options.Timeout and by the caller's
// context, so an endpoint that never answers yields a probe.unreachable fact
// instead of a hang.
package probe

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	"rcmguard/internal/evidence"
)

// Protocols a probe understands.
const (
	ProtoTLS  = "tls"
	ProtoSSH  = "ssh"
	ProtoFTP  = "ftp"
	ProtoSMTP = "smtp"
)

// Protocols lists the protocol names in the order the CLI documents them.
var Protocols = []string{ProtoTLS, ProtoSSH, ProtoFTP, ProtoSMTP}

// Check IDs shared by every protocol.
const (
	CheckUnreachable = "probe.unreachable"
)

// Target is one endpoint to probe. Element names the model element (a system
// or flow ID) that declared it, so a fact can be traced back to the model.
type Target struct {
	Protocol string `json:"protocol"`
	Address  string `json:"address"`
	Element  string `json:"element,omitempty"`
}

// Options tune a probe. The zero value is usable.
type Options struct {
	// Timeout bounds each dial and each read or write; 0 means 10 seconds.
	Timeout time.Duration
	// Roots verifies certificate chains; nil means the system roots. Tests
	// pass their own CA here.
	Roots *x509.CertPool
	// ServerName is the host name sent in SNI and checked against the
	// certificate; empty means the host part of the address.
	ServerName string
	// Now is the clock used to judge certificate expiry; nil means time.Now.
	Now func() time.Time
	// SkipSTARTTLS stops the SMTP probe after reading EHLO: by default a
	// server that offers STARTTLS also gets the full TLS checks.
	SkipSTARTTLS bool
	// Workers bounds concurrent connections while enumerating TLS cipher
	// suites; 0 means 8.
	Workers int
	// Dial, when set, opens every connection in place of a TCP dial of
	// the target's address, which it is given: to reach an endpoint
	// through a tunnel, or (rcmguard demo, tests) a local server standing
	// in for a declared address. Timeout and the context still bound it.
	Dial func(ctx context.Context, address string) (net.Conn, error)
}

func (o Options) timeout() time.Duration {
	if o.Timeout <= 0 {
		return 10 * time.Second
	}
	return o.Timeout
}

func (o Options) now() time.Time {
	if o.Now == nil {
		return time.Now()
	}
	return o.Now()
}

func (o Options) workers() int {
	if o.Workers <= 0 {
		return 8
	}
	return o.Workers
}

// Result is everything one probe observed about one endpoint. Exactly one of
// the protocol reports is set when the endpoint answered; Error is set when
// it did not.
type Result struct {
	Protocol string `json:"protocol"`
	Address  string `json:"address"`
	Element  string `json:"element,omitempty"`
	Error    string `json:"error,omitempty"`
	// Observed names the protocol the endpoint speaks when it is not the
	// declared one; no protocol report is set then.
	Observed string          `json:"observed_protocol,omitempty"`
	TLS      *TLSReport      `json:"tls,omitempty"`
	SSH      *SSHReport      `json:"ssh,omitempty"`
	FTP      *FTPReport      `json:"ftp,omitempty"`
	SMTP     *SMTPReport     `json:"smtp,omitempty"`
	Facts    []evidence.Fact `json:"facts"`
}

// Worst returns the highest severity among the result's facts.
func (r Result) Worst() evidence.Severity {
	worst := evidence.SeverityInfo
	wr, _ := worst.Rank()
	for _, f := range r.Facts {
		if fr, ok := f.Severity.Rank(); ok && fr > wr {
			worst, wr = f.Severity, fr
		}
	}
	return worst
}

// Probe observes one endpoint. It never returns an error: an endpoint that
// cannot be reached or speaks something else becomes a fact, because "we
// could not verify" is itself evidence.
func Probe(ctx context.Context, t Target, opts Options) Result {
	res := Result{Protocol: t.Protocol, Address: t.Address, Element: t.Element}
	if _, _, err := net.SplitHostPort(t.Address); err != nil {
		res.Error = fmt.Sprintf("probe: address %q: %v", t.Address, err)
		res.Facts = []evidence.Fact{unreachableFact(t, res.Error)}
		return res
	}
	var err error
	switch t.Protocol {
	case ProtoTLS:
		res.TLS, err = probeTLS(ctx, t.Address, opts, plainDialer(t.Address, opts))
	case ProtoSSH:
		res.SSH, err = probeSSH(ctx, t.Address, opts)
	case ProtoFTP:
		res.FTP, err = probeFTP(ctx, t.Address, opts)
	case ProtoSMTP:
		res.SMTP, err = probeSMTP(ctx, t.Address, opts)
	default:
		err = fmt.Errorf("probe: unknown protocol %q (want %s)", t.Protocol, strings.Join(Protocols, ", "))
	}
	var pm *protocolMismatch
	if errors.As(err, &pm) {
		res.Observed = pm.observed
		res.Facts = toFacts(t, []finding{{check: CheckWrongProtocol, severity: evidence.SeverityMedium,
			summary: fmt.Sprintf("the model declares %s here, but the endpoint speaks %s: its transport security was not judged", pm.declared, pm.observed),
			attrs:   map[string]string{"declared": pm.declared, "observed": pm.observed, "greeting": pm.evidence}}})
		return res
	}
	if err != nil {
		res.Error = err.Error()
		res.Facts = []evidence.Fact{unreachableFact(t, res.Error)}
		return res
	}
	var findings []finding
	switch {
	case res.TLS != nil:
		findings = judgeTLS(res.TLS)
	case res.SSH != nil:
		findings = judgeSSH(res.SSH)
	case res.FTP != nil:
		findings = judgeFTP(res.FTP)
	case res.SMTP != nil:
		findings = judgeSMTP(res.SMTP)
	}
	res.Facts = toFacts(t, findings)
	return res
}

// ProbeAll probes each target in order. Endpoints are probed one after the
// other: a model rarely declares more than a handful, and sequential probes
// keep the load on a partner's server polite.
func ProbeAll(ctx context.Context, targets []Target, opts Options) []Result {
	out := make([]Result, 0, len(targets))
	for _, t := range targets {
		if err := ctx.Err(); err != nil {
			res := Result{Protocol: t.Protocol, Address: t.Address, Element: t.Element,
				Error: fmt.Sprintf("probe: %v", err)}
			res.Facts = []evidence.Fact{unreachableFact(t, res.Error)}
			out = append(out, res)
			continue
		}
		out = append(out, Probe(ctx, t, opts))
	}
	return out
}

// finding is a verdict before it is tied to a target.
type finding struct {
	check    string
	severity evidence.Severity
	summary  string
	attrs    map[string]string
}

func toFacts(t Target, fs []finding) []evidence.Fact {
	facts := make([]evidence.Fact, 0, len(fs))
	for _, f := range fs {
		attrs := map[string]string{"protocol": t.Protocol}
		if t.Element != "" {
			attrs["element"] = t.Element
		}
		for k, v := range f.attrs {
			attrs[k] = v
		}
		facts = append(facts, evidence.Fact{
			Source:   evidence.SourceProbe,
			Check:    f.check,
			Target:   t.Address,
			Severity: f.severity,
			Summary:  f.summary,
			Attrs:    attrs,
		})
	}
	evidence.Sort(facts)
	return facts
}

func unreachableFact(t Target, msg string) evidence.Fact {
	return toFacts(t, []finding{{
		check:    CheckUnreachable,
		severity: evidence.SeverityMedium,
		summary:  fmt.Sprintf("%s endpoint %s could not be probed; its transport security is unverified", t.Protocol, t.Address),
		attrs:    map[string]string{"error": msg},
	}})[0]
}

// dial opens a TCP connection, or the one Options.Dial gives, bounded by
// both the context and the timeout.
func dial(ctx context.Context, addr string, opts Options) (net.Conn, error) {
	var c net.Conn
	var err error
	if opts.Dial != nil {
		dctx, cancel := context.WithTimeout(ctx, opts.timeout())
		c, err = opts.Dial(dctx, addr)
		cancel()
	} else {
		d := net.Dialer{Timeout: opts.timeout()}
		c, err = d.DialContext(ctx, "tcp", addr)
	}
	if err != nil {
		return nil, fmt.Errorf("probe: dial %s: %w", addr, err)
	}
	return watch(ctx, c), nil
}

// watch closes the connection when ctx ends, so a blocked read returns at
// once instead of waiting for its deadline.
func watch(ctx context.Context, c net.Conn) net.Conn {
	stop := context.AfterFunc(ctx, func() { c.Close() })
	return &watchedConn{Conn: c, stop: stop}
}

type watchedConn struct {
	net.Conn
	stop func() bool
}

func (w *watchedConn) Close() error {
	w.stop()
	return w.Conn.Close()
}

// deadline sets the connection's deadline for the next exchange.
func deadline(c net.Conn, opts Options) {
	// Deadlines only fail on closed connections, where the next read
	// reports the real error.
	_ = c.SetDeadline(time.Now().Add(opts.timeout()))
}

func hostOf(addr string) string {
	h, _, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	return h
}
