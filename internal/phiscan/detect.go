package phiscan

// The shape scanner: one pass over the bytes looking only for digits.
// From each digit it assembles a compound token (alphanumeric groups
// joined by one consistent separator: "123-45-6789", "4111 1111 1111
// 1111", "1EG4-TE5-MK73", "01/02/1960"), classifies it by the lengths of
// its groups, validates it, and only then asks the words before it what
// it is. Text without digits costs one table lookup per byte.

const maxGroups = 6

type compound struct {
	start, end int // bytes of the whole token in the line
	ng         int // number of groups
	g          [maxGroups][2]int
	sep        byte     // separator between groups, 0 for one group
	total      int      // characters in the groups, separators left out
	seen       uint8    // byte classes (cls) found in the groups
	norm       [24]byte // groups concatenated, upper case (after fill)
	n          int      // length of norm, 0 when too long
	letters    bool     // norm holds a letter
	lower      bool     // the token had a lower-case letter
}

func (c *compound) value() []byte { return c.norm[:c.n] }

func (c *compound) glen(i int) int { return c.g[i][1] - c.g[i][0] }

// readCompound reads the token that holds line[i], a digit. It only
// finds the groups; fill copies them once the token is worth it.
func readCompound(line []byte, i int, c *compound) {
	start := i
	for start > 0 && isAlnum(line[start-1]) {
		start--
	}
	c.start, c.ng, c.sep, c.total, c.seen = start, 0, 0, 0, 0
	pos := start
	n := len(line)
	for {
		e := pos
		var seen uint8
		for e < n && cls[line[e]] != 0 {
			seen |= cls[line[e]]
			e++
		}
		if c.sep == ' ' && seen != clsDigit {
			break // "123 45 6789 and": a word is not a group
		}
		c.g[c.ng] = [2]int{pos, e}
		c.ng++
		c.total += e - pos
		c.seen |= seen
		c.end = e
		if c.ng == maxGroups || e+1 >= n {
			break
		}
		s := line[e]
		if s != '-' && s != ' ' && s != '/' {
			break
		}
		if c.sep != 0 && s != c.sep {
			break
		}
		next := line[e+1]
		if s == ' ' && !isDigit(next) || !isAlnum(next) {
			break
		}
		if c.ng == 1 && s == ' ' && !allDigits(line[start:e]) {
			break
		}
		c.sep = s
		pos = e + 1
	}
}

// fill builds the normalised value from the groups, whose total length
// and byte classes readCompound has already counted.
func (c *compound) fill(line []byte) {
	if c.total > len(c.norm) {
		c.n = 0
		return
	}
	n := 0
	for k := 0; k < c.ng; k++ {
		n += copy(c.norm[n:], line[c.g[k][0]:c.g[k][1]])
	}
	c.n = n
	c.letters = c.seen&(clsUpper|clsLower) != 0
	c.lower = c.seen&clsLower != 0
	if c.lower {
		for i, b := range c.norm[:n] {
			if cls[b] == clsLower {
				c.norm[i] = b - ('a' - 'A')
			}
		}
	}
}

// first narrows the compound to its first group, for a retry when the
// whole compound had no known shape ("MRN 123456 4111…" joined by a space).
func (c *compound) first(line []byte) {
	c.ng = 1
	c.sep = 0
	c.end = c.g[0][1]
	c.total = c.glen(0)
	c.seen = 0
	for _, b := range line[c.g[0][0]:c.g[0][1]] {
		c.seen |= cls[b]
	}
	c.fill(line)
}

// candidate is a classified, validated value.
type candidate struct {
	kind Kind
	conf float64
	norm []byte
}

// scanLine finds identifiers in one line of text. hint, when set, is the
// role given by a column header or JSON key and replaces the look-back.
func (u *unit) scanLine(line []byte, lineNo int, hint role) {
	n := len(line)
	c := &u.comp // reused: a compound on the stack would escape
	for i := 0; i < n; i++ {
		if i = nextDigit(line, i); i == n {
			break
		}
		readCompound(line, i, c)
		i = c.end
		if c.total > len(c.norm) || !u.worth(c) {
			continue
		}
		lbl := hint
		if lbl == roleNone {
			lbl = labelBefore(line, c.start)
		}
		if c.seen&clsLower == 0 || u.lowerMatters(c, lbl) {
			c.fill(line)
			if u.classify(line, c, lbl, lineNo) || c.ng == 1 {
				continue
			}
		} else if c.ng == 1 {
			continue
		}
		c.first(line)
		i = c.end
		u.classify(line, c, lbl, lineNo)
	}
}

// worth says whether a token can matter before anything is copied or
// any label looked up: ordinary text is full of short numbers (times,
// status codes, prices, addresses) and every identifier has at least
// four characters. A three-character token can still be a diagnosis code
// ("dx 250.00", "ICD E11.9") and mark the file as holding health
// information, until something has.
func (u *unit) worth(c *compound) bool {
	return c.total >= 4 || c.total == 3 && !u.health
}

// lowerMatters says whether a token with a lower-case letter (a word, a
// hex string, a path) can be anything under this label: only a Medicare,
// member or record label makes it an identifier, and only a health,
// reference or phone label changes what happens to it. Under any other
// label classify would drop it, so it is not copied; a joined token
// ("123456789-abc") still has its first group tried on its own.
func (u *unit) lowerMatters(c *compound, lbl role) bool {
	switch lbl {
	case roleMedicare, roleMember, roleMRN, roleHealth, roleNegative, rolePhone:
		return true
	}
	return u.loose(c)
}

// classify turns a compound into findings. It reports whether the
// compound had a known shape (even if it was then rejected), so that the
// caller retries a joined compound group by group only when it did not.
func (u *unit) classify(line []byte, c *compound, lbl role, lineNo int) bool {
	v := c.value()
	loose := u.loose(c)
	if loose {
		switch lbl {
		case roleHealth, roleNegative, rolePhone, roleDate:
			// In a file name "claim" or "invoice" does not vouch that a
			// number beside it is only a reference number.
			lbl = roleNone
		}
	}
	// An MBI's eleven positions are checked one by one against CMS's
	// format, which random codes meet about once in ten thousand: the
	// shape is the evidence, so words such as "claim" or "payer" a few
	// words back, which vouch that a bare number is a reference, do not
	// veto it. A label only raises the confidence.
	if c.letters && u.mbi(c, v, lbl, lineNo) {
		return true
	}
	if lbl == roleHealth {
		u.health = true
		return true
	}
	if lbl == roleNegative || lbl == rolePhone {
		return true
	}
	if c.letters {
		return u.classifyAlnum(c, v, lbl, lineNo)
	}
	switch c.ng {
	case 1:
		if c.total == 4 && (lbl == roleNone || lbl == roleDOB) && u.wordDate(line, c.start, v, lbl, lineNo) {
			return true
		}
		return u.classifyDigits(v, lbl, lineNo, loose)
	case 3:
		if c.glen(0) == 3 && c.glen(1) == 2 && c.glen(2) == 4 && c.sep != '/' {
			if c.sep == ' ' && lbl != roleSSN && !loose {
				return true
			}
			if u.ssn(v) {
				conf := 0.75
				if lbl == roleSSN {
					conf = 1
				}
				u.add(KindSSN, v, conf, lineNo, "", lblWord(lbl))
			}
			return true
		}
		if c.glen(0) == 3 && c.glen(1) == 3 && c.glen(2) == 4 {
			return true // a phone number: never an identifier on its own
		}
		if c.sep != ' ' {
			if ok := u.classifyDate(c, v, lbl, lineNo); ok {
				return true
			}
		}
	}
	if c.sep != '/' && cardGroups(c) {
		// "2298 2299 3120 3121" inside a table of numbers is not a card.
		if c.sep == ' ' && !loose && spacedNeighbour(line, c.start, c.end) {
			return true
		}
		if validCard(v) {
			u.add(KindCard, v, cardConf(lbl), lineNo, "", lblWord(lbl))
		}
		return true
	}
	if c.sep == '-' && (lbl == roleMember || lbl == roleMRN) && c.n >= 5 {
		u.labelled(lbl, v, lineNo)
		return true
	}
	return false
}

// ssn validates a nine-digit value. A content scan applies SSA's issuing
// rules so that numbers which cannot be SSNs are not reported; masking a
// name hides every SSN-shaped value, published samples and never-issued
// areas included, since hiding one too many costs nothing.
func (u *unit) ssn(v []byte) bool {
	if u.masking {
		return len(v) == 9 && allDigits(v)
	}
	return validSSN(v)
}

// spacedNeighbour says whether the token at line[start:end] has a
// space-separated neighbour holding a digit, as in a table of numbers.
func spacedNeighbour(line []byte, start, end int) bool {
	if start >= 2 && line[start-1] == ' ' && isAlnum(line[start-2]) {
		for i := start - 2; i >= 0 && isAlnum(line[i]); i-- {
			if isDigit(line[i]) {
				return true
			}
		}
	}
	if end+1 < len(line) && line[end] == ' ' && isAlnum(line[end+1]) {
		for i := end + 1; i < len(line) && isAlnum(line[i]); i++ {
			if isDigit(line[i]) {
				return true
			}
		}
	}
	return false
}

// cardGroups says whether the groups are a way cards are printed:
// 4-4-4-4, 4-6-5 (American Express), 4-6-4 (Diners Club), 4-4-4-4-3.
func cardGroups(c *compound) bool {
	var pat [maxGroups]int
	for k := 0; k < c.ng; k++ {
		pat[k] = c.glen(k)
	}
	switch {
	case c.ng == 4 && pat[0] == 4 && pat[1] == 4 && pat[2] == 4 && pat[3] == 4:
	case c.ng == 3 && pat[0] == 4 && pat[1] == 6 && (pat[2] == 5 || pat[2] == 4):
	case c.ng == 5 && pat[0] == 4 && pat[1] == 4 && pat[2] == 4 && pat[3] == 4 && pat[4] == 3:
	default:
		return false
	}
	return true
}

func cardConf(lbl role) float64 {
	if lbl == roleCard {
		return 1
	}
	return 0.9
}

// classifyDigits handles one run of digits.
// loose applies MaskPath's file-name rules: a bare SSN or card number.
func (u *unit) classifyDigits(v []byte, lbl role, lineNo int, loose bool) bool {
	n := len(v)
	switch lbl {
	case roleMember, roleMRN:
		if n >= 5 && n <= 20 {
			u.labelled(lbl, v, lineNo)
		}
		return true
	case roleRouting:
		if validABA(v) {
			u.bankPart(v, true, lineNo)
		}
		return true
	case roleAccount:
		if n >= 4 && n <= 17 {
			u.bankPart(v, false, lineNo)
		}
		return true
	}
	switch {
	case n == 9:
		if (lbl == roleSSN || loose) && u.ssn(v) {
			u.add(KindSSN, v, 0.95, lineNo, "", lblWord(lbl))
		}
		return true
	case n == 10:
		if lbl == roleNPI && validNPI(v) {
			u.add(KindNPI, v, 1, lineNo, "", lblWord(lbl))
		}
		return true
	case n == 8:
		if lbl == roleDOB {
			y, m, d := num(v[0:4]), num(v[4:6]), num(v[6:8])
			if plausibleBirth(y, m, d, u.now) {
				u.addDOB(y, m, d, 0.9, lineNo, lblWord(lbl))
			}
		}
		return true
	case n >= 13 && n <= 19:
		// A bare run of digits is a card only under a card label: long
		// numbers in data files pass Luhn one time in ten.
		if (lbl == roleCard || loose) && validCard(v) {
			u.add(KindCard, v, cardConf(lbl), lineNo, "", lblWord(lbl))
		}
		return true
	}
	return false
}

// mbi reports the compound as an MBI when it is written as one (eleven
// characters, bare or as the card prints them, 1EG4-TE5-MK73) and passes
// CMS's format. Lower case is how words and hashes are written, not MBIs,
// so it needs a Medicare or member label.
func (u *unit) mbi(c *compound, v []byte, lbl role, lineNo int) bool {
	dashed := c.ng == 3 && c.sep == '-' && c.glen(0) == 4 && c.glen(1) == 3 && c.glen(2) == 4
	if len(v) != 11 || (c.ng != 1 && !dashed) || !validMBI(v) {
		return false
	}
	conf := 0.9
	switch lbl {
	case roleMedicare, roleMember:
		conf = 1
	default:
		if c.lower {
			return false
		}
	}
	u.add(KindMBI, v, conf, lineNo, "", lblWord(lbl))
	return true
}

// classifyAlnum handles tokens with letters: MBIs, HICNs and labelled
// member and record numbers.
func (u *unit) classifyAlnum(c *compound, v []byte, lbl role, lineNo int) bool {
	n := len(v)
	if c.ng == 1 && (n == 10 || n == 11) && !c.lower && validHICN(v) {
		conf := 0.85
		if lbl == roleMedicare || lbl == roleMember {
			conf = 1
		}
		u.add(KindHICN, v, conf, lineNo, "", lblWord(lbl))
		return true
	}
	switch lbl {
	case roleMedicare:
		if c.ng == 1 && rrbHICN(v) {
			u.add(KindHICN, v, 0.9, lineNo, "", lblWord(lbl))
		}
		return true
	case roleMember, roleMRN:
		digits := 0
		for _, b := range v {
			if isDigit(b) {
				digits++
			}
		}
		if n >= 5 && n <= 20 && digits >= 3 {
			u.labelled(lbl, v, lineNo)
		}
		return true
	}
	return c.ng == 1
}

// classifyDate handles three-group dates; only a birth label makes one a
// finding, so dates of service and timestamps pass by.
func (u *unit) classifyDate(c *compound, v []byte, lbl role, lineNo int) bool {
	var y, m, d int
	a, b, e := c.glen(0), c.glen(1), c.glen(2)
	switch {
	case a <= 2 && b <= 2 && e == 4:
		m, d, y = num(v[:a]), num(v[a:a+b]), num(v[a+b:])
	case a == 4 && b <= 2 && e <= 2:
		y, m, d = num(v[:4]), num(v[4:4+b]), num(v[4+b:])
	case a == 2 && b == 2 && e == 2 && c.sep == '/':
		m, d, y = num(v[:2]), num(v[2:4]), num(v[4:])
		y += 1900
		if y+100 <= u.now.Year() {
			y += 100
		}
	default:
		return false
	}
	if lbl == roleDOB && plausibleBirth(y, m, d, u.now) {
		u.addDOB(y, m, d, 0.95, lineNo, lblWord(lbl))
	}
	return true
}

// wordDate reads a year as the end of a date written with the month's
// name — "January 2, 1960", "2 Jan. 1960", "Sept 14 1948" — as notes and
// letters write birth dates; like a numeric date it counts only under a
// birth label (before the date, or the column's). Only the bytes just
// before the year are looked at, so ordinary numbers cost two compares.
func (u *unit) wordDate(line []byte, start int, year []byte, lbl role, lineNo int) bool {
	i := start
	if i > 0 && line[i-1] == ' ' {
		i--
	} else {
		return false
	}
	if i > 0 && line[i-1] == ',' {
		i--
	}
	// Either "Month D[,] YYYY" or "D Month[.] YYYY".
	var m, d, from int
	if e := i; e > 0 && isDigit(line[e-1]) {
		s := e - 1
		if s > 0 && isDigit(line[s-1]) {
			s--
		}
		if s == 0 || line[s-1] != ' ' {
			return false
		}
		d = num(line[s:e])
		ms, me := s-1, s-1
		for ms > 0 && isLetter(line[ms-1]) {
			ms--
		}
		if m = monthNumber(line[ms:me]); m == 0 {
			return false
		}
		from = ms
	} else {
		if i > 0 && line[i-1] == '.' {
			i--
		}
		ms := i
		for ms > 0 && isLetter(line[ms-1]) {
			ms--
		}
		if m = monthNumber(line[ms:i]); m == 0 || ms < 2 || line[ms-1] != ' ' {
			return false
		}
		e := ms - 1
		s := e
		for s > 0 && e-s < 2 && isDigit(line[s-1]) {
			s--
		}
		if s == e || s > 0 && isWordByte(line[s-1]) {
			return false
		}
		d, from = num(line[s:e]), s
	}
	if lbl == roleNone {
		lbl = labelBefore(line, from)
	}
	y := num(year)
	if lbl == roleDOB && plausibleBirth(y, m, d, u.now) {
		u.addDOB(y, m, d, 0.9, lineNo, lblWord(lbl))
	}
	return true
}

// monthNumber reads an English month name, in full or abbreviated to
// three letters ("Sept" too), in any case; 0 when w is not one.
func monthNumber(w []byte) int {
	if len(w) < 3 || len(w) > 9 {
		return 0
	}
	var low [9]byte
	for k, c := range w {
		low[k] = c | 0x20
	}
	lw := string(low[:len(w)])
	for k, name := range [...]string{"january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"} {
		if lw == name || len(lw) == 3 && lw == name[:3] || lw == "sept" && k == 8 {
			return k + 1
		}
	}
	return 0
}

func (u *unit) labelled(lbl role, v []byte, lineNo int) {
	if lbl == roleMember {
		if validMBI(v) {
			u.add(KindMBI, v, 1, lineNo, "", "member id")
			return
		}
		u.add(KindMemberID, v, 0.9, lineNo, "", "member id")
		return
	}
	u.add(KindMRN, v, 0.9, lineNo, "", "mrn")
}

func (u *unit) addDOB(y, m, d int, conf float64, lineNo int, label string) {
	var b [8]byte
	putNum(b[0:4], y)
	putNum(b[4:6], m)
	putNum(b[6:8], d)
	u.add(KindDOB, b[:], conf, lineNo, "", label)
}

func putNum(b []byte, n int) {
	for i := len(b) - 1; i >= 0; i-- {
		b[i] = byte('0' + n%10)
		n /= 10
	}
}

// lblWord names a role in an excerpt ("ssn: ***-**-6789").
func lblWord(r role) string {
	switch r {
	case roleSSN:
		return "ssn"
	case roleMedicare:
		return "medicare"
	case roleNPI:
		return "npi"
	case roleCard:
		return "card"
	case roleDOB:
		return "dob"
	case roleMember:
		return "member id"
	case roleMRN:
		return "mrn"
	}
	return ""
}
