package phiscan

import (
	"bytes"

	"rcmguard/internal/evidence"
)

// mask renders a normalised value so that a person can tell findings
// apart and find them again, while the value itself cannot be read back:
// the last four characters of long identifiers, the year of a birth date,
// initials of a name.
func mask(kind Kind, v []byte) string {
	var buf [96]byte
	return string(appendMask(buf[:0], kind, v))
}

// excerpt renders "label: masked" with a single allocation.
func excerpt(label string, kind Kind, v []byte) string {
	var buf [128]byte
	b := buf[:0]
	if label != "" {
		b = append(b, label...)
		b = append(b, ": "...)
	}
	return string(appendMask(b, kind, v))
}

func appendMask(b []byte, kind Kind, v []byte) []byte {
	switch kind {
	case KindSSN:
		if len(v) >= 4 {
			b = append(b, "***-**-"...)
			return append(b, v[len(v)-4:]...)
		}
	case KindDOB:
		if len(v) == 8 {
			b = append(b, "**/**/"...)
			return append(b, v[:4]...)
		}
	case KindName:
		// Initials: the first letter of each word.
		start := true
		for _, c := range v {
			switch {
			case c == ' ':
				b = append(b, ' ')
				start = true
			case start:
				b = append(b, c)
				start = false
			default:
				b = append(b, '*')
			}
		}
		return b
	case KindEmail:
		at := bytes.IndexByte(v, '@')
		dot := bytes.LastIndexByte(v, '.')
		if at > 0 && dot > at {
			b = append(b, v[0])
			b = append(b, "***@***"...)
			return append(b, v[dot:]...)
		}
		return append(b, "***"...)
	case KindAddress:
		// Keep the street suffix: enough to tell an address from noise.
		v = bytes.TrimSpace(v)
		last := bytes.LastIndexByte(v, ' ')
		for i, c := range v {
			switch {
			case c == ' ':
				b = append(b, ' ')
			case last > 0 && i > last && isLetter(v[last+1]):
				b = append(b, c)
			default:
				b = append(b, '*')
			}
		}
		return b
	case KindPhone:
		if len(v) >= 4 {
			b = append(b, "***-***-"...)
			return append(b, v[len(v)-4:]...)
		}
	}
	keep := 4
	if len(v) < 10 {
		keep = len(v) / 3
	}
	return appendTail(b, v, keep)
}

func appendTail(b, v []byte, keep int) []byte {
	if keep > len(v) {
		keep = 0
	}
	b = appendStars(b, len(v)-keep)
	return append(b, v[len(v)-keep:]...)
}

// maskTail stars all but the last keep characters.
func maskTail(v []byte, keep int) string {
	var buf [64]byte
	return string(appendTail(buf[:0], v, keep))
}

func appendStars(b []byte, n int) []byte {
	for range max(n, 0) {
		b = append(b, '*')
	}
	return b
}

// severityOf rates a file from what it holds, following the reference
// scale: identifiers with health information make PHI.
func severityOf(count func(Kind) int, health bool) evidence.Severity {
	strong := count(KindSSN) + count(KindMBI) + count(KindHICN) + count(KindCard) + count(KindBankAccount)
	ident := strong + count(KindDOB) + count(KindMemberID) + count(KindMRN)
	switch {
	case count(KindX12) > 0:
		return evidence.SeverityCritical
	case ident > 0 && health && (count(KindName) > 0 || count(KindDOB) > 0):
		return evidence.SeverityCritical
	case strong >= 10, ident > 0 && count(KindName) > 0:
		return evidence.SeverityHigh
	case ident > 0:
		return evidence.SeverityMedium
	case count(KindNPI) > 0:
		return evidence.SeverityInfo
	}
	return evidence.SeverityLow
}
