package probe

import (
	"context"
	"slices"
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
