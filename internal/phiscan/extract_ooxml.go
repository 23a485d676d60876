package phiscan

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Office files are read as streams of tags and text (xmlscan.go): a docx
// becomes lines of text (table rows as tab-separated lines), an xlsx
// sheet becomes rows for the table reader, with the first row as header.
// Only the small parts that say where the sheets are (workbook and its
// relationships) go through encoding/xml.

// docxTextPart says whether a part of a Word document holds its text:
// the body, headers, footers, footnotes, endnotes and comments.
func docxTextPart(n string) bool {
	if n == "word/document.xml" {
		return true
	}
	for _, p := range [...]string{"word/header", "word/footer", "word/footnotes", "word/endnotes", "word/comments"} {
		if strings.HasPrefix(n, p) && strings.HasSuffix(n, ".xml") && !strings.Contains(n[len(p):], "/") {
			return true
		}
	}
	return false
}

// listUnread lists the parts of an office file that may hold text but are
// not read: embedded objects (a workbook pasted into a letter, an OLE
// object) and, in a workbook, cell comments and notes.
func (j *job) listUnread(docPath string, zr *zip.Reader, kind string) {
	for _, f := range zr.File {
		n := f.Name
		switch {
		case strings.HasPrefix(n, "word/embeddings/"), strings.HasPrefix(n, "xl/embeddings/"):
			j.notice(docPath+"!"+n, "not inspected: embedded object (read it by saving it as a file of its own)")
		case kind == typeXLSX && strings.HasPrefix(n, "xl/comments") && strings.HasSuffix(n, ".xml"),
			kind == typeXLSX && strings.HasPrefix(n, "xl/threadedComments/"):
			j.notice(docPath+"!"+n, "not inspected: cell comments")
		}
	}
}

// scanDOCX reads the text parts of a Word document.
func (j *job) scanDOCX(docPath string, zr *zip.Reader) error {
	u := newUnit(docPath, typeDOCX, &j.s.lim, j.s.now)
	defer j.collect(u)
	j.listUnread(docPath, zr, typeDOCX)
	var parts []*zip.File
	for _, f := range zr.File {
		if docxTextPart(f.Name) {
			parts = append(parts, f)
		}
	}
	for _, f := range parts {
		rc, err := j.openEntry(f)
		if err != nil {
			j.notice(docPath+"!"+f.Name, "not inspected: %v", err)
			continue
		}
		pr, pw := io.Pipe()
		done := make(chan struct{})
		go func() {
			defer close(done)
			pw.CloseWithError(docxText(rc, pw))
		}()
		err = u.scanText(pr, recordParagraph)
		// Unblock and wait for the decoder before closing what it reads.
		pr.CloseWithError(errors.New("phiscan: scan stopped"))
		<-done
		rc.Close()
		if err != nil {
			j.notice(docPath+"!"+f.Name, "read error: %v", err)
		}
	}
	return nil
}

// docxText writes the text of a WordprocessingML part: a line per
// paragraph, table cells separated by tabs so a label and its value in
// one row stay on one line.
//
// A table whose first row reads as a header (no digits, and at least two
// cells naming a column: "Patient | SSN | Date of birth") is read like a
// spreadsheet: each later cell is written after its column's name
// ("Date of birth: 01/02/1960"), so the label look-back finds it. Tables
// of labels and values keep their own labels.
func docxText(r io.Reader, w io.Writer) error {
	x := newXMLScanner(r)
	var line bytes.Buffer
	inCell := 0
	inText := false
	type tableState struct {
		row, col  int
		headers   [][]byte // the first row's cells, when it is a header
		first     [][]byte // the first row's cells as read
		cellStart int      // where the current cell's text starts in line
		broken    bool     // the line was written out mid-row
	}
	var tables []*tableState
	// Lines are written to the scanner 32 KiB at a time: a write per
	// paragraph costs a goroutine switch through the pipe each.
	flush := func(end byte) error {
		line.WriteByte(end)
		if line.Len() < 32<<10 {
			return nil
		}
		if len(tables) > 0 {
			tables[len(tables)-1].broken = true
		}
		_, err := w.Write(line.Bytes())
		line.Reset()
		return err
	}
	for {
		ev, err := x.next()
		if err != nil {
			return fmt.Errorf("phiscan: docx xml: %w", err)
		}
		switch ev {
		case xmlEOF:
			_, err = w.Write(line.Bytes())
			return err
		case xmlStart:
			switch {
			case x.is("t"):
				inText = true
			case x.is("tab"):
				line.WriteByte('\t')
			case x.is("br"), x.is("cr"):
				if err := flush('\n'); err != nil {
					return err
				}
			case x.is("tc"):
				inCell++
				if n := len(tables); n > 0 {
					tb := tables[n-1]
					if tb.col < len(tb.headers) && len(tb.headers[tb.col]) > 0 {
						line.Write(tb.headers[tb.col])
						line.WriteString(": ")
					}
					tb.cellStart = line.Len()
				}
			case x.is("tbl"):
				tables = append(tables, &tableState{})
			case x.is("tr"):
				if n := len(tables); n > 0 {
					tables[n-1].col, tables[n-1].broken = 0, false
				}
			}
		case xmlEnd:
			switch {
			case x.is("tbl"):
				if n := len(tables); n > 0 {
					tables = tables[:n-1]
				}
			case x.is("t"):
				inText = false
			case x.is("p"):
				sep := byte('\n')
				if inCell > 0 {
					sep = ' '
				}
				if err := flush(sep); err != nil {
					return err
				}
			case x.is("tc"):
				inCell--
				if n := len(tables); n > 0 {
					tb := tables[n-1]
					if tb.row == 0 && !tb.broken && tb.cellStart <= line.Len() {
						tb.first = append(tb.first, bytes.TrimSpace(bytes.Clone(line.Bytes()[tb.cellStart:])))
					}
					tb.col++
				}
				line.WriteByte('\t')
			case x.is("tr"):
				if n := len(tables); n > 0 {
					tb := tables[n-1]
					if tb.row == 0 && !tb.broken && headerRow(tb.first) {
						tb.headers = tb.first
					}
					tb.row++
				}
				if err := flush('\n'); err != nil {
					return err
				}
			}
		case xmlText:
			if inText {
				line.Write(x.text)
			}
		}
	}
}

// headerRow says whether a table's first row names its columns: no
// digits anywhere (values have them), and two cells or more a column
// header the scanner knows ("Patient", "SSN", "Date of birth").
func headerRow(cells [][]byte) bool {
	named := 0
	for _, c := range cells {
		for _, b := range c {
			if isDigit(b) {
				return false
			}
		}
		if len(c) > 0 && len(c) <= 64 && headerRole(c) != roleNone {
			named++
		}
	}
	return named >= 2
}

// scanXLSX reads every worksheet of a workbook as a table.
func (j *job) scanXLSX(bookPath string, zr *zip.Reader) error {
	j.listUnread(bookPath, zr, typeXLSX)
	shared, err := j.sharedStrings(zr)
	if err != nil {
		j.notice(bookPath, "shared strings not read: %v", err)
	}
	for _, sh := range workbookSheets(zr) {
		f := findZip(zr, sh.part)
		if f == nil {
			continue
		}
		name := bookPath + "!" + sh.name
		rc, err := j.openEntry(f)
		if err != nil {
			j.notice(name, "not inspected: %v", err)
			continue
		}
		u := newUnit(name, typeXLSX, &j.s.lim, j.s.now)
		err = sheetRows(rc, shared, &table{u: u})
		rc.Close()
		if err != nil {
			j.notice(name, "read error: %v", err)
		}
		j.collect(u)
	}
	return nil
}

type sheetRef struct{ name, part string }

// workbookSheets lists the sheets in workbook order with their parts,
// falling back to the worksheet parts themselves when the workbook's
// relationships cannot be read.
func workbookSheets(zr *zip.Reader) []sheetRef {
	type rel struct {
		ID     string `xml:"Id,attr"`
		Target string `xml:"Target,attr"`
	}
	var rels struct {
		Rels []rel `xml:"Relationship"`
	}
	var wb struct {
		Sheets []struct {
			Name string `xml:"name,attr"`
			RID  string `xml:"http://schemas.openxmlformats.org/officeDocument/2006/relationships id,attr"`
		} `xml:"sheets>sheet"`
	}
	targets := map[string]string{}
	if readXMLPart(zr, "xl/_rels/workbook.xml.rels", &rels) == nil {
		for _, r := range rels.Rels {
			t := r.Target
			if strings.HasPrefix(t, "/") {
				t = t[1:]
			} else {
				t = path.Join("xl", t)
			}
			targets[r.ID] = t
		}
	}
	var out []sheetRef
	if readXMLPart(zr, "xl/workbook.xml", &wb) == nil {
		for _, s := range wb.Sheets {
			if t, ok := targets[s.RID]; ok {
				out = append(out, sheetRef{name: s.Name, part: t})
			}
		}
	}
	if len(out) > 0 {
		return out
	}
	for _, f := range zr.File {
		if strings.HasPrefix(f.Name, "xl/worksheets/") && strings.HasSuffix(f.Name, ".xml") {
			out = append(out, sheetRef{name: path.Base(f.Name), part: f.Name})
		}
	}
	sort.Slice(out, func(a, b int) bool { return out[a].part < out[b].part })
	return out
}

// readXMLPart decodes a small part (relationships, workbook) whole.
func readXMLPart(zr *zip.Reader, name string, v any) error {
	f := findZip(zr, name)
	if f == nil {
		return fmt.Errorf("phiscan: no part %s", name)
	}
	if f.UncompressedSize64 > 16<<20 {
		return fmt.Errorf("phiscan: part %s too large", name)
	}
	rc, err := f.Open()
	if err != nil {
		return fmt.Errorf("phiscan: open %s: %w", name, err)
	}
	defer rc.Close()
	if err := xml.NewDecoder(io.LimitReader(rc, 16<<20)).Decode(v); err != nil {
		return fmt.Errorf("phiscan: decode %s: %w", name, err)
	}
	return nil
}

// sharedStrings is the workbook's string table, held as one buffer and
// the end of each string in it.
type sharedStrings struct {
	buf  []byte
	ends []int
}

// get returns string i, and whether there is one.
func (ss *sharedStrings) get(i int) ([]byte, bool) {
	if ss == nil || i < 0 || i >= len(ss.ends) {
		return nil, false
	}
	start := 0
	if i > 0 {
		start = ss.ends[i-1]
	}
	return ss.buf[start:ss.ends[i]], true
}

// sharedStrings reads the workbook's string table, holding at most the
// memory limit of text; strings past it read as empty.
func (j *job) sharedStrings(zr *zip.Reader) (*sharedStrings, error) {
	f := findZip(zr, "xl/sharedStrings.xml")
	if f == nil {
		return nil, nil
	}
	rc, err := j.openEntry(f)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	x := newXMLScanner(rc)
	ss := &sharedStrings{}
	start := 0
	in := false
	for {
		ev, err := x.next()
		if err != nil {
			return ss, fmt.Errorf("phiscan: shared strings: %w", err)
		}
		switch ev {
		case xmlEOF:
			return ss, nil
		case xmlStart:
			switch {
			case x.is("si"):
				start = len(ss.buf)
			case x.is("t"):
				in = true
			}
		case xmlEnd:
			switch {
			case x.is("t"):
				in = false
			case x.is("si"):
				if int64(len(ss.buf)) > j.s.lim.MaxBuffer {
					ss.buf = ss.buf[:start]
				}
				ss.ends = append(ss.ends, len(ss.buf))
			}
		case xmlText:
			if in && int64(len(ss.buf)) <= j.s.lim.MaxBuffer {
				ss.buf = append(ss.buf, x.text...)
			}
		}
	}
}

// sheetRows streams a worksheet's rows into the table reader. The cells'
// buffers are reused from row to row.
func sheetRows(r io.Reader, shared *sharedStrings, t *table) error {
	x := newXMLScanner(r)
	var cells [][]byte
	var numeric []bool
	rowNum := 0
	col := 0
	var cellType byte // 0 for a number, 's' shared, 'o' other
	var val []byte
	inVal := false
	for {
		ev, err := x.next()
		if err != nil {
			return fmt.Errorf("phiscan: sheet xml: %w", err)
		}
		switch ev {
		case xmlEOF:
			return nil
		case xmlStart:
			switch {
			case x.is("row"):
				rowNum++
				cells, numeric = cells[:0], numeric[:0]
				if n, ok := atoiBytes(x.attr("r")); ok {
					rowNum = n
				}
			case x.is("c"):
				cellType = 0
				switch a := x.attr("t"); {
				case a == nil || string(a) == "n":
				case string(a) == "s":
					cellType = 's'
				default:
					cellType = 'o'
				}
				col = len(cells)
				if ref := x.attr("r"); ref != nil {
					col = columnIndex(ref)
				}
				val = val[:0]
			case x.is("v"), x.is("t"):
				inVal = true
			}
		case xmlEnd:
			switch {
			case x.is("v"), x.is("t"):
				inVal = false
			case x.is("c"):
				if col > 16384 {
					continue
				}
				for len(cells) <= col {
					// Reuse the buffer a cell had in an earlier row.
					if len(cells) < cap(cells) {
						cells = cells[:len(cells)+1]
						cells[len(cells)-1] = cells[len(cells)-1][:0]
					} else {
						cells = append(cells, nil)
					}
					numeric = append(numeric, false)
				}
				v := val
				if cellType == 's' {
					if i, ok := atoiBytes(v); ok {
						if sv, ok := shared.get(i); ok {
							v = sv
						}
					}
				}
				cells[col] = append(cells[col][:0], v...)
				numeric[col] = cellType == 0
			case x.is("row"):
				t.row(sheetCells(t, cells, numeric), rowNum)
			}
		case xmlText:
			if inVal {
				val = append(val, x.text...)
			}
		}
	}
}

// atoiBytes parses a non-negative decimal number of up to nine digits.
func atoiBytes(b []byte) (int, bool) {
	if len(b) == 0 || len(b) > 9 {
		return 0, false
	}
	n := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// sheetCells undoes what Excel does to numbers: an SSN column stored as a
// number loses its leading zeros, a birth date is a serial day number.
func sheetCells(t *table, cells [][]byte, numeric []bool) [][]byte {
	if t.roles == nil {
		return cells
	}
	for i, c := range cells {
		if i >= len(t.roles) || !numeric[i] || len(c) == 0 {
			continue
		}
		switch t.roles[i] {
		case roleSSN:
			if allDigits(c) && len(c) < 9 {
				cells[i] = append(bytes.Repeat([]byte{'0'}, 9-len(c)), c...)
			}
		case roleDOB, roleDate:
			if f, err := strconv.ParseFloat(string(c), 64); err == nil && f > 0 && f < 2958466 {
				d := time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC).AddDate(0, 0, int(f))
				cells[i] = []byte(d.Format("2006-01-02"))
			}
		}
	}
	return cells
}

// columnIndex turns a cell reference ("AB12") into a 0-based column.
func columnIndex(ref []byte) int {
	n := 0
	for i := 0; i < len(ref); i++ {
		c := ref[i]
		if c < 'A' || c > 'Z' {
			break
		}
		n = n*26 + int(c-'A'+1)
		if n > 16384 {
			return 16385
		}
	}
	return n - 1
}
