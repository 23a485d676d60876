package phiscan

import (
	"bytes"

	"rcmguard/internal/x12"
)

// File types as reported in findings.
const (
	typeText   = "text"
	typeLog    = "log"
	typeCSV    = "csv"
	typeTSV    = "tsv"
	typeJSON   = "json"
	typeJSONL  = "jsonl"
	typeX12    = "x12"
	typeZip    = "zip"
	typeXLSX   = "xlsx"
	typeDOCX   = "docx"
	typePDF    = "pdf"
	typeEML    = "eml"
	typeMbox   = "mbox"
	typeBinary = "binary"
)

// sniffLen is how much of the start of a file sniff looks at.
const sniffLen = 8 << 10

// sniff recognises content from its first bytes. Extensions lie (X12
// files end in .txt, .dat or nothing; exports are renamed), bytes do not.
// Zip-based office files are told apart later, from their entries.
func sniff(p []byte) string {
	switch {
	case bytes.HasPrefix(p, []byte("PK\x03\x04")), bytes.HasPrefix(p, []byte("PK\x05\x06")):
		return typeZip
	case bytes.HasPrefix(p, []byte("%PDF-")):
		return typePDF
	case x12.Sniff(p):
		return typeX12
	}
	if isBinary(p) {
		return typeBinary
	}
	t := bytes.TrimPrefix(p, []byte("\xef\xbb\xbf"))
	if bytes.HasPrefix(t, []byte("From ")) && looksLikeMail(t[bytes.IndexByte(t, '\n')+1:]) {
		return typeMbox
	}
	if looksLikeMail(t) {
		return typeEML
	}
	trim := bytes.TrimLeft(t, " \t\r\n")
	if looksLikeJSON(trim) {
		first, rest, _ := bytes.Cut(trim, []byte{'\n'})
		first = bytes.TrimSpace(first)
		rest = bytes.TrimSpace(rest)
		if len(first) > 1 && first[0] == '{' && first[len(first)-1] == '}' && (len(rest) == 0 || rest[0] == '{') {
			return typeJSONL
		}
		return typeJSON
	}
	if d := delimiterOf(t); d != 0 {
		if d == '\t' {
			return typeTSV
		}
		return typeCSV
	}
	if looksLikeLog(t) {
		return typeLog
	}
	return typeText
}

// looksLikeJSON checks the first bytes of a JSON document: an object, or
// an array whose first element starts like a JSON value ("[Icon Theme]"
// is an INI file, not JSON).
func looksLikeJSON(t []byte) bool {
	if len(t) == 0 {
		return false
	}
	if t[0] == '{' {
		return true
	}
	if t[0] != '[' {
		return false
	}
	r := bytes.TrimLeft(t[1:], " \t\r\n")
	if len(r) == 0 {
		return true
	}
	switch c := r[0]; {
	case c == '{', c == '[', c == '"', c == ']', c == '-', isDigit(c):
		return true
	case bytes.HasPrefix(r, []byte("true")), bytes.HasPrefix(r, []byte("false")), bytes.HasPrefix(r, []byte("null")):
		return true
	}
	return false
}

// isBinary says whether content is not text: a NUL byte, or many control
// bytes, in the sniffed prefix. UTF-8 and Latin-1 letters are text.
func isBinary(p []byte) bool {
	ctl := 0
	for _, c := range p {
		if c == 0 {
			return true
		}
		if c < 0x20 && c != '\n' && c != '\r' && c != '\t' && c != '\f' && c != 0x1b {
			ctl++
		}
	}
	return ctl*20 > len(p)
}

// looksLikeMail checks for an RFC 5322 header block: header lines up to a
// blank line, with at least two of the headers every message has.
func looksLikeMail(p []byte) bool {
	known := 0
	lines := 0
	for len(p) > 0 && lines < 60 {
		l, rest, _ := bytes.Cut(p, []byte{'\n'})
		p = rest
		l = bytes.TrimRight(l, "\r")
		if len(l) == 0 {
			break
		}
		lines++
		if l[0] == ' ' || l[0] == '\t' {
			continue
		}
		colon := bytes.IndexByte(l, ':')
		if colon <= 0 {
			return false
		}
		for _, c := range l[:colon] {
			if !isAlnum(c) && c != '-' {
				return false
			}
		}
		switch string(bytes.ToLower(l[:colon])) {
		case "from", "to", "subject", "date", "message-id", "mime-version", "received", "content-type", "return-path":
			known++
		}
	}
	return known >= 2
}

// delimiterOf says whether text is a table: the first lines hold the same
// number (at least two) of commas, tabs, semicolons or pipes.
func delimiterOf(p []byte) byte {
	var lines [][]byte
	for len(p) > 0 && len(lines) < 6 {
		l, rest, found := bytes.Cut(p, []byte{'\n'})
		if !found && len(lines) > 0 {
			break // a cut-off last line proves nothing
		}
		p = rest
		if len(bytes.TrimSpace(l)) > 0 {
			lines = append(lines, l)
		}
	}
	if len(lines) < 2 {
		return 0
	}
	for _, d := range []byte{'\t', ',', ';', '|'} {
		n := countOutsideQuotes(lines[0], d)
		if n < 1 || (n == 1 && !namesColumns(lines[0], d)) {
			// Two columns only count when the header names them: prose
			// has a comma per line often enough.
			continue
		}
		same := true
		for _, l := range lines[1:] {
			if countOutsideQuotes(l, d) != n {
				same = false
				break
			}
		}
		if same {
			return d
		}
	}
	return 0
}

func namesColumns(l []byte, d byte) bool {
	for _, c := range bytes.Split(l, []byte{d}) {
		if headerRole(c) != roleNone {
			return true
		}
	}
	return false
}

func countOutsideQuotes(l []byte, d byte) int {
	n := 0
	q := false
	for _, c := range l {
		if c == '"' {
			q = !q
		} else if c == d && !q {
			n++
		}
	}
	return n
}

// looksLikeLog says whether most of the first lines start with a
// timestamp or a bracketed level, the shape of application logs.
func looksLikeLog(p []byte) bool {
	lines, stamped := 0, 0
	for len(p) > 0 && lines < 10 {
		l, rest, _ := bytes.Cut(p, []byte{'\n'})
		p = rest
		if len(bytes.TrimSpace(l)) == 0 {
			continue
		}
		lines++
		if len(l) > 4 && (l[0] == '[' || (isDigit(l[0]) && isDigit(l[1]) && isDigit(l[2]) && isDigit(l[3]))) {
			stamped++
		}
	}
	return lines >= 2 && stamped*10 >= lines*8
}
