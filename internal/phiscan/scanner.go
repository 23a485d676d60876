package phiscan

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"time"
)

// Scanner scans files for PHI. It is safe for concurrent use: each file
// gets its own state.
type Scanner struct {
	lim Limits
	now time.Time
}

// New returns a Scanner; zero limits take their defaults and a zero Now
// is the current time.
func New(opts Options) *Scanner {
	d := DefaultLimits()
	l := opts.Limits
	if l.MaxDepth == 0 {
		l.MaxDepth = d.MaxDepth
	}
	if l.MaxEntries == 0 {
		l.MaxEntries = d.MaxEntries
	}
	if l.MaxEntryBytes == 0 {
		l.MaxEntryBytes = d.MaxEntryBytes
	}
	if l.MaxRatio == 0 {
		l.MaxRatio = d.MaxRatio
	}
	if l.MaxArchiveBytes == 0 {
		l.MaxArchiveBytes = d.MaxArchiveBytes
	}
	if l.MaxBuffer == 0 {
		l.MaxBuffer = d.MaxBuffer
	}
	if l.MaxFindings == 0 {
		l.MaxFindings = d.MaxFindings
	}
	now := opts.Now
	if now.IsZero() {
		now = time.Now()
	}
	return &Scanner{lim: l, now: now}
}

// FileResult is what one file or nested entry held.
type FileResult struct {
	Summary  FileSummary
	Findings []Finding
}

// Result is the outcome of scanning one file given on the command line
// or found by the walk, with every entry nested inside it.
type Result struct {
	Path    string
	Bytes   int64  // bytes read from the file itself
	Size    int64  // the file's size, the measure of progress beside Survey's
	Skipped string // why the file was not inspected ("binary", "symlink", …), if it was not
	Files   []FileResult
	Notices []Notice
}

// job is the state of scanning one top-level file.
type job struct {
	s   *Scanner
	res *Result

	// The archive budget of this file, nested archives included
	// (extract_zip.go): entries opened, bytes decompressed, and the bytes
	// the outermost archives allow.
	archives int // archives being read, outermost first
	entries  int
	expanded int64
	budget   int64
}

// notice records what was not read. Both parts are masked: the path may
// name a patient, and a parser's error may quote the content it choked on.
func (j *job) notice(path, format string, args ...any) {
	if len(j.res.Notices) < 1000 {
		j.res.Notices = append(j.res.Notices, Notice{Path: MaskPath(path), Message: MaskText(fmt.Sprintf(format, args...))})
	}
}

func (j *job) collect(u *unit) {
	if s, ok := u.summary(); ok {
		for i := range u.findings {
			u.findings[i].Severity = s.Severity
		}
		j.res.Files = append(j.res.Files, FileResult{Summary: s, Findings: u.findings})
	}
}

// ScanReader scans content read from r under the given display path,
// which is masked in the result like every path the scan reports. It is
// what tests and callers with content in memory use.
func (s *Scanner) ScanReader(path string, r io.Reader) Result {
	res := Result{Path: MaskPath(path)}
	j := &job{s: s, res: &res}
	cr := &countReader{r: r}
	j.content(path, cr, nil, 0, 0)
	res.Bytes = cr.n
	return res
}

// content sniffs r and hands it to the extractor for its type. ra, when
// not nil, gives random access to the same bytes (size long), which zip
// and pdf need; without it they are buffered up to the memory limit.
func (j *job) content(path string, r io.Reader, ra io.ReaderAt, size int64, depth int) {
	br := bufio.NewReaderSize(r, 64<<10)
	head, _ := br.Peek(sniffLen)
	typ := sniff(head)
	if depth == 0 && typ == typeBinary {
		j.res.Skipped = "binary"
		return
	}
	var err error
	switch typ {
	case typeBinary:
		return
	case typeX12:
		err = j.scanX12(path, br)
	case typeZip, typePDF:
		if ra == nil {
			var data []byte
			data, err = readCapped(br, j.s.lim.MaxBuffer)
			if err != nil {
				j.notice(path, "not inspected: %v", err)
				return
			}
			ra, size = bytes.NewReader(data), int64(len(data))
		}
		if typ == typeZip {
			err = j.scanZip(path, ra, size, depth)
		} else {
			err = j.scanPDF(path, ra, size)
		}
	case typeEML:
		err = j.scanMail(path, br, depth)
	case typeMbox:
		err = j.scanMbox(path, br, depth)
	default:
		u := newUnit(path, typ, &j.s.lim, j.s.now)
		switch typ {
		case typeCSV:
			err = u.scanDelimited(br, delimiterOf(head))
		case typeTSV:
			err = u.scanDelimited(br, '\t')
		case typeJSON:
			err = u.scanText(br, recordJSON)
		case typeJSONL, typeLog:
			err = u.scanText(br, recordLine)
		default:
			err = u.scanText(br, recordParagraph)
		}
		j.collect(u)
	}
	if err != nil {
		j.notice(path, "read error: %v", err)
	}
}

// readCapped reads all of r, or fails once it passes limit bytes.
func readCapped(r io.Reader, limit int64) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, fmt.Errorf("phiscan: read: %w", err)
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("phiscan: larger than the %d MiB that may be held in memory", limit>>20)
	}
	return data, nil
}

type countReader struct {
	r io.Reader
	n int64
}

func (c *countReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}
