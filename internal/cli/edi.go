package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"

	"rcmguard/internal/evidence"
	"rcmguard/internal/phiscan"
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
			e.errorf("edi", "%s", x12.DescribeError(phiscan.MaskPath(path), err))
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
		err = x12.WriteText(e.stdout, rep)
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
	return in.Inspect(phiscan.MaskPath(path), fh)
}
