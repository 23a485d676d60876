package probe

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
)

// groupNames names the key exchange groups the probe asks about (IANA "TLS
// Supported Groups" registry).
var groupNames = map[uint16]string{
	19: "secp192r1", 21: "secp224r1", 22: "secp256k1",
	23: "secp256r1", 24: "secp384r1", 25: "secp521r1",
	26: "brainpoolP256r1", 27: "brainpoolP384r1", 28: "brainpoolP512r1",
	29: "x25519", 30: "x448",
	31: "brainpoolP256r1tls13", 32: "brainpoolP384r1tls13", 33: "brainpoolP512r1tls13",
	256: "ffdhe2048", 257: "ffdhe3072", 258: "ffdhe4096", 259: "ffdhe6144", 260: "ffdhe8192",
	0x11EB: "SecP256r1MLKEM768", 0x11EC: "X25519MLKEM768", 0x11ED: "SecP384r1MLKEM1024",
}

// weakGroups give less than 128 bits of security.
var weakGroups = map[uint16]bool{19: true, 21: true}

// GroupName returns a group's IANA name, or its number.
func GroupName(g uint16) string {
	if n, ok := groupNames[g]; ok {
		return n
	}
	return fmt.Sprintf("0x%04X", g)
}

// keyExchange learns the server's finite-field DH prime size and the groups
// it accepts, the way testssl.sh reports them.
func (r *TLSReport) keyExchange(ctx context.Context, dialer dialFunc, hello helloFunc, opts Options) error {
	// The newest version up to TLS 1.2 shows the DH prime in clear.
	var legacy uint16
	for _, v := range r.versions {
		if v < versionTLS13 {
			legacy = v
		}
	}
	var dhSuites, ecdheSuites []uint16
	for _, s := range r.suites[legacy] {
		c := ClassifySuite(s)
		switch {
		case c.DH:
			dhSuites = append(dhSuites, s)
		case strings.HasPrefix(c.KeyExchange, "ECDHE") || strings.HasPrefix(c.KeyExchange, "ECDH_anon"):
			ecdheSuites = append(ecdheSuites, s)
		}
	}
	if legacy != 0 && len(dhSuites) > 0 {
		fl, err := exchangeHello(ctx, dialer, hello(legacy, dhSuites), untilHelloDone, opts)
		if err != nil && isDialError(err) {
			return err
		}
		if err == nil && fl.hello != nil && fl.keyExchange != nil && ClassifySuite(fl.hello.suite).DH {
			if bits, _, err := keyExchangeParams(fl.keyExchange, true); err == nil {
				r.DHBits = bits
			}
		}
	}

	// Groups: TLS 1.3 names the group in its key share or retry request;
	// older versions name the curve in the ServerKeyExchange.
	candidates := slices.Sorted(func(yield func(uint16) bool) {
		for g := range groupNames {
			if !yield(g) {
				return
			}
		}
	})
	var probeGroup func(g uint16) (bool, error)
	switch {
	case slices.Contains(r.versions, versionTLS13):
		suites := r.suites[versionTLS13]
		probeGroup = func(g uint16) (bool, error) {
			h := hello(versionTLS13, suites)
			h.groups = []uint16{g}
			fl, err := exchangeHello(ctx, dialer, h, untilHello, opts)
			if err != nil {
				return false, err
			}
			return fl.hello != nil && fl.hello.version == versionTLS13 && fl.hello.group == g, nil
		}
	case legacy != 0 && len(ecdheSuites) > 0:
		probeGroup = func(g uint16) (bool, error) {
			if g >= 256 && g < 512 {
				return false, nil // finite-field groups carry no curve to read back
			}
			h := hello(legacy, ecdheSuites)
			h.groups = []uint16{g}
			fl, err := exchangeHello(ctx, dialer, h, untilHelloDone, opts)
			if err != nil || fl.hello == nil || fl.keyExchange == nil {
				return false, err
			}
			_, curve, err := keyExchangeParams(fl.keyExchange, false)
			return err == nil && curve == g, nil
		}
	default:
		return nil
	}
	accepted := make([]bool, len(candidates))
	errs := make([]error, len(candidates))
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(opts.workers(), len(candidates)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				accepted[i], errs[i] = probeGroup(candidates[i])
			}
		}()
	}
	for i := range candidates {
		next <- i
	}
	close(next)
	wg.Wait()
	for i, ok := range accepted {
		if errs[i] != nil && isDialError(errs[i]) {
			return errs[i]
		}
		if ok {
			r.groups = append(r.groups, candidates[i])
		}
	}
	return nil
}
