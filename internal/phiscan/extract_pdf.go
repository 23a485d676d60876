package phiscan

import (
	"bytes"
	"compress/zlib"
	"fmt"
	"io"
	"slices"
	"strconv"
)

// PDF statements and letters are read for their text layer: objects are
// found by their "N G obj" headers (and inside object streams), Flate
// content streams are inflated, and the text-showing operators Tj, TJ, '
// and " give the text, page by page, through each font's ToUnicode map
// (extract_pdffont.go). A page with images and no text is reported as not
// inspected: rcmguard does no OCR; so is text no map explains.

const maxPDFStream = 64 << 20

type pdfObj struct {
	dict   []byte // the object's body before any stream
	stream []byte // raw stream bytes, nil when none
}

type pdfDoc struct {
	objs       map[int]*pdfObj
	order      []int // object numbers in file order
	inflated   int64
	maxInflate int64
	fontCache  map[int]*pdfFont

	inflater io.ReadCloser // one zlib reader, reset for every stream
	page     []byte        // pageContent's buffer, reused page to page
}

func (j *job) scanPDF(path string, ra io.ReaderAt, size int64) error {
	if size > j.s.lim.MaxBuffer {
		j.notice(path, "not inspected: PDF larger than the %d MiB that may be held in memory", j.s.lim.MaxBuffer>>20)
		return nil
	}
	data := make([]byte, size)
	if _, err := ra.ReadAt(data, 0); err != nil && err != io.EOF {
		return fmt.Errorf("phiscan: read pdf: %w", err)
	}
	maxInflate := j.s.lim.MaxBuffer
	if j.archives > 0 {
		// Streams inflated inside an archive count against its budget.
		left := j.budget - j.expanded
		if left <= 0 {
			j.notice(path, "not inspected: the archive's expansion limit was reached")
			return nil
		}
		maxInflate = min(maxInflate, left)
	}
	doc := parsePDF(data, maxInflate)
	if j.archives > 0 {
		j.expanded += doc.inflated
	}
	u := newUnit(path, typePDF, &j.s.lim, j.s.now)
	defer j.collect(u)
	pages := doc.pages()
	if len(pages) == 0 {
		j.notice(path, "not inspected: no pages found (damaged or encrypted PDF)")
		return nil
	}
	var imageOnly, unread []int
	for i, p := range pages {
		content := doc.pageContent(p)
		text, missed := pdfText(content, doc.fonts(p))
		if missed > 0 {
			unread = append(unread, i+1)
		}
		if len(bytes.TrimSpace(text)) == 0 {
			if bytes.Contains(content, []byte("Do")) || bytes.Contains(p.dict, []byte("/XObject")) {
				imageOnly = append(imageOnly, i+1)
			}
			continue
		}
		u.location = "page " + strconv.Itoa(i+1)
		if err := u.scanText(bytes.NewReader(text), recordParagraph); err != nil {
			return err
		}
	}
	for _, n := range imageOnly {
		j.notice(path, "page %d not inspected: image only, no text layer (no OCR)", n)
	}
	for _, n := range unread {
		j.notice(path, "page %d partly not inspected: text in a font without a ToUnicode map could not be read", n)
	}
	return nil
}

// parsePDF indexes the objects of a PDF, including those packed in
// object streams.
func parsePDF(data []byte, maxInflate int64) *pdfDoc {
	d := &pdfDoc{objs: map[int]*pdfObj{}, maxInflate: maxInflate}
	for off := 0; ; {
		i := bytes.Index(data[off:], []byte("obj"))
		if i < 0 {
			break
		}
		at := off + i
		off = at + 3
		num, ok := objHeader(data, at)
		if !ok || (off < len(data) && isLetter(data[off])) {
			continue
		}
		end := bytes.Index(data[off:], []byte("endobj"))
		if end < 0 {
			end = len(data) - off
		}
		body := data[off : off+end]
		o := &pdfObj{dict: body}
		if s := bytes.Index(body, []byte("stream")); s >= 0 && (s == 0 || body[s-1] != 'd') {
			st := s + len("stream")
			if st < len(body) && body[st] == '\r' {
				st++
			}
			if st < len(body) && body[st] == '\n' {
				st++
			}
			e := bytes.LastIndex(body, []byte("endstream"))
			if e < st {
				e = len(body)
			}
			o.dict, o.stream = body[:s], body[st:e]
		}
		if _, seen := d.objs[num]; !seen {
			d.order = append(d.order, num)
		}
		d.objs[num] = o
		off += end
	}
	// Objects packed in object streams (PDF 1.5 and later).
	for _, num := range append([]int(nil), d.order...) {
		o := d.objs[num]
		if o.stream == nil || !hasName(o.dict, "/Type", "/ObjStm") {
			continue
		}
		d.unpackObjStm(o)
	}
	return d
}

// objHeader checks that "obj" at data[at] is preceded by "N G " and
// returns N.
func objHeader(data []byte, at int) (int, bool) {
	i := at - 1
	for i >= 0 && (data[i] == ' ' || data[i] == '\r' || data[i] == '\n') {
		i--
	}
	ge := i
	for i >= 0 && isDigit(data[i]) {
		i--
	}
	if i == ge {
		return 0, false
	}
	for i >= 0 && (data[i] == ' ' || data[i] == '\r' || data[i] == '\n') {
		i--
	}
	ne := i
	for i >= 0 && isDigit(data[i]) {
		i--
	}
	if i == ne || ne-i > 9 {
		return 0, false
	}
	n, err := strconv.Atoi(string(data[i+1 : ne+1]))
	return n, err == nil
}

func (d *pdfDoc) unpackObjStm(o *pdfObj) {
	raw := d.decode(o)
	n := dictInt(o.dict, "/N")
	first := dictInt(o.dict, "/First")
	if raw == nil || n <= 0 || first <= 0 || first > len(raw) {
		return
	}
	f := bytes.Fields(raw[:first])
	type ent struct{ num, off int }
	var ents []ent
	for k := 0; k+1 < len(f) && len(ents) < n; k += 2 {
		a, err1 := strconv.Atoi(string(f[k]))
		b, err2 := strconv.Atoi(string(f[k+1]))
		if err1 != nil || err2 != nil || first+b > len(raw) {
			return
		}
		ents = append(ents, ent{a, first + b})
	}
	for k, e := range ents {
		end := len(raw)
		if k+1 < len(ents) && ents[k+1].off >= e.off {
			end = ents[k+1].off
		}
		if _, seen := d.objs[e.num]; !seen {
			d.order = append(d.order, e.num)
			d.objs[e.num] = &pdfObj{dict: raw[e.off:end]}
		}
	}
}

// decode returns a stream's bytes, inflated when Flate-encoded; nil for
// filters rcmguard does not read (images, encryption).
func (d *pdfDoc) decode(o *pdfObj) []byte {
	out := d.decodeTo(nil, o)
	if len(out) == 0 {
		return nil
	}
	return out
}

// inflate appends a FlateDecode stream to dst, within the document's
// inflation budget; a damaged stream gives what could be read. The zlib
// reader (and its 32 KiB window) is made once per document and reset for
// each stream: a page has several streams and a document thousands.
func (d *pdfDoc) inflate(dst, stream []byte) []byte {
	left := min(d.maxInflate-d.inflated, maxPDFStream)
	if left <= 0 {
		return dst
	}
	if d.inflater == nil {
		zr, err := zlib.NewReader(bytes.NewReader(stream))
		if err != nil {
			return dst
		}
		d.inflater = zr
	} else if err := d.inflater.(zlib.Resetter).Reset(bytes.NewReader(stream), nil); err != nil {
		return dst
	}
	start := len(dst)
	for int64(len(dst)-start) < left {
		if len(dst) == cap(dst) {
			dst = slices.Grow(dst, max(32<<10, len(stream)))
		}
		room := dst[len(dst):cap(dst)]
		if rest := left - int64(len(dst)-start); int64(len(room)) > rest {
			room = room[:rest]
		}
		n, err := d.inflater.Read(room)
		dst = dst[:len(dst)+n]
		if err != nil {
			break
		}
	}
	d.inflated += int64(len(dst) - start)
	return dst
}

// decodeTo appends the decoded stream of o to dst: raw when it has no
// filter, inflated when FlateDecode, nothing for other filters.
func (d *pdfDoc) decodeTo(dst []byte, o *pdfObj) []byte {
	if o.stream == nil {
		return dst
	}
	f := bytes.Index(o.dict, []byte("/Filter"))
	if f < 0 {
		return append(dst, o.stream...)
	}
	rest := o.dict[f+len("/Filter"):]
	if len(rest) > 64 {
		rest = rest[:64]
	}
	if !bytes.Contains(rest, []byte("/FlateDecode")) || bytes.Contains(rest, []byte("/DCTDecode")) {
		return dst
	}
	return d.inflate(dst, o.stream)
}

// pages returns the page objects in reading order: the page tree from its
// root, or file order when the tree cannot be followed.
func (d *pdfDoc) pages() []*pdfObj {
	var out []*pdfObj
	seen := map[int]bool{}
	var walk func(num, depth int)
	walk = func(num, depth int) {
		o, ok := d.objs[num]
		if !ok || seen[num] || depth > 32 {
			return
		}
		seen[num] = true
		if hasName(o.dict, "/Type", "/Page") {
			out = append(out, o)
			return
		}
		for _, k := range refs(o.dict, "/Kids") {
			walk(k, depth+1)
		}
	}
	for _, num := range d.order {
		o := d.objs[num]
		if hasName(o.dict, "/Type", "/Pages") && !bytes.Contains(o.dict, []byte("/Parent")) {
			walk(num, 0)
		}
	}
	if len(out) > 0 {
		return out
	}
	for _, num := range d.order {
		if o := d.objs[num]; hasName(o.dict, "/Type", "/Page") {
			out = append(out, o)
		}
	}
	return out
}

// pageContent concatenates the decoded content streams of a page into a
// buffer the next call reuses.
func (d *pdfDoc) pageContent(p *pdfObj) []byte {
	out := d.page[:0]
	for _, n := range refs(p.dict, "/Contents") {
		if o, ok := d.objs[n]; ok {
			out = d.decodeTo(out, o)
			out = append(out, '\n')
		}
	}
	d.page = out
	return out
}

// hasName reports whether dict has key followed by the exact name val.
func hasName(dict []byte, key, val string) bool {
	for off := 0; ; {
		i := bytes.Index(dict[off:], []byte(key))
		if i < 0 {
			return false
		}
		j := off + i + len(key)
		off = j
		for j < len(dict) && (dict[j] == ' ' || dict[j] == '\r' || dict[j] == '\n') {
			j++
		}
		if bytes.HasPrefix(dict[j:], []byte(val)) {
			e := j + len(val)
			if e >= len(dict) || !isAlnum(dict[e]) {
				return true
			}
		}
	}
}

// refs reads "key N G R" or "key [N G R …]" from dict.
func refs(dict []byte, key string) []int {
	i := bytes.Index(dict, []byte(key))
	if i < 0 {
		return nil
	}
	rest := bytes.TrimLeft(dict[i+len(key):], " \r\n")
	if len(rest) > 0 && rest[0] == '[' {
		if e := bytes.IndexByte(rest, ']'); e > 0 {
			rest = rest[1:e]
		}
	} else if e := bytes.IndexByte(rest, 'R'); e > 0 {
		rest = rest[:e+1]
	}
	f := bytes.Fields(rest)
	var out []int
	for k := 0; k+2 < len(f); k++ {
		if string(f[k+2]) == "R" {
			if n, err := strconv.Atoi(string(f[k])); err == nil {
				out = append(out, n)
			}
			k += 2
		}
	}
	return out
}

func dictInt(dict []byte, key string) int {
	i := bytes.Index(dict, []byte(key))
	if i < 0 {
		return 0
	}
	f := bytes.Fields(dict[i+len(key):])
	if len(f) == 0 {
		return 0
	}
	n, _ := strconv.Atoi(string(bytes.TrimRight(f[0], "/>")))
	return n
}
