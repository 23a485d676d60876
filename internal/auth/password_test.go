package auth

import (
	"errors"
	"strings"
	"testing"
)

var cheap = Params{Memory: 1024, Time: 1, Threads: 1}

func TestHashPasswordPHC(t *testing.T) {
	h, err := hashPassword("correct horse battery staple", DefaultParams)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=65536,t=2,p=1$") {
		t.Fatalf("hash %q lacks the argon2id PHC prefix with default parameters", h)
	}
	ok, rehash, err := verifyPassword("correct horse battery staple", h, DefaultParams)
	if !ok || rehash || err != nil {
		t.Fatalf("VerifyPassword = %v, %v, %v; want true, false, nil", ok, rehash, err)
	}
	h2, _ := hashPassword("correct horse battery staple", DefaultParams)
	if h == h2 {
		t.Fatal("two hashes of one password are equal: salt not random")
	}
	// Weaker stored parameters ask for a re-hash.
	weak, _ := hashPassword("correct horse battery staple", cheap)
	if ok, rehash, _ := verifyPassword("correct horse battery staple", weak, DefaultParams); !ok || !rehash {
		t.Fatalf("weak hash: ok=%v rehash=%v; want true, true", ok, rehash)
	}
}

func TestVerifyPasswordWholeAndNormalised(t *testing.T) {
	long := strings.Repeat("abcdefghij", 100) // 1,000 characters
	h, _ := hashPassword(long, cheap)
	if ok, _, _ := verifyPassword(long[:999]+"X", h, cheap); ok {
		t.Fatal("a change in the last of 1,000 characters went unnoticed (truncation)")
	}
	if ok, _, _ := verifyPassword(strings.ToUpper(long), h, cheap); ok {
		t.Fatal("case change accepted")
	}
	// Full-width letters are NFKC-equivalent to ASCII ones.
	h, _ = hashPassword("ｆｕｌｌｗｉｄｔｈ ｐａｓｓｐｈｒａｓｅ", cheap)
	if ok, _, _ := verifyPassword("fullwidth passphrase", h, cheap); !ok {
		t.Fatal("NFKC-equivalent password refused")
	}
	for _, bad := range []string{"", "$argon2i$v=19$m=1,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA", "$argon2id$v=19$m=x$a$b", "plain"} {
		if _, _, err := verifyPassword("x", bad, cheap); !errors.Is(err, ErrMalformedHash) {
			t.Errorf("verifyPassword(%q): %v; want ErrMalformedHash", bad, err)
		}
	}
}

func TestPasswordPolicy(t *testing.T) {
	for _, tc := range []struct {
		pw      string
		context []string
		ok      bool
	}{
		{"short", nil, false},
		{"fourteen chars", nil, false},
		{"fifteen chars!!", nil, true},
		{"all lower case words here", nil, true}, // no composition rules
		{"mañana será otro día", nil, true},
		{"日本語のパスフレーズはとても長い", nil, true},         // 16 code points, 48 bytes
		{"日本語のパスフレーズ", nil, false},              // 10 code points, 30 bytes
		{strings.Repeat("ab", 600), nil, false}, // repeated, and over 1024
		{strings.Repeat("q", 1025), nil, false}, // over the cap
		{"passwordpassword", nil, false},        // on the list
		{"PasswordPassword", nil, false},        // case does not help
		{"1qaz2wsx3edc4rfv", nil, false},        // keyboard walk
		{"abcabcabcabcabcabc", nil, false},      // repeated pattern
		{"jane.doe@example.org!", []string{"jane.doe@example.org"}, false},
		{"janedoe-rcmguard-1", []string{"jane.doe@example.org"}, false},
		{"Sunny Valley Clinic 1", []string{"x@y.org", "Sunny Valley Clinic"}, false},
		{"jane likes green tea at noon", []string{"jane.doe@example.org"}, true},
		{"invalid \xff utf-8 bytes here", nil, false},
	} {
		err := CheckPassword(tc.pw, tc.context...)
		if (err == nil) != tc.ok {
			t.Errorf("CheckPassword(%.30q) = %v; want ok=%v", tc.pw, err, tc.ok)
		}
		var pe *PolicyError
		if err != nil && !errors.As(err, &pe) {
			t.Errorf("CheckPassword(%.30q) error %T is not a *PolicyError", tc.pw, err)
		}
	}
}

// TestPasswordRefusalReasons: each weakness the blocklist alone missed is
// refused, and the message names it; passphrases of uncommon words pass.
func TestPasswordRefusalReasons(t *testing.T) {
	email := "jane.doe@example.org"
	ctx := []string{email, "Sunny Valley Clinic"}
	for _, tc := range []struct {
		pw      string
		context []string
		reason  string // "" for accepted
	}{
		// keyboard walks
		{"qwertyuiopasdfgh", ctx, "a keyboard pattern"},
		{"poiuytrewqlkjhgf", ctx, "a keyboard pattern"},
		{"1qazxsw23edcvfr4", ctx, "a keyboard pattern"},
		{"QWERTYUIOPASDFGH", ctx, "a keyboard pattern"},
		// repeats with one change
		{"aaaaaaaaaaaaaab", ctx, "a repeated word"},
		{"P@ssw0rdP@ssw0rd", ctx, "a repeated word"},
		{"x" + strings.Repeat("yz", 32), ctx, "a repeated word"},
		{"abcabcabcabcabcabc", ctx, "one short pattern repeated"},
		{"correct horse correct horse", ctx, "a repeated word"},
		{strings.Repeat("correct horse ", 73), ctx, "a repeated word"},
		{"sunflowersunfl0wer", ctx, "a repeated word"},
		{strings.Repeat("日本語", 10), ctx, "a repeated word"},
		// seasons and trade words with a year
		{"Summer2026Summer2026!", ctx, "a common season/year pattern"},
		{"medicalbilling2026", ctx, "a common season/year pattern"},
		{"Billing Summer 2026!", ctx, "a common season/year pattern"},
		{"W1nter2025W1nter2025", ctx, "a common season/year pattern"},
		{"medicalbillingclaims", ctx, "words common in medical billing"},
		// the e-mail address, also repeated, also with a short local part
		{"jane.doe@example.orgjane.doe@example.org", ctx, "contains your e-mail address"},
		{"jo@x.iojo@x.iojo@x.io", []string{"jo@x.io"}, "contains your e-mail address"},
		{"jojojo-jojojo-jojojo", []string{"jo@x.io"}, "contains your e-mail address"},
		{"janedoe-janedoe-99", ctx, "contains your e-mail address"},
		{"JaneDoeExample2026", ctx, "contains your e-mail address"},
		// the workspace's name, sequences, common words
		{"sunny valley clinic!", ctx, "the workspace or product name"},
		{"abcdefghijklmnopqrs", ctx, "a simple sequence"},
		{"iloveyoubaby123456", ctx, "common words, names or passwords"},
		{"passwordpassword", ctx, "on the list of common or breached passwords"},
		// good passphrases
		{"violet kettles hum at dawn", ctx, ""},
		{"correct horse battery staple 42", ctx, ""},
		{"seven quiet herons fishing", ctx, ""},
		{"patient otters audit the harbour", ctx, ""},
		{"summer of violet kettles humming at dawn", ctx, ""},
		{"jane likes green tea at noon", ctx, ""},
		{"mañana será otro día", ctx, ""},
		{"violet kettles hum at dawn, violet kettles hum at dawn", ctx, ""}, // the unit alone is long enough
		{strings.Repeat("plum lanterns drift past noon ", 30), ctx, ""},     // judged by its first 100 characters
	} {
		err := CheckPassword(tc.pw, tc.context...)
		var pe *PolicyError
		switch {
		case tc.reason == "" && err != nil:
			t.Errorf("CheckPassword(%.40q) = %v; want it accepted", tc.pw, err)
		case tc.reason == "":
		case !errors.As(err, &pe):
			t.Errorf("CheckPassword(%.40q) = %v; want a *PolicyError saying %q", tc.pw, err, tc.reason)
		case !strings.Contains(pe.Reason, tc.reason):
			t.Errorf("CheckPassword(%.40q) refused because it %s; want the reason to say %q", tc.pw, pe.Reason, tc.reason)
		}
	}
}

// TestBlocklistFullyRejected requires every shipped entry to be refused.
func TestBlocklistFullyRejected(t *testing.T) {
	if n := BlocklistSize(); n < 3000 {
		t.Fatalf("blocklist holds %d passwords; want at least 3,000", n)
	}
	for pw := range blocklist() {
		if err := CheckPassword(pw); err == nil {
			t.Fatalf("listed password %q accepted", pw)
		}
	}
}
