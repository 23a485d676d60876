package x12

import (
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"rcmguard/internal/escape"
	"rcmguard/internal/evidence"
)

// maxTextTransactions bounds the transaction sets listed per group in the
// text report; the JSON lists up to MaxListedTransactions.
const maxTextTransactions = 10

// WriteText writes the report as `rcmguard edi inspect` prints it for a
// person. Everything in it that came from the files (paths, envelope
// values, messages quoting them) is escaped: a file is hostile input, and
// an escape sequence in an ISA element must not reach the terminal.
func WriteText(w io.Writer, rep *Report) error {
	bw := &textWriter{w: w}
	totals := map[evidence.Severity]int{}
	interchanges, sets := 0, 0
	for i, f := range rep.Files {
		if i > 0 {
			bw.printf("\n")
		}
		bw.printf("%s  (%d bytes, %d segments)\n", f.Path, f.Bytes, f.Segments)
		if len(f.Interchanges) == 0 {
			bw.printf("  no X12 interchange\n")
		}
		for _, ic := range f.Interchanges {
			interchanges++
			bw.printf("  interchange %s  %s:%s -> %s:%s  version %s  %s  (segment %d)\n",
				ic.ControlNumber, ic.Sender.Qualifier, ic.Sender.ID, ic.Receiver.Qualifier, ic.Receiver.ID,
				ic.Version, usageName(ic.Usage), ic.Segment)
			for _, g := range ic.Groups {
				sets += g.TransactionCount
				bw.printf("    group %s  %s %s  %s -> %s  %d transaction set(s)\n",
					g.ControlNumber, g.FunctionalID, g.Version, g.Sender, g.Receiver, g.TransactionCount)
				for j, t := range g.Transactions {
					if j == maxTextTransactions {
						bw.printf("      … %d more\n", g.TransactionCount-maxTextTransactions)
						break
					}
					bw.printf("      %s %s  %s  %d segments\n", t.Type, t.ControlNumber, t.Implementation, t.Segments)
				}
			}
		}
		if len(f.Findings) == 0 {
			bw.printf("  no findings\n")
			continue
		}
		bw.printf("  findings:\n")
		for _, fd := range f.Findings {
			totals[fd.Severity]++
			where := fmt.Sprintf("segment %d, byte %d", fd.Segment, fd.Offset)
			if fd.Segment == 0 {
				where = fmt.Sprintf("byte %d", fd.Offset)
			}
			bw.printf("    %-8s  %-24s  %s: %s\n", strings.ToUpper(string(fd.Severity)), fd.Check, where, fd.Message)
		}
		checks := make([]string, 0, len(f.Suppressed))
		for c := range f.Suppressed {
			checks = append(checks, c)
		}
		sort.Strings(checks)
		for _, c := range checks {
			bw.printf("    (%d more %s findings not listed)\n", f.Suppressed[c], c)
		}
	}
	var parts []string
	for _, s := range []evidence.Severity{evidence.SeverityCritical, evidence.SeverityHigh, evidence.SeverityMedium, evidence.SeverityLow, evidence.SeverityInfo} {
		if totals[s] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", totals[s], s))
		}
	}
	summary := "no findings"
	if len(parts) > 0 {
		summary = "findings: " + strings.Join(parts, ", ")
	}
	bw.printf("\n%d file(s), %d interchange(s), %d transaction set(s); %s\n", len(rep.Files), interchanges, sets, summary)
	return bw.err
}

// DescribeError turns an inspection error into the one line a person
// reads: the file, then where in it and what is wrong, escaped for a
// terminal like the report.
func DescribeError(path string, err error) string {
	var se *SyntaxError
	if errors.As(err, &se) {
		return escape.Text(fmt.Sprintf("%s: not valid X12: segment %d at byte %d: %s", path, se.Segment, se.Offset, se.Msg))
	}
	var pe *os.PathError
	if errors.As(err, &pe) {
		return escape.Text(fmt.Sprintf("%s: %v", path, pe.Err))
	}
	return escape.Text(fmt.Sprintf("%s: %v", path, err))
}

func usageName(u string) string {
	switch u {
	case "P":
		return "production (P)"
	case "T":
		return "test (T)"
	}
	return fmt.Sprintf("usage %q", u)
}

// textWriter keeps the first write error so the text report reads as a
// list of prints rather than a list of checks. It escapes every string
// argument, so no value from a file is printed raw.
type textWriter struct {
	w   io.Writer
	err error
}

func (tw *textWriter) printf(format string, args ...any) {
	if tw.err != nil {
		return
	}
	for i, a := range args {
		if s, ok := a.(string); ok {
			args[i] = escape.Text(s)
		}
	}
	_, tw.err = fmt.Fprintf(tw.w, format, args...)
}
