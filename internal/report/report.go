// Package report renders an assessment result: a terminal summary, the
// documented JSON, a self-contained HTML report for an investigator, and
// exports for auditors and GRC tools (CSV, XLSX, OSCAL, PDF).
// Renderers read only the assess.Result; they compute nothing new.
package report

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"

	"rcmguard/internal/assess"
)

// Formats are the report formats of `rcmguard assess`.
var Formats = []string{"text", "json", "html"}

// Exports are the export formats of `rcmguard assess`, for auditors and
// GRC tools.
var Exports = []string{"csv", "xlsx", "oscal-ar", "oscal-poam", "pdf"}

// AllFormats lists Formats then Exports: everything Write accepts.
func AllFormats() []string { return append(slices.Clone(Formats), Exports...) }

// Binary reports whether a format is not text a terminal can show.
func Binary(format string) bool { return format == "xlsx" || format == "pdf" }

// Write renders res in the given format.
func Write(w io.Writer, res *assess.Result, format string) error {
	switch format {
	case "text":
		return Text(w, res)
	case "json":
		return JSON(w, res)
	case "html":
		return HTML(w, res)
	case "csv":
		return CSV(w, res)
	case "xlsx":
		return XLSX(w, res)
	case "oscal-ar":
		return OSCALAssessmentResults(w, res)
	case "oscal-poam":
		return OSCALPOAM(w, res)
	case "pdf":
		return PDF(w, res)
	}
	return fmt.Errorf("report: unknown format %q (want %s)", format, strings.Join(AllFormats(), ", "))
}

// JSON writes the result as indented JSON.
func JSON(w io.Writer, res *assess.Result) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(res); err != nil {
		return fmt.Errorf("report: json: %w", err)
	}
	return nil
}
