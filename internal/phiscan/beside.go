package phiscan

import "bytes"

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
		w := l[s:i]
		r, ok := lookupLabel(w)
		if len(w) == 4 && foldHash(w) == dearHash {
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

var dearHash = foldHash([]byte("dear"))

// skipLabel moves past separators and further label words after a label
// ("Patient Name: ", "patient_name": ").
func skipLabel(l []byte, i int) int {
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
		if _, ok := lookupLabel(l[i:e]); !ok {
			return i
		}
		i = e
	}
}

// nameAfter reads two to four capitalised words ("John Smith", "Smith,
// John Q") after a label.
func nameAfter(l []byte, i int) ([]byte, int, bool) {
	i = skipLabel(l, i)
	start := i
	end := i
	words := 0
	for words < 4 && i < len(l) && l[i] >= 'A' && l[i] <= 'Z' {
		for i < len(l) && (isLetter(l[i]) || l[i] == '\'' || l[i] == '-') {
			i++
		}
		if i < len(l) && isDigit(l[i]) {
			return nil, i, false
		}
		words++
		end = i
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
	return l[start:end], i, words >= 2
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
	j := i
	n := 0
	if !takeDigits(l, &j, d[:], &n, 3) {
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
	if !takeDigits(l, &j, d[:], &n, 3) {
		return d, j, false
	}
	if j >= len(l) || (l[j] != '-' && l[j] != '.') {
		return d, j, false
	}
	j++
	if !takeDigits(l, &j, d[:], &n, 4) || (j < len(l) && isAlnum(l[j])) {
		return d, j, false
	}
	if d[0] < '2' || d[3] < '2' {
		return d, j, false
	}
	return d, j, true
}

// takeDigits copies k digits from l[*j:] into d[*n:].
func takeDigits(l []byte, j *int, d []byte, n *int, k int) bool {
	for range k {
		if *j >= len(l) || !isDigit(l[*j]) {
			return false
		}
		d[*n] = l[*j]
		*n++
		*j++
	}
	return true
}

// addKeyed records a neighbour value whose key the caller computed.
func (u *unit) addKeyed(kind Kind, key uint64, shown []byte, conf float64, line int) {
	f := Finding{
		Path: u.path, Line: line, Kind: kind, Confidence: conf, FileType: u.fileType,
		Location: u.location, Offset: u.offset, PHI: true, key: key, record: u.record,
	}
	if u.listing(kind) {
		f.Excerpt = excerpt("", kind, shown)
	}
	u.addFinding(f)
}

func (u *unit) addEmail(e []byte, line int) {
	var buf [128]byte
	v := lowerWord(buf[:], e)
	u.addKeyed(KindEmail, keyOf(KindEmail, v), v, 0.8, line)
}

func (u *unit) addPhone(d []byte, line int) {
	u.addKeyed(KindPhone, keyOf(KindPhone, d), d, 0.8, line)
}

// addName keys a name by its sorted lower-case words, so that "Smith,
// John" and "JOHN SMITH" count as one person.
func (u *unit) addName(v []byte, line int, conf float64) {
	var buf [128]byte
	u.addKeyed(KindName, keyOf(KindName, appendNameKey(buf[:0], v)), v, conf, line)
}

func (u *unit) addAddress(v []byte, line int, conf float64) {
	var buf [128]byte
	u.addKeyed(KindAddress, keyOf(KindAddress, appendAddressKey(buf[:0], v)), v, conf, line)
}

// nameKey normalises a name for counting: lower-case words, sorted.
func nameKey(v []byte) []byte { return appendNameKey(nil, v) }

func appendNameKey(b, v []byte) []byte {
	var words [8][]byte
	n := 0
	for i := 0; i < len(v) && n < len(words); {
		for i < len(v) && (v[i] == ' ' || v[i] == ',') {
			i++
		}
		s := i
		for i < len(v) && v[i] != ' ' && v[i] != ',' {
			i++
		}
		if i > s {
			words[n] = v[s:i]
			n++
		}
	}
	// Insertion sort: a name has a handful of words.
	for i := 1; i < n; i++ {
		for j := i; j > 0 && lessFold(words[j], words[j-1]); j-- {
			words[j], words[j-1] = words[j-1], words[j]
		}
	}
	for i, w := range words[:n] {
		if i > 0 {
			b = append(b, ' ')
		}
		for _, c := range w {
			if c >= 'A' && c <= 'Z' {
				c += 'a' - 'A'
			}
			b = append(b, c)
		}
	}
	return b
}

func lessFold(a, b []byte) bool {
	for i := 0; i < len(a) && i < len(b); i++ {
		x, y := a[i], b[i]
		if x >= 'A' && x <= 'Z' {
			x += 'a' - 'A'
		}
		if y >= 'A' && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return x < y
		}
	}
	return len(a) < len(b)
}

// addressKey normalises a street line: lower-case words, single spaces.
func addressKey(v []byte) []byte { return appendAddressKey(nil, v) }

func appendAddressKey(b, v []byte) []byte {
	space := false
	for _, c := range bytes.TrimSpace(v) {
		if c == ' ' || c == '\t' {
			space = true
			continue
		}
		if space {
			b = append(b, ' ')
			space = false
		}
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		b = append(b, c)
	}
	return b
}
