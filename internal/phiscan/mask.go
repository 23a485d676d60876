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
	switch kind {
	case KindSSN:
		return "***-**-" + string(v[len(v)-4:])
	case KindDOB:
		if len(v) == 8 {
			return "**/**/" + string(v[:4])
		}
	case KindName:
		var b bytes.Buffer
		for i, w := range bytes.Fields(v) {
			if i > 0 {
				b.WriteByte(' ')
			}
			b.WriteByte(w[0])
			b.WriteString(stars(len(w) - 1))
		}
		return b.String()
	case KindEmail:
		at := bytes.IndexByte(v, '@')
		dot := bytes.LastIndexByte(v, '.')
		if at > 0 && dot > at {
			return string(v[:1]) + "***@***" + string(v[dot:])
		}
		return "***"
	case KindAddress:
		// Keep the street suffix: enough to tell an address from noise.
		f := bytes.Fields(v)
		var b bytes.Buffer
		for i, w := range f {
			if i > 0 {
				b.WriteByte(' ')
			}
			if i == len(f)-1 && i > 0 && isLetter(w[0]) {
				b.Write(w)
				continue
			}
			b.WriteString(stars(len(w)))
		}
		return b.String()
	case KindPhone:
		if len(v) >= 4 {
			return "***-***-" + string(v[len(v)-4:])
		}
	}
	keep := 4
	if len(v) < 10 {
		keep = len(v) / 3
	}
	return maskTail(v, keep)
}

// maskTail stars all but the last keep characters.
func maskTail(v []byte, keep int) string {
	if keep > len(v) {
		keep = 0
	}
	return stars(len(v)-keep) + string(v[len(v)-keep:])
}

func stars(n int) string {
	if n <= 0 {
		return ""
	}
	return string(bytes.Repeat([]byte{'*'}, n))
}

func excerpt(label, masked string) string {
	if label == "" {
		return masked
	}
	return label + ": " + masked
}

// severityOf rates a file from what it holds, following the reference
// scale: identifiers with health information make PHI.
func severityOf(counts map[Kind]int, health bool) evidence.Severity {
	strong := counts[KindSSN] + counts[KindMBI] + counts[KindHICN] + counts[KindCard] + counts[KindBankAccount]
	ident := strong + counts[KindDOB] + counts[KindMemberID] + counts[KindMRN]
	switch {
	case counts[KindX12] > 0:
		return evidence.SeverityCritical
	case ident > 0 && health && (counts[KindName] > 0 || counts[KindDOB] > 0):
		return evidence.SeverityCritical
	case strong >= 10, ident > 0 && counts[KindName] > 0:
		return evidence.SeverityHigh
	case ident > 0:
		return evidence.SeverityMedium
	case counts[KindNPI] > 0:
		return evidence.SeverityInfo
	}
	return evidence.SeverityLow
}
