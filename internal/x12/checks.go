package x12

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	"rcmguard/internal/evidence"
)

// Check IDs. They are stable: reports, evidence facts ("edi." + ID) and
// users' suppressions refer to them.
const (
	CheckISACredentials         = "isa-credentials"
	CheckISATestIndicator       = "isa-test-indicator"
	CheckEnvelopeMismatch       = "envelope-mismatch"
	CheckDuplicateControlNumber = "duplicate-control-number"
	CheckSSNIdentifier          = "ssn-identifier"
	CheckLegacyHICN             = "legacy-hicn"
	CheckX12InLogs              = "x12-in-logs"
)

// Checks lists every check ID in documentation order.
var Checks = []string{
	CheckISACredentials, CheckISATestIndicator, CheckEnvelopeMismatch, CheckDuplicateControlNumber,
	CheckSSNIdentifier, CheckLegacyHICN, CheckX12InLogs,
}

// identifiers runs the identifier checks on one segment: SSNs used as
// identifiers, legacy Medicare HICNs, and real-looking identifiers that make
// a test interchange a PHI leak.
func (w *walk) identifiers(s *Segment) {
	switch s.ID {
	case "NM1":
		// Compare bytes and convert only to build a message: this runs on
		// every name segment of every claim.
		entity, qual, id := s.Element(1), s.Element(8), s.Element(9)
		if len(id) == 0 {
			return
		}
		switch string(qual) {
		case "34": // social security number
			w.ssn(s, id, fmt.Sprintf("NM1*%s uses the SSN as the identifier (NM108=34)", entity))
		case "HN": // health insurance claim number
			w.finding(CheckLegacyHICN, evidence.SeverityHigh, s,
				"NM1*%s identifies the person by a legacy HIC number (NM108=HN) %s; Medicare has required the MBI since 2020", entity, maskID(id))
			w.realID(s, maskID(id))
		case "MI", "II":
			switch string(entity) {
			case "IL", "QC", "74":
			default:
				return
			}
			switch {
			case isHICN(id):
				w.finding(CheckLegacyHICN, evidence.SeverityHigh, s,
					"NM1*%s member ID %s has the shape of a legacy SSN-based HICN where an MBI is expected", entity, maskID(id))
				w.realID(s, maskID(id))
			case isMBI(id) || !looksTest(id):
				w.realID(s, maskID(id))
			}
		}
	case "REF":
		if ref := s.Element(1); len(ref) == 2 && ref[0] == 'S' && ref[1] == 'Y' && len(s.Element(2)) > 0 {
			w.ssn(s, s.Element(2), "REF*SY carries the SSN as a secondary identifier")
		}
	}
}

// ssn reports an SSN used as an identifier. A value that is not a valid SSN
// (never-issued ranges, sample numbers) still shows the practice, with a
// lower severity.
func (w *walk) ssn(s *Segment, id []byte, what string) {
	d := digits(id)
	if len(d) == 9 && validSSN(d) {
		w.finding(CheckSSNIdentifier, evidence.SeverityHigh, s, "%s: %s", what, maskSSN(d))
		w.realID(s, maskSSN(d))
		return
	}
	w.finding(CheckSSNIdentifier, evidence.SeverityLow, s, "%s: %s (not a valid SSN, likely a test value)", what, maskID(id))
}

// realID records a real-looking identifier in the open interchange.
func (w *walk) realID(s *Segment, masked string) {
	if w.real == 0 {
		w.realSeg, w.realOff, w.realSample = s.Index, s.Offset, masked
	}
	w.real++
}

// digits returns the digits of b when b holds only digits, spaces and
// dashes; otherwise nil.
func digits(b []byte) []byte {
	out := make([]byte, 0, len(b))
	for _, c := range b {
		switch {
		case '0' <= c && c <= '9':
			out = append(out, c)
		case c == '-' || c == ' ':
		default:
			return nil
		}
	}
	return out
}

// validSSN applies the Social Security Administration's issuance rules to
// nine digits: areas 000, 666 and 900–999, group 00 and serial 0000 are
// never assigned, and a few numbers are well-known samples.
func validSSN(d []byte) bool {
	if len(d) != 9 {
		return false
	}
	area, group, serial := string(d[:3]), string(d[3:5]), string(d[5:])
	if area == "000" || area == "666" || d[0] == '9' || group == "00" || serial == "0000" {
		return false
	}
	switch string(d) {
	case "123456789", "078051120", "219099999":
		return false
	}
	return !allSame(d)
}

// mbiLetters are the letters an MBI may use: S, L, O, I, B and Z never.
const mbiLetters = "ACDEFGHJKMNPQRTUVWXY"

// isMBI reports whether b has the CMS Medicare Beneficiary Identifier shape.
func isMBI(b []byte) bool {
	if len(b) != 11 || b[0] < '1' || b[0] > '9' {
		return false
	}
	letter := func(c byte) bool { return strings.IndexByte(mbiLetters, c) >= 0 }
	digit := func(c byte) bool { return '0' <= c && c <= '9' }
	for i, c := range b[1:] {
		switch i + 2 {
		case 2, 5, 8, 9:
			if !letter(c) {
				return false
			}
		case 3, 6:
			if !letter(c) && !digit(c) {
				return false
			}
		default:
			if !digit(c) {
				return false
			}
		}
	}
	return true
}

// isHICN reports whether b looks like an SSA-issued HICN: a valid SSN
// followed by a one- or two-character Beneficiary Identification Code.
func isHICN(b []byte) bool {
	if len(b) < 10 || len(b) > 11 || !validSSN(b[:9]) {
		return false
	}
	bic := b[9:]
	if strings.IndexByte("ABCDEFGHJKMTW", bic[0]) < 0 {
		return false
	}
	return len(bic) == 1 || '0' <= bic[1] && bic[1] <= '9' || 'A' <= bic[1] && bic[1] <= 'Z'
}

// looksTest reports identifiers nobody would issue to a real person: marked
// as test data, one repeated character, mostly padding, or a keyboard run.
func looksTest(b []byte) bool {
	// Upper-case into a stack buffer: this runs for every subscriber of
	// every claim, so it must not allocate.
	var buf [64]byte
	if len(b) > len(buf) {
		return false
	}
	up := buf[:len(b)]
	for i, c := range b {
		if 'a' <= c && c <= 'z' {
			c -= 'a' - 'A'
		}
		up[i] = c
	}
	for _, w := range testMarkers {
		if bytes.Contains(up, w) {
			return true
		}
	}
	if len(up) < 5 || len(bytes.TrimLeft(up, "0")) <= 3 {
		return true
	}
	var seen [256]bool
	distinct := 0
	for _, c := range up {
		if !seen[c] {
			seen[c] = true
			distinct++
		}
	}
	if distinct <= 3 {
		return true
	}
	// A run of five ascending or descending digits, or four letters.
	asc, desc := 1, 1
	for i := 1; i < len(up); i++ {
		p, c := up[i-1], up[i]
		sameKind := isDigit(p) == isDigit(c)
		if sameKind && c == p+1 {
			asc++
		} else {
			asc = 1
		}
		if sameKind && c+1 == p {
			desc++
		} else {
			desc = 1
		}
		need := 5
		if !isDigit(c) {
			need = 4
		}
		if asc >= need || desc >= need {
			return true
		}
	}
	return false
}

var testMarkers = [][]byte{[]byte("TEST"), []byte("DEMO"), []byte("SAMPLE"), []byte("DUMMY"), []byte("FAKE"), []byte("XXX"), []byte("SYNTH")}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func allSame(b []byte) bool {
	for _, c := range b {
		if c != b[0] {
			return false
		}
	}
	return true
}

// maskSSN shows only the last four digits, as SSA and payers print them.
func maskSSN(d []byte) string { return "***-**-" + string(d[5:]) }

// maskID hides all but the last few characters of an identifier: four for
// long identifiers, two for short ones, none for very short ones.
func maskID(b []byte) string {
	keep := 4
	switch {
	case len(b) <= 4:
		keep = 0
	case len(b) < 9:
		keep = 2
	}
	return strings.Repeat("*", len(b)-keep) + string(b[len(b)-keep:])
}

// location is what a file's path says about where it sits.
type location struct {
	test string // the path word that marks a test location, or ""
	log  bool   // the path names a log file or a log folder
}

var testWords = map[string]bool{
	"test": true, "tests": true, "testing": true, "testdata": true, "dev": true, "development": true,
	"qa": true, "uat": true, "staging": true, "stage": true, "sandbox": true, "sample": true, "samples": true,
}

// classifyPath splits a path into words (on separators, dots, dashes and
// underscores) and looks for test and log markers.
func classifyPath(path string) location {
	var loc location
	words := strings.FieldsFunc(strings.ToLower(path), func(r rune) bool {
		return !('a' <= r && r <= 'z' || '0' <= r && r <= '9')
	})
	for _, w := range words {
		if loc.test == "" && testWords[w] {
			loc.test = w
		}
		if w == "log" || w == "logs" {
			loc.log = true
		}
	}
	return loc
}

// logMarkers are segment starts that only X12 content produces: an ISA
// header and the subscriber, demographic and claim segments that carry PHI.
// Each is followed by an element separator (checked separately).
var logMarkers = [][]byte{[]byte("ISA"), []byte("NM1"), []byte("DMG"), []byte("CLM")}

// scanLog implements x12-in-logs for a log file that is not itself an X12
// interchange: it streams the file line by line looking for X12 segments.
func (in *Inspector) scanLog(f *File, br *bufio.Reader) error {
	var off, firstOff int64
	hits, firstLine, line := 0, 0, 0
	newLine, lineHit := true, false
	for {
		// ReadSlice returns a very long line in pieces; the line counter
		// advances only where a line really starts.
		chunk, err := br.ReadSlice('\n')
		if len(chunk) > 0 {
			if newLine {
				line++
				lineHit = false
			}
			if !lineHit && hasX12(chunk) {
				if hits == 0 {
					firstLine, firstOff = line, off
				}
				hits++
				lineHit = true
			}
			newLine = chunk[len(chunk)-1] == '\n'
			off += int64(len(chunk))
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil && !errors.Is(err, bufio.ErrBufferFull) {
			return fmt.Errorf("x12: read %s: %w", f.Path, err)
		}
	}
	f.Bytes = off
	if hits > 0 {
		f.Findings = append(f.Findings, Finding{
			Check: CheckX12InLogs, Severity: evidence.SeverityHigh, Segment: 0, Offset: firstOff,
			Message: fmt.Sprintf("log file holds X12 content (ISA, NM1, DMG or CLM segments) on %d line(s), first on line %d: logs are not an approved place for claim data", hits, firstLine),
		})
	}
	return nil
}

// hasX12 reports whether a log line contains an X12 segment start.
func hasX12(line []byte) bool {
	for _, m := range logMarkers {
		for rest := line; ; {
			i := bytes.Index(rest, m)
			if i < 0 {
				break
			}
			if x12At(rest[i:], m) {
				return true
			}
			rest = rest[i+1:]
		}
	}
	return false
}

// x12At checks what follows a marker: ISA needs its fixed ISA01 shape
// ("ISA*00*"); NM1 an insured or patient entity ("NM1*IL*"); DMG a date
// format ("DMG*D8*"); CLM a separator and a claim ID.
func x12At(b, m []byte) bool {
	if len(b) < 7 {
		return false
	}
	sep := b[3]
	if isAlnum(sep) || isSpace(sep) {
		return false
	}
	switch m[0] {
	case 'I':
		return isDigit(b[4]) && isDigit(b[5]) && b[6] == sep
	case 'N':
		return (string(b[4:6]) == "IL" || string(b[4:6]) == "QC") && b[6] == sep
	case 'D':
		return string(b[4:6]) == "D8" && b[6] == sep
	default:
		return isAlnum(b[4]) && bytes.IndexByte(b[4:], sep) > 0
	}
}
