package probe

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"rcmguard/internal/evidence"
)

// Check IDs of the SSH verdicts.
const (
	CheckSSHSummary      = "ssh.summary"
	CheckSSHWeakAlgo     = "ssh.weak-algorithm"
	CheckSSHTerrapin     = "ssh.terrapin"
	CheckSSHPasswordAuth = "ssh.password-auth"
	CheckSSHNoAuth       = "ssh.no-auth"
)

// minSSHRSABits is where current ssh-audit stops warning about RSA host keys.
const minSSHRSABits = 3072

// Algorithm classes, named as ssh-audit names them.
const (
	ClassFail    = "fail"
	ClassWarn    = "warn"
	ClassOK      = "ok"
	ClassUnknown = "unknown"
)

// Algorithm kinds as they appear in SSH_MSG_KEXINIT.
const (
	KindKEX     = "kex"
	KindHostKey = "key"
	KindCipher  = "enc"
	KindMAC     = "mac"
)

type sshRule struct {
	class, reason string
}

// sshRules classifies algorithms the way current ssh-audit does (its
// ssh2_kexdb); see docs/probe.md for the reasoning behind each class.
var sshRules = map[string]map[string]sshRule{
	KindKEX: {
		"diffie-hellman-group1-sha1":           {ClassFail, "1024-bit modulus and SHA-1"},
		"diffie-hellman-group1-sha256":         {ClassFail, "1024-bit modulus"},
		"diffie-hellman-group14-sha1":          {ClassFail, "SHA-1 hash"},
		"diffie-hellman-group-exchange-sha1":   {ClassFail, "SHA-1 hash"},
		"rsa1024-sha1":                         {ClassFail, "1024-bit RSA and SHA-1"},
		"ecdh-sha2-nistp256":                   {ClassFail, "NIST P-curves suspected of being backdoored"},
		"ecdh-sha2-nistp384":                   {ClassFail, "NIST P-curves suspected of being backdoored"},
		"ecdh-sha2-nistp521":                   {ClassFail, "NIST P-curves suspected of being backdoored"},
		"curve25519-sha256":                    {ClassWarn, "not safe against a future quantum computer"},
		"curve25519-sha256@libssh.org":         {ClassWarn, "not safe against a future quantum computer"},
		"curve448-sha512":                      {ClassWarn, "not safe against a future quantum computer"},
		"diffie-hellman-group14-sha256":        {ClassWarn, "2048-bit modulus gives only 112 bits of security; not quantum-safe"},
		"diffie-hellman-group16-sha512":        {ClassWarn, "not safe against a future quantum computer"},
		"diffie-hellman-group18-sha512":        {ClassWarn, "not safe against a future quantum computer"},
		"diffie-hellman-group-exchange-sha256": {ClassWarn, "not safe against a future quantum computer"},
		"mlkem768x25519-sha256":                {ClassOK, "hybrid post-quantum key exchange"},
		"sntrup761x25519-sha512":               {ClassOK, "hybrid post-quantum key exchange"},
		"sntrup761x25519-sha512@openssh.com":   {ClassOK, "hybrid post-quantum key exchange"},
	},
	KindHostKey: {
		"ssh-rsa":                                  {ClassFail, "SHA-1 signatures (deprecated since OpenSSH 8.8)"},
		"ssh-rsa-cert-v01@openssh.com":             {ClassFail, "SHA-1 signatures (deprecated since OpenSSH 8.8)"},
		"ssh-dss":                                  {ClassFail, "1024-bit DSA"},
		"ssh-dss-cert-v01@openssh.com":             {ClassFail, "1024-bit DSA"},
		"ecdsa-sha2-nistp256":                      {ClassFail, "NIST P-curves suspected of being backdoored"},
		"ecdsa-sha2-nistp384":                      {ClassFail, "NIST P-curves suspected of being backdoored"},
		"ecdsa-sha2-nistp521":                      {ClassFail, "NIST P-curves suspected of being backdoored"},
		"ecdsa-sha2-nistp256-cert-v01@openssh.com": {ClassFail, "NIST P-curves suspected of being backdoored"},
		"ecdsa-sha2-nistp384-cert-v01@openssh.com": {ClassFail, "NIST P-curves suspected of being backdoored"},
		"ecdsa-sha2-nistp521-cert-v01@openssh.com": {ClassFail, "NIST P-curves suspected of being backdoored"},
		"sk-ecdsa-sha2-nistp256@openssh.com":       {ClassFail, "NIST P-curves suspected of being backdoored"},
		"rsa-sha2-256":                             {ClassOK, ""},
		"rsa-sha2-512":                             {ClassOK, ""},
		"rsa-sha2-256-cert-v01@openssh.com":        {ClassOK, ""},
		"rsa-sha2-512-cert-v01@openssh.com":        {ClassOK, ""},
		"ssh-ed25519":                              {ClassOK, ""},
		"ssh-ed25519-cert-v01@openssh.com":         {ClassOK, ""},
		"sk-ssh-ed25519@openssh.com":               {ClassOK, ""},
	},
	KindCipher: {
		"none":                          {ClassFail, "no encryption"},
		"3des-cbc":                      {ClassFail, "64-bit block cipher, removed from OpenSSH"},
		"des-cbc":                       {ClassFail, "56-bit DES"},
		"blowfish-cbc":                  {ClassFail, "64-bit block cipher, removed from OpenSSH"},
		"cast128-cbc":                   {ClassFail, "64-bit block cipher, removed from OpenSSH"},
		"arcfour":                       {ClassFail, "broken RC4 stream cipher"},
		"arcfour128":                    {ClassFail, "broken RC4 stream cipher"},
		"arcfour256":                    {ClassFail, "broken RC4 stream cipher"},
		"rijndael-cbc@lysator.liu.se":   {ClassFail, "removed from OpenSSH"},
		"aes128-cbc":                    {ClassWarn, "CBC mode"},
		"aes192-cbc":                    {ClassWarn, "CBC mode"},
		"aes256-cbc":                    {ClassWarn, "CBC mode"},
		"aes128-ctr":                    {ClassOK, ""},
		"aes192-ctr":                    {ClassOK, ""},
		"aes256-ctr":                    {ClassOK, ""},
		"aes128-gcm@openssh.com":        {ClassOK, ""},
		"aes256-gcm@openssh.com":        {ClassOK, ""},
		"chacha20-poly1305@openssh.com": {ClassOK, ""},
	},
	KindMAC: {
		"none":                          {ClassFail, "no integrity protection"},
		"hmac-sha2-256":                 {ClassWarn, "encrypt-and-MAC mode"},
		"hmac-sha2-512":                 {ClassWarn, "encrypt-and-MAC mode"},
		"umac-64@openssh.com":           {ClassWarn, "encrypt-and-MAC mode and 64-bit tag"},
		"umac-128@openssh.com":          {ClassWarn, "encrypt-and-MAC mode"},
		"umac-64-etm@openssh.com":       {ClassWarn, "64-bit tag"},
		"hmac-sha2-256-etm@openssh.com": {ClassOK, ""},
		"hmac-sha2-512-etm@openssh.com": {ClassOK, ""},
		"umac-128-etm@openssh.com":      {ClassOK, ""},
	},
}

// ClassifySSH returns the ssh-audit-style class of one algorithm and why.
func ClassifySSH(kind, name string) (class, reason string) {
	if r, ok := sshRules[kind][name]; ok {
		return r.class, r.reason
	}
	if kind == KindMAC {
		// Whole families are broken whatever their suffix.
		for _, p := range []string{"hmac-md5", "hmac-sha1", "hmac-ripemd160", "cbcmac-"} {
			if strings.HasPrefix(name, p) {
				return ClassFail, "weak hash (" + strings.TrimSuffix(p, "-") + ")"
			}
		}
	}
	if kind == KindKEX && strings.HasPrefix(name, "gss-") && strings.Contains(name, "sha1") {
		return ClassFail, "SHA-1 hash"
	}
	return ClassUnknown, "not in rcmguard's algorithm table"
}

// terrapinExposed reports whether the offered algorithms allow the Terrapin
// prefix-truncation attack (CVE-2023-48795): ChaCha20-Poly1305, or an
// encrypt-then-MAC MAC beside a CBC cipher, without strict key exchange.
func terrapinExposed(r *SSHReport) (bool, string) {
	if r.StrictKex {
		return false, ""
	}
	ciphers := append(slices.Clone(r.CiphersClientToServer), r.CiphersServerToClient...)
	macs := append(slices.Clone(r.MACsClientToServer), r.MACsServerToClient...)
	if slices.Contains(ciphers, "chacha20-poly1305@openssh.com") {
		return true, "chacha20-poly1305@openssh.com"
	}
	cbc := slices.ContainsFunc(ciphers, func(c string) bool { return strings.HasSuffix(c, "-cbc") })
	etm := slices.ContainsFunc(macs, func(m string) bool { return strings.HasSuffix(m, "-etm@openssh.com") })
	if cbc && etm {
		return true, "CBC cipher with an encrypt-then-MAC MAC"
	}
	return false, ""
}

func judgeSSH(r *SSHReport) []finding {
	sum := map[string]string{
		"banner":      clip(r.Banner),
		"kex":         strings.Join(r.KEX, ","),
		"host_keys":   strings.Join(r.HostKeyAlgorithms, ","),
		"ciphers":     strings.Join(union(r.CiphersClientToServer, r.CiphersServerToClient), ","),
		"macs":        strings.Join(union(r.MACsClientToServer, r.MACsServerToClient), ","),
		"compression": strings.Join(union(r.CompressionClientToServer, r.CompressionServerToClient), ","),
		"strict_kex":  strconv.FormatBool(r.StrictKex),
	}
	if r.AuthMethods != nil {
		sum["auth_methods"] = strings.Join(r.AuthMethods, ",")
	} else {
		sum["auth_methods"] = "unknown"
	}
	if r.HostKey != nil {
		sum["host_key"] = fmt.Sprintf("%s %d %s", r.HostKey.Type, r.HostKey.Bits, r.HostKey.Fingerprint)
	}
	out := []finding{{check: CheckSSHSummary, severity: evidence.SeverityInfo,
		summary: fmt.Sprintf("SSH server %s", clip(r.Banner)), attrs: sum}}

	lists := []struct {
		kind  string
		names []string
	}{
		{KindKEX, r.KEX},
		{KindHostKey, r.HostKeyAlgorithms},
		{KindCipher, union(r.CiphersClientToServer, r.CiphersServerToClient)},
		{KindMAC, union(r.MACsClientToServer, r.MACsServerToClient)},
	}
	for _, l := range lists {
		for _, name := range l.names {
			class, reason := ClassifySSH(l.kind, name)
			sev := evidence.SeverityHigh
			switch class {
			case ClassFail:
			case ClassWarn:
				sev = evidence.SeverityLow
			default:
				continue
			}
			out = append(out, finding{check: CheckSSHWeakAlgo, severity: sev,
				summary: fmt.Sprintf("%s %s offered (%s): %s", kindName(l.kind), name, class, reason),
				attrs:   map[string]string{"kind": l.kind, "algorithm": name, "class": class, "reason": reason}})
		}
	}
	if hk := r.HostKey; hk != nil && strings.Contains(hk.Type, "rsa") && hk.Bits < minRSABits {
		out = append(out, finding{check: CheckSSHWeakAlgo, severity: evidence.SeverityHigh,
			summary: fmt.Sprintf("RSA host key of %d bits (fail): at least 2048 needed", hk.Bits),
			attrs: map[string]string{"kind": KindHostKey, "algorithm": hk.Type, "class": ClassFail,
				"reason": fmt.Sprintf("%d-bit RSA key", hk.Bits)}})
	} else if hk != nil && strings.Contains(hk.Type, "rsa") && hk.Bits < minSSHRSABits {
		// Current ssh-audit warns under 3072 bits: 2048-bit RSA gives
		// 112 bits of security, below the 128 of the other algorithms.
		out = append(out, finding{check: CheckSSHWeakAlgo, severity: evidence.SeverityLow,
			summary: fmt.Sprintf("RSA host key of %d bits (warn): 3072 or more recommended", hk.Bits),
			attrs: map[string]string{"kind": KindHostKey, "algorithm": hk.Type, "class": ClassWarn,
				"reason": fmt.Sprintf("%d-bit RSA key", hk.Bits)}})
	}
	if ok, why := terrapinExposed(r); ok {
		out = append(out, finding{check: CheckSSHTerrapin, severity: evidence.SeverityMedium,
			summary: "exposed to the Terrapin attack (CVE-2023-48795): " + why + " offered without strict key exchange",
			attrs:   map[string]string{"cause": why, "strict_kex": "false"}})
	}
	switch {
	case slices.Contains(r.AuthMethods, "none"):
		out = append(out, finding{check: CheckSSHNoAuth, severity: evidence.SeverityCritical,
			summary: "the server accepted a login without any credential"})
	case slices.Contains(r.AuthMethods, "password") || slices.Contains(r.AuthMethods, "keyboard-interactive"):
		out = append(out, finding{check: CheckSSHPasswordAuth, severity: evidence.SeverityHigh,
			summary: "password authentication offered: a guessed or phished password opens the server and its PHI",
			attrs:   map[string]string{"auth_methods": strings.Join(r.AuthMethods, ",")}})
	}
	return out
}

func kindName(kind string) string {
	switch kind {
	case KindKEX:
		return "key exchange"
	case KindHostKey:
		return "host key algorithm"
	case KindCipher:
		return "cipher"
	}
	return "MAC"
}

// union merges two lists keeping first-seen order.
func union(a, b []string) []string {
	out := slices.Clone(a)
	for _, s := range b {
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}
