package app

import (
	"bytes"
	"fmt"

	"rcmguard/internal/assess"
	"rcmguard/internal/report"
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
