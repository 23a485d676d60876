package phiscan

import "time"

// The validators take normalised values: digits only, or upper-case
// alphanumerics for MBIs and HICNs. They are pure and allocation-free
// because they run on every candidate the shape scanner yields.

// validSSN applies SSA's issuing rules: area 000, 666 and 900–999, group 00
// and serial 0000 are never issued; a run of one digit and the numbers SSA
// and Woolworth published as samples are not real either.
func validSSN(d []byte) bool {
	if len(d) != 9 || !allDigits(d) {
		return false
	}
	area := num(d[0:3])
	if area == 0 || area == 666 || area >= 900 {
		return false
	}
	if num(d[3:5]) == 0 || num(d[5:9]) == 0 {
		return false
	}
	same := true
	for _, c := range d[1:] {
		if c != d[0] {
			same = false
			break
		}
	}
	if same {
		return false
	}
	switch string(d) {
	case "123456789", "078051120", "219099999", "457555462":
		return false
	}
	return true
}

// mbiClass gives, per MBI position, what may stand there: 'N' a digit 1–9,
// 'A' a letter, 'C' a letter or digit, 'D' a digit 0–9 (CMS MBI format).
const mbiClass = "NACDACDAADD"

// validMBI checks the eleven positions of a Medicare Beneficiary
// Identifier, with the letters S, L, O, I, B and Z that CMS never uses.
func validMBI(v []byte) bool {
	if len(v) != 11 {
		return false
	}
	for i, c := range v {
		isDigit := c >= '0' && c <= '9'
		isLetter := c >= 'A' && c <= 'Z'
		if isLetter {
			switch c {
			case 'S', 'L', 'O', 'I', 'B', 'Z':
				return false
			}
		}
		switch mbiClass[i] {
		case 'N':
			if !isDigit || c == '0' {
				return false
			}
		case 'A':
			if !isLetter {
				return false
			}
		case 'C':
			if !isDigit && !isLetter {
				return false
			}
		case 'D':
			if !isDigit {
				return false
			}
		}
	}
	return true
}

// validHICN accepts an SSA-issued health insurance claim number: a valid
// SSN followed by a beneficiary identification code (one letter, or a
// letter and a digit 1–9). Railroad Retirement Board numbers are accepted
// only with a label (rrbHICN), since six digits after a letter are common.
func validHICN(v []byte) bool {
	if len(v) < 10 || len(v) > 11 || !validSSN(v[:9]) {
		return false
	}
	bic := v[9:]
	switch bic[0] {
	case 'A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'J', 'K', 'M', 'T', 'W':
	default:
		return false
	}
	if len(bic) == 2 && (bic[1] < '1' || bic[1] > '9') {
		return false
	}
	return true
}

// rrbHICN accepts the Railroad Retirement Board forms: a one- to
// three-letter prefix and six digits, or a prefix and a valid SSN.
func rrbHICN(v []byte) bool {
	i := 0
	for i < len(v) && i < 3 && v[i] >= 'A' && v[i] <= 'Z' {
		i++
	}
	if i == 0 {
		return false
	}
	rest := v[i:]
	if !allDigits(rest) {
		return false
	}
	return len(rest) == 6 || (len(rest) == 9 && validSSN(rest))
}

// luhn computes the mod-10 double-add-double check over digits, with an
// optional constant added (24 accounts for the 80840 prefix of NPIs).
func luhn(d []byte, extra int) bool {
	sum := extra
	double := false
	for i := len(d) - 1; i >= 0; i-- {
		n := int(d[i] - '0')
		if double {
			n *= 2
			if n > 9 {
				n -= 9
			}
		}
		sum += n
		double = !double
	}
	return sum%10 == 0
}

// validNPI checks a National Provider Identifier: ten digits starting with
// 1 or 2 whose last digit is the Luhn check over 80840 and the first nine.
func validNPI(d []byte) bool {
	if len(d) != 10 || !allDigits(d) || (d[0] != '1' && d[0] != '2') {
		return false
	}
	same := true
	for _, c := range d[1:9] {
		if c != d[0] {
			same = false
		}
	}
	return !same && luhn(d, 24)
}

// validCard checks a payment card number: Luhn, and a length that the
// issuer prefix (IIN) allows.
func validCard(d []byte) bool {
	n := len(d)
	if n < 13 || n > 19 || !allDigits(d) || !luhn(d, 0) {
		return false
	}
	p2 := num(d[:2])
	p4 := num(d[:4])
	switch {
	case d[0] == '4': // Visa
		return n == 13 || n == 16 || n == 19
	case p2 >= 51 && p2 <= 55, p4 >= 2221 && p4 <= 2720: // Mastercard
		return n == 16
	case p2 == 34 || p2 == 37: // American Express
		return n == 15
	case p4 == 6011 || p2 == 65 || (num(d[:3]) >= 644 && num(d[:3]) <= 649): // Discover
		return n >= 16
	case p4 >= 3528 && p4 <= 3589: // JCB
		return n >= 16
	case p2 == 36 || p2 == 38 || (num(d[:3]) >= 300 && num(d[:3]) <= 305): // Diners Club
		return n >= 14
	case d[0] == '6' && (p2 == 62 || p2 == 60): // UnionPay, RuPay
		return n >= 16
	}
	return false
}

// validABA checks an ABA routing transit number: a first digit the Federal
// Reserve assigns and the 3-7-1 weighted checksum.
func validABA(d []byte) bool {
	if len(d) != 9 || !allDigits(d) {
		return false
	}
	switch d[0] {
	case '0', '1', '2', '3', '6', '7', '8':
	default:
		return false
	}
	if num(d) == 0 {
		return false
	}
	w := [3]int{3, 7, 1}
	sum := 0
	for i, c := range d {
		sum += int(c-'0') * w[i%3]
	}
	return sum%10 == 0
}

// plausibleBirth reports whether y-m-d is a real calendar date, not after
// now and at most 130 years before it.
func plausibleBirth(y, m, d int, now time.Time) bool {
	if m < 1 || m > 12 || d < 1 || d > 31 {
		return false
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if t.Day() != d || t.Month() != time.Month(m) {
		return false
	}
	if t.After(now) {
		return false
	}
	return y >= now.Year()-130
}

func allDigits(b []byte) bool {
	if len(b) == 0 {
		return false
	}
	for _, c := range b {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// num reads a short run of ASCII digits; callers check the digits first.
func num(b []byte) int {
	n := 0
	for _, c := range b {
		n = n*10 + int(c-'0')
	}
	return n
}
