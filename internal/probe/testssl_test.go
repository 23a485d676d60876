package probe

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// testsslFinding is one entry of testssl.sh's --jsonfile output.
type testsslFinding struct {
	ID       string `json:"id"`
	Severity string `json:"severity"`
	Finding  string `json:"finding"`
}

// runTestssl runs testssl.sh's protocol (-p) and per-cipher (-e) checks on a
// local server and returns its findings.
func runTestssl(t *testing.T, bin, addr string) []testsslFinding {
	t.Helper()
	out := filepath.Join(t.TempDir(), "testssl.json")
	cmd := exec.Command(bin, "--jsonfile", out, "--warnings", "off", "--quiet", "--color", "0",
		"--ip", "one", "-p", "-e", addr)
	cmd.Env = append(os.Environ(), "TERM=dumb")
	logs, err := cmd.CombinedOutput()
	// testssl.sh exits non-zero when it found problems, so only a missing
	// output file is an error.
	data, rerr := os.ReadFile(out)
	if rerr != nil {
		t.Fatalf("testssl: %v\n%s", err, logs)
	}
	var fs []testsslFinding
	if err := json.Unmarshal(data, &fs); err != nil {
		t.Fatalf("testssl json: %v\n%s", err, data)
	}
	return fs
}

func TestAgreesWithTestssl(t *testing.T) {
	bin := needTool(t, "testssl", "testssl.sh")
	pki := newTestPKI(t)
	servers := map[string]*tls.Config{
		"weak": {
			Certificates: []tls.Certificate{pki.leaf(t, leafSpec{rsaBits: 2048})},
			MinVersion:   tls.VersionTLS10,
			MaxVersion:   tls.VersionTLS12,
			CipherSuites: []uint16{
				tls.TLS_RSA_WITH_AES_128_CBC_SHA, tls.TLS_RSA_WITH_3DES_EDE_CBC_SHA,
				tls.TLS_RSA_WITH_RC4_128_SHA, tls.TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA,
				tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
			},
		},
		"strong": {
			Certificates: []tls.Certificate{pki.leaf(t, leafSpec{rsaBits: 2048})},
			MinVersion:   tls.VersionTLS12,
			CipherSuites: []uint16{tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, tls.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305},
		},
	}
	starts := map[string]func(t *testing.T) string{}
	for name, cfg := range servers {
		starts[name] = func(t *testing.T) string { return serveTLS(t, cfg) }
	}
	// OpenSSL servers offer what Go cannot: anonymous, ARIA, Camellia,
	// CCM_8, NULL, SEED and more.
	starts["openssl-full"] = func(t *testing.T) string {
		addr, _ := startOpenSSL(t, opensslServer{cipher: fullCipherString})
		return addr
	}
	starts["openssl-exotic"] = func(t *testing.T) string {
		addr, _ := startOpenSSL(t, opensslServer{cipher: exoticCipherString, flags: []string{"-tls1_2"}})
		return addr
	}
	for name, start := range starts {
		t.Run(name, func(t *testing.T) {
			addr := start(t)
			res := Probe(context.Background(), Target{Protocol: ProtoTLS, Address: addr},
				Options{Timeout: 10 * time.Second, Roots: pki.pool, Now: func() time.Time { return testNow }})
			if res.Error != "" {
				t.Fatalf("probe: %s", res.Error)
			}
			fs := runTestssl(t, bin, addr)

			// Protocol versions: the same set offered.
			ids := map[string]string{"SSLv3": "SSLv3", "TLS1": "TLS1.0", "TLS1_1": "TLS1.1", "TLS1_2": "TLS1.2", "TLS1_3": "TLS1.3"}
			var theirs []string
			var ciphers []string
			for _, f := range fs {
				if v, ok := ids[f.ID]; ok && strings.HasPrefix(f.Finding, "offered") {
					theirs = append(theirs, v)
				}
				if strings.HasPrefix(f.ID, "cipher_x") {
					fields := strings.Fields(f.Finding)
					ciphers = append(ciphers, fields[len(fields)-1])
				}
			}
			slices.Sort(theirs)
			if !slices.Equal(res.TLS.Versions, theirs) {
				t.Errorf("versions: rcmguard %v, testssl.sh %v", res.TLS.Versions, theirs)
			}

			// Cipher suites: the same set accepted, over all versions.
			var ours []string
			for _, vc := range res.TLS.Ciphers {
				for _, s := range vc.Suites {
					if !slices.Contains(ours, s) {
						ours = append(ours, s)
					}
				}
			}
			slices.Sort(ours)
			slices.Sort(ciphers)
			// Both tools print IANA names, so they compare directly.
			if !slices.Equal(ours, ciphers) {
				t.Errorf("cipher suites: rcmguard %d, testssl.sh %d\n only rcmguard   %v\n only testssl.sh %v",
					len(ours), len(ciphers), diff(ours, ciphers), diff(ciphers, ours))
			}
			t.Logf("%d cipher suites, both tools", len(ours))

			// Verdicts: testssl.sh rates TLS 1.0/1.1 "deprecated" (LOW or
			// worse) exactly where rcmguard reports tls.legacy-protocol.
			legacy := map[string]bool{}
			for _, f := range res.Facts {
				if f.Check == CheckTLSLegacyProtocol {
					legacy[f.Attrs["version"]] = true
				}
			}
			for _, f := range fs {
				v, ok := ids[f.ID]
				if !ok || v == "TLS1.2" || v == "TLS1.3" {
					continue
				}
				flagged := f.Severity != "OK" && f.Severity != "INFO"
				if flagged != legacy[v] {
					t.Errorf("%s: testssl.sh %s %q, rcmguard legacy-protocol=%v", v, f.Severity, f.Finding, legacy[v])
				}
			}
		})
	}
}
