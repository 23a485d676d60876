package report

import (
	"encoding/csv"
	"fmt"
	"io"
	"slices"
	"strings"

	"rcmguard/internal/assess"
)

// registerHeader is the column order of the CSV register and of the
// Register sheet of the workbook.
var registerHeader = []string{"ID", "Title", "Elements", "Likelihood", "Impact", "Level", "Residual", "Status", "Owner", "Due", "Citations"}

// CSV writes the risk register, one row per risk, as RFC 4180 CSV with a
// header row. Cells a spreadsheet would read as a formula are defused
// (see cell).
func CSV(w io.Writer, res *assess.Result) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(registerHeader); err != nil {
		return fmt.Errorf("report: csv: %w", err)
	}
	for _, row := range registerRows(res) {
		if err := cw.Write(row); err != nil {
			return fmt.Errorf("report: csv: %w", err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("report: csv: %w", err)
	}
	return nil
}

// registerRows returns the register as cells, already defused, in the
// result's order.
func registerRows(res *assess.Result) [][]string {
	plan := make(map[string]*assess.PlanItem, len(res.Plan))
	for i := range res.Plan {
		plan[res.Plan[i].RiskID] = &res.Plan[i]
	}
	rows := make([][]string, 0, len(res.Risks))
	for i := range res.Risks {
		r := &res.Risks[i]
		owner, due := r.Owner, ""
		if r.Tracking != nil {
			if r.Tracking.Owner != "" {
				owner = r.Tracking.Owner
			}
			due = r.Tracking.Due
		}
		// An open risk's due date and owner are the plan's, which already
		// prefer the recorded decision over the defaults.
		if p, ok := plan[r.ID]; ok {
			owner, due = p.Owner, p.Due
		}
		rows = append(rows, cells(
			r.ID, r.Title, elementNames(r.Elements),
			r.Likelihood.Level.Title(), r.Impact.Level.Title(), r.Level.Title(), r.Residual.Level.Title(),
			r.Status.Title(), owner, due, citationList(r.Citations),
		))
	}
	return rows
}

// elementNames joins the elements' labels; a pair of elements (a role's
// access to a system) carries one label for both, named once.
func elementNames(es []assess.ElementRef) string {
	var names []string
	for _, e := range es {
		n := e.Label
		if n == "" {
			n = e.ID
		}
		if !slices.Contains(names, n) {
			names = append(names, n)
		}
	}
	return strings.Join(names, "; ")
}

func citationList(cs []assess.Citation) string {
	s := make([]string, len(cs))
	for i, c := range cs {
		s[i] = c.Citation
	}
	return strings.Join(s, "; ")
}

// cell defuses formula injection (CWE-1236): a spreadsheet evaluates a
// cell that starts with = + - or @ (and some read a leading tab or
// carriage return the same way), so text from a model — a system name
// such as `=HYPERLINK(...)` — could run as a formula when an auditor opens
// the export. A leading apostrophe makes the spreadsheet show it as text.
func cell(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}

func cells(vs ...string) []string {
	for i, v := range vs {
		vs[i] = cell(v)
	}
	return vs
}
