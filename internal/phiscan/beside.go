package phiscan

import (
	"bytes"
	"sort"
)

// Names, addresses, phone numbers and email addresses are everywhere in
// business files; they become PHI when they sit beside a patient's
// identifiers. scanBeside runs only over records that already hold an
// identifying finding, so its cost does not touch the bulk of the bytes.

func (u *unit) scanBeside(rec []byte, firstLine int) {
	line := firstLine
	for len(rec) > 0 {
		nl := bytes.IndexByte(rec, '\n')
		l := rec
		if nl >= 0 {
			l, rec = rec[:nl], rec[nl+1:]
		} else {
			rec = nil
		}
		u.besideLine(l, line)
		line++
	}
}

func (u *unit) besideLine(l []byte, line int) {
	// Emails.
	for off := 0; ; {
		at := bytes.IndexByte(l[off:], '@')
		if at < 0 {
			break
		}
		at += off
		off = at + 1
		if e, ok := emailAt(l, at); ok {
			u.addEmail(e, line)
		}
	}
	// Phones.
	for i := 0; i < len(l); i++ {
		if !isDigit(l[i]) {
			continue
		}
		if p, end, ok := phoneAt(l, i); ok {
			u.addPhone(p[:], line)
			i = end
			continue
		}
		for i < len(l) && isAlnum(l[i]) {
			i++
		}
	}
	// Labelled names and addresses.
	var buf [24]byte
	for i := 0; i < len(l); {
		if !isLetter(l[i]) {
			i++
			continue
		}
		s := i
		for i < len(l) && isAlnum(l[i]) {
			i++
		}
		if s > 0 && isAlnum(l[s-1]) {
			continue
		}
		w := lowerWord(buf[:], l[s:i])
		r, ok := labelWords[string(w)]
		if string(w) == "dear" {
			r, ok = roleName, true
		}
		if !ok {
			continue
		}
		switch r {
		case roleName, roleMember:
			if v, end, ok := nameAfter(l, i); ok {
				u.addName(v, line, 0.8)
				i = end
			}
		case roleAddress:
			if v, end, ok := addressAfter(l, i); ok {
				u.addAddress(v, line, 0.8)
				i = end
			}
		}
	}
}

// skipLabel moves past separators and further label words after a label
// ("Patient Name: ", "patient_name": ").
func skipLabel(l []byte, i int) int {
	var buf [24]byte
	for {
		for i < len(l) && (l[i] == ' ' || l[i] == ':' || l[i] == '"' || l[i] == '\'' || l[i] == '=' || l[i] == '_' || l[i] == '\t' || l[i] == '#') {
			i++
		}
		e := i
		for e < len(l) && isAlnum(l[e]) {
			e++
		}
		if e == i {
			return i
		}
		if _, ok := labelWords[string(lowerWord(buf[:], l[i:e]))]; !ok {
			return i
		}
		i = e
	}
}

// nameAfter reads two to four capitalised words ("John Smith", "Smith,
// John Q") after a label.
func nameAfter(l []byte, i int) ([]byte, int, bool) {
	i = skipLabel(l, i)
	var out []byte
	words := 0
	for words < 4 && i < len(l) && l[i] >= 'A' && l[i] <= 'Z' {
		s := i
		for i < len(l) && (isLetter(l[i]) || l[i] == '\'' || l[i] == '-') {
			i++
		}
		if i < len(l) && isDigit(l[i]) {
			return nil, i, false
		}
		if words > 0 {
			out = append(out, ' ')
		}
		out = append(out, l[s:i]...)
		words++
		j := i
		if j < len(l) && l[j] == ',' {
			j++
		}
		if j < len(l) && l[j] == ' ' && j+1 < len(l) && l[j+1] >= 'A' && l[j+1] <= 'Z' {
			i = j + 1
			continue
		}
		break
	}
	return out, i, words >= 2
}

// addressAfter reads a street line after a label: a house number and
// words, up to a comma, quote, tab or the end of the line.
func addressAfter(l []byte, i int) ([]byte, int, bool) {
	i = skipLabel(l, i)
	if i >= len(l) || !isDigit(l[i]) {
		return nil, i, false
	}
	s := i
	for i < len(l) && l[i] != ',' && l[i] != '"' && l[i] != '\t' && l[i] != ';' {
		i++
	}
	v := bytes.TrimSpace(l[s:i])
	return v, i, bytes.IndexByte(v, ' ') > 0
}

// emailAt reads the address around the @ at l[at].
func emailAt(l []byte, at int) ([]byte, bool) {
	s := at
	for s > 0 && (isAlnum(l[s-1]) || l[s-1] == '.' || l[s-1] == '_' || l[s-1] == '%' || l[s-1] == '+' || l[s-1] == '-') {
		s--
	}
	e := at + 1
	for e < len(l) && (isAlnum(l[e]) || l[e] == '.' || l[e] == '-') {
		e++
	}
	for e > at+1 && l[e-1] == '.' {
		e--
	}
	dom := l[at+1 : e]
	dot := bytes.LastIndexByte(dom, '.')
	if s == at || dot <= 0 || len(dom)-dot-1 < 2 {
		return nil, false
	}
	for _, c := range dom[dot+1:] {
		if !isLetter(c) {
			return nil, false
		}
	}
	return l[s:e], true
}

// phoneAt reads a North American number starting at l[i] (or at the "("
// before it): (217) 555-0143, 217-555-0143, 217.555.0143. Area code and
// exchange start with 2–9.
func phoneAt(l []byte, i int) (d [10]byte, end int, ok bool) {
	paren := i > 0 && l[i-1] == '('
	if i > 0 && isAlnum(l[i-1]) {
		return d, i, false
	}
	n := 0
	j := i
	take := func(k int) bool {
		for m := 0; m < k; m++ {
			if j >= len(l) || !isDigit(l[j]) {
				return false
			}
			d[n] = l[j]
			n++
			j++
		}
		return true
	}
	if !take(3) {
		return d, j, false
	}
	switch {
	case paren && j < len(l) && l[j] == ')':
		j++
		if j < len(l) && l[j] == ' ' {
			j++
		}
	case j < len(l) && (l[j] == '-' || l[j] == '.'):
		j++
	default:
		return d, j, false
	}
	if !take(3) {
		return d, j, false
	}
	if j >= len(l) || (l[j] != '-' && l[j] != '.') {
		return d, j, false
	}
	j++
	if !take(4) || (j < len(l) && isAlnum(l[j])) {
		return d, j, false
	}
	if d[0] < '2' || d[3] < '2' {
		return d, j, false
	}
	return d, j, true
}

func (u *unit) addEmail(e []byte, line int) {
	v := bytes.ToLower(e)
	u.addFinding(Finding{
		Path: u.path, Line: line, Kind: KindEmail, Confidence: 0.8, Excerpt: mask(KindEmail, v),
		FileType: u.fileType, Location: u.location, PHI: true, key: keyOf(KindEmail, v), record: u.record,
	})
}

func (u *unit) addPhone(d []byte, line int) {
	u.addFinding(Finding{
		Path: u.path, Line: line, Kind: KindPhone, Confidence: 0.8, Excerpt: mask(KindPhone, d),
		FileType: u.fileType, Location: u.location, PHI: true, key: keyOf(KindPhone, d), record: u.record,
	})
}

// addName keys a name by its sorted lower-case words, so that "Smith,
// John" and "JOHN SMITH" count as one person.
func (u *unit) addName(v []byte, line int, conf float64) {
	u.addFinding(Finding{
		Path: u.path, Line: line, Kind: KindName, Confidence: conf, Excerpt: mask(KindName, v),
		FileType: u.fileType, Location: u.location, PHI: true, key: keyOf(KindName, nameKey(v)), record: u.record,
	})
}

func (u *unit) addAddress(v []byte, line int, conf float64) {
	norm := addressKey(v)
	u.addFinding(Finding{
		Path: u.path, Line: line, Kind: KindAddress, Confidence: conf, Excerpt: mask(KindAddress, v),
		FileType: u.fileType, Location: u.location, PHI: true, key: keyOf(KindAddress, norm), record: u.record,
	})
}

// nameKey normalises a name for counting: lower-case words, sorted.
func nameKey(v []byte) []byte {
	f := bytes.FieldsFunc(bytes.ToLower(v), func(r rune) bool { return r == ' ' || r == ',' })
	sort.Slice(f, func(i, j int) bool { return bytes.Compare(f[i], f[j]) < 0 })
	return bytes.Join(f, []byte{' '})
}

// addressKey normalises a street line: lower-case words, single spaces.
func addressKey(v []byte) []byte {
	return bytes.Join(bytes.Fields(bytes.ToLower(v)), []byte{' '})
}
