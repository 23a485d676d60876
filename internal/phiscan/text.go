package phiscan

import (
	"bytes"
	"errors"
	"io"
)

// recordMode says how lines group into records, the unit inside which a
// name or phone number counts as "beside" an identifier.
type recordMode uint8

const (
	recordParagraph recordMode = iota // prose, letters, email bodies: blank-line paragraphs
	recordLine                        // logs and JSON Lines: each line stands alone
	recordJSON                        // pretty JSON: an object closes a record
)

// maxRecordLines bounds a paragraph so a file without blank lines does
// not become one record.
const maxRecordLines = 12

const chunkSize = 256 << 10

// scanText streams r through the shape scanner in chunks cut at line
// ends, so memory stays at one chunk whatever the size of the input.
func (u *unit) scanText(r io.Reader, mode recordMode) error {
	// One buffer per unit: a PDF scans each page through here.
	if u.chunk == nil {
		u.chunk = make([]byte, chunkSize)
	}
	buf := u.chunk
	have := 0
	line := 1
	for {
		n, err := io.ReadFull(r, buf[have:])
		have += n
		eof := errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF)
		if err != nil && !eof {
			return err
		}
		cut := have
		if !eof {
			cut = cutPoint(buf[:have])
		}
		line = u.scanChunk(buf[:cut], line, mode)
		copy(buf, buf[cut:have])
		have -= cut
		if eof {
			return nil
		}
	}
}

// cutPoint picks where to end a full chunk: after its last newline, or
// failing that (one enormous line) at a byte that cannot be inside a
// token, so identifiers are not split.
func cutPoint(b []byte) int {
	if i := bytes.LastIndexByte(b, '\n'); i >= 0 {
		return i + 1
	}
	for i := len(b) - 1; i > len(b)-256 && i > 0; i-- {
		c := b[i]
		if !isAlnum(c) && c != '-' && c != ' ' && c != '/' && c != '@' && c != '.' {
			return i + 1
		}
	}
	return len(b)
}

// scanChunk scans whole lines and returns the next line number.
func (u *unit) scanChunk(b []byte, line int, mode recordMode) int {
	recStart, recLine, recLines := 0, line, 0
	closeRec := func(end int) {
		if u.recID {
			u.scanBeside(b[recStart:end], recLine)
		}
		u.endRecord()
	}
	off := 0
	for off < len(b) {
		nl := bytes.IndexByte(b[off:], '\n')
		end := len(b)
		next := len(b)
		if nl >= 0 {
			end = off + nl
			next = end + 1
		}
		l := b[off:end]
		if len(l) > 0 && l[len(l)-1] == '\r' {
			l = l[:len(l)-1]
		}
		blank := blankLine(l)
		if blank && mode != recordLine {
			if recLines > 0 {
				closeRec(off)
			}
			recStart, recLine, recLines = next, line+1, 0
		} else {
			u.scanLine(l, line, roleNone)
			recLines++
			endHere := mode == recordLine || (mode == recordParagraph && recLines >= maxRecordLines)
			if mode == recordJSON {
				// An object's closing brace ends a record; a long object
				// still ends at a bound.
				t := bytes.TrimSpace(l)
				endHere = t[0] == '}' || recLines >= 8*maxRecordLines
			}
			if endHere {
				closeRec(next)
				recStart, recLine, recLines = next, line+1, 0
			}
		}
		line++
		off = next
	}
	if recLines > 0 {
		closeRec(len(b))
	}
	// The chunk ended mid-line (one enormous line): the line goes on.
	if len(b) > 0 && b[len(b)-1] != '\n' {
		line--
	}
	return line
}

// blankLine says whether l holds only white space; most lines start with
// a printable byte and are answered at once.
func blankLine(l []byte) bool {
	for _, c := range l {
		switch c {
		case ' ', '\t', '\r', '\v', '\f':
		default:
			return c >= 0x80 && len(bytes.TrimSpace(l)) == 0
		}
	}
	return true
}
