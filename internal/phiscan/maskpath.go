package phiscan

import (
	"strings"
	"time"

	"rcmguard/internal/evidence"
)

// Paths, file names and upload names are shown and stored everywhere
// findings go (scan output, evidence facts, results, reports), and people
// name files after patients: "Doe Jane 078-05-1120 card 4111111111111111.pdf".
// MaskPath and MaskText run the same shape scanner and validators as a
// content scan over such a string and replace each identifier they accept
// with its masked form, so the string stays recognisable ("Doe Jane
// ***-**-1120 card ************1111.pdf") but no longer holds the value.

// maskSpan is one identifier found in a string being masked: its bytes
// and what replaces them.
type maskSpan struct {
	start, end int
	text       string
}

// MaskPath returns p with every identifier in it masked. It accepts more
// than a content scan does where a person names a file: in the file name
// and in names inside archives and mail (after the last / or \ of the
// outer path, and after the first !), a bare run of nine digits that
// passes the SSN rules is taken for an SSN and a bare run of 13–19 digits
// that passes the card checks for a card, with no label needed, and
// reference-number labels ("claim", "invoice") do not excuse a value.
// Folder names keep the content rules, because the model's system
// locations are matched against them. Masking a masked path changes
// nothing. Provider NPIs are not masked: they are not PHI.
func MaskPath(p string) string {
	if !hasDigit(p) {
		return p
	}
	outer, _, _ := strings.Cut(p, "!")
	looseFrom := strings.LastIndexAny(outer, `/\`) + 1
	return maskString(p, looseFrom)
}

// MaskText returns s with every identifier a content scan would report
// masked: for the free text of evidence (summaries, attributes, messages
// that quote a file), where a bare number is not assumed to be one.
func MaskText(s string) string {
	if !hasDigit(s) {
		return s
	}
	return maskString(s, len(s)+1)
}

// MaskFacts masks the target, summary and attribute values of each fact in
// place and returns facts: what an evidence file holds must not carry an
// identifier into the store, a result or a report, whichever engine (or
// person) wrote it. The target is a path or an endpoint; a summary that
// quotes the target is masked the same way.
func MaskFacts(facts []evidence.Fact) []evidence.Fact {
	for i := range facts {
		f := &facts[i]
		clear := f.Target
		f.Target = MaskPath(f.Target)
		if clear != f.Target {
			f.Summary = strings.ReplaceAll(f.Summary, clear, f.Target)
		}
		f.Summary = MaskText(f.Summary)
		for k, v := range f.Attrs {
			if clear != f.Target {
				v = strings.ReplaceAll(v, clear, f.Target)
			}
			f.Attrs[k] = MaskText(v)
		}
	}
	return facts
}

func hasDigit(s string) bool {
	for i := 0; i < len(s); i++ {
		if isDigit(s[i]) {
			return true
		}
	}
	return false
}

// maskLimits bounds the unit that masks a string; findings are not kept.
var maskLimits = DefaultLimits()

// maskString masks s line by line; compounds starting at or after byte
// looseFrom are read with the file-name rules.
func maskString(s string, looseFrom int) string {
	u := &unit{lim: &maskLimits, now: time.Now(), masking: true, looseFrom: looseFrom}
	b := []byte(s)
	for off := 0; off <= len(b); {
		end := len(b)
		if nl := strings.IndexByte(s[off:], '\n'); nl >= 0 {
			end = off + nl
		}
		u.lineOff = off
		u.scanLine(b[off:end], 0, roleNone)
		u.endRecord()
		off = end + 1
	}
	if len(u.spans) == 0 {
		return s
	}
	var out strings.Builder
	out.Grow(len(s))
	last := 0
	for _, sp := range u.spans {
		if sp.start < last {
			continue // overlaps the previous span, which already hid it
		}
		out.WriteString(s[last:sp.start])
		out.WriteString(sp.text)
		last = sp.end
	}
	out.WriteString(s[last:])
	return out.String()
}

// markSpan records the compound being classified as an identifier of kind
// whose normalised value is v.
func (u *unit) markSpan(kind Kind, v []byte) {
	if !kind.identifying() || kind == KindX12 {
		return
	}
	u.spans = append(u.spans, maskSpan{
		start: u.lineOff + u.comp.start, end: u.lineOff + u.comp.end, text: mask(kind, v),
	})
}

// loose says whether the compound being classified is read with the
// file-name rules of MaskPath.
func (u *unit) loose(c *compound) bool {
	return u.masking && u.lineOff+c.start >= u.looseFrom
}
