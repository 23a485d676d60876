package report

import (
	"embed"
	"fmt"
	"html/template"
	"io"
	"strings"

	"rcmguard/internal/assess"
	"rcmguard/internal/labels"
	"rcmguard/internal/risk"
)

//go:embed templates/report.html.tmpl
var templatesFS embed.FS

var reportTmpl = template.Must(template.New("report.html.tmpl").Funcs(template.FuncMap{
	"levelTitle": func(l risk.Level) string { return l.Title() },
	"slugTitle": func(s string) string {
		l, err := risk.ParseLevel(s)
		if err != nil {
			return s
		}
		return l.Title()
	},
	"words":    func(s string) string { return labels.LowerFirst(labels.Label(s)) },
	"plain":    labels.PlainText,
	"money":    money,
	"num":      func(n int) string { return money(float64(n)) },
	"diagram":  diagram,
	"join":     strings.Join,
	"color":    func(slug string) template.CSS { return template.CSS(levelColors[slug]) },
	"lcolor":   func(l risk.Level) template.CSS { return template.CSS(levelColors[l.Slug()]) },
	"heatRows": heatRows,
	"levels": func() []risk.Level {
		return []risk.Level{risk.VeryHigh, risk.High, risk.Moderate, risk.Low, risk.VeryLow}
	},
	"regulation":    regulationLabel,
	"add":           func(a, b int) int { return a + b },
	"owners":        ownerSummary,
	"signed":        func(p int) string { return fmt.Sprintf("%+d", p) },
	"businessLabel": func() string { return assess.BusinessLabel },
	"tableTitle":    risk.TableTitle,
	"pct":           pct,
	"share":         func(f float64) string { return fmt.Sprintf("%.1f%%", f*100) },
	"level":         func(v int) string { return risk.LevelOf(v).Slug() },
}).ParseFS(templatesFS, "templates/report.html.tmpl"))

// HTML writes the self-contained report: inline styles and SVG, no scripts,
// no external requests, laid out for print.
func HTML(w io.Writer, res *assess.Result) error {
	if err := reportTmpl.Execute(w, res); err != nil {
		return fmt.Errorf("report: html: %w", err)
	}
	return nil
}

type heatCell struct {
	N     int
	Level string
}

type heatRow struct {
	Likelihood risk.Level
	Cells      []heatCell
}

// heatRows lays out the 5×5 heat map: likelihood from very high down,
// impact from very low across, each cell coloured by its matrix level.
func heatRows(res *assess.Result) []heatRow {
	var rows []heatRow
	for l := risk.VeryHigh; l >= risk.VeryLow; l-- {
		row := heatRow{Likelihood: l}
		for i := risk.VeryLow; i <= risk.VeryHigh; i++ {
			row.Cells = append(row.Cells, heatCell{N: res.Summary.HeatMap[l][i], Level: risk.Matrix(l, i).Slug()})
		}
		rows = append(rows, row)
	}
	return rows
}

type ownerLine struct {
	Owner string
	Items int
	First string
}

func ownerSummary(plan []assess.PlanItem) []ownerLine {
	idx := map[string]int{}
	var out []ownerLine
	for _, p := range plan {
		i, ok := idx[p.Owner]
		if !ok {
			idx[p.Owner] = len(out)
			out = append(out, ownerLine{Owner: p.Owner, First: p.Due})
			i = len(out) - 1
		}
		out[i].Items++
		if p.Due < out[i].First {
			out[i].First = p.Due
		}
	}
	return out
}

// pct writes a share (0–1) as a whole percentage.
func pct(share float64) string { return fmt.Sprintf("%.0f%%", share*100) }
