// Package escape makes untrusted text safe to print on a terminal or in a
// line-oriented log. File names, X12 element values and server banners come
// from whoever wrote the file or runs the server; printed raw, an escape
// sequence in one of them can clear the screen, rewrite the line above,
// set the window title or the clipboard, and a bidirectional override can
// make "gpj.exe" read as "exe.jpg".
package escape

import (
	"strings"
	"unicode/utf8"
)

// Text returns s with every character that controls a terminal or the
// order of text written as a Go escape, the way strconv.Quote writes it:
// C0 controls and DEL (\x1b, \r, \n, \t, \x00), C1 controls (\u009b),
// bidirectional formatting characters (\u202e, \u2066), the line and
// paragraph separators, and each byte that is not valid UTF-8 (\xff).
// Everything else, non-ASCII letters included, is unchanged, so ordinary
// text stays readable; a string with nothing to escape is returned as is,
// without allocating.
//
// Backslashes are left alone: a name that already reads "\x1b" prints the
// same as an escaped ESC, which is ambiguous to a reader but harmless to
// a terminal, and Windows paths stay readable.
func Text(s string) string {
	i := firstUnsafe(s)
	if i < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	b.WriteString(s[:i])
	for i < len(s) {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			writeByteEscape(&b, s[i])
		case unsafeRune(r):
			writeRuneEscape(&b, r)
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// firstUnsafe returns the index of the first byte that starts something
// Text escapes, or -1.
func firstUnsafe(s string) int {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c < 0x20 || c == 0x7f {
				return i
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 || unsafeRune(r) {
			return i
		}
		i += size
	}
	return -1
}

// unsafeRune reports whether a (valid) rune controls a terminal or the
// direction of text.
func unsafeRune(r rune) bool {
	switch {
	case r < 0x20, r == 0x7f, r >= 0x80 && r <= 0x9f:
		return true
	case r == 0x061c, r == 0x200e, r == 0x200f: // arabic letter mark, LRM, RLM
		return true
	case r >= 0x202a && r <= 0x202e: // LRE, RLE, PDF, LRO, RLO
		return true
	case r >= 0x2066 && r <= 0x2069: // LRI, RLI, FSI, PDI
		return true
	case r == 0x2028, r == 0x2029: // line and paragraph separators
		return true
	}
	return false
}

const hexDigits = "0123456789abcdef"

func writeByteEscape(b *strings.Builder, c byte) {
	switch c {
	case '\a':
		b.WriteString(`\a`)
	case '\b':
		b.WriteString(`\b`)
	case '\f':
		b.WriteString(`\f`)
	case '\n':
		b.WriteString(`\n`)
	case '\r':
		b.WriteString(`\r`)
	case '\t':
		b.WriteString(`\t`)
	case '\v':
		b.WriteString(`\v`)
	default:
		b.WriteString(`\x`)
		b.WriteByte(hexDigits[c>>4])
		b.WriteByte(hexDigits[c&0xf])
	}
}

func writeRuneEscape(b *strings.Builder, r rune) {
	if r < utf8.RuneSelf {
		writeByteEscape(b, byte(r))
		return
	}
	b.WriteString(`\u`)
	for shift := 12; shift >= 0; shift -= 4 {
		b.WriteByte(hexDigits[(r>>shift)&0xf])
	}
}
