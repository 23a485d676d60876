package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"time"

	"rcmguard/internal/escape"
	"rcmguard/internal/evidence"
	"rcmguard/internal/phiscan"
)

const scanUsage = "scan PATH... [--format text|jsonl|json|sarif] [--workers N] [--fail-on LEVEL]"

// runScan walks the given paths for PHI and writes the findings; it exits
// 1 when a file reaches the --fail-on severity.
func runScan(e *env, args []string) int {
	fs := e.newFlagSet("scan", scanUsage)
	format := fs.String("format", "text", "output format: "+strings.Join(phiscan.Formats, ", "))
	workers := fs.Int("workers", runtime.NumCPU(), "files scanned in parallel")
	failOn := fs.String("fail-on", "", "exit 1 when a file's severity reaches this level (info, low, medium, high, critical)")
	depth := fs.Int("max-depth", phiscan.DefaultLimits().MaxDepth, "how deep to open nested archives and attachments")
	if ok, status := e.parseFlags(fs, args); !ok {
		return status
	}
	paths := fs.Args()
	if len(paths) == 0 {
		e.errorf("scan", "no path given\nUsage: rcmguard %s", scanUsage)
		return exitInvalid
	}
	if *workers < 1 || *workers > 256 {
		e.errorf("scan", "--workers must be between 1 and 256, got %d", *workers)
		return exitInvalid
	}
	if *depth < 0 || *depth > 16 {
		e.errorf("scan", "--max-depth must be between 0 and 16, got %d", *depth)
		return exitInvalid
	}
	var threshold evidence.Severity
	if *failOn != "" {
		s, err := evidence.ParseSeverity(*failOn)
		if err != nil {
			e.errorf("scan", "--fail-on: %v", err)
			return exitInvalid
		}
		threshold = s
	}
	for _, p := range paths {
		if _, err := os.Stat(p); err != nil {
			e.errorf("scan", "%s: %v", escape.Text(phiscan.MaskPath(p)), unwrapPathErr(err))
			return exitInvalid
		}
	}
	out, err := phiscan.NewWriter(*format, e.stdout)
	if err != nil {
		e.errorf("scan", "%v", err)
		return exitInvalid
	}
	lim := phiscan.DefaultLimits()
	lim.MaxDepth = *depth
	sc := phiscan.New(phiscan.Options{Limits: lim, Now: e.now()})
	prog := newProgress(e.stderr)
	var totals phiscan.Totals
	var writeErr error
	failed := false
	err = sc.Scan(context.Background(), paths, *workers, func(r phiscan.Result) {
		totals.Add(r)
		prog.update(totals)
		if threshold != "" {
			for _, f := range r.Files {
				if atLeast(f.Summary.Severity, threshold) {
					failed = true
				}
			}
		}
		if writeErr == nil {
			writeErr = out.Write(r)
		}
	})
	prog.done()
	if err == nil {
		err = writeErr
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		e.errorf("scan", "%v", err)
		return exitInvalid
	}
	if failed {
		return exitFailOn
	}
	return exitOK
}

func atLeast(sev string, threshold evidence.Severity) bool {
	a, ok := evidence.Severity(sev).Rank()
	b, _ := threshold.Rank()
	return ok && a >= b
}

func unwrapPathErr(err error) error {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err
	}
	return err
}

// progress draws a one-line bar on stderr, only when stderr is a
// terminal: redirected output and CI logs stay clean.
type progress struct {
	w    io.Writer
	on   bool
	last time.Time
}

func newProgress(w io.Writer) *progress {
	p := &progress{w: w}
	if f, ok := w.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			p.on = true
		}
	}
	return p
}

func (p *progress) update(t phiscan.Totals) {
	if !p.on || time.Since(p.last) < 150*time.Millisecond {
		return
	}
	p.last = time.Now()
	spin := `|/-\`[t.Files%4]
	fmt.Fprintf(p.w, "\r%c scanned %d files, %.1f MiB; %d with findings   ", spin, t.Files, float64(t.Bytes)/(1<<20), t.WithPHI)
}

func (p *progress) done() {
	if p.on {
		fmt.Fprint(p.w, "\r\033[K")
	}
}
