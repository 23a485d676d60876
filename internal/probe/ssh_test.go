package probe

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestProbeSSHD(t *testing.T) {
	tests := []struct {
		name     string
		cfg      sshdConfig
		fails    []string // algorithms that must be judged fail
		auth     []string // methods that must be listed
		password bool
	}{
		{
			name:     "weak",
			cfg:      weakSSHD,
			fails:    []string{"diffie-hellman-group1-sha1", "diffie-hellman-group14-sha1", "ecdh-sha2-nistp256", "ssh-rsa", "3des-cbc", "hmac-md5", "hmac-sha1"},
			auth:     []string{"password", "keyboard-interactive", "publickey"},
			password: true,
		},
		{
			name: "strong",
			cfg:  strongSSHD,
			auth: []string{"publickey"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			addr := startSSHD(t, tt.cfg)
			res := Probe(context.Background(), Target{Protocol: ProtoSSH, Address: addr}, Options{Timeout: 20 * time.Second})
			if res.Error != "" {
				t.Fatalf("probe: %s", res.Error)
			}
			t.Logf("%+v%s", *res.SSH, factSummaries(res.Facts))
			if res.SSH.AuthError != "" {
				t.Errorf("auth error: %s", res.SSH.AuthError)
			}
			for _, m := range tt.auth {
				if !slices.Contains(res.SSH.AuthMethods, m) {
					t.Errorf("auth methods %v lack %q", res.SSH.AuthMethods, m)
				}
			}
			if got := factChecks(res.Facts)[CheckSSHPasswordAuth]; got != tt.password {
				t.Errorf("%s reported = %v; want %v", CheckSSHPasswordAuth, got, tt.password)
			}
			failed := map[string]bool{}
			for _, f := range res.Facts {
				if f.Check == CheckSSHWeakAlgo && f.Attrs["class"] == ClassFail {
					failed[f.Attrs["algorithm"]] = true
				}
			}
			for _, a := range tt.fails {
				if !failed[a] {
					t.Errorf("%s not judged fail", a)
				}
			}
			if tt.fails == nil && len(failed) > 0 {
				t.Errorf("strong server has fail-class algorithms: %v", failed)
			}
		})
	}
}

// TestSSHRSAHostKeySize follows current ssh-audit: RSA host keys under 3072
// bits are warned, under 2048 failed; the fingerprint and algorithm lists
// reach the text output.
func TestSSHRSAHostKeySize(t *testing.T) {
	for _, tt := range []struct {
		bits int
		sev  string // "" for no finding
	}{{1024, "high"}, {2048, "low"}, {3072, ""}, {4096, ""}} {
		r := &SSHReport{Banner: "SSH-2.0-x", KEX: []string{"mlkem768x25519-sha256"},
			HostKey: &SSHHostKey{Type: "ssh-rsa", Bits: tt.bits, Fingerprint: "SHA256:abc"}}
		got := ""
		for _, f := range judgeSSH(r) {
			if f.check == CheckSSHWeakAlgo && strings.Contains(f.summary, "RSA host key") {
				got = string(f.severity)
			}
		}
		if got != tt.sev {
			t.Errorf("RSA %d: severity %q; want %q", tt.bits, got, tt.sev)
		}
		details := strings.Join(Result{SSH: r}.Details(), "\n")
		if !strings.Contains(details, "SHA256:abc") || !strings.Contains(details, "kex: mlkem768x25519-sha256") {
			t.Errorf("details lack the fingerprint or kex list:\n%s", details)
		}
	}
}
