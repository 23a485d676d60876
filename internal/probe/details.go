package probe

import (
	"fmt"
	"strconv"
	"strings"
)

// Details returns the observations a sysadmin reads beside the findings —
// what testssl.sh and ssh-audit print: versions and suites, key exchange,
// the host key fingerprint, the algorithm lists. Peer-supplied text is made
// printable, so a hostile banner cannot drive the terminal.
func (r Result) Details() []string {
	var out []string
	add := func(label string, values ...string) {
		if v := strings.Join(values, ", "); v != "" {
			out = append(out, label+": "+printable(v))
		}
	}
	tlsDetails := func(t *TLSReport) {
		for _, vc := range t.Ciphers {
			order := ""
			if vc.ServerOrder != nil {
				order = " (client's order)"
				if *vc.ServerOrder {
					order = " (server's order)"
				}
			}
			add(fmt.Sprintf("%s, %d suites%s", vc.Version, len(vc.Suites), order), vc.Suites...)
		}
		if t.DHBits > 0 {
			add("DH prime", strconv.Itoa(t.DHBits)+" bits")
		}
		add("groups", t.Groups...)
		if t.SecureRenegotiation != nil {
			add("secure renegotiation (RFC 5746)", strconv.FormatBool(*t.SecureRenegotiation))
		}
		switch {
		case t.ClientRenegotiation == nil:
			if t.RenegotiationUntested != "" {
				add("client-initiated renegotiation", "not tested: "+t.RenegotiationUntested)
			}
		case *t.ClientRenegotiation:
			add("client-initiated renegotiation", "accepted")
		default:
			add("client-initiated renegotiation", "refused")
		}
		if c := t.Certificate; c != nil {
			add("certificate", fmt.Sprintf("%s, %s %d, expires %s, issuer %s", c.Subject, c.KeyType, c.KeyBits, c.NotAfter.Format("2006-01-02"), c.Issuer))
		}
	}
	switch {
	case r.TLS != nil:
		tlsDetails(r.TLS)
	case r.SMTP != nil && r.SMTP.TLS != nil:
		tlsDetails(r.SMTP.TLS)
	case r.SSH != nil:
		s := r.SSH
		if hk := s.HostKey; hk != nil {
			add("host key", fmt.Sprintf("%s %d bits %s", hk.Type, hk.Bits, hk.Fingerprint))
		}
		add("kex", s.KEX...)
		add("host key algorithms", s.HostKeyAlgorithms...)
		add("ciphers", union(s.CiphersClientToServer, s.CiphersServerToClient)...)
		add("macs", union(s.MACsClientToServer, s.MACsServerToClient)...)
		add("auth methods", s.AuthMethods...)
	}
	return out
}
