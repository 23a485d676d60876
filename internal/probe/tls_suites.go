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

// suiteNames maps the cipher suites the probe offers to their IANA names.
// The list covers what servers in the field actually negotiate, including the
// broken suites (NULL, anonymous, export, RC4, DES) a probe exists to catch;
// the exotic remainder of the IANA registry is left out to keep the number of
// handshakes per endpoint reasonable.
var suiteNames = map[uint16]string{
	0x0001: "TLS_RSA_WITH_NULL_MD5",
	0x0002: "TLS_RSA_WITH_NULL_SHA",
	0x0003: "TLS_RSA_EXPORT_WITH_RC4_40_MD5",
	0x0004: "TLS_RSA_WITH_RC4_128_MD5",
	0x0005: "TLS_RSA_WITH_RC4_128_SHA",
	0x0006: "TLS_RSA_EXPORT_WITH_RC2_CBC_40_MD5",
	0x0007: "TLS_RSA_WITH_IDEA_CBC_SHA",
	0x0008: "TLS_RSA_EXPORT_WITH_DES40_CBC_SHA",
	0x0009: "TLS_RSA_WITH_DES_CBC_SHA",
	0x000A: "TLS_RSA_WITH_3DES_EDE_CBC_SHA",
	0x0011: "TLS_DHE_DSS_EXPORT_WITH_DES40_CBC_SHA",
	0x0012: "TLS_DHE_DSS_WITH_DES_CBC_SHA",
	0x0013: "TLS_DHE_DSS_WITH_3DES_EDE_CBC_SHA",
	0x0014: "TLS_DHE_RSA_EXPORT_WITH_DES40_CBC_SHA",
	0x0015: "TLS_DHE_RSA_WITH_DES_CBC_SHA",
	0x0016: "TLS_DHE_RSA_WITH_3DES_EDE_CBC_SHA",
	0x0017: "TLS_DH_anon_EXPORT_WITH_RC4_40_MD5",
	0x0018: "TLS_DH_anon_WITH_RC4_128_MD5",
	0x001A: "TLS_DH_anon_WITH_DES_CBC_SHA",
	0x001B: "TLS_DH_anon_WITH_3DES_EDE_CBC_SHA",
	0x002F: "TLS_RSA_WITH_AES_128_CBC_SHA",
	0x0032: "TLS_DHE_DSS_WITH_AES_128_CBC_SHA",
	0x0033: "TLS_DHE_RSA_WITH_AES_128_CBC_SHA",
	0x0034: "TLS_DH_anon_WITH_AES_128_CBC_SHA",
	0x0035: "TLS_RSA_WITH_AES_256_CBC_SHA",
	0x0038: "TLS_DHE_DSS_WITH_AES_256_CBC_SHA",
	0x0039: "TLS_DHE_RSA_WITH_AES_256_CBC_SHA",
	0x003A: "TLS_DH_anon_WITH_AES_256_CBC_SHA",
	0x003B: "TLS_RSA_WITH_NULL_SHA256",
	0x003C: "TLS_RSA_WITH_AES_128_CBC_SHA256",
	0x003D: "TLS_RSA_WITH_AES_256_CBC_SHA256",
	0x0040: "TLS_DHE_DSS_WITH_AES_128_CBC_SHA256",
	0x0041: "TLS_RSA_WITH_CAMELLIA_128_CBC_SHA",
	0x0045: "TLS_DHE_RSA_WITH_CAMELLIA_128_CBC_SHA",
	0x0067: "TLS_DHE_RSA_WITH_AES_128_CBC_SHA256",
	0x006A: "TLS_DHE_DSS_WITH_AES_256_CBC_SHA256",
	0x006B: "TLS_DHE_RSA_WITH_AES_256_CBC_SHA256",
	0x0084: "TLS_RSA_WITH_CAMELLIA_256_CBC_SHA",
	0x0088: "TLS_DHE_RSA_WITH_CAMELLIA_256_CBC_SHA",
	0x0096: "TLS_RSA_WITH_SEED_CBC_SHA",
	0x009C: "TLS_RSA_WITH_AES_128_GCM_SHA256",
	0x009D: "TLS_RSA_WITH_AES_256_GCM_SHA384",
	0x009E: "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256",
	0x009F: "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384",
	0x00A2: "TLS_DHE_DSS_WITH_AES_128_GCM_SHA256",
	0x00A3: "TLS_DHE_DSS_WITH_AES_256_GCM_SHA384",
	0x00A6: "TLS_DH_anon_WITH_AES_128_GCM_SHA256",
	0x00A7: "TLS_DH_anon_WITH_AES_256_GCM_SHA384",
	0xC006: "TLS_ECDHE_ECDSA_WITH_NULL_SHA",
	0xC007: "TLS_ECDHE_ECDSA_WITH_RC4_128_SHA",
	0xC008: "TLS_ECDHE_ECDSA_WITH_3DES_EDE_CBC_SHA",
	0xC009: "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA",
	0xC00A: "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA",
	0xC010: "TLS_ECDHE_RSA_WITH_NULL_SHA",
	0xC011: "TLS_ECDHE_RSA_WITH_RC4_128_SHA",
	0xC012: "TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA",
	0xC013: "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA",
	0xC014: "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA",
	0xC015: "TLS_ECDH_anon_WITH_NULL_SHA",
	0xC016: "TLS_ECDH_anon_WITH_RC4_128_SHA",
	0xC017: "TLS_ECDH_anon_WITH_3DES_EDE_CBC_SHA",
	0xC018: "TLS_ECDH_anon_WITH_AES_128_CBC_SHA",
	0xC019: "TLS_ECDH_anon_WITH_AES_256_CBC_SHA",
	0xC023: "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256",
	0xC024: "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384",
	0xC027: "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256",
	0xC028: "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384",
	0xC02B: "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
	0xC02C: "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
	0xC02F: "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
	0xC030: "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
	0xC072: "TLS_ECDHE_ECDSA_WITH_CAMELLIA_128_CBC_SHA256",
	0xC076: "TLS_ECDHE_RSA_WITH_CAMELLIA_128_CBC_SHA256",
	0xC09C: "TLS_RSA_WITH_AES_128_CCM",
	0xC09D: "TLS_RSA_WITH_AES_256_CCM",
	0xC09E: "TLS_DHE_RSA_WITH_AES_128_CCM",
	0xC09F: "TLS_DHE_RSA_WITH_AES_256_CCM",
	0xC0AC: "TLS_ECDHE_ECDSA_WITH_AES_128_CCM",
	0xC0AD: "TLS_ECDHE_ECDSA_WITH_AES_256_CCM",
	0xCCA8: "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
	0xCCA9: "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
	0xCCAA: "TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
	0x1301: "TLS_AES_128_GCM_SHA256",
	0x1302: "TLS_AES_256_GCM_SHA384",
	0x1303: "TLS_CHACHA20_POLY1305_SHA256",
	0x1304: "TLS_AES_128_CCM_SHA256",
	0x1305: "TLS_AES_128_CCM_8_SHA256",
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
	if n, ok := suiteNames[id]; ok {
		return n
	}
	return fmt.Sprintf("0x%04X", id)
}

func isTLS13Suite(id uint16) bool { return id >= 0x1301 && id <= 0x13FF }

// suitesFor returns the suites worth offering at a version: TLS 1.3 has its
// own suites, and AEAD or SHA-2 suites only exist from TLS 1.2 on.
func suitesFor(v uint16) []uint16 {
	var out []uint16
	for id, name := range suiteNames {
		switch {
		case v == versionTLS13:
			if isTLS13Suite(id) {
				out = append(out, id)
			}
		case isTLS13Suite(id):
		case v < versionTLS12 && tls12Only(name):
		default:
			out = append(out, id)
		}
	}
	slices.Sort(out)
	return out
}

func tls12Only(name string) bool {
	for _, s := range []string{"_GCM_", "_CCM", "CHACHA20", "_SHA256", "_SHA384"} {
		if strings.Contains(name, s) {
			return true
		}
	}
	return false
}

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
	name := SuiteName(id)
	kex, enc, _ := strings.Cut(strings.TrimPrefix(name, "TLS_"), "_WITH_")
	if isTLS13Suite(id) {
		enc = kex
		kex = ""
	}
	switch {
	case strings.Contains(enc, "NULL"):
		return suiteVerdict{severity: evidence.SeverityCritical, reason: "no encryption (NULL cipher)"}
	case strings.Contains(kex, "anon"):
		return suiteVerdict{severity: evidence.SeverityCritical, reason: "no server authentication (anonymous key exchange)"}
	case strings.Contains(kex, "EXPORT"):
		return suiteVerdict{severity: evidence.SeverityCritical, reason: "export-grade cryptography"}
	case strings.Contains(enc, "RC4"), strings.Contains(enc, "RC2"):
		return suiteVerdict{severity: evidence.SeverityHigh, reason: "broken stream or block cipher (RC4/RC2)"}
	case strings.Contains(enc, "3DES"), strings.Contains(enc, "IDEA"):
		return suiteVerdict{severity: evidence.SeverityHigh, reason: "64-bit block cipher (Sweet32)"}
	case strings.HasPrefix(enc, "DES"):
		return suiteVerdict{severity: evidence.SeverityHigh, reason: "56-bit DES"}
	case strings.HasSuffix(enc, "_MD5"):
		return suiteVerdict{severity: evidence.SeverityHigh, reason: "MD5 message authentication"}
	case kex == "RSA":
		return suiteVerdict{severity: evidence.SeverityMedium, reason: "RSA key exchange without forward secrecy"}
	case strings.Contains(enc, "CBC"):
		return suiteVerdict{severity: evidence.SeverityLow, reason: "CBC mode, obsoleted by AEAD suites"}
	}
	return suiteVerdict{severity: evidence.SeverityLow, reason: "not in the Mozilla intermediate profile"}
}
