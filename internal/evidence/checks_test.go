package evidence

import "testing"

func TestCheckNamespaces(t *testing.T) {
	for _, tc := range []struct {
		check      string
		known, own bool
	}{
		{"tls.legacy-protocol", true, true},
		{"tls.legacy-protocl", false, true},
		{"phi.ssn", true, true},
		{"edi.isa-credentials", true, true},
		{"acme.open-rdp", false, false},
		{"tls", false, false},
		{"", false, false},
	} {
		if got := KnownCheck(tc.check); got != tc.known {
			t.Errorf("KnownCheck(%q) = %v; want %v", tc.check, got, tc.known)
		}
		if got := OwnNamespace(tc.check); got != tc.own {
			t.Errorf("OwnNamespace(%q) = %v; want %v", tc.check, got, tc.own)
		}
	}
}
