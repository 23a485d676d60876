package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"sync"
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
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	prog := newProgress(e.stderr, time.Now)
	prog.survey(ctx, paths)
	var writeErr error
	failed := false
	err = sc.Scan(ctx, paths, *workers, func(r phiscan.Result) {
		prog.add(r)
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

// progress shows how far a scan is. On a terminal it redraws one line:
// a bar, the files and bytes done of the total that Survey finds beside
// the scan, and an estimate of the time left. Elsewhere (a log, a pipe)
// it writes a plain line now and then, and nothing for a scan that ends
// within the first interval, so short runs and CI logs stay clean.
type progress struct {
	w        io.Writer
	terminal bool
	now      func() time.Time
	start    time.Time
	last     time.Time
	every    time.Duration // between redraws or lines
	drawn    bool

	mu          sync.Mutex
	totalFiles  int
	totalBytes  int64
	totalKnown  bool // the survey has finished
	doneFiles   int
	doneBytes   int64
	withFinding int
}

func newProgress(w io.Writer, now func() time.Time) *progress {
	p := &progress{w: w, now: now, every: 10 * time.Second}
	if f, ok := w.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			p.terminal = true
			p.every = 150 * time.Millisecond
		}
	}
	p.start = now()
	p.last = p.start
	return p
}

// survey runs phiscan.Survey beside the scan; the total grows as it
// walks and is final when it returns.
func (p *progress) survey(ctx context.Context, paths []string) {
	go func() {
		err := phiscan.Survey(ctx, paths, func(files int, bytes int64) {
			p.mu.Lock()
			p.totalFiles, p.totalBytes = files, bytes
			p.mu.Unlock()
		})
		p.mu.Lock()
		p.totalKnown = err == nil
		p.mu.Unlock()
	}()
}

// add counts one scanned file and draws when it is time.
func (p *progress) add(r phiscan.Result) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.doneFiles++
	p.doneBytes += r.Size
	if len(r.Files) > 0 {
		p.withFinding++
	}
	t := p.now()
	if t.Sub(p.last) < p.every {
		return
	}
	p.last = t
	if p.terminal {
		fmt.Fprintf(p.w, "\r%s\033[K", p.line(t))
		p.drawn = true
	} else {
		fmt.Fprintf(p.w, "scan: %s\n", p.line(t))
	}
}

// line renders the state: "[#####-----]  50%  3 of 6 files, 1.0 of
// 2.0 MiB, 2 with findings, about 12s left". Until the survey has
// finished the total is a lower bound and no time is estimated.
func (p *progress) line(t time.Time) string {
	const width = 24
	files, bytes := max(p.totalFiles, p.doneFiles), max(p.totalBytes, p.doneBytes)
	frac := 0.0
	switch {
	case bytes > 0:
		frac = float64(p.doneBytes) / float64(bytes)
	case files > 0:
		frac = float64(p.doneFiles) / float64(files)
	}
	frac = min(frac, 1)
	var b strings.Builder
	if p.terminal {
		n := int(frac * width)
		b.WriteString("[" + strings.Repeat("#", n) + strings.Repeat("-", width-n) + "] ")
	}
	of := "of"
	if !p.totalKnown {
		of = "of at least"
	}
	fmt.Fprintf(&b, "%3.0f%%  %d %s %d files, %s %s %s, %d with findings",
		frac*100, p.doneFiles, of, files, mib(p.doneBytes), of, mib(bytes), p.withFinding)
	elapsed := t.Sub(p.start)
	switch {
	case !p.totalKnown:
		b.WriteString(", counting")
	case frac > 0 && frac < 1 && elapsed > 0:
		left := time.Duration(float64(elapsed) * (1 - frac) / frac)
		fmt.Fprintf(&b, ", about %s left", left.Round(time.Second))
	}
	return b.String()
}

func mib(n int64) string { return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20)) }

// done clears the bar; plain lines stay as they were written.
func (p *progress) done() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.terminal && p.drawn {
		fmt.Fprint(p.w, "\r\033[K")
	}
}
