package auth

import (
	_ "embed"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

//go:generate go run ./internal/genblocklist -o common_passwords.txt

// Password length limits, counted in Unicode code points after NFKC. The
// maximum only bounds abuse; it is far above the 64 NIST asks to allow.
const (
	MinPasswordLen = 15
	MaxPasswordLen = 1024
)

// PolicyError says why a new password was refused, in words for the user.
type PolicyError struct{ Reason string }

func (e *PolicyError) Error() string { return "password " + e.Reason }

// commonPasswords is the embedded blocklist (see docs/operations.md for what
// it holds). Entries are lower case; the check is case-insensitive because
// changing the case of a listed password does not make it less guessable.
//
//go:embed common_passwords.txt
var commonPasswords string

var blocklist = sync.OnceValue(func() map[string]struct{} {
	m := make(map[string]struct{}, 8192)
	for _, line := range strings.Split(commonPasswords, "\n") {
		if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
			m[line] = struct{}{}
		}
	}
	return m
})

// BlocklistSize is the number of passwords the embedded list holds.
func BlocklistSize() int { return len(blocklist()) }

// CheckPassword applies the NIST SP 800-63B-4 policy to a new password: 15
// to 1024 characters, no composition rules, not on the common/breached list,
// not a short repeated pattern, and not mostly made of context words (the
// user's e-mail address, the workspace, the product).
func CheckPassword(pw string, context ...string) error {
	n := normalize(pw)
	length := utf8.RuneCountInString(n)
	switch {
	case length < MinPasswordLen:
		return &PolicyError{"must be at least 15 characters long; a passphrase of several words works well"}
	case length > MaxPasswordLen:
		return &PolicyError{"must be at most 1024 characters long"}
	}
	lower := strings.ToLower(n)
	if _, ok := blocklist()[lower]; ok {
		return &PolicyError{"is on the list of common or breached passwords; choose another"}
	}
	if repeated(lower) {
		return &PolicyError{"is one short pattern repeated; choose something less predictable"}
	}
	rest := lower
	for _, w := range append([]string{"rcmguard", "password", "passw0rd"}, contextWords(context)...) {
		rest = strings.ReplaceAll(rest, w, "")
	}
	if utf8.RuneCountInString(strings.Join(strings.FieldsFunc(rest, notLetterOrDigit), "")) < 8 {
		return &PolicyError{"is mostly your e-mail address, the workspace name or the product name"}
	}
	return nil
}

// repeated reports whether s is a unit of at most 5 runes repeated.
func repeated(s string) bool {
	r := []rune(s)
	for unit := 1; unit <= 5 && unit < len(r); unit++ {
		ok := true
		for i := unit; i < len(r); i++ {
			if r[i] != r[i%unit] {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

// contextWords splits e-mail addresses and names into the words a guesser
// would try first.
func contextWords(context []string) []string {
	var out []string
	for _, c := range context {
		for _, w := range strings.FieldsFunc(strings.ToLower(normalize(c)), notLetterOrDigit) {
			if utf8.RuneCountInString(w) >= 4 {
				out = append(out, w)
			}
		}
	}
	return out
}

func notLetterOrDigit(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }
