package probe

import (
	"context"
	"crypto/dsa" //nolint:staticcheck // only to recognise DSA keys still found in the field
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"slices"
	"strings"
	"time"
)

// CertReport describes the server's leaf certificate and how it verifies.
type CertReport struct {
	Subject            string    `json:"subject"`
	Issuer             string    `json:"issuer"`
	DNSNames           []string  `json:"dns_names,omitempty"`
	IPAddresses        []string  `json:"ip_addresses,omitempty"`
	NotBefore          time.Time `json:"not_before"`
	NotAfter           time.Time `json:"not_after"`
	DaysLeft           int       `json:"days_left"`
	Expired            bool      `json:"expired"`
	NotYetValid        bool      `json:"not_yet_valid,omitempty"`
	LifespanDays       int       `json:"lifespan_days"`
	KeyType            string    `json:"key_type"`
	KeyBits            int       `json:"key_bits"`
	SignatureAlgorithm string    `json:"signature_algorithm"`
	Hostname           string    `json:"hostname"`
	HostnameMatch      bool      `json:"hostname_match"`
	Trusted            bool      `json:"trusted"`
	TrustError         string    `json:"trust_error,omitempty"`
	SelfSigned         bool      `json:"self_signed"`
	ChainLength        int       `json:"chain_length"`
}

// readCertificate fetches the chain with crypto/tls and, when Go refuses the
// server's parameters (SSLv3 only, exotic suites), from a raw hello at the
// highest accepted version that still sends certificates in clear.
func readCertificate(ctx context.Context, dialer dialFunc, serverName string, versions []uint16, suites map[uint16][]uint16, hello helloFunc, opts Options) (*CertReport, error) {
	chain, goErr := certificatesWithGo(ctx, dialer, serverName, opts)
	if goErr != nil {
		if isDialError(goErr) {
			return nil, goErr
		}
		var rawErr error
		chain, rawErr = certificatesRaw(ctx, dialer, versions, suites, hello, opts)
		if rawErr != nil {
			if isDialError(rawErr) {
				return nil, rawErr
			}
			return nil, fmt.Errorf("probe: read certificate: %w (raw hello: %w)", goErr, rawErr)
		}
	}
	if len(chain) == 0 {
		return nil, fmt.Errorf("probe: server sent no certificate")
	}
	return analyseChain(chain, serverName, opts), nil
}

func certificatesWithGo(ctx context.Context, dialer dialFunc, serverName string, opts Options) ([]*x509.Certificate, error) {
	c, err := dialer(ctx)
	if err != nil {
		return nil, dialError{err}
	}
	defer c.Close()
	deadline(c, opts)
	var suites []uint16
	for _, s := range tls.CipherSuites() {
		suites = append(suites, s.ID)
	}
	for _, s := range tls.InsecureCipherSuites() {
		suites = append(suites, s.ID)
	}
	cfg := &tls.Config{
		// Verification happens in analyseChain, where each failure
		// becomes its own verdict instead of one handshake error.
		InsecureSkipVerify: true,
		MinVersion:         tls.VersionTLS10,
		CipherSuites:       suites,
	}
	if net.ParseIP(serverName) == nil {
		cfg.ServerName = serverName
	}
	tc := tls.Client(c, cfg)
	if err := tc.HandshakeContext(ctx); err != nil {
		return nil, fmt.Errorf("probe: tls handshake: %w", err)
	}
	return tc.ConnectionState().PeerCertificates, nil
}

func certificatesRaw(ctx context.Context, dialer dialFunc, versions []uint16, suites map[uint16][]uint16, hello helloFunc, opts Options) ([]*x509.Certificate, error) {
	var v uint16
	for _, a := range versions {
		if a < versionTLS13 {
			v = a
		}
	}
	if v == 0 {
		return nil, fmt.Errorf("probe: only TLS 1.3 accepted, whose certificate is encrypted")
	}
	// Suites with a certificate first, so an anonymous suite the server
	// prefers does not hide the certificate it also has.
	offer := slices.Clone(suites[v])
	slices.SortStableFunc(offer, func(a, b uint16) int {
		return boolRank(ClassifySuite(a).Anonymous) - boolRank(ClassifySuite(b).Anonymous)
	})
	fl, err := exchangeHello(ctx, dialer, hello(v, offer), untilCertificate, opts)
	if err != nil {
		return nil, err
	}
	if len(fl.certificates) == 0 {
		return nil, fmt.Errorf("probe: no certificate in the %s handshake", VersionName(v))
	}
	var chain []*x509.Certificate
	for _, der := range fl.certificates {
		cert, err := x509.ParseCertificate(der)
		if err != nil {
			return nil, fmt.Errorf("probe: parse certificate: %w", err)
		}
		chain = append(chain, cert)
	}
	return chain, nil
}

// analyseChain judges the leaf. Each property is checked on its own, so an
// expired certificate is still checked for its issuer and a self-signed one
// for its key size.
func analyseChain(chain []*x509.Certificate, serverName string, opts Options) *CertReport {
	leaf := chain[0]
	now := opts.now()
	r := &CertReport{
		Subject:            leaf.Subject.String(),
		Issuer:             leaf.Issuer.String(),
		DNSNames:           leaf.DNSNames,
		NotBefore:          leaf.NotBefore.UTC(),
		NotAfter:           leaf.NotAfter.UTC(),
		Expired:            now.After(leaf.NotAfter),
		NotYetValid:        now.Before(leaf.NotBefore),
		LifespanDays:       int(leaf.NotAfter.Sub(leaf.NotBefore).Hours() / 24),
		SignatureAlgorithm: leaf.SignatureAlgorithm.String(),
		Hostname:           serverName,
		ChainLength:        len(chain),
	}
	for _, ip := range leaf.IPAddresses {
		r.IPAddresses = append(r.IPAddresses, ip.String())
	}
	r.DaysLeft = int(leaf.NotAfter.Sub(now).Hours() / 24)
	if r.Expired {
		r.DaysLeft = -int(now.Sub(leaf.NotAfter).Hours()/24) - 1
	}
	r.KeyType, r.KeyBits = keyInfo(leaf.PublicKey)
	r.HostnameMatch = leaf.VerifyHostname(serverName) == nil
	r.SelfSigned = leaf.Subject.String() == leaf.Issuer.String() && leaf.CheckSignatureFrom(leaf) == nil

	r.Trusted, r.TrustError = verifyChain(leaf, chain[1:], now, opts.Roots)
	return r
}

// verifyChain says whether the chain verifies apart from the leaf's own
// dates, which tls.cert-expired judges: an expired certificate is not also
// "untrusted" for the same reason. The chain counts as good if it verifies
// now, or at the end or middle of the leaf's validity — a CA reissued after
// the leaf, or an intermediate that expired with it, is not a second fault.
func verifyChain(leaf *x509.Certificate, rest []*x509.Certificate, now time.Time, roots *x509.CertPool) (bool, string) {
	inter := x509.NewCertPool()
	for _, c := range rest {
		inter.AddCert(c)
	}
	// A copy whose validity covers every moment tried: Verify checks the
	// signature over the original TBS bytes, so only the dates change.
	undated := *leaf
	times := []time.Time{now, leaf.NotAfter.Add(-time.Second), leaf.NotBefore.Add(leaf.NotAfter.Sub(leaf.NotBefore) / 2)}
	undated.NotBefore = slices.MinFunc(append(times, leaf.NotBefore), time.Time.Compare).Add(-time.Second)
	undated.NotAfter = slices.MaxFunc(append(times, leaf.NotAfter), time.Time.Compare).Add(time.Second)
	var first error
	for _, at := range times {
		_, err := undated.Verify(x509.VerifyOptions{
			Roots:         roots,
			Intermediates: inter,
			CurrentTime:   at,
			KeyUsages:     []x509.ExtKeyUsage{x509.ExtKeyUsageAny},
		})
		if err == nil {
			return true, ""
		}
		if first == nil {
			first = err
		}
	}
	return false, trustReason(first)
}

func boolRank(b bool) int {
	if b {
		return 1
	}
	return 0
}

func trustReason(err error) string {
	var ua x509.UnknownAuthorityError
	if errors.As(err, &ua) {
		return "issued by an unknown authority"
	}
	var ci x509.CertificateInvalidError
	if errors.As(err, &ci) {
		return strings.TrimPrefix(ci.Error(), "x509: ")
	}
	return strings.TrimPrefix(err.Error(), "x509: ")
}

func keyInfo(pub any) (string, int) {
	switch k := pub.(type) {
	case *rsa.PublicKey:
		return "RSA", k.N.BitLen()
	case *ecdsa.PublicKey:
		return "ECDSA", k.Curve.Params().BitSize
	case ed25519.PublicKey:
		return "Ed25519", 256
	case *dsa.PublicKey:
		return "DSA", k.P.BitLen()
	}
	return "unknown", 0
}
