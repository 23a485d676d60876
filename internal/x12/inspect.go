package x12

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"

	"rcmguard/internal/evidence"
)

// ReportFormat identifies the JSON document written by `rcmguard edi
// inspect --format json`. It changes only when a field changes meaning or
// disappears; new fields may be added within the same format.
const ReportFormat = "rcmguard.edi-inspect/v1"

// Report is the result of inspecting one or more files in one run.
type Report struct {
	Format string  `json:"format"`
	Files  []*File `json:"files"`
}

// File is what one file holds and what is wrong with it.
type File struct {
	Path         string         `json:"path"`
	Bytes        int64          `json:"bytes"`
	Segments     int            `json:"segments"`
	Interchanges []*Interchange `json:"interchanges"`
	Findings     []Finding      `json:"findings"`
	// Suppressed counts findings per check beyond the first
	// MaxFindingsPerCheck, so a 100,000-claim file stays readable.
	Suppressed map[string]int `json:"suppressed,omitempty"`
	// Error is set when the file is not well-formed X12; interchanges and
	// findings then cover the part read before the error.
	Error *FileError `json:"error,omitempty"`
}

// FileError locates malformed input.
type FileError struct {
	Segment int    `json:"segment"`
	Offset  int64  `json:"offset"`
	Message string `json:"message"`
}

// Party is a trading partner named in the ISA header.
type Party struct {
	Qualifier string `json:"qualifier"` // ISA05 / ISA07
	ID        string `json:"id"`        // ISA06 / ISA08, trimmed
}

// Interchange is one ISA … IEA envelope.
type Interchange struct {
	Segment       int      `json:"segment"`
	Offset        int64    `json:"offset"`
	Sender        Party    `json:"sender"`
	Receiver      Party    `json:"receiver"`
	Date          string   `json:"date"`           // ISA09, YYMMDD
	Time          string   `json:"time"`           // ISA10, HHMM
	Version       string   `json:"version"`        // ISA12: 00401, 00501
	ControlNumber string   `json:"control_number"` // ISA13
	Usage         string   `json:"usage"`          // ISA15: P production, T test
	Groups        []*Group `json:"groups"`
}

// Group is one GS … GE functional group.
type Group struct {
	Segment          int           `json:"segment"`
	Offset           int64         `json:"offset"`
	FunctionalID     string        `json:"functional_id"` // GS01: HC, HP, HS, HB, FA, …
	Sender           string        `json:"sender"`        // GS02
	Receiver         string        `json:"receiver"`      // GS03
	ControlNumber    string        `json:"control_number"`
	Version          string        `json:"version"` // GS08, e.g. 005010X222A1
	TransactionCount int           `json:"transaction_count"`
	Transactions     []Transaction `json:"transactions"` // at most MaxListedTransactions
}

// Transaction is one ST … SE transaction set.
type Transaction struct {
	Segment        int    `json:"segment"`
	Offset         int64  `json:"offset"`
	Type           string `json:"type"`                     // ST01: 837, 835, 270, …
	ControlNumber  string `json:"control_number"`           // ST02
	Implementation string `json:"implementation,omitempty"` // ST03
	Segments       int    `json:"segments"`                 // counted, ST and SE included
}

// Finding is one problem, located by segment number and byte offset.
type Finding struct {
	Check    string            `json:"check"`
	Severity evidence.Severity `json:"severity"`
	Segment  int               `json:"segment"`
	Offset   int64             `json:"offset"`
	Message  string            `json:"message"`
}

// Limits that keep a report bounded whatever the input size.
const (
	MaxFindingsPerCheck   = 25
	MaxListedTransactions = 1000
)

// Inspector inspects files one after another and remembers what it needs
// to find problems across files (reused control numbers, one password sent
// to several partners). It is not safe for concurrent use.
type Inspector struct {
	controls  map[string]string            // sender + ISA13 → where first seen
	passwords map[[32]byte]map[string]bool // hash of ISA03+ISA04 → receivers
}

// NewInspector returns an inspector for one run.
func NewInspector() *Inspector {
	return &Inspector{controls: map[string]string{}, passwords: map[[32]byte]map[string]bool{}}
}

// Inspect reads one file. path is used for reporting and for the
// location-based checks (test folders, log files); r supplies the bytes.
// A file that is not well-formed X12 yields a *SyntaxError and a File
// describing what was read before it; I/O errors are wrapped.
func (in *Inspector) Inspect(path string, r io.Reader) (*File, error) {
	f := &File{Path: path, Interchanges: []*Interchange{}, Findings: []Finding{}}
	head := make([]byte, 512)
	n, err := io.ReadFull(r, head)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
		return f, fmt.Errorf("x12: read %s: %w", path, err)
	}
	head = head[:n]
	br := io.MultiReader(bytes.NewReader(head), r)
	loc := classifyPath(path)
	if !Sniff(head) && loc.log {
		// A log is not X12, but X12 pasted into it is PHI at rest in the
		// wrong place; look for it instead of refusing the file.
		return f, in.scanLog(f, bufio.NewReaderSize(br, readBufSize))
	}
	st := &walk{in: in, f: f, loc: loc}
	// Some findings are only known at a trailer (a test interchange's
	// identifiers); list them all in file order.
	defer func() {
		sort.SliceStable(f.Findings, func(i, j int) bool { return f.Findings[i].Offset < f.Findings[j].Offset })
	}()
	if loc.log && Sniff(head) {
		st.findingAt(CheckX12InLogs, evidence.SeverityHigh, 1, 0,
			"an X12 interchange is stored as a log file: logs are not an approved place for claim data")
	}
	rd := NewReader(br)
	for {
		seg, err := rd.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			f.Bytes = rd.Offset()
			var se *SyntaxError
			if errors.As(err, &se) {
				f.Error = &FileError{Segment: se.Segment, Offset: se.Offset, Message: se.Msg}
			}
			// Report what the part already read showed (a test interchange
			// with real identifiers), but no missing trailers: the error
			// explains those.
			st.finishInterchange()
			return f, err
		}
		f.Segments++
		st.segment(seg)
	}
	f.Bytes = rd.Offset()
	if f.Segments == 0 {
		se := &SyntaxError{Segment: 1, Offset: 0, Msg: "file is empty: no ISA segment"}
		f.Error = &FileError{Segment: 1, Message: se.Msg}
		return f, se
	}
	st.end()
	return f, nil
}

// walk is the envelope state of one file while its segments stream by.
type walk struct {
	in  *Inspector
	f   *File
	loc location

	ic       *Interchange
	icGroups int
	icStray  bool // a segment outside any transaction set was reported

	grp *Group

	tx      *Transaction // the open transaction set
	spare   Transaction  // holds the open set once the group's list is full
	names   map[string]string
	txCount int

	// Real-looking identifiers in the open interchange, for the
	// isa-test-indicator check on ISA15=T interchanges.
	real       int
	realSeg    int
	realOff    int64
	realSample string
}

func (w *walk) finding(check string, sev evidence.Severity, seg *Segment, format string, args ...any) {
	w.findingAt(check, sev, seg.Index, seg.Offset, format, args...)
}

func (w *walk) findingAt(check string, sev evidence.Severity, index int, off int64, format string, args ...any) {
	n := 0
	for _, f := range w.f.Findings {
		if f.Check == check {
			n++
		}
	}
	if n >= MaxFindingsPerCheck {
		if w.f.Suppressed == nil {
			w.f.Suppressed = map[string]int{}
		}
		w.f.Suppressed[check]++
		return
	}
	w.f.Findings = append(w.f.Findings, Finding{
		Check: check, Severity: sev, Segment: index, Offset: off, Message: fmt.Sprintf(format, args...),
	})
}

func (w *walk) segment(s *Segment) {
	switch s.ID {
	case "ISA":
		w.openInterchange(s)
	case "GS":
		w.openGroup(s)
	case "ST":
		w.openTransaction(s)
	case "SE":
		w.closeTransaction(s)
	case "GE":
		w.closeGroup(s)
	case "IEA":
		w.closeInterchange(s)
	default:
		switch {
		case w.tx != nil:
			w.txCount++
		case s.ID == "TA1" && w.ic != nil && w.grp == nil:
			// An interchange acknowledgment sits between ISA and GS.
		case !w.icStray:
			w.icStray = true
			w.finding(CheckEnvelopeMismatch, evidence.SeverityMedium, s,
				"%s segment outside a transaction set (no open ST)", s.ID)
		}
		w.identifiers(s)
	}
}

func (w *walk) openInterchange(s *Segment) {
	if w.ic != nil {
		w.closeOpen(levelInterchange, s.Index, s.Offset, "before the next ISA")
	}
	el := func(i int) string { return string(bytes.TrimSpace(s.Element(i))) }
	ic := &Interchange{
		Segment: s.Index, Offset: s.Offset,
		Sender:   Party{Qualifier: el(5), ID: el(6)},
		Receiver: Party{Qualifier: el(7), ID: el(8)},
		Date:     el(9), Time: el(10), Version: el(12), ControlNumber: el(13), Usage: el(15),
		Groups: []*Group{},
	}
	w.f.Interchanges = append(w.f.Interchanges, ic)
	w.ic, w.icGroups, w.icStray = ic, 0, false
	w.real, w.realSample = 0, ""

	w.credentials(s, ic)
	if ic.Usage == "P" && w.loc.test != "" {
		w.finding(CheckISATestIndicator, evidence.SeverityMedium, s,
			"production interchange %s (ISA15=P) stored in a test location (%q in the path)", ic.ControlNumber, w.loc.test)
	}
	key := ic.Sender.Qualifier + ":" + ic.Sender.ID + "\x00" + ic.ControlNumber
	where := fmt.Sprintf("%s (segment %d)", w.f.Path, s.Index)
	if first, ok := w.in.controls[key]; ok {
		w.finding(CheckDuplicateControlNumber, evidence.SeverityMedium, s,
			"interchange control number %s from sender %s:%s was already used in %s",
			ic.ControlNumber, ic.Sender.Qualifier, ic.Sender.ID, first)
	} else {
		w.in.controls[key] = where
	}
}

// credentials implements isa-credentials. Values are never reported, not
// even in part: ISA02 and ISA04 are shared secrets.
func (w *walk) credentials(s *Segment, ic *Interchange) {
	authQ, auth := string(s.Element(1)), bytes.TrimSpace(s.Element(2))
	secQ, sec := string(s.Element(3)), bytes.TrimSpace(s.Element(4))
	if len(sec) > 0 {
		sum := sha256.Sum256(append([]byte(secQ+"\x00"), sec...))
		peers := w.in.passwords[sum]
		if peers == nil {
			peers = map[string]bool{}
			w.in.passwords[sum] = peers
		}
		peers[ic.Receiver.Qualifier+":"+ic.Receiver.ID] = true
		if len(peers) > 1 {
			w.finding(CheckISACredentials, evidence.SeverityCritical, s,
				"ISA04 security information (qualifier %s) is sent in clear, and the same value is used with %d trading partners in this run (value not shown)", secQ, len(peers))
		} else {
			w.finding(CheckISACredentials, evidence.SeverityHigh, s,
				"ISA04 security information (qualifier %s, a password when 01) is sent in clear in every interchange to %s:%s (value not shown)", secQ, ic.Receiver.Qualifier, ic.Receiver.ID)
		}
	} else if secQ != "00" {
		w.finding(CheckISACredentials, evidence.SeverityLow, s,
			"ISA03 security information qualifier is %s but ISA04 is blank; use 00 when no security information is sent", secQ)
	}
	if len(auth) > 0 {
		w.finding(CheckISACredentials, evidence.SeverityMedium, s,
			"ISA02 authorization information (qualifier %s) is sent in clear in every interchange (value not shown)", authQ)
	} else if authQ != "00" {
		w.finding(CheckISACredentials, evidence.SeverityLow, s,
			"ISA01 authorization information qualifier is %s but ISA02 is blank; use 00 when no authorization information is sent", authQ)
	}
}

func (w *walk) openGroup(s *Segment) {
	if w.grp != nil || w.tx != nil {
		w.closeOpen(levelGroup, s.Index, s.Offset, "before the next GS")
	}
	if w.ic == nil {
		w.finding(CheckEnvelopeMismatch, evidence.SeverityMedium, s, "GS segment outside an interchange (no open ISA)")
		return
	}
	g := &Group{
		Segment: s.Index, Offset: s.Offset,
		FunctionalID: string(s.Element(1)), Sender: string(s.Element(2)), Receiver: string(s.Element(3)),
		ControlNumber: string(s.Element(6)), Version: string(s.Element(8)),
		Transactions: []Transaction{},
	}
	w.ic.Groups = append(w.ic.Groups, g)
	w.grp = g
	w.icGroups++
}

func (w *walk) openTransaction(s *Segment) {
	if w.tx != nil {
		w.closeOpen(levelTransaction, s.Index, s.Offset, "before the next ST")
	}
	if w.grp == nil {
		w.finding(CheckEnvelopeMismatch, evidence.SeverityMedium, s, "ST segment outside a functional group (no open GS)")
		return
	}
	t := Transaction{
		Segment: s.Index, Offset: s.Offset,
		Type: w.name(s.Element(1)), ControlNumber: string(s.Element(2)), Implementation: w.name(s.Element(3)),
	}
	w.grp.TransactionCount++
	if len(w.grp.Transactions) < MaxListedTransactions {
		w.grp.Transactions = append(w.grp.Transactions, t)
		w.tx = &w.grp.Transactions[len(w.grp.Transactions)-1]
	} else {
		w.spare = t
		w.tx = &w.spare
	}
	w.txCount = 1
}

// name returns a string for a value that repeats in every transaction set
// of a file (ST01, ST03), allocating it once. The table is bounded so
// hostile input cannot grow it.
func (w *walk) name(b []byte) string {
	if v, ok := w.names[string(b)]; ok {
		return v
	}
	v := string(b)
	if len(w.names) < 64 {
		if w.names == nil {
			w.names = map[string]string{}
		}
		w.names[v] = v
	}
	return v
}

func (w *walk) closeTransaction(s *Segment) {
	if w.tx == nil {
		w.finding(CheckEnvelopeMismatch, evidence.SeverityMedium, s, "SE trailer without an open ST")
		return
	}
	w.txCount++
	w.tx.Segments = w.txCount
	if !sameNumber(s.Element(1), w.txCount) {
		w.finding(CheckEnvelopeMismatch, evidence.SeverityMedium, s,
			"SE01 says %q segments but transaction set %s has %d", s.Element(1), w.tx.ControlNumber, w.txCount)
	}
	if !sameControl(s.Element(2), w.tx.ControlNumber) {
		w.finding(CheckEnvelopeMismatch, evidence.SeverityMedium, s,
			"SE02 control number %q does not match ST02 %q", s.Element(2), w.tx.ControlNumber)
	}
	w.tx = nil
}

func (w *walk) closeGroup(s *Segment) {
	if w.tx != nil {
		w.closeOpen(levelTransaction, s.Index, s.Offset, "before GE")
	}
	if w.grp == nil {
		w.finding(CheckEnvelopeMismatch, evidence.SeverityMedium, s, "GE trailer without an open GS")
		return
	}
	if !sameNumber(s.Element(1), w.grp.TransactionCount) {
		w.finding(CheckEnvelopeMismatch, evidence.SeverityMedium, s,
			"GE01 says %q transaction sets but group %s has %d", s.Element(1), w.grp.ControlNumber, w.grp.TransactionCount)
	}
	if !sameControl(s.Element(2), w.grp.ControlNumber) {
		w.finding(CheckEnvelopeMismatch, evidence.SeverityMedium, s,
			"GE02 control number %q does not match GS06 %q", s.Element(2), w.grp.ControlNumber)
	}
	w.grp = nil
}

func (w *walk) closeInterchange(s *Segment) {
	if w.grp != nil || w.tx != nil {
		w.closeOpen(levelGroup, s.Index, s.Offset, "before IEA")
	}
	if w.ic == nil {
		w.finding(CheckEnvelopeMismatch, evidence.SeverityMedium, s, "IEA trailer without an open ISA")
		return
	}
	if !sameNumber(s.Element(1), w.icGroups) {
		w.finding(CheckEnvelopeMismatch, evidence.SeverityMedium, s,
			"IEA01 says %q functional groups but interchange %s has %d", s.Element(1), w.ic.ControlNumber, w.icGroups)
	}
	if !bytes.Equal(s.Element(2), []byte(w.ic.ControlNumber)) {
		w.finding(CheckEnvelopeMismatch, evidence.SeverityMedium, s,
			"IEA02 control number %q does not match ISA13 %q", s.Element(2), w.ic.ControlNumber)
	}
	w.finishInterchange()
}

// Envelope levels, innermost first, for closeOpen.
const (
	levelTransaction = iota
	levelGroup
	levelInterchange
)

// closeOpen closes what is open up to level at a point where it should
// already have been closed: the trailer was lost (truncation, a bad merge
// of files) or never written. where says where the trailer was expected.
func (w *walk) closeOpen(level, index int, off int64, where string) {
	if w.tx != nil {
		w.findingAt(CheckEnvelopeMismatch, evidence.SeverityHigh, index, off,
			"transaction set %s (ST at segment %d) has no SE trailer %s", w.tx.ControlNumber, w.tx.Segment, where)
		w.tx.Segments = w.txCount
		w.tx = nil
	}
	if level >= levelGroup && w.grp != nil {
		w.findingAt(CheckEnvelopeMismatch, evidence.SeverityHigh, index, off,
			"functional group %s (GS at segment %d) has no GE trailer %s", w.grp.ControlNumber, w.grp.Segment, where)
		w.grp = nil
	}
	if level >= levelInterchange && w.ic != nil {
		w.findingAt(CheckEnvelopeMismatch, evidence.SeverityHigh, index, off,
			"interchange %s (ISA at segment %d) has no IEA trailer %s", w.ic.ControlNumber, w.ic.Segment, where)
		w.finishInterchange()
	}
}

// end runs when the stream ends: anything still open was truncated.
func (w *walk) end() {
	w.closeOpen(levelInterchange, w.f.Segments+1, w.f.Bytes, "at the end of the file (truncated?)")
}

// finishInterchange reports real-looking identifiers in a test interchange.
func (w *walk) finishInterchange() {
	if w.ic != nil && w.ic.Usage == "T" && w.real > 0 {
		w.findingAt(CheckISATestIndicator, evidence.SeverityHigh, w.realSeg, w.realOff,
			"test interchange %s (ISA15=T) carries %d real-looking identifier(s), first %s: test files should hold synthetic data only",
			w.ic.ControlNumber, w.real, w.realSample)
	}
	w.ic = nil
	w.grp = nil
	w.tx = nil
}

// sameNumber compares a count element with the counted value; leading
// zeros are allowed.
func sameNumber(el []byte, n int) bool {
	v, err := strconv.Atoi(string(el))
	return err == nil && v == n
}

// sameControl compares control numbers; senders pad them inconsistently
// with leading zeros between header and trailer, which is not an error.
func sameControl(el []byte, want string) bool {
	a := bytes.TrimLeft(bytes.TrimSpace(el), "0")
	b := bytes.TrimLeft([]byte(want), "0")
	return bytes.Equal(a, b) && len(el) > 0
}
