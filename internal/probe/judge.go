package probe

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"rcmguard/internal/evidence"
)

// Check IDs of the TLS, FTP and SMTP verdicts. They are stable: the
// assessment and users' decisions refer to them.
const (
	CheckTLSSummary         = "tls.summary"
	CheckTLSNoHandshake     = "tls.no-handshake"
	CheckTLSLegacyProtocol  = "tls.legacy-protocol"
	CheckTLSWeakCipher      = "tls.weak-cipher"
	CheckTLSCertExpired     = "tls.cert-expired"
	CheckTLSCertExpiring    = "tls.cert-expiring"
	CheckTLSCertHostname    = "tls.cert-hostname"
	CheckTLSCertWeakKey     = "tls.cert-weak-key"
	CheckTLSCertWeakSig     = "tls.cert-weak-signature"
	CheckTLSCertUntrusted   = "tls.cert-untrusted"
	CheckTLSCertLifespan    = "tls.cert-lifespan"
	CheckTLSCertUnavailable = "tls.cert-unavailable"
	CheckTLSNoCommonSuite   = "tls.no-common-suite"
	CheckTLSWeakDH          = "tls.weak-dh"
	CheckTLSWeakGroup       = "tls.weak-group"
	CheckTLSClientOrder     = "tls.client-cipher-order"
	CheckTLSInsecureReneg   = "tls.insecure-renegotiation"
	CheckTLSClientReneg     = "tls.client-renegotiation"

	CheckFTPSummary   = "ftp.summary"
	CheckFTPNoAuthTLS = "ftp.no-auth-tls"

	CheckSMTPSummary        = "smtp.summary"
	CheckSMTPNoSTARTTLS     = "smtp.no-starttls"
	CheckSMTPSTARTTLSFailed = "smtp.starttls-failed"
)

// Thresholds of the Mozilla intermediate profile and of common practice.
const (
	minRSABits      = 2048
	minECBits       = 256
	expiringDays    = 30
	maxLifespanDays = 366
)

// judgeTLS turns a TLS report into verdicts against the Mozilla intermediate
// profile: TLS 1.2 and 1.3 only, its cipher list, RSA ≥ 2048 or ECDSA
// P-256+, a valid, trusted certificate for the name.
func judgeTLS(r *TLSReport) []finding {
	var out []finding
	if len(r.versions) == 0 && r.NoCommonSuite {
		return []finding{
			{check: CheckTLSSummary, severity: evidence.SeverityInfo,
				summary: fmt.Sprintf("TLS spoken, but none of the %d cipher suites offered accepted", r.Offered),
				attrs: map[string]string{"versions": "", "ciphers": "0", "offered": strconv.Itoa(r.Offered),
					"starttls": strconv.FormatBool(r.STARTTLS)}},
			{check: CheckTLSNoCommonSuite, severity: evidence.SeverityMedium,
				summary: "the server answers in TLS but refused every cipher suite in the IANA registry at every version: its transport security is unverified",
				attrs:   map[string]string{"error": r.HandshakeError}},
		}
	}
	if len(r.versions) == 0 {
		return []finding{
			{check: CheckTLSSummary, severity: evidence.SeverityInfo,
				summary: "no TLS version accepted",
				attrs:   map[string]string{"versions": "", "ciphers": "0", "starttls": strconv.FormatBool(r.STARTTLS)}},
			{check: CheckTLSNoHandshake, severity: evidence.SeverityHigh,
				summary: "the endpoint completed no TLS handshake with any offered version: data to it travels unprotected or not at all",
				attrs:   map[string]string{"error": r.HandshakeError}},
		}
	}

	suiteVersions := map[uint16][]string{}
	var order []uint16
	for _, v := range r.versions {
		for _, s := range r.suites[v] {
			if _, seen := suiteVersions[s]; !seen {
				order = append(order, s)
			}
			suiteVersions[s] = append(suiteVersions[s], VersionName(v))
		}
	}
	sum := map[string]string{
		"versions":    strings.Join(r.Versions, ","),
		"min_version": r.Versions[0],
		"max_version": r.Versions[len(r.Versions)-1],
		"ciphers":     strconv.Itoa(len(suiteVersions)),
		"starttls":    strconv.FormatBool(r.STARTTLS),
		"offered":     strconv.Itoa(r.Offered),
	}
	if r.DHBits > 0 {
		sum["dh_bits"] = strconv.Itoa(r.DHBits)
	}
	if len(r.Groups) > 0 {
		sum["groups"] = strings.Join(r.Groups, ",")
	}
	if r.SecureRenegotiation != nil {
		sum["secure_renegotiation"] = strconv.FormatBool(*r.SecureRenegotiation)
	}
	if r.ClientRenegotiation != nil {
		sum["client_renegotiation"] = strconv.FormatBool(*r.ClientRenegotiation)
	}
	if c := r.Certificate; c != nil {
		sum["cert_not_after"] = c.NotAfter.Format("2006-01-02")
		sum["cert_days_left"] = strconv.Itoa(c.DaysLeft)
		sum["cert_key"] = fmt.Sprintf("%s %d", c.KeyType, c.KeyBits)
		sum["cert_trusted"] = strconv.FormatBool(c.Trusted)
	}
	out = append(out, finding{check: CheckTLSSummary, severity: evidence.SeverityInfo,
		summary: fmt.Sprintf("TLS %s, %d cipher suites accepted", sum["versions"], len(suiteVersions)),
		attrs:   sum})

	for _, v := range r.versions {
		if v >= versionTLS12 {
			continue
		}
		sev := evidence.SeverityHigh
		if v == versionSSL30 {
			sev = evidence.SeverityCritical
		}
		out = append(out, finding{check: CheckTLSLegacyProtocol, severity: sev,
			summary: fmt.Sprintf("%s accepted; the Mozilla intermediate profile allows TLS 1.2 and 1.3 only", VersionName(v)),
			attrs:   map[string]string{"version": VersionName(v)}})
	}

	for _, s := range order {
		vd := judgeSuite(s)
		if vd.ok {
			continue
		}
		out = append(out, finding{check: CheckTLSWeakCipher, severity: vd.severity,
			summary: fmt.Sprintf("%s accepted: %s", SuiteName(s), vd.reason),
			attrs: map[string]string{"cipher": SuiteName(s), "versions": strings.Join(suiteVersions[s], ","),
				"reason": vd.reason}})
	}

	out = append(out, judgeKeyExchange(r, order)...)

	if r.Certificate == nil {
		msg := r.CertError
		if msg == "" {
			msg = "no certificate"
		}
		return append(out, finding{check: CheckTLSCertUnavailable, severity: evidence.SeverityLow,
			summary: "the server certificate could not be read, so it was not judged",
			attrs:   map[string]string{"error": msg}})
	}
	return append(out, judgeCert(r.Certificate)...)
}

// Below 2048 bits a DH prime is what Logjam and NIST SP 800-57 rule out;
// below 1024 it is within reach of a precomputation.
const (
	minDHBits    = 2048
	brokenDHBits = 1024
)

// judgeKeyExchange reports what testssl.sh reports beside the suites: the
// DH prime size, weak groups, whether the client can steer the server to
// its weakest suite, and renegotiation without RFC 5746.
func judgeKeyExchange(r *TLSReport, order []uint16) []finding {
	var out []finding
	if r.DHBits > 0 && r.DHBits < minDHBits {
		sev := evidence.SeverityMedium
		if r.DHBits <= brokenDHBits {
			sev = evidence.SeverityHigh
		}
		out = append(out, finding{check: CheckTLSWeakDH, severity: sev,
			summary: fmt.Sprintf("DHE key exchange uses a %d-bit prime; at least %d bits are needed (Logjam)", r.DHBits, minDHBits),
			attrs:   map[string]string{"dh_bits": strconv.Itoa(r.DHBits)}})
	}
	for _, g := range r.groups {
		if weakGroups[g] {
			out = append(out, finding{check: CheckTLSWeakGroup, severity: evidence.SeverityMedium,
				summary: fmt.Sprintf("key exchange group %s accepted: under 128-bit security", GroupName(g)),
				attrs:   map[string]string{"group": GroupName(g)}})
		}
	}
	weak := slices.ContainsFunc(order, func(s uint16) bool { return !judgeSuite(s).ok })
	for _, v := range r.versions {
		server, known := r.serverOrder[v]
		if known && !server && weak {
			out = append(out, finding{check: CheckTLSClientOrder, severity: evidence.SeverityLow,
				summary: fmt.Sprintf("%s: the server follows the client's cipher order, so a client can pick a weak suite it accepts", VersionName(v)),
				attrs:   map[string]string{"version": VersionName(v)}})
		}
	}
	if r.SecureRenegotiation != nil && !*r.SecureRenegotiation {
		out = append(out, finding{check: CheckTLSInsecureReneg, severity: evidence.SeverityMedium,
			summary: "the server does not support secure renegotiation (RFC 5746): exposed to renegotiation injection (CVE-2009-3555) if it renegotiates"})
	}
	if r.ClientRenegotiation != nil && *r.ClientRenegotiation {
		// testssl.sh rates it medium: each renegotiation costs the
		// server a key exchange, many per connection. Without RFC 5746
		// it is also the injection of CVE-2009-3555.
		sev, why := evidence.SeverityMedium, "a client can make it redo the key exchange at will on one connection (denial of service)"
		if r.SecureRenegotiation != nil && !*r.SecureRenegotiation {
			sev, why = evidence.SeverityHigh, why+", and without RFC 5746 an attacker can inject a request ahead of the client's (CVE-2009-3555)"
		}
		out = append(out, finding{check: CheckTLSClientReneg, severity: sev,
			summary: "the server accepts client-initiated renegotiation: " + why})
	}
	return out
}

func judgeCert(c *CertReport) []finding {
	var out []finding
	base := func() map[string]string {
		return map[string]string{"subject": c.Subject, "not_after": c.NotAfter.Format("2006-01-02")}
	}
	switch {
	case c.Expired:
		a := base()
		a["days_left"] = strconv.Itoa(c.DaysLeft)
		out = append(out, finding{check: CheckTLSCertExpired, severity: evidence.SeverityCritical,
			summary: fmt.Sprintf("certificate expired on %s", c.NotAfter.Format("2006-01-02")), attrs: a})
	case c.NotYetValid:
		a := base()
		a["not_before"] = c.NotBefore.Format("2006-01-02")
		out = append(out, finding{check: CheckTLSCertExpired, severity: evidence.SeverityHigh,
			summary: fmt.Sprintf("certificate not valid before %s", c.NotBefore.Format("2006-01-02")), attrs: a})
	case c.DaysLeft < expiringDays:
		a := base()
		a["days_left"] = strconv.Itoa(c.DaysLeft)
		out = append(out, finding{check: CheckTLSCertExpiring, severity: evidence.SeverityMedium,
			summary: fmt.Sprintf("certificate expires in %d days", c.DaysLeft), attrs: a})
	}
	if !c.HostnameMatch {
		a := base()
		a["hostname"] = c.Hostname
		a["dns_names"] = strings.Join(append(append([]string(nil), c.DNSNames...), c.IPAddresses...), ",")
		out = append(out, finding{check: CheckTLSCertHostname, severity: evidence.SeverityHigh,
			summary: fmt.Sprintf("certificate is not valid for %q", c.Hostname), attrs: a})
	}
	weakKey := false
	switch c.KeyType {
	case "RSA":
		weakKey = c.KeyBits < minRSABits
	case "ECDSA":
		weakKey = c.KeyBits < minECBits
	case "DSA":
		weakKey = true
	}
	if weakKey {
		a := base()
		a["key_type"], a["key_bits"] = c.KeyType, strconv.Itoa(c.KeyBits)
		out = append(out, finding{check: CheckTLSCertWeakKey, severity: evidence.SeverityHigh,
			summary: fmt.Sprintf("certificate key is %s %d bits; the profile requires RSA ≥ 2048 or ECDSA P-256+", c.KeyType, c.KeyBits),
			attrs:   a})
	}
	sig := strings.ToUpper(c.SignatureAlgorithm)
	if strings.Contains(sig, "SHA1") || strings.Contains(sig, "MD5") || strings.Contains(sig, "MD2") {
		a := base()
		a["signature_algorithm"] = c.SignatureAlgorithm
		out = append(out, finding{check: CheckTLSCertWeakSig, severity: evidence.SeverityHigh,
			summary: fmt.Sprintf("certificate signed with %s", c.SignatureAlgorithm), attrs: a})
	}
	if !c.Trusted {
		a := base()
		a["reason"] = c.TrustError
		a["self_signed"] = strconv.FormatBool(c.SelfSigned)
		a["issuer"] = c.Issuer
		why := c.TrustError
		if c.SelfSigned {
			why = "self-signed"
		}
		out = append(out, finding{check: CheckTLSCertUntrusted, severity: evidence.SeverityHigh,
			summary: "certificate chain does not verify: " + why, attrs: a})
	}
	if c.LifespanDays > maxLifespanDays {
		a := base()
		a["lifespan_days"] = strconv.Itoa(c.LifespanDays)
		out = append(out, finding{check: CheckTLSCertLifespan, severity: evidence.SeverityLow,
			summary: fmt.Sprintf("certificate lifespan is %d days; the profile allows at most %d", c.LifespanDays, maxLifespanDays),
			attrs:   a})
	}
	return out
}

func judgeFTP(r *FTPReport) []finding {
	out := []finding{{check: CheckFTPSummary, severity: evidence.SeverityInfo,
		summary: fmt.Sprintf("FTP server; AUTH TLS %s", supported(r.AuthTLS)),
		attrs: map[string]string{"banner": clip(r.Banner), "auth_tls": strconv.FormatBool(r.AuthTLS),
			"features": strings.Join(r.Features, ",")}}}
	if !r.AuthTLS {
		out = append(out, finding{check: CheckFTPNoAuthTLS, severity: evidence.SeverityHigh,
			summary: "FTP server does not support AUTH TLS: logins and files, PHI included, cross the network in clear",
			attrs:   map[string]string{"reply": r.AuthTLSReply}})
	}
	return out
}

func judgeSMTP(r *SMTPReport) []finding {
	out := []finding{{check: CheckSMTPSummary, severity: evidence.SeverityInfo,
		summary: fmt.Sprintf("SMTP server; STARTTLS %s", supported(r.STARTTLS)),
		attrs: map[string]string{"banner": clip(r.Banner), "starttls": strconv.FormatBool(r.STARTTLS),
			"extensions": strings.Join(r.Extensions, ",")}}}
	if !r.STARTTLS {
		out = append(out, finding{check: CheckSMTPNoSTARTTLS, severity: evidence.SeverityHigh,
			summary: "SMTP server does not offer STARTTLS: mail, attachments with PHI included, crosses the network in clear"})
	}
	if r.TLSError != "" {
		out = append(out, finding{check: CheckSMTPSTARTTLSFailed, severity: evidence.SeverityMedium,
			summary: "STARTTLS is advertised but the TLS checks could not run",
			attrs:   map[string]string{"error": r.TLSError}})
	}
	if r.TLS != nil {
		out = append(out, judgeTLS(r.TLS)...)
	}
	return out
}

func supported(ok bool) string {
	if ok {
		return "supported"
	}
	return "not supported"
}
