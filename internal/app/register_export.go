package app

import (
	"bytes"
	"context"
	"fmt"

	"rcmguard/internal/assess"
	"rcmguard/internal/audit"
	"rcmguard/internal/auth"
	"rcmguard/internal/report"
	"rcmguard/internal/store"
)

// ExportFormat is one way to download an analysis: for an investigator's
// file (PDF), a spreadsheet (XLSX, CSV) or a GRC tool (OSCAL). The pages,
// the API and the CLI offer the same list, rendered by package report.
type ExportFormat struct {
	Name        string // as in `rcmguard assess --format`
	Title       string // as a link says it
	Ext         string // the download's file-name ending
	ContentType string
}

// ExportFormats lists every download of an assessment, the most asked for
// first.
var ExportFormats = []ExportFormat{
	{"pdf", "PDF report", "pdf", "application/pdf"},
	{"xlsx", "Excel workbook", "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
	{"csv", "Register (CSV)", "csv", "text/csv; charset=utf-8"},
	{"oscal-ar", "OSCAL assessment results", "oscal-ar.json", "application/json"},
	{"oscal-poam", "OSCAL POA&M", "oscal-poam.json", "application/json"},
	{"html", "HTML report", "html", "text/html; charset=utf-8"},
	{"json", "Result (JSON)", "json", "application/json"},
}

// LookupExport returns the export format of that name.
func LookupExport(name string) (ExportFormat, bool) {
	for _, f := range ExportFormats {
		if f.Name == name {
			return f, true
		}
	}
	return ExportFormat{}, false
}

// render writes res in format f.
func (f ExportFormat) render(res *assess.Result) ([]byte, error) {
	var b bytes.Buffer
	if err := report.Write(&b, res, f.Name); err != nil {
		return nil, fmt.Errorf("app: export %s: %w", f.Name, err)
	}
	return b.Bytes(), nil
}

// ExportList renders the register or the plan as shown, filtered and
// sorted: res is the latest result, asm, cut down to the rows shown (the
// pages hold that read model). Only CSV and XLSX are offered for a list;
// the analysis as a whole is ExportAssessment's. Like every export it is
// audited before a byte is sent.
func (a *App) ExportList(ctx context.Context, who Actor, ws Scope, asm store.Assessment, view, format string, res *assess.Result) ([]byte, error) {
	if err := a.Allowed(who, ws, auth.ActExport, ""); err != nil {
		return nil, err
	}
	f, ok := LookupExport(format)
	if !ok || (format != "csv" && format != "xlsx") || (view != ViewRisks && view != ViewPlan) {
		return nil, fmt.Errorf("%w: no %s export of the %s", ErrNotFound, format, view)
	}
	if asm.WorkspaceID != ws.WS.ID {
		return nil, fmt.Errorf("%w: assessment %d is not of workspace %d", ErrNotFound, asm.ID, ws.WS.ID)
	}
	out, err := f.render(res)
	if err != nil {
		return nil, err
	}
	err = a.st.InTx(ctx, func(tx *store.Tx) error {
		return a.record(ctx, tx, who, ws, audit.AssessmentExport, assessmentObject(asm.ID),
			map[string]any{"format": format, "version": asm.Version, "list": view, "rows": len(res.Risks)})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
