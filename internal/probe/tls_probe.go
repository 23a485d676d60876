package probe

import (
	"context"
	"crypto/ecdh"
	"crypto/rand"
	"errors"
	"fmt"
	"net"
	"slices"
	"sync"
)

// TLSReport is what the TLS probe observed.
type TLSReport struct {
	// Versions lists the accepted protocol versions, oldest first.
	Versions []string `json:"versions"`
	// Ciphers lists, per accepted version, the suites the server accepted.
	Ciphers []VersionCiphers `json:"ciphers"`
	// Offered is how many suites were offered over all versions.
	Offered int `json:"offered"`
	// NoCommonSuite is set when the server answered in TLS but refused
	// every suite offered at every version.
	NoCommonSuite bool `json:"no_common_suite,omitempty"`
	// SecureRenegotiation is set when the server supports RFC 5746
	// renegotiation_info at TLS 1.2 or older.
	SecureRenegotiation *bool `json:"secure_renegotiation,omitempty"`
	// ClientRenegotiation says whether the server starts a new handshake
	// when the client asks for one on an established TLS 1.2 connection;
	// unset when it was not tested (RenegotiationUntested says why).
	ClientRenegotiation   *bool  `json:"client_renegotiation,omitempty"`
	RenegotiationUntested string `json:"client_renegotiation_untested,omitempty"`
	// DHBits is the size of the finite-field DH prime the server sends
	// with its DHE or anonymous DH suites, 0 when it has none.
	DHBits int `json:"dh_bits,omitempty"`
	// Groups lists the key exchange groups the server accepts.
	Groups []string `json:"groups,omitempty"`
	// Certificate is the server's leaf certificate and its chain verdicts.
	Certificate *CertReport `json:"certificate,omitempty"`
	// CertError says why no certificate could be read.
	CertError string `json:"cert_error,omitempty"`
	// HandshakeError says why no version was accepted, when none was.
	HandshakeError string `json:"handshake_error,omitempty"`
	// STARTTLS is set when TLS was reached through a STARTTLS upgrade.
	STARTTLS bool `json:"starttls,omitempty"`

	versions    []uint16
	suites      map[uint16][]uint16
	serverOrder map[uint16]bool
	groups      []uint16
}

// VersionCiphers is the suites accepted at one protocol version.
type VersionCiphers struct {
	Version string   `json:"version"`
	Suites  []string `json:"suites"`
	// ServerOrder says whether the server picks by its own preference
	// rather than the client's; unset when fewer than two suites were
	// accepted.
	ServerOrder *bool `json:"server_order,omitempty"`
}

// dialFunc returns a connection on which the next bytes the peer expects
// are a TLS ClientHello: a plain TCP dial, or a dial plus STARTTLS.
type dialFunc func(ctx context.Context) (net.Conn, error)

func plainDialer(addr string, opts Options) dialFunc {
	return func(ctx context.Context) (net.Conn, error) { return dial(ctx, addr, opts) }
}

// helloFunc builds a hello with a fresh random.
type helloFunc func(v uint16, suites []uint16) clientHello

// probeTLS enumerates versions and suites with raw hellos, then reads the
// certificate and the server's key exchange parameters. It fails only when
// the endpoint cannot be reached at all.
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

	rep := &TLSReport{suites: map[uint16][]uint16{}, serverOrder: map[uint16]bool{}}
	scans, err := scanSuites(ctx, dialer, hello, opts)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("probe: tls %s: %w", addr, err)
	}
	var lastErr error
	refusedSuites := false
	for _, v := range probedVersions {
		sc := scans[v]
		rep.Offered += sc.offered
		if len(sc.accepted) > 0 {
			rep.versions = append(rep.versions, v)
			rep.suites[v] = slices.Sorted(slices.Values(sc.accepted))
			if v < versionTLS13 {
				ok := sc.secureReneg
				if rep.SecureRenegotiation != nil {
					ok = ok || *rep.SecureRenegotiation
				}
				rep.SecureRenegotiation = &ok
			}
			continue
		}
		if sc.alert != nil {
			lastErr = fmt.Errorf("probe: %s refused with %s", VersionName(v), sc.alert)
			if d := sc.alert.description; d == alertHandshakeFailure || d == alertInsufficientSecurity {
				refusedSuites = true
			}
		} else if sc.err != nil {
			lastErr = sc.err
		}
	}
	if len(rep.versions) == 0 {
		for _, v := range probedVersions {
			var pm *protocolMismatch
			if errors.As(scans[v].err, &pm) {
				return nil, pm
			}
		}
		switch {
		case refusedSuites:
			rep.NoCommonSuite = true
			lastErr = fmt.Errorf("probe: the server answered in TLS but refused all %d cipher suites offered", rep.Offered)
		case lastErr == nil:
			lastErr = fmt.Errorf("probe: no tls version accepted")
		}
		rep.HandshakeError = lastErr.Error()
		rep.finish()
		return rep, nil
	}

	for _, v := range rep.versions {
		if len(rep.suites[v]) < 2 {
			continue
		}
		order, err := serverPicksOrder(ctx, dialer, hello, v, rep.suites[v], opts)
		if err != nil {
			return nil, err
		}
		if order != nil {
			rep.serverOrder[v] = *order
		}
	}
	if err := rep.keyExchange(ctx, dialer, hello, opts); err != nil {
		return nil, err
	}
	if slices.Contains(rep.versions, versionTLS12) {
		// TLS 1.3 has no renegotiation; TLS 1.2 is where it is asked.
		ok, err := clientRenegotiation(ctx, dialer, serverName, rep.suites[versionTLS12], opts)
		switch {
		case err == nil:
			rep.ClientRenegotiation = &ok
		case isDialError(err):
			return nil, err
		default:
			rep.RenegotiationUntested = err.Error()
		}
	}
	rep.Certificate, err = readCertificate(ctx, dialer, serverName, rep.versions, rep.suites, hello, opts)
	if err != nil {
		if isDialError(err) {
			return nil, err
		}
		rep.CertError = err.Error()
	}
	rep.finish()
	return rep, nil
}

const (
	alertHandshakeFailure     = 40
	alertInsufficientSecurity = 71
)

// chunkSize is how many suites one hello offers: the whole registry does not
// fit comfortably in one ClientHello (some servers refuse long hellos), so it
// is offered in chunks, as testssl.sh does.
const chunkSize = 128

// versionScan is what offering every suite at one version found.
type versionScan struct {
	offered     int
	accepted    []uint16
	alert       *tlsAlert // a refusal, when one was seen
	err         error     // an answer that was not TLS
	secureReneg bool
}

// scanSuites offers every suite at every version: each chunk of suites is
// offered, the suite the server picks is removed and the rest offered again
// until the server refuses. That costs one handshake per accepted suite plus
// one per chunk, and still finds every suite a server would accept from some
// client, whatever its preference order.
func scanSuites(ctx context.Context, dialer dialFunc, hello helloFunc, opts Options) (map[uint16]*versionScan, error) {
	type job struct {
		v     uint16
		chunk []uint16
	}
	scans := map[uint16]*versionScan{}
	var jobs []job
	for _, v := range probedVersions {
		suites := suitesFor(v)
		scans[v] = &versionScan{offered: len(suites)}
		for c := range slices.Chunk(suites, chunkSize) {
			jobs = append(jobs, job{v, c})
		}
	}
	var mu sync.Mutex
	var dialErr error
	next := make(chan job)
	var wg sync.WaitGroup
	for range min(opts.workers(), len(jobs)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range next {
				accepted, alert, reneg, err := offerChunk(ctx, dialer, hello, j.v, j.chunk, opts)
				mu.Lock()
				sc := scans[j.v]
				sc.accepted = append(sc.accepted, accepted...)
				sc.secureReneg = sc.secureReneg || reneg
				if alert != nil && sc.alert == nil {
					sc.alert = alert
				}
				if err != nil {
					if isDialError(err) && dialErr == nil {
						dialErr = err
					} else if sc.err == nil {
						sc.err = err
					}
				}
				mu.Unlock()
			}
		}()
	}
	for _, j := range jobs {
		next <- j
	}
	close(next)
	wg.Wait()
	if dialErr != nil {
		return nil, dialErr
	}
	return scans, nil
}

// offerChunk offers suites at v, removing each one the server picks, until
// the server refuses what is left.
func offerChunk(ctx context.Context, dialer dialFunc, hello helloFunc, v uint16, suites []uint16, opts Options) (accepted []uint16, alert *tlsAlert, reneg bool, err error) {
	remaining := slices.Clone(suites)
	for len(remaining) > 0 {
		fl, err := exchangeHello(ctx, dialer, hello(v, remaining), untilHello, opts)
		if err != nil {
			return accepted, alert, reneg, err
		}
		if fl.hello == nil {
			return accepted, fl.alert, reneg, nil
		}
		i := slices.Index(remaining, fl.hello.suite)
		// A lower version than offered is a refusal of v; a suite that
		// was not offered is a broken server, which gets no credit.
		if fl.hello.version != v || i < 0 {
			return accepted, alert, reneg, nil
		}
		reneg = reneg || fl.hello.secureRenegotiation
		accepted = append(accepted, remaining[i])
		remaining = slices.Delete(remaining, i, i+1)
	}
	return accepted, alert, reneg, nil
}

// serverPicksOrder offers the accepted suites in one order, then reversed:
// a server that enforces its own preference picks the same suite both
// times. nil means the answer was inconclusive.
func serverPicksOrder(ctx context.Context, dialer dialFunc, hello helloFunc, v uint16, suites []uint16, opts Options) (*bool, error) {
	var picks [2]uint16
	reversed := slices.Clone(suites)
	slices.Reverse(reversed)
	for i, order := range [][]uint16{suites, reversed} {
		fl, err := exchangeHello(ctx, dialer, hello(v, order), untilHello, opts)
		if err != nil {
			if isDialError(err) {
				return nil, err
			}
			return nil, nil
		}
		if fl.hello == nil || fl.hello.version != v {
			return nil, nil
		}
		picks[i] = fl.hello.suite
	}
	same := picks[0] == picks[1]
	return &same, nil
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
func exchangeHello(ctx context.Context, dialer dialFunc, h clientHello, goal flightGoal, opts Options) (serverFlight, error) {
	c, err := dialer(ctx)
	if err != nil {
		return serverFlight{}, dialError{err}
	}
	defer c.Close()
	deadline(c, opts)
	if _, err := c.Write(h.marshal()); err != nil {
		return serverFlight{}, fmt.Errorf("probe: send client hello: %w", err)
	}
	return readFlight(c, goal)
}

// finish fills the exported fields from the raw observations.
func (r *TLSReport) finish() {
	r.Versions = []string{}
	r.Ciphers = []VersionCiphers{}
	for _, v := range r.versions {
		r.Versions = append(r.Versions, VersionName(v))
		vc := VersionCiphers{Version: VersionName(v), Suites: []string{}}
		if order, ok := r.serverOrder[v]; ok {
			vc.ServerOrder = &order
		}
		for _, s := range r.suites[v] {
			vc.Suites = append(vc.Suites, SuiteName(s))
		}
		r.Ciphers = append(r.Ciphers, vc)
	}
	r.Groups = nil
	for _, g := range r.groups {
		r.Groups = append(r.Groups, GroupName(g))
	}
}
