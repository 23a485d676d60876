package probe

import (
	"fmt"
	"slices"
	"strings"

	"rcmguard/internal/evidence"
)

// TLS protocol versions as they appear on the wire.
const (
	versionSSL30 uint16 = 0x0300
	versionTLS10 uint16 = 0x0301
	versionTLS11 uint16 = 0x0302
	versionTLS12 uint16 = 0x0303
	versionTLS13 uint16 = 0x0304
)

// probedVersions is every version the TLS probe offers, oldest first.
var probedVersions = []uint16{versionSSL30, versionTLS10, versionTLS11, versionTLS12, versionTLS13}

// VersionName returns the conventional name of a wire version.
func VersionName(v uint16) string {
	switch v {
	case versionSSL30:
		return "SSLv3"
	case versionTLS10:
		return "TLS1.0"
	case versionTLS11:
		return "TLS1.1"
	case versionTLS12:
		return "TLS1.2"
	case versionTLS13:
		return "TLS1.3"
	}
	return fmt.Sprintf("0x%04x", v)
}

// preStandard holds suites testssl.sh also offers that IANA never assigned:
// drafts and vendor codes that shipped in real servers (pre-RFC ChaCha20 in
// BoringSSL and old Chrome, the 1024-bit "export" suites of OpenSSL 0.9.x,
// pre-standard GOST, Netscape's FIPS codes). A server still accepting one
// of them is a finding like any other.
var preStandard = map[uint16]string{
	0x0060: "TLS_RSA_EXPORT1024_WITH_RC4_56_MD5",
	0x0061: "TLS_RSA_EXPORT1024_WITH_RC2_56_MD5",
	0x0062: "TLS_RSA_EXPORT1024_WITH_DES_CBC_SHA",
	0x0063: "TLS_DHE_DSS_EXPORT1024_WITH_DES_CBC_SHA",
	0x0064: "TLS_RSA_EXPORT1024_WITH_RC4_56_SHA",
	0x0065: "TLS_DHE_DSS_EXPORT1024_WITH_RC4_56_SHA",
	0x0066: "TLS_DHE_DSS_WITH_RC4_128_SHA",
	0x0080: "TLS_GOSTR341094_WITH_28147_CNT_IMIT",
	0x0081: "TLS_GOSTR341001_WITH_28147_CNT_IMIT",
	0x0082: "TLS_GOSTR341094_WITH_NULL_GOSTR3411",
	0x0083: "TLS_GOSTR341001_WITH_NULL_GOSTR3411",
	0xCC13: "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256_OLD",
	0xCC14: "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256_OLD",
	0xCC15: "TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256_OLD",
	0xFEFE: "SSL_RSA_FIPS_WITH_DES_CBC_SHA",
	0xFEFF: "SSL_RSA_FIPS_WITH_3DES_EDE_CBC_SHA",
	0xFF00: "TLS_GOSTR341094_RSA_WITH_28147_CNT_MD5",
	0xFF01: "TLS_RSA_WITH_28147_CNT_GOST94",
}

// tls13Suites are the registry's suites that exist only in TLS 1.3: the
// five of RFC 8446, the ShangMi pair (RFC 8998) and the integrity-only
// pair (RFC 9150).
var tls13Suites = map[uint16]bool{
	0x1301: true, 0x1302: true, 0x1303: true, 0x1304: true, 0x1305: true,
	0x00C6: true, 0x00C7: true, 0xC0B4: true, 0xC0B5: true,
}

// mozillaIntermediate is the cipher list of Mozilla's "intermediate"
// server-side TLS profile (version 5.7): ECDHE and DHE key exchange with
// AES-GCM or ChaCha20-Poly1305, plus the three common TLS 1.3 suites.
var mozillaIntermediate = map[uint16]bool{
	0xC02B: true, 0xC02F: true, 0xC02C: true, 0xC030: true,
	0xCCA9: true, 0xCCA8: true, 0x009E: true, 0x009F: true, 0xCCAA: true,
	0x1301: true, 0x1302: true, 0x1303: true,
}

// SuiteName returns the IANA name of a cipher suite, or its hex code.
func SuiteName(id uint16) string {
	if n, ok := registry[id]; ok {
		return n
	}
	if n, ok := preStandard[id]; ok {
		return n
	}
	return fmt.Sprintf("0x%04X", id)
}

func isTLS13Suite(id uint16) bool { return tls13Suites[id] }

// suitesFor returns every suite to offer at a version: TLS 1.3 has its own
// suites; up to TLS 1.2 every other registry and pre-standard suite is
// offered, even those a version predates, because a server that picks one
// anyway is worth knowing about and a correct one ignores it.
func suitesFor(v uint16) []uint16 {
	var out []uint16
	for _, m := range []map[uint16]string{registry, preStandard} {
		for id := range m {
			if isTLS13Suite(id) == (v == versionTLS13) {
				out = append(out, id)
			}
		}
	}
	slices.Sort(out)
	return out
}

// SuiteClass is what a suite's name says about it, in the categories
// testssl.sh reports: the key exchange, the bulk cipher and its mode, and
// the properties that make a suite weak.
type SuiteClass struct {
	// KeyExchange is the part before _WITH_ (RSA, ECDHE_RSA, DH_anon,
	// PSK...), empty for TLS 1.3 suites, whose key exchange is separate.
	KeyExchange string `json:"key_exchange,omitempty"`
	// Cipher is the rest: bulk cipher, mode and MAC or PRF hash.
	Cipher        string `json:"cipher"`
	Null          bool   `json:"null,omitempty"`
	Anonymous     bool   `json:"anonymous,omitempty"`
	Export        bool   `json:"export,omitempty"`
	RC4           bool   `json:"rc4,omitempty"`
	DES           bool   `json:"des,omitempty"`
	Block64       bool   `json:"block64,omitempty"`
	MD5           bool   `json:"md5,omitempty"`
	CBC           bool   `json:"cbc,omitempty"`
	AEAD          bool   `json:"aead,omitempty"`
	ForwardSecret bool   `json:"forward_secret,omitempty"`
	// DH marks a finite-field Diffie-Hellman exchange, whose group size
	// the server chooses (DHE, DH_anon).
	DH bool `json:"dh,omitempty"`
}

// ClassifySuite reads a suite's properties from its IANA name.
func ClassifySuite(id uint16) SuiteClass {
	name := strings.TrimPrefix(strings.TrimPrefix(SuiteName(id), "TLS_"), "SSL_")
	var c SuiteClass
	kex, enc, with := strings.Cut(name, "_WITH_")
	if !with {
		kex, enc = "", name
	}
	if strings.HasPrefix(kex, "GOSTR") && !strings.Contains(kex, "_RSA") {
		// GOST names put the signature in the key exchange slot; the
		// exchange itself is ephemeral (VKO).
		c.ForwardSecret = true
	}
	c.KeyExchange, c.Cipher = kex, enc
	has := func(s string) bool { return strings.Contains(enc, s) }
	c.Null = strings.HasPrefix(enc, "NULL") || kex == "NULL" || isIntegrityOnly(id)
	c.Anonymous = strings.Contains(kex, "anon") || kex == "NULL"
	c.Export = strings.Contains(kex, "EXPORT") || has("_40_") || strings.HasSuffix(enc, "_40")
	c.RC4 = has("RC4")
	c.DES = strings.HasPrefix(enc, "DES") || has("FIPS_WITH_DES")
	c.Block64 = has("3DES") || has("IDEA") || has("RC2") || has("MAGMA") || has("28147")
	c.MD5 = strings.HasSuffix(enc, "_MD5")
	c.AEAD = has("_GCM") || has("_CCM") || has("CHACHA20_POLY1305") || has("_MGM") || strings.HasPrefix(enc, "SM4_GCM") || strings.HasPrefix(enc, "SM4_CCM")
	c.CBC = has("CBC") && !c.AEAD
	switch {
	case !with, strings.HasPrefix(kex, "DHE"), strings.HasPrefix(kex, "ECDHE"), strings.HasPrefix(kex, "PSK_DHE"),
		strings.HasPrefix(kex, "ECCPWD"), strings.HasPrefix(kex, "CECPQ1"), c.Anonymous && kex != "NULL":
		c.ForwardSecret = true
	}
	c.DH = strings.HasPrefix(kex, "DHE") || strings.HasPrefix(kex, "DH_anon") || strings.HasPrefix(kex, "PSK_DHE")
	return c
}

// isIntegrityOnly marks the RFC 9150 suites, which authenticate but do not
// encrypt.
func isIntegrityOnly(id uint16) bool { return id == 0xC0B4 || id == 0xC0B5 }

// suiteVerdict judges one suite against the Mozilla intermediate profile and
// testssl.sh's cipher categories. ok means the suite is in the profile.
type suiteVerdict struct {
	ok       bool
	severity evidence.Severity
	reason   string
}

func judgeSuite(id uint16) suiteVerdict {
	if mozillaIntermediate[id] {
		return suiteVerdict{ok: true, severity: evidence.SeverityInfo, reason: "in the Mozilla intermediate profile"}
	}
	c := ClassifySuite(id)
	switch {
	case c.Null:
		return suiteVerdict{severity: evidence.SeverityCritical, reason: "no encryption (NULL cipher)"}
	case c.Anonymous:
		return suiteVerdict{severity: evidence.SeverityCritical, reason: "no server authentication (anonymous key exchange)"}
	case c.Export:
		return suiteVerdict{severity: evidence.SeverityCritical, reason: "export-grade cryptography"}
	case c.RC4:
		return suiteVerdict{severity: evidence.SeverityHigh, reason: "broken stream or block cipher (RC4/RC2)"}
	case strings.Contains(c.Cipher, "RC2"):
		return suiteVerdict{severity: evidence.SeverityHigh, reason: "broken stream or block cipher (RC4/RC2)"}
	case c.DES:
		return suiteVerdict{severity: evidence.SeverityHigh, reason: "56-bit DES"}
	case c.Block64:
		return suiteVerdict{severity: evidence.SeverityHigh, reason: "64-bit block cipher (Sweet32)"}
	case c.MD5:
		return suiteVerdict{severity: evidence.SeverityHigh, reason: "MD5 message authentication"}
	case !c.ForwardSecret:
		return suiteVerdict{severity: evidence.SeverityMedium, reason: staticReason(c.KeyExchange)}
	case c.CBC:
		return suiteVerdict{severity: evidence.SeverityLow, reason: "CBC mode, obsoleted by AEAD suites"}
	}
	return suiteVerdict{severity: evidence.SeverityLow, reason: "not in the Mozilla intermediate profile"}
}

func staticReason(kex string) string {
	switch {
	case kex == "RSA":
		return "RSA key exchange without forward secrecy"
	case strings.Contains(kex, "PSK"), strings.HasPrefix(kex, "SRP"), strings.HasPrefix(kex, "KRB5"):
		return kex + " key exchange without forward secrecy"
	}
	return "static " + kex + " key exchange without forward secrecy"
}
