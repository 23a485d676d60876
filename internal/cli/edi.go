package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"rcmguard/internal/evidence"
	"rcmguard/internal/x12"
)

const ediUsage = "edi inspect FILE... [--format text|json] [--fail-on LEVEL]"

// runEDI dispatches the edi subcommands; inspect is the only one so far.
func runEDI(e *env, args []string) int {
	if len(args) == 0 {
		fmt.Fprintf(e.stderr, "Usage: rcmguard %s\n", ediUsage)
		return exitInvalid
	}
	switch args[0] {
	case "inspect":
		return runEDIInspect(e, args[1:])
	case "-h", "--help", "help":
		fmt.Fprintf(e.stdout, "Usage: rcmguard %s\n", ediUsage)
		return exitOK
	}
	e.errorf("edi", "unknown subcommand %q (want inspect)", args[0])
	return exitInvalid
}

func runEDIInspect(e *env, args []string) int {
	fs := e.newFlagSet("edi inspect", ediUsage)
	format := fs.String("format", "text", "output format: text or json")
	failOn := fs.String("fail-on", "", "exit with status 1 when a finding reaches this severity (info, low, medium, high, critical)")
	if ok, status := e.parseFlags(fs, args); !ok {
		return status
	}
	if *format != "text" && *format != "json" {
		e.errorf("edi", "unknown --format %q (want text or json)", *format)
		return exitInvalid
	}
	threshold := -1
	if *failOn != "" {
		sev, err := evidence.ParseSeverity(*failOn)
		if err != nil {
			e.errorf("edi", "--fail-on: %v", err)
			return exitInvalid
		}
		threshold, _ = sev.Rank()
	}
	if fs.NArg() == 0 {
		e.errorf("edi", "no files given\nUsage: rcmguard %s", ediUsage)
		return exitInvalid
	}

	rep := &x12.Report{Format: x12.ReportFormat, Files: []*x12.File{}}
	in := x12.NewInspector()
	invalid := false
	for _, path := range fs.Args() {
		f, err := ediInspectFile(in, path)
		if err != nil {
			// Every bad file is named before giving up, so one run shows
			// them all; the report itself is not written (exit status 2
			// means nothing was written).
			e.errorf("edi", "%s", ediDescribeError(path, err))
			invalid = true
			continue
		}
		rep.Files = append(rep.Files, f)
	}
	if invalid {
		return exitInvalid
	}

	var err error
	if *format == "json" {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		err = enc.Encode(rep)
	} else {
		err = writeEDIText(e.stdout, rep)
	}
	if err != nil {
		e.errorf("edi", "write report: %v", err)
		return exitInvalid
	}
	if threshold >= 0 {
		for _, f := range rep.Files {
			for _, fd := range f.Findings {
				if r, ok := fd.Severity.Rank(); ok && r >= threshold {
					return exitFailOn
				}
			}
		}
	}
	return exitOK
}

func ediInspectFile(in *x12.Inspector, path string) (*x12.File, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	st, err := fh.Stat()
	if err != nil {
		return nil, err
	}
	if st.IsDir() {
		return nil, errors.New("is a directory (use rcmguard scan to search folders)")
	}
	return in.Inspect(path, fh)
}

// ediDescribeError turns an inspection error into the one line a person reads:
// the file, then where in it and what is wrong.
func ediDescribeError(path string, err error) string {
	var se *x12.SyntaxError
	if errors.As(err, &se) {
		return fmt.Sprintf("%s: not valid X12: segment %d at byte %d: %s", path, se.Segment, se.Offset, se.Msg)
	}
	var pe *os.PathError
	if errors.As(err, &pe) {
		return fmt.Sprintf("%s: %v", path, pe.Err)
	}
	return fmt.Sprintf("%s: %v", path, err)
}

// ediMaxTextTransactions bounds the transaction sets listed per group in text
// output; json lists up to x12.MaxListedTransactions.
const ediMaxTextTransactions = 10

func writeEDIText(w io.Writer, rep *x12.Report) error {
	bw := &ediWriter{w: w}
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
				ic.Version, ediUsageName(ic.Usage), ic.Segment)
			for _, g := range ic.Groups {
				sets += g.TransactionCount
				bw.printf("    group %s  %s %s  %s -> %s  %d transaction set(s)\n",
					g.ControlNumber, g.FunctionalID, g.Version, g.Sender, g.Receiver, g.TransactionCount)
				for j, t := range g.Transactions {
					if j == ediMaxTextTransactions {
						bw.printf("      … %d more\n", g.TransactionCount-ediMaxTextTransactions)
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

func ediUsageName(u string) string {
	switch u {
	case "P":
		return "production (P)"
	case "T":
		return "test (T)"
	}
	return fmt.Sprintf("usage %q", u)
}

// ediWriter keeps the first write error so the text report reads as a
// list of prints rather than a list of checks.
type ediWriter struct {
	w   io.Writer
	err error
}

func (ew *ediWriter) printf(format string, args ...any) {
	if ew.err == nil {
		_, ew.err = fmt.Fprintf(ew.w, format, args...)
	}
}
