package auth

import (
	_ "embed"
	"regexp"
	"sort"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/trustelem/zxcvbn/match"
	"github.com/trustelem/zxcvbn/matching"
	"github.com/trustelem/zxcvbn/scoring"
)

//go:generate go run ./internal/genblocklist -o common_passwords.txt

// Password length limits, counted in Unicode code points after NFKC. The
// maximum only bounds abuse; it is far above the 64 NIST asks to allow.
const (
	MinPasswordLen = 15
	MaxPasswordLen = 1024
)

// PolicyError says why a new password was refused, in words for the user:
// "password " + Reason reads as a sentence, and so does "This password " +
// Reason.
type PolicyError struct{ Reason string }

func (e *PolicyError) Error() string { return "password " + e.Reason }

// The reasons a password is refused. NIST SP 800-63B-4 asks that the user
// be told why; each names the weakness so that the next choice avoids it.
const (
	reasonShort    = "must be at least 15 characters long; a passphrase of several words works well"
	reasonLong     = "must be at most 1024 characters long"
	reasonNotText  = "is not valid text (UTF-8)"
	reasonListed   = "is on the list of common or breached passwords; choose another"
	reasonEmail    = "contains your e-mail address, or is mostly made of it, which anyone trying your account knows"
	reasonSeason   = "is a common season/year pattern (a season, month or medical-billing word with a year), among the first things guessed"
	reasonKeyboard = "is a keyboard pattern (keys next to each other, like qwerty or asdf), among the first things guessed"
	reasonRepeated = "is a repeated word, or one short pattern repeated, perhaps with a small change; choose something less predictable"
	reasonSequence = "is a simple sequence (like abcd or 1234); choose something less predictable"
	reasonNames    = "is mostly the workspace or product name; choose something less predictable"
	reasonTrade    = "is mostly words common in medical billing, among the first things guessed here"
	reasonWords    = "is made of very common words, names or passwords; add words, or choose less common ones"
	reasonGuess    = "is too easy to guess; a passphrase of four or more uncommon words works well"
)

// minGuesses is the strength a new password must have: the number of
// guesses zxcvbn (a model of how password crackers work: dictionaries,
// keyboard walks, repeats, sequences, dates, l33t) estimates an attacker
// needs. 10^10 is zxcvbn's top score; at 15 characters and more only
// passwords built from predictable parts fall below it.
const minGuesses = 1e10

// estimatedRunes is how much of a password the strength estimate reads:
// zxcvbn's cost grows steeply with length (a 1,000-character password took
// seconds), and 100 characters that are hard to guess make the whole so.
const estimatedRunes = 100

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

// Words a guesser tries first against a medical-billing system, beyond
// the user's own context: the trade's words, and seasons, months and
// holidays (which people pair with a year).
var (
	tradeWords = strings.Fields(`welcome admin login medical medicine billing biller
		bills claims claim coding coder clinic clinical health healthcare hipaa patient patients insurance practice
		revenue cycle denial denials payer payers provider providers doctor doctors nurse hospital pharmacy dental
		physician office manager medicare medicaid compliance audit security company`)
	seasonWords = strings.Fields(`spring summer autumn fall winter january february march april may june july
		august september october november december christmas xmas easter holiday holidays`)
)

// wordKind is where a context word comes from, which decides the reason
// a password made of such words is refused with.
type wordKind int

const (
	kindEmail wordKind = iota
	kindSeason
	kindName // a workspace's or the product's name
	kindTrade
)

type contextWord struct {
	w    string
	kind wordKind
}

// CheckPassword applies the NIST SP 800-63B-4 policy to a new password: 15
// to 1024 characters, no composition rules, and not guessable — not on the
// common/breached list, not mostly made of context words, and strong by an
// estimate (zxcvbn) that knows keyboard walks, repeats, sequences, dates and
// common words. The context is the user's e-mail address (any entry with
// an @) and the names of their workspaces; the trade's words, seasons and
// months are always added. A refusal is a *PolicyError naming the reason.
func CheckPassword(pw string, context ...string) error {
	if !utf8.ValidString(pw) {
		return &PolicyError{reasonNotText}
	}
	n := normalize(pw)
	length := utf8.RuneCountInString(n)
	switch {
	case length < MinPasswordLen:
		return &PolicyError{reasonShort}
	case length > MaxPasswordLen:
		return &PolicyError{reasonLong}
	}
	lower := strings.ToLower(n)
	if _, ok := blocklist()[lower]; ok {
		return &PolicyError{reasonListed}
	}
	words := contextWords(context)
	for _, c := range context {
		if e := strings.ToLower(normalize(strings.TrimSpace(c))); strings.Contains(e, "@") && strings.Contains(lower, e) {
			return &PolicyError{reasonEmail}
		}
	}
	if reason := mostlyContext(lower, words); reason != "" {
		return &PolicyError{reason}
	}
	if repeatedShort(lower) {
		return &PolicyError{reasonRepeated}
	}
	if reason := estimate(n, words); reason != "" {
		return &PolicyError{reason}
	}
	return nil
}

// contextWords lists the words a guesser would try first: the parts of the
// e-mail address (its local part however short: a short one repeated is
// as guessable as a long one), the words of workspace names, the trade's
// words and the seasons, longest first so that stripping them takes whole
// words before their parts.
func contextWords(context []string) []contextWord {
	var out []contextWord
	seen := map[string]bool{}
	add := func(w string, k wordKind, minLen int) {
		if utf8.RuneCountInString(w) >= minLen && !seen[w] {
			seen[w] = true
			out = append(out, contextWord{w, k})
		}
	}
	for _, c := range context {
		c = strings.ToLower(normalize(strings.TrimSpace(c)))
		if local, domain, ok := strings.Cut(c, "@"); ok {
			add(local, kindEmail, 2)
			for _, w := range strings.FieldsFunc(local, notLetterOrDigit) {
				add(w, kindEmail, 2)
			}
			for _, w := range strings.FieldsFunc(domain, notLetterOrDigit) {
				add(w, kindEmail, 4) // not "org" or "com": too common to strip
			}
			continue
		}
		for _, w := range strings.FieldsFunc(c, notLetterOrDigit) {
			add(w, kindName, 4)
		}
	}
	add("rcmguard", kindName, 4)
	for _, w := range tradeWords {
		add(w, kindTrade, 4)
	}
	for _, w := range seasonWords {
		add(w, kindSeason, 3)
	}
	sort.SliceStable(out, func(i, j int) bool { return len(out[i].w) > len(out[j].w) })
	return out
}

// years finds the years people append: 1900 to 2099.
var years = regexp.MustCompile(`(19|20)\d\d`)

// unleet undoes the common character swaps (P@ssw0rd), so that swapped
// context words are found too.
var unleet = strings.NewReplacer("@", "a", "4", "a", "3", "e", "1", "i", "!", "i", "0", "o", "$", "s", "5", "s", "7", "t", "+", "t")

// mostlyContext reports why a password made mostly of context words, years
// and separators is refused (what is left once they are removed has fewer
// than 8 letters and digits), or "" when it is not. The reason names the
// largest giveaway: the e-mail address first, then a season or trade word
// with a year, then workspace names, then trade words.
func mostlyContext(lower string, words []contextWord) string {
	rest := years.ReplaceAllString(lower, " ")
	hadYear := rest != lower
	rest = unleet.Replace(rest)
	found := map[wordKind]bool{}
	for _, w := range words {
		if strings.Contains(rest, w.w) {
			found[w.kind] = true
			rest = strings.ReplaceAll(rest, w.w, " ")
		}
	}
	if utf8.RuneCountInString(strings.Join(strings.FieldsFunc(rest, notLetterOrDigit), "")) >= 8 {
		return ""
	}
	switch {
	case found[kindEmail]:
		return reasonEmail
	case hadYear && (found[kindSeason] || found[kindTrade]), found[kindSeason]:
		return reasonSeason
	case found[kindName]:
		return reasonNames
	case found[kindTrade]:
		return reasonTrade
	case hadYear:
		return reasonSeason
	}
	return ""
}

// repeatedShort reports whether s is a unit shorter than the minimum
// length repeated, give or take a small change (at most two characters
// that break the repetition: aaaaaaaaaaaaaab, Summer2026Summer2026!). The
// repeats add length but hardly any guesses; the estimate alone rates a
// repeat by its unit, and a unit of 14 ordinary characters rates well.
func repeatedShort(s string) bool {
	r := []rune(s)
	for unit := 1; unit < MinPasswordLen && 2*unit <= len(r)+2; unit++ {
		breaks := max(0, 2*unit-len(r)) // a last copy cut short
		for i := unit; i < len(r) && breaks <= 2; i++ {
			if r[i] != r[i-unit] {
				breaks++
			}
		}
		if breaks <= 2 {
			return true
		}
	}
	return false
}

// estimate runs zxcvbn over the password's first estimatedRunes characters,
// with the context words as the first words it tries, and returns why the
// password is refused, or "" when it needs at least minGuesses guesses.
func estimate(pw string, words []contextWord) string {
	if r := []rune(pw); len(r) > estimatedRunes {
		pw = string(r[:estimatedRunes])
	}
	inputs := make([]string, len(words))
	kinds := make(map[string]wordKind, len(words))
	for i, w := range words {
		inputs[i] = w.w
		kinds[w.w] = w.kind
	}
	all := matching.Omnimatch(pw, inputs)
	res := scoring.MostGuessableMatchSequence(pw, all, false)
	if res.Guesses >= minGuesses {
		return ""
	}
	size := len(pw) // zxcvbn's match positions count bytes
	if covered(res.Sequence, size, func(m *match.Match) bool { return m.Pattern == "sequence" }) {
		return reasonSequence
	}
	if covered(res.Sequence, size, func(m *match.Match) bool { return m.Pattern == "repeat" }) {
		return reasonRepeated
	}
	// A keyboard walk is often also a pair of listed passwords (qwertyuiop
	// + asdfgh), which the cheapest reading prefers: look at every match.
	// Runs of three keys turn up by chance (fgh in abcdefgh), so count
	// runs of four or more.
	if covered(all, size, func(m *match.Match) bool { return m.Pattern == "spatial" && m.J-m.I >= 3 }) {
		return reasonKeyboard
	}
	var email, season, trade, names, year bool
	var visit func(ms []*match.Match)
	visit = func(ms []*match.Match) {
		for _, m := range ms {
			switch {
			case m.Pattern == "repeat":
				visit(m.BaseMatches)
			case m.Pattern == "dictionary" && m.DictionaryName == "user_inputs":
				k := kinds[m.MatchedWord]
				email, season, trade, names = email || k == kindEmail, season || k == kindSeason, trade || k == kindTrade, names || k == kindName
			case m.Pattern == "date" || m.Pattern == "regex":
				year = true
			}
		}
	}
	visit(res.Sequence)
	switch {
	case email:
		return reasonEmail
	case season, year && trade:
		return reasonSeason
	case names:
		return reasonNames
	case trade:
		return reasonTrade
	case covered(res.Sequence, size, func(m *match.Match) bool { return m.Pattern == "dictionary" }):
		return reasonWords
	}
	return reasonGuess
}

// covered reports whether the matches that pass keep cover at least half
// of a password of size bytes.
func covered(ms []*match.Match, size int, keep func(*match.Match) bool) bool {
	at := make([]bool, size)
	n := 0
	for _, m := range ms {
		if !keep(m) {
			continue
		}
		for i := max(m.I, 0); i <= m.J && i < size; i++ {
			if !at[i] {
				at[i] = true
				n++
			}
		}
	}
	return 2*n >= size
}

func notLetterOrDigit(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }
