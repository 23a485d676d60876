package probe

import (
	"context"
	"crypto/dsa" //nolint:staticcheck // only to size DSA host keys still found in the field
	"crypto/ecdsa"
	"crypto/rsa"
	"errors"
	"fmt"
	"net"
	"slices"

	"golang.org/x/crypto/ssh"
)

// errStopAuth ends the authentication phase once the server has listed its
// methods: the probe never tries a credential.
var errStopAuth = errors.New("probe: stop after learning auth methods")

// sshAuthMethods completes a key exchange with golang.org/x/crypto/ssh and
// sends the "none" request (RFC 4252 5.2), whose failure lists the methods
// the server accepts. The host key seen on the way is returned too.
func sshAuthMethods(ctx context.Context, addr string, opts Options) ([]string, *SSHHostKey, error) {
	c, err := dial(ctx, addr, opts)
	if err != nil {
		return nil, nil, err
	}
	defer c.Close()
	deadline(c, opts)

	var methods []string
	var hk *SSHHostKey
	sup, insecure := ssh.SupportedAlgorithms(), ssh.InsecureAlgorithms()
	cfg := &ssh.ClientConfig{
		User:          "rcmguard-probe",
		ClientVersion: probeBanner,
		Timeout:       opts.timeout(),
		HostKeyCallback: func(_ string, _ net.Addr, key ssh.PublicKey) error {
			hk = describeHostKey(key)
			return nil
		},
		AuthCallback: func(ac *ssh.ClientAuthContext) (ssh.AuthMethod, error) {
			methods = slices.Clone(ac.AllowedMethods)
			return nil, errStopAuth
		},
		// Weak algorithms included: a server offering only those still
		// has to say how it authenticates.
		HostKeyAlgorithms: append(slices.Clone(sup.HostKeys), insecure.HostKeys...),
	}
	cfg.KeyExchanges = append(slices.Clone(sup.KeyExchanges), insecure.KeyExchanges...)
	cfg.Ciphers = append(slices.Clone(sup.Ciphers), insecure.Ciphers...)
	cfg.MACs = append(slices.Clone(sup.MACs), insecure.MACs...)

	conn, chans, reqs, err := ssh.NewClientConn(c, addr, cfg)
	if err == nil {
		// The server let an unnamed user in without any credential.
		ssh.NewClient(conn, chans, reqs).Close()
		return []string{"none"}, hk, nil
	}
	if methods == nil {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return nil, hk, fmt.Errorf("probe: ssh %s: %w", addr, ctxErr)
		}
		return nil, hk, fmt.Errorf("probe: ssh %s: auth methods: %w", addr, err)
	}
	return methods, hk, nil
}

func describeHostKey(key ssh.PublicKey) *SSHHostKey {
	hk := &SSHHostKey{Type: key.Type(), Fingerprint: ssh.FingerprintSHA256(key)}
	ck, ok := key.(ssh.CryptoPublicKey)
	if !ok {
		return hk
	}
	switch k := ck.CryptoPublicKey().(type) {
	case *rsa.PublicKey:
		hk.Bits = k.N.BitLen()
	case *ecdsa.PublicKey:
		hk.Bits = k.Curve.Params().BitSize
	case *dsa.PublicKey:
		hk.Bits = k.P.BitLen()
	default:
		hk.Bits = 256 // Ed25519
	}
	return hk
}
