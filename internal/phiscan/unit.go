package phiscan

import (
	"sort"
	"time"
)

// unit collects the findings of one file or nested entry. It keeps no
// identifier: each finding holds a masked excerpt and a one-way key.
type unit struct {
	path     string
	fileType string
	now      time.Time
	lim      *Limits

	findings  []Finding
	counts    [numKinds]int
	anyFound  bool
	perKind   [numKinds]distinct // distinct values per identifying kind
	truncated bool
	health    bool
	sets      map[string]bool
	location  string // sheet or page the text being scanned came from
	offset    int64  // byte offset of the X12 segment being read
	idCount   int    // identifying findings so far

	comp    compound  // scratch for the shape scanner
	chunk   []byte    // scanText's buffer, reused across calls
	record  int       // current record (paragraph, row, X12 patient loop)
	recID   bool      // the record holds an identifying finding
	pending []Finding // names, addresses, phones, emails waiting for a PHI neighbour
	routing bankSide
	account bankSide
	persons distinct // X12 patients, for counting individuals

	// Set when the unit masks a string (maskpath.go) instead of scanning
	// a file: identifiers become spans, not findings.
	masking   bool
	looseFrom int // byte of the string from which MaskPath's file-name rules apply
	lineOff   int // byte of the string where the line being scanned starts
	spans     []maskSpan
}

type bankSide struct {
	v    [20]byte
	n    int
	line int
}

// newUnit starts the findings of the file or entry at path. The path is
// masked here, where every finding and summary takes it from.
func newUnit(path, fileType string, lim *Limits, now time.Time) *unit {
	return &unit{
		path: MaskPath(path), fileType: fileType, lim: lim, now: now,
	}
}

// add records one validated value.
func (u *unit) add(kind Kind, norm []byte, conf float64, line int, detail, label string) {
	if u.masking {
		u.markSpan(kind, norm)
		return
	}
	f := Finding{
		Path: u.path, Line: line, Kind: kind, Confidence: conf, FileType: u.fileType,
		Location: u.location, Offset: u.offset, PHI: kind.PHI(), Detail: detail,
		key: keyOf(kind, norm), record: u.record,
	}
	if u.listing(kind) {
		// The excerpt is the one allocation per finding: only made for
		// findings that will be listed.
		f.Excerpt = excerpt(label, kind, norm)
	}
	u.addFinding(f)
}

// listing says whether a finding of kind made now would be listed (or
// held, for a neighbour waiting for PHI) rather than only counted.
func (u *unit) listing(kind Kind) bool {
	if !kind.identifying() && kind != KindNPI && !u.recID {
		return true
	}
	return len(u.findings) < u.lim.MaxFindings
}

func (u *unit) addFinding(f Finding) {
	if !f.Kind.identifying() && f.Kind != KindNPI {
		// Names, addresses, phones and emails count only beside PHI.
		if u.recID {
			u.keep(f)
		} else if len(u.pending) < 64 {
			u.pending = append(u.pending, f)
		}
		return
	}
	if f.Kind.identifying() {
		u.idCount++
		if !u.recID {
			u.recID = true
			for _, p := range u.pending {
				p.record = u.record
				u.keep(p)
			}
			u.pending = u.pending[:0]
		}
		if f.Kind != KindX12 && f.Kind != KindBankAccount {
			u.perKind[kindIndex(f.Kind)].add(f.key)
		}
	}
	u.keep(f)
}

func (u *unit) keep(f Finding) {
	u.counts[kindIndex(f.Kind)]++
	u.anyFound = true
	if len(u.findings) < u.lim.MaxFindings {
		u.findings = append(u.findings, f)
	} else {
		u.truncated = true
	}
}

// endRecord closes the current record: pending neighbours without PHI
// beside them are dropped, and half a bank pair is forgotten.
func (u *unit) endRecord() {
	u.record++
	u.recID = false
	u.pending = u.pending[:0]
	u.routing.n, u.account.n = 0, 0
}

// bankPart remembers a routing or account number of the current record
// and reports a bank account once both are there.
func (u *unit) bankPart(v []byte, isRouting bool, line int) {
	if u.masking {
		// Either half of an account is masked on its own: a name has no
		// record in which to wait for the other half.
		u.markSpan(KindBankAccount, v)
		return
	}
	side := &u.account
	if isRouting {
		side = &u.routing
	}
	side.n = copy(side.v[:], v)
	side.line = line
	if u.routing.n == 0 || u.account.n == 0 {
		return
	}
	var b [40]byte
	n := copy(b[:], u.routing.v[:u.routing.n])
	b[n] = ':'
	n++
	n += copy(b[n:], u.account.v[:u.account.n])
	f := Finding{
		Path: u.path, Line: u.account.line, Kind: KindBankAccount, Confidence: 1,
		Excerpt:  bankExcerpt(u.routing.v[:u.routing.n], u.account.v[:u.account.n]),
		FileType: u.fileType, Location: u.location, PHI: true,
		key: keyOf(KindBankAccount, b[:n]), record: u.record,
	}
	u.addFinding(f)
	u.routing.n, u.account.n = 0, 0
}

// summary sums up the unit; ok is false when it found nothing.
func (u *unit) summary() (FileSummary, bool) {
	if !u.anyFound {
		return FileSummary{}, false
	}
	counts := map[Kind]int{}
	for _, k := range Kinds {
		if n := u.counts[kindIndex(k)]; n > 0 {
			counts[k] = n
		}
	}
	s := FileSummary{
		Path: u.path, FileType: u.fileType, Counts: counts, Health: u.health,
		Truncated: u.truncated,
	}
	for set := range u.sets {
		s.Sets = append(s.Sets, set)
	}
	sort.Strings(s.Sets)
	s.Individuals = u.individuals()
	s.Severity = string(severityOf(func(k Kind) int { return u.counts[kindIndex(k)] }, u.health))
	return s, true
}

// individuals estimates how many people the unit's PHI is about: the
// largest number of distinct values of one identifying kind, or of X12
// patients, since one person usually carries one SSN, one member ID, one
// birth date row.
func (u *unit) individuals() int {
	best := u.persons.count()
	for i := range u.perKind {
		if n := u.perKind[i].count(); n > best {
			best = n
		}
	}
	if best == 0 && u.anyFound {
		best = 1
	}
	return best
}

func bankExcerpt(routing, account []byte) string {
	var buf [64]byte
	b := append(buf[:0], "routing "...)
	b = appendTail(b, routing, 4)
	b = append(b, " account "...)
	return string(appendTail(b, account, 4))
}
