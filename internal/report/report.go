// Package report renders an assessment result: a terminal summary, the
// documented JSON, and a self-contained HTML report for an investigator.
// Renderers read only the assess.Result; they compute nothing new.
package report

import (
	"encoding/json"
	"fmt"
	"io"

	"rcmguard/internal/assess"
)

// Formats are the output formats of `rcmguard assess`.
var Formats = []string{"text", "json", "html"}

// Write renders res in the given format.
func Write(w io.Writer, res *assess.Result, format string) error {
	switch format {
	case "text":
		return Text(w, res)
	case "json":
		return JSON(w, res)
	case "html":
		return HTML(w, res)
	}
	return fmt.Errorf("report: unknown format %q (want text, json or html)", format)
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
