package probe

import (
	"context"
	"crypto/ecdh"
	"crypto/rand"
	"fmt"
	"net"
	"sync"
)

// TLSReport is what the TLS probe observed.
type TLSReport struct {
	// Versions lists the accepted protocol versions, oldest first.
	Versions []string `json:"versions"`
	// Ciphers lists, per accepted version, the suites the server accepted
	// when each was offered alone.
	Ciphers []VersionCiphers `json:"ciphers"`
	// Certificate is the server's leaf certificate and its chain verdicts.
	Certificate *CertReport `json:"certificate,omitempty"`
	// CertError says why no certificate could be read.
	CertError string `json:"cert_error,omitempty"`
	// HandshakeError says why no version was accepted, when none was.
	HandshakeError string `json:"handshake_error,omitempty"`
	// STARTTLS is set when TLS was reached through a STARTTLS upgrade.
	STARTTLS bool `json:"starttls,omitempty"`

	versions []uint16
	suites   map[uint16][]uint16
}

// VersionCiphers is the suites accepted at one protocol version.
type VersionCiphers struct {
	Version string   `json:"version"`
	Suites  []string `json:"suites"`
}

// dialFunc returns a connection on which the next bytes the peer expects
// are a TLS ClientHello: a plain TCP dial, or a dial plus STARTTLS.
type dialFunc func(ctx context.Context) (net.Conn, error)

func plainDialer(addr string, opts Options) dialFunc {
	return func(ctx context.Context) (net.Conn, error) { return dial(ctx, addr, opts) }
}

// probeTLS enumerates versions and suites with raw hellos, then reads the
// certificate. It fails only when the endpoint cannot be reached at all.
func probeTLS(ctx context.Context, addr string, opts Options, dialer dialFunc) (*TLSReport, error) {
	serverName := opts.ServerName
	if serverName == "" {
		serverName = hostOf(addr)
	}
	key, err := ecdh.X25519().GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("probe: tls key share: %w", err)
	}
	share := key.PublicKey().Bytes()
	hello := func(v uint16, suites []uint16) clientHello {
		h := clientHello{version: v, suites: suites, serverName: serverName, keyShare: share}
		// The random only has to be unpredictable enough for a server not
		// to mistake the hello for a replay.
		_, _ = rand.Read(h.random[:])
		return h
	}

	rep := &TLSReport{suites: map[uint16][]uint16{}}
	var lastErr error
	for _, v := range probedVersions {
		fl, err := exchangeHello(ctx, dialer, hello(v, suitesFor(v)), false, opts)
		if err != nil {
			if isDialError(err) {
				return nil, err
			}
			lastErr = err
			continue
		}
		if fl.hello != nil && fl.hello.version == v {
			rep.versions = append(rep.versions, v)
		} else if fl.alert != nil {
			lastErr = fmt.Errorf("probe: %s refused with %s", VersionName(v), fl.alert)
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("probe: tls %s: %w", addr, err)
	}
	if len(rep.versions) == 0 {
		if lastErr == nil {
			lastErr = fmt.Errorf("probe: no tls version accepted")
		}
		rep.HandshakeError = lastErr.Error()
		rep.finish()
		return rep, nil
	}

	for _, v := range rep.versions {
		accepted, err := enumerateSuites(ctx, dialer, v, hello, opts)
		if err != nil {
			return nil, err
		}
		rep.suites[v] = accepted
	}
	rep.Certificate, err = readCertificate(ctx, dialer, serverName, rep.versions, hello, opts)
	if err != nil {
		if isDialError(err) {
			return nil, err
		}
		rep.CertError = err.Error()
	}
	rep.finish()
	return rep, nil
}

// enumerateSuites offers each suite alone at version v. Offering one suite
// at a time is slower than letting the server pick from a shrinking list,
// but it does not depend on the server's preference order and sees every
// suite a server would accept from some client.
func enumerateSuites(ctx context.Context, dialer dialFunc, v uint16, hello func(uint16, []uint16) clientHello, opts Options) ([]uint16, error) {
	suites := suitesFor(v)
	accepted := make([]bool, len(suites))
	errs := make([]error, len(suites))
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(opts.workers(), len(suites)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				fl, err := exchangeHello(ctx, dialer, hello(v, suites[i:i+1]), false, opts)
				if err != nil {
					errs[i] = err
					continue
				}
				accepted[i] = fl.hello != nil && fl.hello.version == v && fl.hello.suite == suites[i]
			}
		}()
	}
	for i := range suites {
		next <- i
	}
	close(next)
	wg.Wait()
	var out []uint16
	for i, ok := range accepted {
		if errs[i] != nil && isDialError(errs[i]) {
			return nil, errs[i]
		}
		if ok {
			out = append(out, suites[i])
		}
	}
	return out, nil
}

// dialError marks a failure to reach the endpoint, as opposed to a refusal
// of what was offered.
type dialError struct{ err error }

func (e dialError) Error() string { return e.err.Error() }
func (e dialError) Unwrap() error { return e.err }

func isDialError(err error) bool {
	_, ok := err.(dialError)
	return ok
}

// exchangeHello sends one hello on a fresh connection and reads the answer.
func exchangeHello(ctx context.Context, dialer dialFunc, h clientHello, wantCert bool, opts Options) (serverFlight, error) {
	c, err := dialer(ctx)
	if err != nil {
		return serverFlight{}, dialError{err}
	}
	defer c.Close()
	deadline(c, opts)
	if _, err := c.Write(h.marshal()); err != nil {
		return serverFlight{}, fmt.Errorf("probe: send client hello: %w", err)
	}
	return readServerFlight(c, wantCert)
}

// finish fills the exported fields from the raw observations.
func (r *TLSReport) finish() {
	r.Versions = []string{}
	r.Ciphers = []VersionCiphers{}
	for _, v := range r.versions {
		r.Versions = append(r.Versions, VersionName(v))
		vc := VersionCiphers{Version: VersionName(v), Suites: []string{}}
		for _, s := range r.suites[v] {
			vc.Suites = append(vc.Suites, SuiteName(s))
		}
		r.Ciphers = append(r.Ciphers, vc)
	}
}
