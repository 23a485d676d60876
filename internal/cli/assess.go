package cli

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"golang.org/x/term"

	"rcmguard/internal/assess"
	"rcmguard/internal/model"
	"rcmguard/internal/report"
	"rcmguard/internal/risk"
	"rcmguard/internal/rules"
)

func runAssess(e *env, args []string) int {
	fs := e.newFlagSet("assess", "assess MODEL.yaml [--format "+strings.Join(report.AllFormats(), "|")+"] [-o PATH] [--fail-on LEVEL] [--evidence FILE]... [--rules DIR]... [--previous RESULT.json]")
	format := fs.String("format", "text", "output `FORMAT`: "+strings.Join(report.AllFormats(), ", "))
	out := fs.String("o", "", "write the report to `PATH` instead of standard output")
	failOn := fs.String("fail-on", "", "exit 1 when an open risk is at or above `LEVEL` (very_low, low, moderate, high, very_high)")
	regulation := fs.String("regulation", "", "current-2013 or nprm-2025-proposed (overrides the model)")
	asOf := fs.String("as-of", "", "assess as of `DATE` (YYYY-MM-DD) when the model sets no assessment.date")
	previous := fs.String("previous", "", "the previous analysis's JSON result `FILE` (--format json), for the change log")
	var evidenceFiles, ruleDirs stringList
	fs.Var(&evidenceFiles, "evidence", "evidence `FILE` from rcmguard scan, edi inspect or probe (repeatable)")
	fs.Var(&ruleDirs, "rules", "`DIR` of additional rule files (repeatable)")
	if ok, st := e.parseFlags(fs, args); !ok {
		return st
	}
	if fs.NArg() != 1 {
		e.errorf("assess", "want exactly one model file, got %d", fs.NArg())
		fs.Usage()
		return exitInvalid
	}
	if !slices.Contains(report.AllFormats(), *format) {
		e.errorf("assess", "unknown --format %q (want %s)", *format, strings.Join(report.AllFormats(), ", "))
		return exitInvalid
	}
	if report.Binary(*format) && (*out == "" || *out == "-") && isTerminal(e.stdout) {
		e.errorf("assess", "--format %s is a binary file: name it with -o PATH (or redirect standard output)", *format)
		return exitInvalid
	}
	var threshold risk.Level = -1
	if *failOn != "" {
		l, err := risk.ParseLevel(*failOn)
		if err != nil {
			e.errorf("assess", "--fail-on: %v", err)
			return exitInvalid
		}
		threshold = l
	}
	now := e.now()
	if *asOf != "" {
		t, err := time.Parse("2006-01-02", *asOf)
		if err != nil {
			e.errorf("assess", "--as-of %q: want YYYY-MM-DD", *asOf)
			return exitInvalid
		}
		now = t
	}
	m, ok := e.loadModel("assess", fs.Arg(0))
	if !ok {
		return exitInvalid
	}
	set, err := loadRules(ruleDirs)
	if err != nil {
		e.errorf("assess", "%v", err)
		return exitInvalid
	}
	sets, err := loadEvidenceSets(evidenceFiles)
	if err != nil {
		e.errorf("assess", "%v", err)
		return exitInvalid
	}
	var prev *assess.Result
	if *previous != "" {
		data, err := readBounded(*previous, maxResultSize)
		if err == nil {
			prev, err = report.DecodeResult(data)
		}
		if err != nil {
			e.errorf("assess", "--previous %s: %v", *previous, err)
			return exitInvalid
		}
	}
	res, err := assess.Run(assess.Input{Model: m, EvidenceSets: sets, Previous: prev, Rules: set, Now: now, Regulation: *regulation, Tool: "rcmguard " + Version})
	if err != nil {
		var list model.ErrorList
		if errors.As(err, &list) {
			e.printModelErrors(list)
		} else {
			e.errorf("assess", "%v", err)
		}
		return exitInvalid
	}
	var buf bytes.Buffer
	if err := report.Write(&buf, res, *format); err != nil {
		e.errorf("assess", "%v", err)
		return exitInvalid
	}
	if err := e.writeOutput(*out, buf.Bytes()); err != nil {
		e.errorf("assess", "%v", err)
		return exitInvalid
	}
	if *out != "" && *out != "-" {
		fmt.Fprintf(e.stderr, "rcmguard assess: wrote %s (%d risks, %d open, highest %s)\n", *out, res.Summary.Risks, res.Summary.Open, strings.ReplaceAll(res.Summary.Highest, "_", " "))
	}
	if threshold >= 0 {
		for _, r := range res.Risks {
			if r.Open() && r.Level >= threshold {
				fmt.Fprintf(e.stderr, "rcmguard assess: open risk %s is %s, at or above --fail-on %s\n", r.ID, r.Level, threshold)
				return exitFailOn
			}
		}
	}
	return exitOK
}

// maxResultSize bounds a previous result read with --previous; the
// largest modelled operations give results of a few megabytes.
const maxResultSize = 256 << 20

// isTerminal reports whether w is a terminal, where a binary export would
// only scramble the screen. It asks the terminal driver rather than
// looking for a character device, so a redirect to /dev/null still works.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// loadModel loads a model and prints every problem with file:line:column.
func (e *env) loadModel(cmd, path string) (*model.Model, bool) {
	m, err := model.LoadFile(path)
	if err != nil {
		var list model.ErrorList
		if errors.As(err, &list) {
			e.printModelErrors(list)
			fmt.Fprintf(e.stderr, "rcmguard %s: %s is not a valid model (%d problem%s)\n", cmd, path, len(list), plural(len(list)))
		} else {
			e.errorf(cmd, "%v", err)
		}
		return nil, false
	}
	return m, true
}

func (e *env) printModelErrors(list model.ErrorList) {
	for _, x := range list {
		fmt.Fprintln(e.stderr, x.Error())
	}
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// loadRules loads the built-in rules and any user rule directories.
func loadRules(dirs []string) (*rules.Set, error) {
	srcs := []rules.Source{rules.Builtin()}
	for _, d := range dirs {
		st, err := os.Stat(d)
		if err != nil {
			return nil, fmt.Errorf("--rules: %w", err)
		}
		if !st.IsDir() {
			return nil, fmt.Errorf("--rules %s: not a directory", d)
		}
		srcs = append(srcs, rules.Source{Name: d, FS: os.DirFS(d)})
	}
	return rules.Load(srcs...)
}
