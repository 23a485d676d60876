package phiscan

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"
)

// xmlScanner reads the parts of office files that hold text (document,
// header and footer parts, worksheets, the shared string table) as a
// stream of start tags, end tags and text, for the few elements the
// scanner reads. encoding/xml's tokenizer allocates for every name,
// attribute and text run and reads byte by byte, which made office files
// the slowest content to scan (2–10 MB/s); this one finds '<' and '>'
// with bytes.IndexByte over a buffered reader, hands out slices of that
// buffer and allocates nothing per element. It checks only what it needs
// to stay in step — tags closed, quotes balanced, comments and CDATA
// ended — not well-formedness: a broken part is read as far as it goes.
//
// Names are local (the prefix is dropped: w:t is "t"). The slices of an
// event are valid until the next call to next.
type xmlScanner struct {
	r *bufio.Reader

	name      []byte // the current tag's local name
	attrs     []byte // the current start tag's attributes, raw
	text      []byte // the current text, entities decoded
	endNext   bool   // a self-closing tag's end event is due
	inTag     bool   // the '<' of the next tag has been read
	carry     []byte // an entity cut by the end of the buffer
	tagBuf    []byte // a tag longer than the buffer, assembled
	decodeBuf []byte // text with entities, decoded
}

type xmlEvent int

const (
	xmlEOF xmlEvent = iota
	xmlStart
	xmlEnd
	xmlText
)

// maxXMLTag bounds one tag (with its attributes), comment or CDATA
// section, so a hostile part cannot make the scanner buffer freely.
const maxXMLTag = 1 << 20

func newXMLScanner(r io.Reader) *xmlScanner {
	return &xmlScanner{r: bufio.NewReaderSize(r, 64<<10)}
}

var errXMLTag = errors.New("phiscan: xml: unterminated tag")

// next returns the next event.
func (x *xmlScanner) next() (xmlEvent, error) {
	if x.endNext {
		x.endNext = false
		return xmlEnd, nil
	}
	for {
		if x.inTag {
			x.inTag = false
			ev, err := x.tag()
			if err != nil || ev != xmlEOF {
				return ev, err
			}
			continue // a comment, declaration or processing instruction
		}
		b, err := x.r.ReadSlice('<')
		switch {
		case err == nil:
			x.inTag = true
			b = b[:len(b)-1]
		case errors.Is(err, bufio.ErrBufferFull):
		case errors.Is(err, io.EOF):
			if len(b) == 0 && len(x.carry) == 0 {
				return xmlEOF, nil
			}
		default:
			return xmlEOF, err
		}
		if len(b) == 0 && len(x.carry) == 0 {
			continue
		}
		x.text = x.decode(b, !x.inTag && err != nil && !errors.Is(err, io.EOF))
		if len(x.text) > 0 {
			return xmlText, nil
		}
	}
}

// tag reads a tag after its '<'. Comments, declarations and processing
// instructions return xmlEOF, which next reads past.
func (x *xmlScanner) tag() (xmlEvent, error) {
	t, err := x.readTag()
	if err != nil {
		return xmlEOF, err
	}
	switch {
	case len(t) == 0:
		return xmlEOF, fmt.Errorf("phiscan: xml: empty tag")
	case t[0] == '!' && bytes.HasPrefix(t, []byte("![CDATA[")):
		x.text = t[len("![CDATA[") : len(t)-2]
		return xmlText, nil
	case t[0] == '!' || t[0] == '?':
		return xmlEOF, nil
	case t[0] == '/':
		x.name = localName(bytes.TrimSpace(t[1:]))
		return xmlEnd, nil
	}
	if t[len(t)-1] == '/' {
		x.endNext = true
		t = t[:len(t)-1]
	}
	i := 0
	for i < len(t) && !isXMLSpace(t[i]) {
		i++
	}
	x.name, x.attrs = localName(t[:i]), t[i:]
	return xmlStart, nil
}

// readTag returns the bytes up to the '>' that ends the tag, outside
// quotes; a comment ends with "-->" and CDATA with "]]>".
func (x *xmlScanner) readTag() ([]byte, error) {
	b, err := x.r.ReadSlice('>')
	if err == nil && tagComplete(b[:len(b)-1]) {
		return b[:len(b)-1], nil
	}
	x.tagBuf = append(x.tagBuf[:0], b...)
	for {
		if err != nil && !errors.Is(err, bufio.ErrBufferFull) {
			if errors.Is(err, io.EOF) {
				return nil, errXMLTag
			}
			return nil, err
		}
		if err == nil && tagComplete(x.tagBuf[:len(x.tagBuf)-1]) {
			return x.tagBuf[:len(x.tagBuf)-1], nil
		}
		if len(x.tagBuf) > maxXMLTag {
			return nil, fmt.Errorf("phiscan: xml: tag longer than %d bytes", maxXMLTag)
		}
		b, err = x.r.ReadSlice('>')
		x.tagBuf = append(x.tagBuf, b...)
	}
}

// tagComplete says whether t (without the final '>') is a whole tag.
func tagComplete(t []byte) bool {
	switch {
	case len(t) > 0 && t[0] != '!':
	case bytes.HasPrefix(t, []byte("!--")):
		return len(t) >= 5 && bytes.HasSuffix(t, []byte("--"))
	case bytes.HasPrefix(t, []byte("![CDATA[")):
		return bytes.HasSuffix(t, []byte("]]"))
	}
	if bytes.IndexByte(t, '"') < 0 && bytes.IndexByte(t, '\'') < 0 {
		return true
	}
	var quote byte
	for _, c := range t {
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		}
	}
	return quote == 0
}

func isXMLSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func localName(n []byte) []byte {
	if i := bytes.LastIndexByte(n, ':'); i >= 0 {
		return n[i+1:]
	}
	return n
}

// is reports whether the current tag's local name is name.
func (x *xmlScanner) is(name string) bool { return string(x.name) == name }

// attr returns the raw value of the current start tag's attribute whose
// local name is name, or nil.
func (x *xmlScanner) attr(name string) []byte {
	a := x.attrs
	for len(a) > 0 {
		eq := bytes.IndexByte(a, '=')
		if eq < 0 {
			return nil
		}
		ks, ke := 0, eq
		for ks < ke && isXMLSpace(a[ks]) {
			ks++
		}
		for ke > ks && isXMLSpace(a[ke-1]) {
			ke--
		}
		key := localName(a[ks:ke])
		rest := a[eq+1:]
		for len(rest) > 0 && isXMLSpace(rest[0]) {
			rest = rest[1:]
		}
		if len(rest) == 0 || rest[0] != '"' && rest[0] != '\'' {
			return nil
		}
		end := bytes.IndexByte(rest[1:], rest[0])
		if end < 0 {
			return nil
		}
		if string(key) == name {
			return rest[1 : 1+end]
		}
		a = rest[2+end:]
	}
	return nil
}

// decode resolves the entities of a text run. cut says the run was cut by
// the end of the buffer, so an entity at its end may be incomplete: it is
// kept and put before the next run.
func (x *xmlScanner) decode(b []byte, cut bool) []byte {
	if len(x.carry) > 0 {
		x.decodeBuf = append(append(x.decodeBuf[:0], x.carry...), b...)
		x.carry = x.carry[:0]
		b = x.decodeBuf
		if bytes.IndexByte(b, '&') < 0 {
			return b
		}
		// Decode from a copy: decodeBuf is also the output.
		b = append([]byte(nil), b...)
	}
	amp := bytes.IndexByte(b, '&')
	if amp < 0 {
		return b
	}
	if cut {
		if last := bytes.LastIndexByte(b, '&'); last >= 0 && bytes.IndexByte(b[last:], ';') < 0 && len(b)-last < 12 {
			x.carry = append(x.carry[:0], b[last:]...)
			b = b[:last]
		}
	}
	out := append(x.decodeBuf[:0], b[:amp]...)
	for i := amp; i < len(b); {
		c := b[i]
		if c != '&' {
			out = append(out, c)
			i++
			continue
		}
		semi := bytes.IndexByte(b[i:min(len(b), i+12)], ';')
		if semi < 0 {
			out = append(out, c)
			i++
			continue
		}
		out = appendEntity(out, b[i+1:i+semi])
		i += semi + 1
	}
	x.decodeBuf = out
	return out
}

// appendEntity appends what an entity (without '&' and ';') stands for;
// an unknown one is kept as written.
func appendEntity(out, e []byte) []byte {
	switch string(e) {
	case "lt":
		return append(out, '<')
	case "gt":
		return append(out, '>')
	case "amp":
		return append(out, '&')
	case "quot":
		return append(out, '"')
	case "apos":
		return append(out, '\'')
	}
	if len(e) > 1 && e[0] == '#' {
		n, base, digits := 0, 10, e[1:]
		if digits[0] == 'x' || digits[0] == 'X' {
			base, digits = 16, digits[1:]
		}
		ok := len(digits) > 0
		for _, c := range digits {
			var d int
			switch {
			case c >= '0' && c <= '9':
				d = int(c - '0')
			case base == 16 && c >= 'a' && c <= 'f':
				d = int(c-'a') + 10
			case base == 16 && c >= 'A' && c <= 'F':
				d = int(c-'A') + 10
			default:
				ok = false
			}
			n = n*base + d
			if n > 0x10FFFF {
				ok = false
			}
		}
		if ok {
			return utf8.AppendRune(out, rune(n))
		}
	}
	out = append(out, '&')
	out = append(out, e...)
	return append(out, ';')
}
