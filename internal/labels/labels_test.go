package labels

import "testing"

// TestWords: codes become the words people read, known acronyms in
// capitals; codes inside prose are named in place, other words left alone.
func TestWords(t *testing.T) {
	for in, want := range map[string]string{
		"vendor_saas":   "Vendor-hosted (SaaS)",
		"ehr":           "EHR",
		"some_sftp_api": "Some SFTP API",
		"":              "",
	} {
		if got := Label(in); got != want {
			t.Errorf("Label(%q) = %q; want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{
		"record it as billing_specific": "record it as billing-specific",
		"the ehr and the key":           "the EHR and the key",
	} {
		if got := PlainText(in); got != want {
			t.Errorf("PlainText(%q) = %q; want %q", in, got, want)
		}
	}
}
