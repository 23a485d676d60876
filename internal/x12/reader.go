// Package x12 reads ASC X12 interchanges (the 837, 835, 270/271, 276/277,
// 278, 834 and 999 files of medical billing) as a stream of segments and
// inspects them for envelope integrity and security problems.
//
// The reader keeps no more than one segment in memory: a 50 GB remittance
// archive costs the same as a 5 KB claim. Delimiters come from each ISA
// header, so a file may hold several interchanges with different
// separators.
package x12

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/bits"
)

// MaxSegmentSize bounds one segment. Real segments are a few hundred bytes
// at most; a longer run without a terminator means the input is not X12 or
// the terminator is wrong, and reading on would buffer the whole file.
const MaxSegmentSize = 1 << 20

// isaLen is the fixed length of the ISA segment, terminator included.
const isaLen = 106

// isaWidths are the fixed widths of ISA01 … ISA16.
var isaWidths = [16]int{2, 10, 2, 10, 2, 15, 2, 15, 6, 4, 1, 5, 9, 1, 1, 1}

// Delimiters are the separators an ISA header declares.
type Delimiters struct {
	Element    byte // byte 4 of the ISA segment
	Repetition byte // ISA11 from version 00402 on; 0 when the version has none
	Component  byte // ISA16
	Segment    byte // the byte after ISA16
}

// Segment is one X12 segment. Its byte slices point into the reader's
// buffer and are valid only until the next call to Reader.Next.
type Segment struct {
	ID     string // segment identifier: ISA, GS, ST, NM1, …
	Index  int    // 1-based segment number in the file
	Offset int64  // byte offset of the segment's first byte in the file

	data  []byte // the segment without its terminator
	elems []int  // start offsets in data of element 0 (the ID) … n; one extra end sentinel
	comp  byte
	rep   byte
}

// Len returns the number of elements after the segment ID.
func (s *Segment) Len() int { return len(s.elems) - 2 }

// Raw returns the segment's bytes without the terminator.
func (s *Segment) Raw() []byte { return s.data }

// Element returns element i, 1-based (Element(1) of an NM1 is NM101), or nil
// when the segment has fewer elements. A present but empty element is an
// empty, non-nil slice.
func (s *Segment) Element(i int) []byte {
	if i < 0 || i > s.Len() {
		return nil
	}
	start := s.elems[i]
	end := s.elems[i+1] - 1 // the separator (or the sentinel) is excluded
	return s.data[start:end:end]
}

// Component returns component j (1-based) of element i, or nil when absent.
// Component(i, 1) of an element without component separators is the whole
// element. Only the first repetition of a repeated element is considered.
func (s *Segment) Component(i, j int) []byte {
	e := s.Element(i)
	if e == nil || j < 1 {
		return nil
	}
	if s.rep != 0 {
		if k := bytes.IndexByte(e, s.rep); k >= 0 {
			e = e[:k:k]
		}
	}
	for n := 1; ; n++ {
		k := -1
		if s.comp != 0 {
			k = bytes.IndexByte(e, s.comp)
		}
		if n == j {
			if k < 0 {
				return e
			}
			return e[:k:k]
		}
		if k < 0 {
			return nil
		}
		e = e[k+1:]
	}
}

// SyntaxError reports input that is not well-formed X12. Segment and Offset
// locate the segment at fault.
type SyntaxError struct {
	Segment int   // 1-based segment number
	Offset  int64 // byte offset of the segment start
	Msg     string
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("x12: segment %d at byte %d: %s", e.Segment, e.Offset, e.Msg)
}

// Reader reads segments from an X12 stream.
//
// It manages its own buffer rather than using bufio: a segment is about 25
// bytes, so the per-segment calls of bufio's Peek, Discard and ReadSlice
// would cost as much as the parsing itself.
type Reader struct {
	src    io.Reader
	srcErr error  // the first error from src, io.EOF included
	buf    []byte // buf[r:w] is read but not consumed
	r, w   int
	off    int64 // stream offset of buf[r]
	index  int
	delim  Delimiters
	seg    Segment
	ids    *[256]idSlot
	err    error
	begun  bool
}

// readBufSize is the initial buffer. It grows only for a segment longer
// than itself, and never past MaxSegmentSize plus one read.
const readBufSize = 64 << 10

// NewReader returns a reader that reads X12 segments from r.
func NewReader(r io.Reader) *Reader {
	return &Reader{
		src: r,
		buf: make([]byte, readBufSize),
		ids: new([256]idSlot),
		seg: Segment{elems: make([]int, 0, 64)},
	}
}

// fill reads more input after buf[w], first moving the unconsumed bytes to
// the front and growing the buffer when it is full. It records the source's
// error in srcErr and reports whether any byte arrived.
func (r *Reader) fill() bool {
	if r.srcErr != nil {
		return false
	}
	if r.r > 0 {
		r.w = copy(r.buf, r.buf[r.r:r.w])
		r.r = 0
	}
	if r.w == len(r.buf) {
		r.buf = append(r.buf, make([]byte, len(r.buf))...)
	}
	// Tolerate a few empty reads, as bufio does, before calling it a stall.
	for range 100 {
		n, err := r.src.Read(r.buf[r.w:])
		r.w += n
		if err != nil {
			r.srcErr = err
		}
		if n > 0 || err != nil {
			return n > 0
		}
	}
	r.srcErr = io.ErrNoProgress
	return false
}

// peek returns up to n unconsumed bytes, fewer only at the end of input.
func (r *Reader) peek(n int) ([]byte, error) {
	for r.w-r.r < n && r.fill() {
	}
	end := min(r.w, r.r+n)
	return r.buf[r.r:end], r.readErr()
}

// readErr returns the source's error, except io.EOF, wrapped.
func (r *Reader) readErr() error {
	if r.srcErr == nil || errors.Is(r.srcErr, io.EOF) {
		return nil
	}
	return fmt.Errorf("x12: read: %w", r.srcErr)
}

func (r *Reader) discard(n int) {
	r.r += n
	r.off += int64(n)
}

// Delimiters returns the delimiters of the current interchange (the zero
// value before the first ISA has been read).
func (r *Reader) Delimiters() Delimiters { return r.delim }

// Offset returns the number of bytes consumed so far.
func (r *Reader) Offset() int64 { return r.off }

// Next returns the next segment, or io.EOF after the last one. Malformed
// input yields a *SyntaxError; once an error is returned, every later call
// returns it again.
func (r *Reader) Next() (*Segment, error) {
	if r.err != nil {
		return nil, r.err
	}
	seg, err := r.next()
	if err != nil {
		r.err = err
		return nil, err
	}
	return seg, nil
}

func (r *Reader) next() (*Segment, error) {
	if !r.begun {
		r.begun = true
		if err := r.skipBOM(); err != nil {
			return nil, err
		}
	}
	head, err := r.skipSpace()
	if err != nil {
		return nil, err
	}
	start := r.off
	if isISAStart(head) {
		return r.readISA()
	}
	if r.index == 0 {
		head, _ = r.peek(16)
		return nil, r.syntax(start, "file does not start with an ISA segment (found %q)", printable(head))
	}
	data, err := r.readSegment()
	if err != nil {
		return nil, err
	}
	return r.split(data, start)
}

func isISAStart(b []byte) bool {
	return len(b) >= 4 && b[0] == 'I' && b[1] == 'S' && b[2] == 'A' && !isAlnum(b[3]) && !isSpace(b[3])
}

func (r *Reader) skipBOM() error {
	b, err := r.peek(3)
	if err != nil {
		return err
	}
	if bytes.HasPrefix(b, []byte("\xef\xbb\xbf")) {
		r.discard(3)
	}
	return nil
}

// skipSpace drops the CR, LF, spaces and tabs that files put between
// segments (a segment ID never starts with one of them) and returns up to
// four bytes of what follows.
func (r *Reader) skipSpace() ([]byte, error) {
	for {
		for r.r < r.w && isSpace(r.buf[r.r]) {
			r.discard(1)
		}
		if r.w-r.r >= 4 {
			return r.buf[r.r : r.r+4], nil
		}
		b, err := r.peek(4)
		if err != nil {
			return nil, err
		}
		if len(b) == 0 {
			return nil, io.EOF
		}
		if !isSpace(b[0]) {
			return b, nil
		}
	}
}

// readISA reads the fixed-length ISA header and takes the delimiters from
// it. Widths are checked element by element so the error names the field
// that is wrong, which is what a person fixing a trading-partner setup needs.
func (r *Reader) readISA() (*Segment, error) {
	start := r.off
	buf, err := r.peek(256)
	if err != nil {
		return nil, err
	}
	sep := buf[3]
	// Find the separator before ISA16; ISA16 is the byte after it and the
	// terminator the byte after that.
	pos := 3
	n := 0
	for i := 4; i < len(buf) && n < 15; i++ {
		if buf[i] == sep {
			n++
			pos = i
		}
	}
	if n < 15 || pos+2 >= len(buf) {
		return nil, r.syntax(start, "ISA segment is truncated: found %d of 16 elements", n+1)
	}
	length := pos + 3
	comp, term := buf[pos+1], buf[pos+2]
	if length != isaLen {
		return nil, r.syntax(start, "ISA segment is %d bytes, want %d%s", length, isaLen, isaWidthHint(buf[:length], sep))
	}
	if msg := isaWidthHint(buf[:length], sep); msg != "" {
		return nil, r.syntax(start, "ISA segment has misplaced separators%s", msg)
	}
	version := buf[84:89]
	rep := buf[82]
	if isAlnum(rep) || isSpace(rep) || string(version) < "00402" {
		rep = 0
	}
	if msg := checkDelimiters(sep, rep, comp, term); msg != "" {
		return nil, r.syntax(start, "%s", msg)
	}
	r.delim = Delimiters{Element: sep, Repetition: rep, Component: comp, Segment: term}
	r.discard(isaLen)
	return r.split(buf[:isaLen-1], start)
}

// isaWidthHint names the first ISA element whose width is wrong.
func isaWidthHint(isa []byte, sep byte) string {
	el := bytes.Split(isa[4:len(isa)-1], []byte{sep})
	for i, w := range isaWidths {
		if i >= len(el) {
			break
		}
		if len(el[i]) != w {
			return fmt.Sprintf(" (ISA%02d is %d bytes, want %d)", i+1, len(el[i]), w)
		}
	}
	return ""
}

func checkDelimiters(sep, rep, comp, term byte) string {
	if isAlnum(comp) || isSpace(comp) {
		return fmt.Sprintf("ISA16 component separator %q is a letter, digit or space", comp)
	}
	if isAlnum(term) || term == ' ' {
		return fmt.Sprintf("segment terminator %q is a letter, digit or space", term)
	}
	if sep == comp || sep == term || comp == term || rep != 0 && (rep == sep || rep == comp || rep == term) {
		return "one character is used for two delimiter roles in the ISA header"
	}
	return ""
}

// readSegment returns the next segment's bytes without the terminator.
// The slice points into the buffer and stays valid until the next fill.
func (r *Reader) readSegment() ([]byte, error) {
	term := r.delim.Segment
	searched := 0 // bytes after r.r known to hold no terminator
	for {
		if i := bytes.IndexByte(r.buf[r.r+searched:r.w], term); i >= 0 {
			end := r.r + searched + i
			data := r.buf[r.r:end]
			r.discard(end + 1 - r.r)
			return data, nil
		}
		searched = r.w - r.r
		if searched > MaxSegmentSize {
			return nil, r.syntax(r.off,
				"segment is longer than %d bytes (wrong or missing segment terminator %q?)", MaxSegmentSize, term)
		}
		if !r.fill() {
			if err := r.readErr(); err != nil {
				return nil, err
			}
			// A missing final terminator is common and harmless; the
			// envelope checks still notice a truncated interchange.
			data := bytes.TrimRight(r.buf[r.r:r.w], " \t\r\n")
			r.discard(r.w - r.r)
			return data, nil
		}
	}
}

// split fills the reader's segment from data, which starts at byte start.
func (r *Reader) split(data []byte, start int64) (*Segment, error) {
	s := &r.seg
	s.Index, s.Offset, s.data = r.index+1, start, data
	s.comp, s.rep = r.delim.Component, r.delim.Repetition
	s.elems = append(s.elems[:0], 0)
	s.elems = appendSeparators(s.elems, data, r.delim.Element)
	s.elems = append(s.elems, len(data)+1)
	id := data[:s.elems[1]-1]
	if !validID(id) {
		return nil, r.syntax(start, "segment ID %q is not 2 or 3 capital letters or digits", printable(id))
	}
	r.index++
	s.ID = r.intern(id)
	return s, nil
}

// idSlot caches one segment ID string, keyed by its packed bytes.
type idSlot struct {
	key  uint32
	name string
}

// intern returns a string for a 2–3 byte segment ID without allocating
// after the first time the ID is seen. An open-addressed table is cheaper
// than a map lookup on every segment; it is fixed in size so hostile input
// cannot grow it, and when a probe run is full an ID costs an allocation.
func (r *Reader) intern(id []byte) string {
	key := uint32(id[0])<<16 | uint32(id[1])<<8
	if len(id) == 3 {
		key |= uint32(id[2])
	}
	h := (key * 2654435761) >> 24
	for p := range uint32(8) {
		slot := &r.ids[(h+p)&255]
		if slot.key == key && slot.name != "" {
			return slot.name
		}
		if slot.name == "" {
			*slot = idSlot{key: key, name: string(id)}
			return slot.name
		}
	}
	return string(id)
}

// appendSeparators appends the offset after each sep byte in data. Elements
// average a few bytes, too short for bytes.IndexByte to pay off, so it
// tests eight bytes at a time with the "has zero byte" bit trick.
func appendSeparators(elems []int, data []byte, sep byte) []int {
	const lo, hi = 0x0101010101010101, 0x8080808080808080
	pat := lo * uint64(sep)
	i := 0
	for ; i+8 <= len(data); i += 8 {
		v := binary.LittleEndian.Uint64(data[i:]) ^ pat
		// The lowest flagged byte is exact; a borrow can flag a byte
		// above a real match, so every candidate is confirmed.
		for t := (v - lo) &^ v & hi; t != 0; t &= t - 1 {
			k := i + bits.TrailingZeros64(t)>>3
			if data[k] == sep {
				elems = append(elems, k+1)
			}
		}
	}
	for ; i < len(data); i++ {
		if data[i] == sep {
			elems = append(elems, i+1)
		}
	}
	return elems
}

func validID(id []byte) bool {
	if len(id) < 2 || len(id) > 3 {
		return false
	}
	for _, c := range id {
		if !('A' <= c && c <= 'Z' || '0' <= c && c <= '9') {
			return false
		}
	}
	return true
}

// syntax reports an error in the segment being read, which is the one after
// the last segment returned.
func (r *Reader) syntax(off int64, format string, args ...any) error {
	return &SyntaxError{Segment: r.index + 1, Offset: off, Msg: fmt.Sprintf(format, args...)}
}

func isAlnum(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9'
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

// printable shortens b for an error message; callers quote it with %q so
// control bytes stay visible.
func printable(b []byte) string {
	if len(b) > 16 {
		b = b[:16]
	}
	return string(b)
}

// Sniff reports whether prefix, after an optional UTF-8 byte order mark and
// white space, starts an ISA interchange header. It needs only the first
// few bytes of a file.
func Sniff(prefix []byte) bool {
	b := bytes.TrimPrefix(prefix, []byte("\xef\xbb\xbf"))
	b = bytes.TrimLeft(b, " \t\r\n")
	if !isISAStart(b) {
		return false
	}
	// ISA01 is two characters, so the separator repeats at byte 6.
	return len(b) < 7 || b[6] == b[3]
}
