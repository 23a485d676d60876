package phiscan

import (
	"bytes"
	"errors"
	"io"
)

// table reads rows whose first row names the columns. A column header is
// a label for every cell below it, which is how a bare nine-digit number
// becomes an SSN and a plain date a birth date.
type table struct {
	u      *unit
	roles  []role
	seen   bool // the first row has been read
	health bool
}

// row scans one row; line is the row's first line (or sheet row number).
func (t *table) row(cells [][]byte, line int) {
	u := t.u
	if !t.seen {
		t.seen = true
		if t.isHeader(cells) {
			t.roles = make([]role, len(cells))
			for i, c := range cells {
				t.roles[i] = headerRole(c)
			}
			return
		}
	}
	for i, c := range cells {
		c = bytes.TrimSpace(c)
		if len(c) == 0 {
			continue
		}
		r := roleNone
		if i < len(t.roles) {
			r = t.roles[i]
		}
		t.cell(c, r, line)
	}
	u.endRecord()
}

// isHeader says whether a first row names columns: it has a cell that
// names a known role and no cell that looks like an identifier.
func (t *table) isHeader(cells [][]byte) bool {
	known := false
	for _, c := range cells {
		digits := 0
		for _, b := range c {
			if isDigit(b) {
				digits++
			}
		}
		if digits >= 4 {
			return false
		}
		if headerRole(c) != roleNone {
			known = true
		}
	}
	return known
}

func (t *table) cell(c []byte, r role, line int) {
	u := t.u
	switch r {
	case roleHealth:
		u.health = true
	case roleDate, roleNegative:
		// Dates of service and reference numbers: not identifiers.
	case roleName:
		if v, _, ok := nameAfter(c, 0); ok {
			u.addName(v, line, 0.95)
		}
	case roleAddress:
		if v, _, ok := addressAfter(c, 0); ok {
			u.addAddress(v, line, 0.95)
		}
	case rolePhone:
		for i := 0; i < len(c); i++ {
			if isDigit(c[i]) {
				if p, _, ok := phoneAt(c, i); ok {
					u.addPhone(p[:], line)
				}
				break
			}
		}
	case roleEmail:
		if at := bytes.IndexByte(c, '@'); at > 0 {
			if e, ok := emailAt(c, at); ok {
				u.addEmail(e, line)
			}
		}
	default:
		u.scanLine(c, line, r)
	}
}

// scanDelimited reads CSV or TSV: RFC 4180 quoting, with quoted fields
// that may span lines. A row is capped so a stray quote cannot make the
// rest of the file one field.
func (u *unit) scanDelimited(r io.Reader, delim byte) error {
	t := &table{u: u}
	buf := make([]byte, chunkSize)
	have := 0
	line := 1
	var cells [][]byte
	var rowBuf []byte
	for {
		n, err := io.ReadFull(r, buf[have:])
		have += n
		eof := errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF)
		if err != nil && !eof {
			return err
		}
		b := buf[:have]
		off := 0
		for off < len(b) {
			end, next, lines, complete := rowEnd(b[off:], eof)
			if !complete {
				if off == 0 && have == len(buf) {
					// One row larger than the buffer: scan what we have as one row.
					end, next, complete = len(b), len(b), true
				} else {
					break
				}
			}
			rowBuf, cells = splitRow(b[off:off+end], delim, rowBuf[:0], cells[:0])
			t.row(cells, line)
			line += lines
			off += next
		}
		copy(buf, buf[off:have])
		have -= off
		if eof {
			return nil
		}
	}
}

// rowEnd finds the end of the row at the start of b, honouring quotes. It
// returns the row's length without its line break, where the next row
// starts, how many line breaks it spans, and whether the row is complete.
func rowEnd(b []byte, eof bool) (end, next, lines int, complete bool) {
	// Fast path: a row without quotes ends at the first newline.
	nl := bytes.IndexByte(b, '\n')
	var head []byte
	if nl >= 0 {
		head = b[:nl]
	} else {
		head = b
	}
	if bytes.IndexByte(head, '"') < 0 {
		if nl < 0 {
			if eof {
				return len(b), len(b), 0, true
			}
			return 0, 0, 0, false
		}
		e := nl
		if e > 0 && b[e-1] == '\r' {
			e--
		}
		return e, nl + 1, 1, true
	}
	quoted := false
	for i := 0; i < len(b); i++ {
		switch b[i] {
		case '"':
			quoted = !quoted
		case '\n':
			lines++
			if !quoted {
				e := i
				if e > 0 && b[e-1] == '\r' {
					e--
				}
				return e, i + 1, lines, true
			}
		}
	}
	if eof {
		return len(b), len(b), lines, true
	}
	return 0, 0, 0, false
}

// splitRow splits one row into cells, removing quotes. Cells that needed
// unquoting are copied into scratch; others point into row.
func splitRow(row []byte, delim byte, scratch []byte, cells [][]byte) ([]byte, [][]byte) {
	if bytes.IndexByte(row, '"') < 0 {
		for {
			i := bytes.IndexByte(row, delim)
			if i < 0 {
				return scratch, append(cells, row)
			}
			cells = append(cells, row[:i])
			row = row[i+1:]
		}
	}
	i := 0
	for {
		if i < len(row) && row[i] == '"' {
			start := len(scratch)
			i++
			for i < len(row) {
				if row[i] == '"' {
					if i+1 < len(row) && row[i+1] == '"' {
						scratch = append(scratch, '"')
						i += 2
						continue
					}
					i++
					break
				}
				scratch = append(scratch, row[i])
				i++
			}
			for i < len(row) && row[i] != delim {
				scratch = append(scratch, row[i])
				i++
			}
			cells = append(cells, scratch[start:len(scratch):len(scratch)])
		} else {
			j := bytes.IndexByte(row[i:], delim)
			if j < 0 {
				cells = append(cells, row[i:])
				return scratch, cells
			}
			cells = append(cells, row[i:i+j])
			i += j
		}
		if i >= len(row) {
			return scratch, cells
		}
		i++ // the delimiter
		if i == len(row) {
			return scratch, append(cells, row[i:])
		}
	}
}
