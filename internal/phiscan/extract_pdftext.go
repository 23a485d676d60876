package phiscan

import "bytes"

// pdfText runs the text operators of a content stream and returns the
// text shown, with line breaks where the text moves to a new line, and
// the number of character codes that could not be read. Strings are read
// through the current font's ToUnicode map (Tf selects it from fonts, by
// resource name); a font without one reads its bytes as Latin text, as
// the standard fonts of billing systems are, unless it is composite.
func pdfText(c []byte, fonts map[string]*pdfFont) ([]byte, int) {
	var out []byte
	// The string operands since the last operator, decoded into one
	// arena reused from operator to operator: a page shows thousands of
	// strings, and a slice each was most of the PDF reader's garbage.
	var arena, raw []byte
	var strs [][2]int
	var cur *pdfFont
	var name []byte // the last name operand, for Tf
	missed := 0
	decode := func(s []byte) {
		start := len(arena)
		if cur == nil || (cur.cmap == nil && !cur.composite) {
			arena = append(arena, s...) // a one-byte encoding read as Latin text, as before
		} else {
			var n int
			arena, n = cur.decode(arena, s)
			missed += n
		}
		strs = append(strs, [2]int{start, len(arena)})
	}
	lineHas := false
	newline := func() {
		if lineHas {
			out = append(out, '\n')
			lineHas = false
		}
	}
	show := func() {
		for _, s := range strs {
			out = append(out, arena[s[0]:s[1]]...)
			lineHas = true
		}
	}
	var nums []float64
	i := 0
	for i < len(c) {
		b := c[i]
		switch {
		case b == '(':
			var n int
			raw, n = appendPDFLiteral(raw[:0], c[i:])
			decode(raw)
			i += n
		case b == '<' && i+1 < len(c) && c[i+1] == '<':
			i += 2
		case b == '>':
			i++
		case b == '<':
			var n int
			raw, n = appendPDFHex(raw[:0], c[i:])
			decode(raw)
			i += n
		case b == '[', b == ']':
			i++
		case b == '%':
			for i < len(c) && c[i] != '\n' && c[i] != '\r' {
				i++
			}
		case b == '/':
			i++
			s := i
			for i < len(c) && isPDFRegular(c[i]) {
				i++
			}
			name = c[s:i]
		case isDigit(b) || b == '-' || b == '+' || b == '.':
			s := i
			i++
			for i < len(c) && (isDigit(c[i]) || c[i] == '.') {
				i++
			}
			// In a TJ array a large negative kerning is a word gap.
			if v := pdfNum(c[s:i]); v < -200 && len(strs) > 0 {
				arena = append(arena, ' ')
				strs = append(strs, [2]int{len(arena) - 1, len(arena)})
			} else {
				nums = append(nums, v)
			}
		case isLetter(b) || b == '\'' || b == '"' || b == '*':
			s := i
			i++
			for i < len(c) && (isLetter(c[i]) || c[i] == '*') {
				i++
			}
			switch string(c[s:i]) {
			case "Tj", "TJ":
				show()
			case "'", "\"":
				newline()
				show()
			case "Td", "TD":
				if len(nums) >= 2 && nums[len(nums)-1] != 0 {
					newline()
				} else if lineHas {
					out = append(out, ' ')
				}
			case "T*", "ET", "Tm":
				newline()
			case "Tf":
				cur = fonts[string(name)]
			}
			strs, arena = strs[:0], arena[:0]
			nums = nums[:0]
		default:
			i++
		}
		if len(out) > maxPDFStream {
			break
		}
	}
	newline()
	return out, missed
}

func isPDFRegular(c byte) bool {
	switch c {
	case ' ', '\t', '\r', '\n', '\f', 0, '(', ')', '<', '>', '[', ']', '{', '}', '/', '%':
		return false
	}
	return true
}

// pdfLiteral reads a (literal string) with nested parentheses and
// escapes; it returns the string and the bytes consumed.
func pdfLiteral(c []byte) ([]byte, int) { return appendPDFLiteral(nil, c) }

// appendPDFLiteral appends the string pdfLiteral reads to out.
func appendPDFLiteral(out, c []byte) ([]byte, int) {
	depth := 0
	i := 0
	for i < len(c) {
		b := c[i]
		switch b {
		case '(':
			depth++
			if depth > 1 {
				out = append(out, b)
			}
		case ')':
			depth--
			if depth == 0 {
				return out, i + 1
			}
			out = append(out, b)
		case '\\':
			i++
			if i >= len(c) {
				return out, i
			}
			e := c[i]
			switch e {
			case 'n':
				out = append(out, '\n')
			case 'r':
				out = append(out, '\r')
			case 't':
				out = append(out, '\t')
			case 'b', 'f':
			case '\r', '\n':
				// A line continuation.
			default:
				if e >= '0' && e <= '7' {
					v := 0
					k := 0
					for k < 3 && i < len(c) && c[i] >= '0' && c[i] <= '7' {
						v = v*8 + int(c[i]-'0')
						i++
						k++
					}
					out = append(out, byte(v))
					continue
				}
				out = append(out, e)
			}
		default:
			out = append(out, b)
		}
		i++
	}
	return out, i
}

// pdfHex reads a <hex string>.
func pdfHex(c []byte) ([]byte, int) { return appendPDFHex(nil, c) }

// appendPDFHex appends the bytes of a <hex string> to out.
func appendPDFHex(out, c []byte) ([]byte, int) {
	e := bytes.IndexByte(c, '>')
	if e < 0 {
		// Unterminated: the string runs to the end of the stream.
		e = len(c)
	}
	hi, have := byte(0), false
	for _, b := range c[1:e] {
		var v byte
		switch {
		case b >= '0' && b <= '9':
			v = b - '0'
		case b >= 'a' && b <= 'f':
			v = b - 'a' + 10
		case b >= 'A' && b <= 'F':
			v = b - 'A' + 10
		default:
			continue
		}
		if have {
			out = append(out, hi<<4|v)
			have = false
		} else {
			hi, have = v, true
		}
	}
	if have {
		out = append(out, hi<<4)
	}
	return out, min(e+1, len(c))
}

func pdfNum(b []byte) float64 {
	neg := false
	if len(b) > 0 && (b[0] == '-' || b[0] == '+') {
		neg = b[0] == '-'
		b = b[1:]
	}
	v, frac, scale := 0.0, false, 1.0
	for _, c := range b {
		if c == '.' {
			frac = true
			continue
		}
		if frac {
			scale /= 10
			v += float64(c-'0') * scale
		} else {
			v = v*10 + float64(c-'0')
		}
	}
	if neg {
		v = -v
	}
	return v
}
