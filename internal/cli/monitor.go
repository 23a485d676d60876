package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"time"

	"rcmguard/internal/escape"
	"rcmguard/internal/evidence"
	"rcmguard/internal/monitor"
	"rcmguard/internal/phiscan"
)

const monitorUsage = "monitor FILE... [--format text|json|jsonl] [--source-zone ZONE] [--year-from YYYY-MM-DD] [--rules DIR] [--fail-on LEVEL]"

// monitorFile is what one input file yielded.
type monitorFile struct {
	Path string `json:"path"`
	monitor.Stats
	err error
}

// runMonitor reviews log files in batch: every file is parsed, the events
// of all files are merged in time order and run through the detections,
// and the alerts are written. Exit 1 when an alert reaches --fail-on.
func runMonitor(e *env, args []string) int {
	fs := e.newFlagSet("monitor", monitorUsage)
	format := fs.String("format", "text", "output format: text, json, jsonl (one alert per line)")
	zone := fs.String("source-zone", "UTC", "IANA time zone the sources write stamps without a zone in (RFC 3164, vsftpd.log)")
	yearFrom := fs.String("year-from", "", "date the files were received (YYYY-MM-DD), giving RFC 3164 stamps their year; default each file's modification time")
	rulesDir := fs.String("rules", "", "directory of *.yaml rules added to the built-in ones; a rule with a built-in's name replaces it")
	failOn := fs.String("fail-on", "", "exit 1 when an alert's severity reaches this level (info, low, medium, high, critical)")
	if ok, status := e.parseFlags(fs, args); !ok {
		return status
	}
	paths := fs.Args()
	if len(paths) == 0 {
		e.errorf("monitor", "no file given\nUsage: rcmguard %s", monitorUsage)
		return exitInvalid
	}
	if *format != "text" && *format != "json" && *format != "jsonl" {
		e.errorf("monitor", "--format must be text, json or jsonl, got %q", escape.Text(*format))
		return exitInvalid
	}
	loc, err := time.LoadLocation(*zone)
	if err != nil || *zone == "" || strings.EqualFold(*zone, "local") {
		e.errorf("monitor", "--source-zone %q is not an IANA time zone name (such as America/Chicago or UTC)", escape.Text(*zone))
		return exitInvalid
	}
	var received time.Time
	if *yearFrom != "" {
		received, err = time.ParseInLocation("2006-01-02", *yearFrom, loc)
		if err != nil {
			e.errorf("monitor", "--year-from %q: want a date as YYYY-MM-DD", escape.Text(*yearFrom))
			return exitInvalid
		}
		received = received.Add(24*time.Hour - time.Second) // the whole day was received
	}
	var threshold evidence.Severity
	if *failOn != "" {
		if threshold, err = evidence.ParseSeverity(*failOn); err != nil {
			e.errorf("monitor", "--fail-on: %v", err)
			return exitInvalid
		}
	}
	rules, err := loadMonitorRules(*rulesDir)
	if err != nil {
		e.errorf("monitor", "%s", escape.Text(err.Error()))
		return exitInvalid
	}
	files := make([]*os.File, 0, len(paths))
	defer func() {
		for _, f := range files {
			f.Close()
		}
	}()
	opts := make([]*monitor.Options, len(paths))
	for i, p := range paths {
		f, err := os.Open(p)
		if err == nil {
			var st os.FileInfo
			if st, err = f.Stat(); err == nil && st.IsDir() {
				err = fmt.Errorf("is a directory")
			}
			if err == nil {
				opts[i] = &monitor.Options{Zone: loc, Received: received}
				if received.IsZero() {
					opts[i].Received = st.ModTime()
				}
			}
		}
		if err != nil {
			e.errorf("monitor", "%s: %v", showPath(p), unwrapPathErr(err))
			return exitInvalid
		}
		files = append(files, f)
	}

	eng := monitor.NewEngine(rules, monitor.DefaultLimits())
	var alerts []monitor.Alert
	stats := mergeScan(paths, files, opts, func(ev *monitor.Event) {
		alerts = append(alerts, eng.Process(ev)...)
	})
	for _, st := range stats {
		if st.err != nil {
			e.errorf("monitor", "%s: %v", showPath(st.Path), st.err)
			return exitInvalid
		}
	}
	if err := writeMonitor(e.stdout, e.stderr, *format, stats, alerts, eng.Stats()); err != nil {
		e.errorf("monitor", "%v", err)
		return exitInvalid
	}
	if threshold != "" {
		for _, a := range alerts {
			if atLeast(alertSeverity(a.Severity), threshold) {
				return exitFailOn
			}
		}
	}
	return exitOK
}

func showPath(p string) string { return escape.Text(phiscan.MaskPath(p)) }

// alertSeverity maps Sigma's level names onto the project's severities.
func alertSeverity(level string) string {
	if level == "informational" {
		return string(evidence.SeverityInfo)
	}
	return level
}

func loadMonitorRules(dir string) ([]*monitor.Rule, error) {
	rules, err := monitor.Builtin()
	if err != nil || dir == "" {
		return rules, err
	}
	st, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("--rules %s: %w", phiscan.MaskPath(dir), unwrapPathErr(err))
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("--rules %s: not a directory", phiscan.MaskPath(dir))
	}
	extra, err := monitor.LoadFS(os.DirFS(dir), ".")
	if err != nil {
		return nil, fmt.Errorf("--rules %s: %w", phiscan.MaskPath(dir), err)
	}
	if len(extra) == 0 {
		return nil, fmt.Errorf("--rules %s: no *.yaml rule files", phiscan.MaskPath(dir))
	}
	replaced := make(map[string]bool, len(extra))
	for _, r := range extra {
		replaced[r.Name] = true
	}
	merged := extra
	for _, r := range rules {
		if !replaced[r.Name] {
			merged = append(merged, r)
		}
	}
	if err := monitor.Link(merged); err != nil {
		return nil, err
	}
	return merged, nil
}

// mergeScan parses every file in its own goroutine and hands the events to
// fn in time order across files (each file is taken to be in order, as a
// log is; rotated files given together interleave correctly). Memory is a
// small buffer per file, not the files.
func mergeScan(paths []string, files []*os.File, opts []*monitor.Options, fn func(*monitor.Event)) []monitorFile {
	type stream struct {
		ch   chan monitor.Event
		head monitor.Event
		ok   bool
	}
	out := make([]monitorFile, len(files))
	streams := make([]*stream, len(files))
	for i, f := range files {
		s := &stream{ch: make(chan monitor.Event, 256)}
		streams[i] = s
		out[i].Path = paths[i]
		go func(i int, f io.Reader) {
			name := phiscan.MaskPath(paths[i])
			st, err := monitor.Scan(f, opts[i], func(ev monitor.Event) {
				ev.File = name // evidence from several files must say which
				s.ch <- ev
			})
			out[i].Stats, out[i].err = st, err
			close(s.ch)
		}(i, f)
	}
	for _, s := range streams {
		s.head, s.ok = <-s.ch
	}
	for {
		var next *stream
		for _, s := range streams {
			if s.ok && (next == nil || s.head.Time.Before(next.head.Time)) {
				next = s
			}
		}
		if next == nil {
			return out // every channel closed: every goroutine has written its stats
		}
		ev := next.head
		fn(&ev)
		next.head, next.ok = <-next.ch
	}
}

type monitorJSON struct {
	Files  []monitorFile       `json:"files"`
	Engine monitor.EngineStats `json:"engine"`
	Alerts []monitor.Alert     `json:"alerts"`
}

func writeMonitor(w, errw io.Writer, format string, files []monitorFile, alerts []monitor.Alert, es monitor.EngineStats) error {
	switch format {
	case "jsonl":
		enc := json.NewEncoder(w)
		for _, a := range alerts {
			if err := enc.Encode(a); err != nil {
				return err
			}
		}
		// The parse counts go beside the alerts, not among them, so every
		// stdout line stays one alert.
		for _, f := range files {
			fmt.Fprintln(errw, fileSummary(f))
		}
		return nil
	case "json":
		if alerts == nil {
			alerts = []monitor.Alert{}
		}
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		for i := range files {
			files[i].Path = phiscan.MaskPath(files[i].Path)
		}
		return enc.Encode(monitorJSON{Files: files, Engine: es, Alerts: alerts})
	}
	var b strings.Builder
	for _, f := range files {
		b.WriteString(fileSummary(f) + "\n")
	}
	if es.Dropped > 0 {
		fmt.Fprintf(&b, "warning: %d detection windows were dropped to bound memory; some correlations may be missed\n", es.Dropped)
	}
	b.WriteString("\n")
	bySev := map[string]int{}
	for _, a := range alerts {
		bySev[a.Severity]++
		// Rules may come from --rules files, so every rule text is
		// escaped like the log text is.
		fmt.Fprintf(&b, "%s %-8s %s  %s\n", escape.Text(a.Detection), escape.Text(a.Severity), escape.Text(a.Title), escape.Text(a.Citation))
		fmt.Fprintf(&b, "    %s … %s  count %d", a.First.Format(time.RFC3339), a.Last.Format(time.RFC3339), a.Count)
		if a.User != "" {
			fmt.Fprintf(&b, "  user %s", escape.Text(a.User))
		}
		if a.SrcIP != "" {
			fmt.Fprintf(&b, "  from %s", escape.Text(a.SrcIP))
		}
		b.WriteString("\n")
		for _, ev := range a.Evidence {
			fmt.Fprintf(&b, "      %s:%d: %s\n", escape.Text(ev.File), ev.Line, escape.Text(ev.Raw))
		}
	}
	sevs := make([]string, 0, len(bySev))
	for s := range bySev {
		sevs = append(sevs, s)
	}
	sort.Slice(sevs, func(i, j int) bool {
		a, _ := evidence.Severity(alertSeverity(sevs[i])).Rank()
		c, _ := evidence.Severity(alertSeverity(sevs[j])).Rank()
		return a > c
	})
	parts := make([]string, 0, len(sevs))
	for _, s := range sevs {
		parts = append(parts, fmt.Sprintf("%d %s", bySev[s], escape.Text(s)))
	}
	if len(alerts) == 0 {
		b.WriteString("no alerts\n")
	} else {
		fmt.Fprintf(&b, "\n%d alerts: %s\n", len(alerts), strings.Join(parts, ", "))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func fileSummary(f monitorFile) string {
	s := fmt.Sprintf("%s: %d lines, %d events, %d unparsed", showPath(f.Path), f.Lines, f.Events, f.Unparsed)
	if f.TooLong > 0 {
		s += fmt.Sprintf(" (%d too long)", f.TooLong)
	}
	if f.FirstUnparsed > 0 {
		s += fmt.Sprintf(", first unparsed at line %d", f.FirstUnparsed)
	}
	return s
}
