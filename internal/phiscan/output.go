package phiscan

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"

	"rcmguard/internal/escape"
	"rcmguard/internal/evidence"
)

// Formats are the output formats of a scan.
var Formats = []string{"text", "jsonl", "json", "sarif"}

// Totals sum up a whole scan.
type Totals struct {
	Files    int    `json:"files_scanned"`
	Bytes    int64  `json:"bytes_read"`
	Skipped  int    `json:"files_skipped"`
	Findings int    `json:"findings"`
	WithPHI  int    `json:"files_with_findings"`
	Severity string `json:"max_severity,omitempty"`
}

// Add counts one result.
func (t *Totals) Add(r Result) {
	if r.Skipped != "" {
		t.Skipped++
	} else {
		t.Files++
	}
	t.Bytes += r.Bytes
	for _, f := range r.Files {
		t.WithPHI++
		for _, n := range f.Summary.Counts {
			t.Findings += n
		}
		if higher(f.Summary.Severity, t.Severity) {
			t.Severity = f.Summary.Severity
		}
	}
}

func higher(a, b string) bool {
	ra, ok := evidence.Severity(a).Rank()
	if !ok {
		return false
	}
	rb, ok := evidence.Severity(b).Rank()
	return !ok || ra > rb
}

// Writer renders results as they come. Close writes what can only come
// at the end (summaries, totals) and flushes.
type Writer interface {
	Write(Result) error
	Close() error
}

// NewWriter returns a writer for one of Formats.
func NewWriter(format string, w io.Writer) (Writer, error) {
	bw := bufio.NewWriterSize(w, 64<<10)
	switch format {
	case "jsonl":
		return &jsonlWriter{w: bw, enc: json.NewEncoder(bw)}, nil
	case "json":
		return &jsonWriter{w: bw}, nil
	case "sarif":
		return &sarifWriter{w: bw}, nil
	case "text":
		return &textWriter{w: bw}, nil
	}
	return nil, fmt.Errorf("phiscan: unknown format %q (want %s)", format, strings.Join(Formats, ", "))
}

type jsonlWriter struct {
	w   *bufio.Writer
	enc *json.Encoder
}

func (j *jsonlWriter) Write(r Result) error {
	for _, f := range r.Files {
		for _, x := range f.Findings {
			if err := j.enc.Encode(x); err != nil {
				return fmt.Errorf("phiscan: write jsonl: %w", err)
			}
		}
	}
	return nil
}

func (j *jsonlWriter) Close() error { return j.w.Flush() }

// jsonWriter streams the findings array and keeps only the per-file
// summaries and notices for the end.
type jsonWriter struct {
	w       *bufio.Writer
	started bool
	n       int
	files   []FileSummary
	notices []Notice
	skipped []Notice
	totals  Totals
}

func (j *jsonWriter) Write(r Result) error {
	if !j.started {
		j.started = true
		j.w.WriteString("{\"findings\":[")
	}
	j.totals.Add(r)
	if r.Skipped != "" && len(j.skipped) < 10000 {
		j.skipped = append(j.skipped, Notice{Path: r.Path, Message: r.Skipped})
	}
	if len(j.notices) < 10000 {
		j.notices = append(j.notices, r.Notices...)
	}
	for _, f := range r.Files {
		j.files = append(j.files, f.Summary)
		for _, x := range f.Findings {
			if j.n > 0 {
				j.w.WriteByte(',')
			}
			j.n++
			j.w.WriteString("\n")
			b, err := json.Marshal(x)
			if err != nil {
				return fmt.Errorf("phiscan: write json: %w", err)
			}
			j.w.Write(b)
		}
	}
	return nil
}

func (j *jsonWriter) Close() error {
	if !j.started {
		j.w.WriteString("{\"findings\":[")
	}
	tail := struct {
		Files   []FileSummary `json:"files"`
		Notices []Notice      `json:"notices"`
		Skipped []Notice      `json:"skipped"`
		Totals  Totals        `json:"totals"`
	}{nonNil(j.files), nonNilN(j.notices), nonNilN(j.skipped), j.totals}
	b, err := json.Marshal(tail)
	if err != nil {
		return fmt.Errorf("phiscan: write json: %w", err)
	}
	j.w.WriteString("\n],")
	j.w.Write(b[1:])
	j.w.WriteByte('\n')
	return j.w.Flush()
}

func nonNil(s []FileSummary) []FileSummary {
	if s == nil {
		return []FileSummary{}
	}
	return s
}

func nonNilN(s []Notice) []Notice {
	if s == nil {
		return []Notice{}
	}
	return s
}

// textWriter prints a summary a person can act on: files by severity,
// what each holds, and what could not be inspected. Every string that came
// from the files (names, parsers' messages) goes through escape.Text: it is
// printed to a terminal.
type textWriter struct {
	files   []FileSummary
	notices []Notice
	skipped map[string]int
	totals  Totals
	w       *bufio.Writer
}

func (t *textWriter) Write(r Result) error {
	t.totals.Add(r)
	if r.Skipped != "" {
		if t.skipped == nil {
			t.skipped = map[string]int{}
		}
		why := r.Skipped
		if i := strings.IndexByte(why, ':'); i > 0 {
			why = why[:i]
		}
		t.skipped[why]++
	}
	if len(t.notices) < 1000 {
		t.notices = append(t.notices, r.Notices...)
	}
	for _, f := range r.Files {
		t.files = append(t.files, f.Summary)
	}
	return nil
}

func (t *textWriter) Close() error {
	w := t.w
	sort.SliceStable(t.files, func(a, b int) bool { return higher(t.files[a].Severity, t.files[b].Severity) })
	if len(t.files) == 0 {
		fmt.Fprintln(w, "No PHI found.")
	}
	for _, f := range t.files {
		fmt.Fprintf(w, "%-8s  %s  (%s)\n", strings.ToUpper(escape.Text(f.Severity)), escape.Text(f.Path), escape.Text(f.FileType))
		var parts []string
		for _, k := range Kinds {
			if n := f.Counts[k]; n > 0 {
				parts = append(parts, fmt.Sprintf("%s ×%d", k, n))
			}
		}
		fmt.Fprintf(w, "          %s; about %d individual(s)", strings.Join(parts, ", "), f.Individuals)
		if f.Health {
			fmt.Fprint(w, "; with diagnosis/procedure codes")
		}
		if len(f.Sets) > 0 {
			fmt.Fprintf(w, "; X12 sets %s", escape.Text(strings.Join(f.Sets, ", ")))
		}
		fmt.Fprintln(w)
	}
	if len(t.notices) > 0 {
		fmt.Fprintln(w, "\nNot inspected or partly inspected:")
		for _, n := range t.notices {
			fmt.Fprintf(w, "  %s: %s\n", escape.Text(n.Path), escape.Text(n.Message))
		}
	}
	fmt.Fprintf(w, "\n%d file(s) scanned, %s read, %d with findings (%d findings)", t.totals.Files, humanBytes(t.totals.Bytes), t.totals.WithPHI, t.totals.Findings)
	if t.totals.Skipped > 0 {
		var why []string
		for k, n := range t.skipped {
			why = append(why, fmt.Sprintf("%d %s", n, escape.Text(k)))
		}
		sort.Strings(why)
		fmt.Fprintf(w, "; skipped %s", strings.Join(why, ", "))
	}
	fmt.Fprintln(w, ".")
	return w.Flush()
}

func humanBytes(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}
