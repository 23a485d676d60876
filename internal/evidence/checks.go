package evidence

import (
	"slices"
	"strings"
)

// checks is every check ID rcmguard's own engines write. Rules read them
// in `observed`; a rule that names one misspelled would never match and
// never say so, so rules are checked against this list when they load.
// The engines keep their own constants; a test in package evidencefile,
// which sees every engine, keeps this list in step with them.
var checks = []string{
	// rcmguard scan: "phi." + the finding kind.
	"phi.ssn", "phi.mbi", "phi.hicn", "phi.npi", "phi.payment_card", "phi.bank_account", "phi.dob",
	"phi.member_id", "phi.mrn", "phi.x12", "phi.name", "phi.address", "phi.phone", "phi.email",
	// rcmguard edi inspect: "edi." + the check.
	"edi.summary", "edi.isa-credentials", "edi.isa-test-indicator", "edi.envelope-mismatch",
	"edi.duplicate-control-number", "edi.ssn-identifier", "edi.legacy-hicn", "edi.x12-in-logs",
	// rcmguard probe.
	"probe.unreachable",
	"tls.summary", "tls.no-handshake", "tls.legacy-protocol", "tls.weak-cipher", "tls.cert-expired",
	"tls.cert-expiring", "tls.cert-hostname", "tls.cert-weak-key", "tls.cert-weak-signature",
	"tls.cert-untrusted", "tls.cert-lifespan", "tls.cert-unavailable",
	"ssh.summary", "ssh.weak-algorithm", "ssh.terrapin", "ssh.password-auth", "ssh.no-auth",
	"ftp.summary", "ftp.no-auth-tls",
	"smtp.summary", "smtp.no-starttls", "smtp.starttls-failed",
}

// Checks returns every check ID rcmguard's engines write, sorted.
func Checks() []string {
	out := slices.Clone(checks)
	slices.Sort(out)
	return out
}

// OwnNamespace reports whether a check ID is in a namespace rcmguard's
// engines write ("phi.", "edi.", "probe.", "tls.", "ssh.", "ftp.",
// "smtp."). Facts files from other tools may carry checks of their own
// namespaces, which nothing here can know.
func OwnNamespace(check string) bool {
	ns, _, ok := strings.Cut(check, ".")
	if !ok {
		return false
	}
	for _, c := range checks {
		if strings.HasPrefix(c, ns+".") {
			return true
		}
	}
	return false
}

// KnownCheck reports whether an engine of rcmguard writes check.
func KnownCheck(check string) bool { return slices.Contains(checks, check) }
