package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"rcmguard/internal/escape"
	"rcmguard/internal/incident"
)

func runBreach(e *env, args []string) int {
	if len(args) == 0 || args[0] != "clocks" {
		e.errorf("breach", "want a subcommand: breach clocks INCIDENT.yaml [--format text|json] [--today YYYY-MM-DD]")
		return exitInvalid
	}
	return runBreachClocks(e, args[1:])
}

func runBreachClocks(e *env, args []string) int {
	fs := e.newFlagSet("breach clocks", "breach clocks INCIDENT.yaml [--format text|json] [--today YYYY-MM-DD]")
	format := fs.String("format", "text", "output format: text or json")
	todayFlag := fs.String("today", "", "the day to count from (default: today)")
	if ok, st := e.parseFlags(fs, args); !ok {
		return st
	}
	if fs.NArg() != 1 {
		e.errorf("breach clocks", "name exactly one incident file")
		fs.Usage()
		return exitInvalid
	}
	if *format != "text" && *format != "json" {
		e.errorf("breach clocks", "--format is text or json, not %q", escape.Text(*format))
		return exitInvalid
	}
	today := incident.DateOf(e.now())
	if *todayFlag != "" {
		d, ok := incident.ParseDate(*todayFlag)
		if !ok {
			e.errorf("breach clocks", "--today %q is not a date; want YYYY-MM-DD", escape.Text(*todayFlag))
			return exitInvalid
		}
		today = d
	}
	path := fs.Arg(0)
	data, err := readIncidentFile(path, incident.MaxFileSize)
	if err != nil {
		e.errorf("breach clocks", "%s", escape.Text(err.Error()))
		return exitInvalid
	}
	in, err := incident.Parse(path, data)
	if err == nil {
		err = in.CheckToday(today)
	}
	if err != nil {
		var list incident.ErrorList
		if errors.As(err, &list) {
			for _, le := range list {
				fmt.Fprintln(e.stderr, escape.Text(le.Error()))
			}
			e.errorf("breach clocks", "%s is not a valid incident file (%d problem%s)", escape.Text(path), len(list), plural(len(list)))
		} else {
			e.errorf("breach clocks", "%s", escape.Text(err.Error()))
		}
		return exitInvalid
	}
	r := incident.Compute(in, today)
	var out strings.Builder
	if *format == "json" {
		b, err := json.MarshalIndent(r, "", "  ")
		if err != nil {
			e.errorf("breach clocks", "%v", err)
			return exitInvalid
		}
		out.Write(b)
		out.WriteByte('\n')
	} else {
		writeClocksText(&out, r)
	}
	if _, err := io.WriteString(e.stdout, out.String()); err != nil {
		e.errorf("breach clocks", "%v", err)
		return exitInvalid
	}
	return exitOK
}

// readIncidentFile reads at most limit bytes of path and refuses a larger file,
// so that a mistaken path to a disk image costs nothing.
func readIncidentFile(path string, limit int) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, int64(limit)+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	if len(data) > limit {
		return nil, fmt.Errorf("%s is larger than %d KiB; an incident file is a few lines per client", path, limit>>10)
	}
	return data, nil
}

// writeClocksText lays the clocks out for a compliance officer: the
// determination, then each notice by due date with what it must contain.
// Client IDs come from the file, and reach the basis and citation too, so
// every such line is escaped.
func writeClocksText(w *strings.Builder, r incident.Result) {
	verdict := "NOT A BREACH"
	if r.Breach {
		verdict = "BREACH"
	}
	fmt.Fprintf(w, "%s — %s\n  %s\n", verdict, r.Reason, r.Citation)
	if !r.Breach {
		fmt.Fprintln(w, "\nNo notices are due. Keep the record of this determination (45 CFR 164.414(b); 164.530(j): six years).")
		return
	}
	fmt.Fprintf(w, "\nDiscovered %s · %d individuals · counted from %s\n", r.Discovered, r.Individuals, r.Today)
	if r.Delay != nil {
		fmt.Fprintf(w, "Law-enforcement delay to %s (%s): %s\n", r.Delay.Ends, r.Delay.Citation, r.Delay.Note)
	}
	for _, n := range r.Notices {
		who := n.To
		switch {
		case n.To == "covered_entity":
			who = "covered entity " + escape.Text(n.Client)
		case n.Client != "":
			who += " (for client " + escape.Text(n.Client) + ")"
		}
		if n.State != "" {
			who += " — " + incident.StateName(n.State)
		}
		if n.Agency != "" {
			who += " — " + n.Agency
		}
		left := fmt.Sprintf("%d days left", n.DaysLeft)
		switch {
		case n.DaysLeft < 0:
			left = fmt.Sprintf("OVERDUE by %d days", -n.DaysLeft)
		case n.DaysLeft == 0:
			left = "due today"
		}
		fmt.Fprintf(w, "\n%s  %s [%s], %d individuals — %s\n", n.Due, who, n.Form, n.Individuals, left)
		fmt.Fprintf(w, "  %s\n  Rule: %s\n", escape.Text(n.Basis), escape.Text(n.Citation))
		if n.HoldUntil != nil {
			fmt.Fprintf(w, "  Do not send before %s (law-enforcement delay).\n", n.HoldUntil)
		}
		fmt.Fprintln(w, "  Must contain:")
		for _, c := range n.Contents {
			fmt.Fprintf(w, "    - %s\n", c)
		}
	}
	fmt.Fprintf(w, "\nState laws applied: %s. Other States' laws may impose shorter deadlines; see docs/incidents.md. Not legal advice.\n", strings.Join(r.StateLaws, ", "))
}
