package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/xuri/excelize/v2"

	"rcmguard/internal/assess"
	"rcmguard/internal/risk"
)

// sheet is one worksheet of the workbook: a header row and data rows whose
// cells are strings (already defused by cell), ints or bools.
type sheet struct {
	name   string
	header []string
	widths []float64
	rows   [][]any
}

// XLSX writes the analysis as an Excel workbook with the sheets Register,
// Plan, Inventory, Vendors and Coverage, each with a bold frozen header
// row and an autofilter, so an auditor can sort and filter it.
func XLSX(w io.Writer, res *assess.Result) error {
	f := excelize.NewFile()
	defer f.Close()
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return fmt.Errorf("report: xlsx: %w", err)
	}
	for i, s := range workbookSheets(res) {
		if i == 0 {
			err = f.SetSheetName(f.GetSheetName(0), s.name)
		} else {
			_, err = f.NewSheet(s.name)
		}
		if err != nil {
			return fmt.Errorf("report: xlsx: sheet %s: %w", s.name, err)
		}
		if err := writeSheet(f, s, bold); err != nil {
			return fmt.Errorf("report: xlsx: sheet %s: %w", s.name, err)
		}
	}
	f.SetActiveSheet(0)
	// The document properties carry the as-of date, not the time of
	// export, so they say when the analysis speaks for.
	if err := f.SetDocProps(&excelize.DocProperties{
		Title:   "Security risk analysis — " + res.Organization.Name,
		Subject: "HIPAA Security Rule risk analysis, 45 CFR 164.308(a)(1)(ii)(A)",
		Creator: res.Tool, Created: res.AsOf + "T00:00:00Z", Modified: res.AsOf + "T00:00:00Z",
	}); err != nil {
		return fmt.Errorf("report: xlsx: %w", err)
	}
	if err := f.Write(w); err != nil {
		return fmt.Errorf("report: xlsx: %w", err)
	}
	return nil
}

func writeSheet(f *excelize.File, s sheet, bold int) error {
	header := make([]any, len(s.header))
	for i, h := range s.header {
		header[i] = h
	}
	if err := f.SetSheetRow(s.name, "A1", &header); err != nil {
		return err
	}
	last, err := excelize.ColumnNumberToName(len(s.header))
	if err != nil {
		return err
	}
	if err := f.SetCellStyle(s.name, "A1", last+"1", bold); err != nil {
		return err
	}
	for i, row := range s.rows {
		if err := f.SetSheetRow(s.name, fmt.Sprintf("A%d", i+2), &row); err != nil {
			return err
		}
	}
	for i, wd := range s.widths {
		col, _ := excelize.ColumnNumberToName(i + 1)
		if err := f.SetColWidth(s.name, col, col, wd); err != nil {
			return err
		}
	}
	if err := f.AutoFilter(s.name, fmt.Sprintf("A1:%s%d", last, len(s.rows)+1), nil); err != nil {
		return err
	}
	return f.SetPanes(s.name, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"})
}

func workbookSheets(res *assess.Result) []sheet {
	reg := sheet{name: "Register", header: registerHeader, widths: []float64{28, 50, 40, 11, 11, 11, 11, 18, 18, 12, 40}}
	for _, r := range registerRows(res) {
		row := make([]any, len(r))
		for i, c := range r {
			row[i] = c
		}
		reg.rows = append(reg.rows, row)
	}

	plan := sheet{name: "Plan",
		header: []string{"Rank", "Risk ID", "Title", "Level", "Value", "Owner", "Owner name", "Action", "Effort", "Due", "Status", "Residual", "Citations", "Elements"},
		widths: []float64{6, 28, 50, 11, 7, 18, 22, 60, 9, 12, 16, 11, 40, 30}}
	for _, p := range res.Plan {
		plan.rows = append(plan.rows, []any{p.Rank, cell(p.RiskID), cell(p.Title), p.Level.Title(), p.Value, cell(p.Owner), cell(p.OwnerName),
			cell(p.Action), cell(p.Effort), cell(p.Due), cell(statusTitle(p.Status)), p.Residual.Title(),
			cell(strings.Join(p.Citations, "; ")), cell(strings.Join(p.Elements, "; "))})
	}

	inv := sheet{name: "Inventory",
		header: []string{"Type", "ID", "Name", "Kind", "PHI", "Where", "Safeguards", "Open risks", "Highest open level"},
		widths: []float64{9, 20, 40, 16, 6, 30, 50, 10, 16}}
	in := res.Inventory
	for _, s := range in.Systems {
		where := s.Hosting
		if s.Vendor != "" {
			where += ", vendor " + s.Vendor
		}
		safe := fmt.Sprintf("MFA %s; encryption at rest %s; internet-facing %s", s.MFA, s.Encrypted, yesNo(s.InternetFacing))
		inv.rows = append(inv.rows, []any{"system", cell(s.ID), cell(s.Name), cell(s.Kind), yesNo(s.PHI), cell(where), cell(safe), s.Risks, levelName(s.Highest)})
	}
	for _, d := range in.Data {
		inv.rows = append(inv.rows, []any{"data", cell(d.ID), cell(d.Name), cell(d.Kind), yesNo(d.PHI), "",
			cell(fmt.Sprintf("sensitivity %s; %d records", d.Sensitivity, d.Records)), "", ""})
	}
	for _, fl := range in.Flows {
		inv.rows = append(inv.rows, []any{"flow", cell(fl.ID), cell(fl.FromName + " → " + fl.ToName), cell(fl.Channel), yesNo(fl.PHI),
			cell("stage " + fl.Stage), cell(fmt.Sprintf("auth %s; encrypted %s; automated %s; data %s", fl.Auth, yesNo(fl.Encrypted), yesNo(fl.Automated), strings.Join(fl.Data, ", "))),
			fl.Risks, levelName(fl.Highest)})
	}
	for _, r := range in.Roles {
		inv.rows = append(inv.rows, []any{"role", cell(r.ID), cell(r.Name), cell(r.Kind), "", cell(r.Location),
			cell(fmt.Sprintf("training %s; headcount %d; systems %s", r.Training, r.Headcount, strings.Join(r.Systems, ", "))), "", ""})
	}
	for _, c := range in.Clients {
		inv.rows = append(inv.rows, []any{"client", cell(c.ID), cell(c.Name), "", "", "",
			cell(fmt.Sprintf("BAA %s%s; %d patients", c.BAA, expiry(c.Expires), c.Patients)), "", ""})
	}

	ven := sheet{name: "Vendors",
		header: []string{"ID", "Name", "BAA", "BAA expires", "PHI access", "Offshore", "Services", "Open risks"},
		widths: []float64{20, 36, 14, 12, 10, 9, 40, 10}}
	for _, v := range in.Vendors {
		ven.rows = append(ven.rows, []any{cell(v.ID), cell(v.Name), cell(v.BAA), cell(v.Expires), yesNo(v.PHI), yesNo(v.Offshore),
			cell(strings.Join(v.Services, ", ")), v.Risks})
	}

	cov := sheet{name: "Coverage",
		header: []string{"Citation", "Name", "Type", "Status", "Rules", "Risks", "Answer", "Note", "Evidence", "Why not reasonable and appropriate", "Equivalent measure"},
		widths: []float64{22, 40, 12, 14, 30, 7, 16, 40, 30, 40, 40}}
	for _, c := range res.Coverage {
		cov.rows = append(cov.rows, []any{cell(c.Citation), cell(c.Name), cell(c.Type), cell(strings.ReplaceAll(c.Status, "_", " ")),
			cell(strings.Join(c.Rules, ", ")), c.Risks, cell(c.Answer), cell(c.Note), cell(c.Evidence), cell(c.WhyNotReasonable), cell(c.EquivalentMeasure)})
	}
	pairs := sheet{name: "Pairs",
		header: []string{"ID", "Title", "Safeguard", "Current measures", "Verified share", "Likelihood (G-5)", "Impact (H-3)", "Level (I-2)"},
		widths: []float64{28, 50, 11, 70, 9, 14, 12, 12}}
	for _, p := range res.Pairs {
		var ms []string
		for _, m := range p.Measures {
			l := m.Fact + " — " + m.Basis
			for _, e := range m.Evidence {
				l += " by " + e.Set + prefixed(" ", e.Date)
			}
			ms = append(ms, l)
		}
		pairs.rows = append(pairs.rows, []any{cell(p.ID), cell(p.Title), strings.ReplaceAll(p.Safeguard, "_", " "), cell(strings.Join(ms, "; ")),
			pct(p.Verified), p.Likelihood.Level.Title(), p.Impact.Title(), p.Level.Title()})
	}
	return []sheet{reg, plan, inv, ven, cov, pairs}
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// levelName turns a level slug ("very_high") into its title, or "" for none.
func levelName(slug string) string {
	if slug == "" {
		return ""
	}
	s := strings.ReplaceAll(slug, "_", " ")
	return strings.ToUpper(s[:1]) + s[1:]
}

func expiry(d string) string {
	if d == "" {
		return ""
	}
	return ", expires " + d
}

func statusTitle(s string) string { return risk.Status(s).Title() }
