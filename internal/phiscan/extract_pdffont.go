package phiscan

import (
	"bytes"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// Office software embeds subsets of TrueType fonts and numbers the glyphs
// it uses 1, 2, 3…, so the bytes in the content stream are not
// characters: only the font's ToUnicode CMap says what they are. Simple
// fonts use one-byte codes; composite (Type0) fonts, usually with the
// Identity-H encoding, use two. A font with neither a ToUnicode map nor a
// one-byte encoding cannot be read, and the page says so.

// pdfFont is what the text extractor needs to know of a font.
type pdfFont struct {
	cmap       *toUnicode // nil when the font has none
	composite  bool       // Type0: two-byte codes unless the map says otherwise
	unreadable bool       // composite without a map: glyph numbers only
}

// toUnicode is a parsed ToUnicode CMap.
type toUnicode struct {
	spaces []codeSpace
	chars  map[uint32]string
	ranges []bfRange
	// one holds every one-byte code's text, filled on first use when all
	// codes are one byte (simple fonts: what office software writes), so
	// a character costs an array index instead of a map lookup.
	one *[256]oneByteCode
}

type oneByteCode struct {
	text string
	ok   bool
}

type codeSpace struct {
	n      int // bytes per code
	lo, hi uint32
}

type bfRange struct {
	lo, hi uint32
	dst    []uint16 // the first code's UTF-16; later codes add to its last unit
	list   []string // or one string per code
}

const (
	maxCMapEntries = 1 << 16 // bfchar entries and ranges kept per map
	maxFonts       = 256     // fonts read per page
)

// decode appends the text of string s shown in font f; it returns the
// number of codes that could not be read.
func (f *pdfFont) decode(out, s []byte) ([]byte, int) {
	if f == nil || (f.cmap == nil && !f.composite) {
		return append(out, s...), 0
	}
	if f.cmap == nil {
		return out, (len(s) + 1) / 2
	}
	missed := 0
	if one := f.cmap.oneByte(f.composite); one != nil {
		for _, b := range s {
			switch c := &one[b]; {
			case c.ok:
				out = append(out, c.text...)
			case b >= 0x20 && b < 0x7f:
				out = append(out, b) // as below: ASCII the map leaves out
			default:
				missed++
			}
		}
		return out, missed
	}
	for i := 0; i < len(s); {
		n := f.cmap.codeLen(s[i:], f.composite)
		var code uint32
		for _, b := range s[i : i+n] {
			code = code<<8 | uint32(b)
		}
		i += n
		if t, ok := f.cmap.lookup(code); ok {
			out = append(out, t...)
			continue
		}
		// A one-byte code the map leaves out is most often plain ASCII
		// (a space the producer did not list).
		if n == 1 && code >= 0x20 && code < 0x7f {
			out = append(out, byte(code))
			continue
		}
		missed++
	}
	return out, missed
}

// codeLen returns how many bytes the code at the start of s takes: the
// shortest code space range that holds it, else the font's default.
func (m *toUnicode) codeLen(s []byte, composite bool) int {
	for n := 1; n <= 4 && n <= len(s); n++ {
		var code uint32
		for _, b := range s[:n] {
			code = code<<8 | uint32(b)
		}
		for _, r := range m.spaces {
			if r.n == n && code >= r.lo && code <= r.hi {
				return n
			}
		}
	}
	if composite && len(s) >= 2 {
		return 2
	}
	return 1
}

// oneByte returns the table of one-byte codes when every code of a simple
// font is one byte (no code space range is wider), else nil.
func (m *toUnicode) oneByte(composite bool) *[256]oneByteCode {
	if composite {
		return nil
	}
	if m.one != nil {
		return m.one
	}
	for _, r := range m.spaces {
		if r.n != 1 {
			return nil
		}
	}
	one := new([256]oneByteCode)
	for b := range one {
		one[b].text, one[b].ok = m.lookup(uint32(b))
	}
	m.one = one
	return one
}

func (m *toUnicode) lookup(code uint32) (string, bool) {
	if t, ok := m.chars[code]; ok {
		return t, true
	}
	for _, r := range m.ranges {
		if code < r.lo || code > r.hi {
			continue
		}
		k := code - r.lo
		if r.list != nil {
			if int(k) < len(r.list) {
				return r.list[k], true
			}
			return "", false
		}
		u := append([]uint16(nil), r.dst...)
		u[len(u)-1] += uint16(k)
		return utf16String(u), true
	}
	return "", false
}

// parseCMap reads the code space ranges, bfchar and bfrange sections of
// a ToUnicode CMap; anything else in it (PostScript boilerplate) is
// skipped.
func parseCMap(c []byte) *toUnicode {
	m := &toUnicode{chars: map[uint32]string{}}
	var toks [][]byte // operands since the last keyword: hex strings and '[' ']'
	section := ""
	entries := 0
	for i := 0; i < len(c); {
		b := c[i]
		switch {
		case b == '<' && i+1 < len(c) && c[i+1] == '<':
			i += 2
		case b == '<':
			e := bytes.IndexByte(c[i:], '>')
			if e < 0 {
				return m
			}
			toks = append(toks, c[i:i+e+1])
			i += e + 1
		case b == '[' || b == ']':
			toks = append(toks, c[i:i+1])
			i++
		case b == '%':
			for i < len(c) && c[i] != '\n' && c[i] != '\r' {
				i++
			}
		case b == '(':
			_, n := pdfLiteral(c[i:])
			i += n
		case isLetter(b):
			s := i
			for i < len(c) && isPDFRegular(c[i]) {
				i++
			}
			switch w := string(c[s:i]); w {
			case "begincodespacerange", "beginbfchar", "beginbfrange":
				section, toks = w, toks[:0]
			case "endcodespacerange", "endbfchar", "endbfrange":
				if entries < maxCMapEntries {
					entries += m.section(section, toks, maxCMapEntries-entries)
				}
				section, toks = "", toks[:0]
			}
		default:
			i++
		}
	}
	return m
}

// section applies the operands of one CMap section; it returns how many
// entries it kept.
func (m *toUnicode) section(name string, toks [][]byte, room int) int {
	kept := 0
	switch name {
	case "begincodespacerange":
		for k := 0; k+1 < len(toks); k += 2 {
			lo, n := hexCode(toks[k])
			hi, _ := hexCode(toks[k+1])
			if n > 0 && n <= 4 {
				m.spaces = append(m.spaces, codeSpace{n: n, lo: lo, hi: hi})
			}
		}
	case "beginbfchar":
		for k := 0; k+1 < len(toks) && kept < room; k += 2 {
			code, n := hexCode(toks[k])
			if n > 0 && n <= 4 {
				m.chars[code] = utf16String(hexUnits(toks[k+1]))
				kept++
			}
		}
	case "beginbfrange":
		for k := 0; k+2 < len(toks) && kept < room; {
			lo, n1 := hexCode(toks[k])
			hi, n2 := hexCode(toks[k+1])
			r := bfRange{lo: lo, hi: hi}
			if toks[k+2][0] == '[' {
				k += 3
				for k < len(toks) && toks[k][0] != ']' {
					r.list = append(r.list, utf16String(hexUnits(toks[k])))
					k++
				}
				k++ // the ']'
			} else {
				r.dst = hexUnits(toks[k+2])
				k += 3
			}
			if n1 == 0 || n1 > 4 || n2 != n1 || hi < lo || (r.list == nil && len(r.dst) == 0) {
				continue
			}
			m.ranges = append(m.ranges, r)
			kept++
		}
	}
	return kept
}

// hexCode reads a <hex> code: its value and its length in bytes.
func hexCode(t []byte) (uint32, int) {
	if len(t) == 0 || t[0] != '<' {
		return 0, 0
	}
	raw, _ := pdfHex(t)
	if len(raw) > 4 {
		return 0, 0
	}
	var v uint32
	for _, b := range raw {
		v = v<<8 | uint32(b)
	}
	return v, len(raw)
}

// hexUnits reads a <hex> destination as UTF-16BE code units.
func hexUnits(t []byte) []uint16 {
	if len(t) == 0 || t[0] != '<' {
		return nil
	}
	raw, _ := pdfHex(t)
	u := make([]uint16, 0, len(raw)/2)
	for k := 0; k+1 < len(raw); k += 2 {
		u = append(u, uint16(raw[k])<<8|uint16(raw[k+1]))
	}
	return u
}

func utf16String(u []uint16) string {
	var b []byte
	for _, r := range utf16.Decode(u) {
		b = utf8.AppendRune(b, r)
	}
	return string(b)
}

// fonts returns a page's fonts by resource name, following the page's
// own /Resources or its ancestors'.
func (d *pdfDoc) fonts(p *pdfObj) map[string]*pdfFont {
	res := d.resources(p)
	if res == nil {
		return nil
	}
	fd := d.subDict(res, "/Font")
	if fd == nil {
		return nil
	}
	out := map[string]*pdfFont{}
	for i := 0; i < len(fd) && len(out) < maxFonts; i++ {
		if fd[i] != '/' {
			continue
		}
		s := i + 1
		for i+1 < len(fd) && isPDFRegular(fd[i+1]) {
			i++
		}
		name := string(fd[s : i+1])
		// "/F1 9 0 R"
		f := bytes.Fields(fd[i+1 : min(len(fd), i+40)])
		if len(f) < 3 || !bytes.HasPrefix(f[2], []byte("R")) {
			continue
		}
		num, err := strconv.Atoi(string(f[0]))
		if err != nil {
			continue
		}
		if font := d.font(num); font != nil {
			out[name] = font
		}
	}
	return out
}

func (d *pdfDoc) font(num int) *pdfFont {
	if f, ok := d.fontCache[num]; ok {
		return f
	}
	o, ok := d.objs[num]
	if !ok {
		return nil
	}
	f := &pdfFont{composite: hasName(o.dict, "/Subtype", "/Type0")}
	if r := refs(o.dict, "/ToUnicode"); len(r) == 1 {
		if cm, ok := d.objs[r[0]]; ok {
			if raw := d.decode(cm); raw != nil {
				f.cmap = parseCMap(raw)
			}
		}
	}
	f.unreadable = f.composite && f.cmap == nil
	if d.fontCache == nil {
		d.fontCache = map[int]*pdfFont{}
	}
	d.fontCache[num] = f
	return f
}

// resources returns the body of a page's resource dictionary, inherited
// from the page tree when the page has none.
func (d *pdfDoc) resources(p *pdfObj) []byte {
	for depth := 0; p != nil && depth < 32; depth++ {
		if r := d.subDict(p.dict, "/Resources"); r != nil {
			return r
		}
		parent := refs(p.dict, "/Parent")
		if len(parent) != 1 {
			return nil
		}
		p = d.objs[parent[0]]
	}
	return nil
}

// subDict returns the dictionary under key in dict, inline (<< … >>) or
// by reference (N G R).
func (d *pdfDoc) subDict(dict []byte, key string) []byte {
	i := bytes.Index(dict, []byte(key))
	if i < 0 {
		return nil
	}
	rest := bytes.TrimLeft(dict[i+len(key):], " \t\r\n")
	if bytes.HasPrefix(rest, []byte("<<")) {
		depth := 0
		for k := 0; k+1 < len(rest); k++ {
			switch {
			case rest[k] == '<' && rest[k+1] == '<':
				depth++
				k++
			case rest[k] == '>' && rest[k+1] == '>':
				depth--
				k++
				if depth == 0 {
					return rest[2 : k-1]
				}
			}
		}
		return rest[2:]
	}
	if r := refs(dict[i:], key); len(r) > 0 {
		if o, ok := d.objs[r[0]]; ok {
			return o.dict
		}
	}
	return nil
}
