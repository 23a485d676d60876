package report

import (
	"fmt"
	"html/template"
	"rcmguard/internal/labels"
	"strings"

	"rcmguard/internal/assess"
)

// levelColors are the fill colours of risk levels; chosen to keep 4.5:1
// contrast with white text and to stay distinct in greyscale print.
var levelColors = map[string]string{
	"very_high": "#8b1a1a",
	"high":      "#c2410c",
	"moderate":  "#a16207",
	"low":       "#2f6b3a",
	"very_low":  "#4b5563",
	"":          "#334155",
}

// diagram draws the data-flow diagram: one swimlane per workflow stage, one
// row per flow, the arrow coloured by the flow's highest open risk.
func diagram(res *assess.Result) template.HTML {
	const (
		laneW, rowH, boxW, boxH = 200, 46, 230, 30
		fromX, toX, width       = 215, 640, 890
	)
	type lane struct {
		title string
		flows []assess.FlowRow
	}
	var lanes []lane
	idx := map[string]int{}
	for _, st := range res.Inventory.Stages {
		idx[st.ID] = len(lanes)
		lanes = append(lanes, lane{title: st.Title})
	}
	for _, f := range res.Inventory.Flows {
		i, ok := idx[f.Stage]
		if !ok {
			i, ok = idx["(no stage)"]
			if !ok {
				idx["(no stage)"] = len(lanes)
				lanes = append(lanes, lane{title: "No stage given"})
				i = len(lanes) - 1
			}
		}
		lanes[i].flows = append(lanes[i].flows, f)
	}
	var b strings.Builder
	y, height := 0, 0
	for _, l := range lanes {
		height += laneHeight(len(l.flows), l.title) + 4
	}
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" width="100%%" role="img" aria-labelledby="dfd-title dfd-desc" class="dfd">`, width, height+4)
	b.WriteString(`<title id="dfd-title">Data-flow diagram by workflow stage</title>`)
	fmt.Fprintf(&b, `<desc id="dfd-desc">%d flows across %d stages; each arrow is coloured by the highest open risk on that flow.</desc>`, len(res.Inventory.Flows), len(res.Inventory.Stages))
	b.WriteString(`<defs>`)
	for _, lvl := range []string{"very_high", "high", "moderate", "low", "very_low", ""} {
		c := levelColors[lvl]
		name := lvl
		if name == "" {
			name = "none"
		}
		fmt.Fprintf(&b, `<marker id="arrow-%s" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="%s"/></marker>`, name, c)
	}
	b.WriteString(`</defs>`)
	for li, l := range lanes {
		h := laneHeight(len(l.flows), l.title)
		fill := "#f8fafc"
		if li%2 == 1 {
			fill = "#eef2f7"
		}
		fmt.Fprintf(&b, `<g class="lane"><rect x="0" y="%d" width="%d" height="%d" fill="%s" stroke="#cbd5e1"/>`, y, width, h, fill)
		for k, line := range wrap(l.title, 24) {
			fmt.Fprintf(&b, `<text x="10" y="%d" class="lane-title">%s</text>`, y+22+k*16, esc(line))
		}
		if len(l.flows) == 0 {
			fmt.Fprintf(&b, `<text x="%d" y="%d" class="muted">no flows modelled in this stage</text>`, fromX, y+28)
		}
		for i, f := range l.flows {
			ry := y + 8 + i*rowH
			lvl := f.Highest
			col := levelColors[lvl]
			marker := lvl
			if marker == "" {
				marker = "none"
			}
			box := func(x int, label string) {
				fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="%d" rx="5" fill="#ffffff" stroke="#64748b"/>`, x, ry, boxW, boxH)
				fmt.Fprintf(&b, `<text x="%d" y="%d" class="box">%s</text>`, x+8, ry+19, esc(truncate(label, 32)))
			}
			box(fromX, f.FromName)
			box(toX, f.ToName)
			dash := ""
			if !f.Encrypted && f.PHI {
				dash = ` stroke-dasharray="6 4"`
			}
			fmt.Fprintf(&b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="%s" stroke-width="3"%s marker-end="url(#arrow-%s)"><title>%s</title></line>`,
				fromX+boxW+4, ry+boxH/2, toX-6, ry+boxH/2, col, dash, marker, esc(flowTitle(f)))
			fmt.Fprintf(&b, `<text x="%d" y="%d" class="chan" text-anchor="middle">%s</text>`, (fromX+boxW+toX)/2, ry+boxH/2-6, esc(flowLabel(f)))
		}
		b.WriteString(`</g>`)
		y += h + 4
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String()) // built only from escaped text
}

// laneHeight fits a lane's flows and its wrapped title.
func laneHeight(flows int, title string) int {
	const rowH = 46
	if flows == 0 {
		flows = 1
	}
	h := flows*rowH + 8
	if t := 14 + 16*len(wrap(title, 24)); t > h {
		h = t
	}
	return h
}

// wrap breaks text into lines of at most n runes at spaces.
func wrap(text string, n int) []string {
	var lines []string
	cur := ""
	for _, w := range strings.Fields(text) {
		if cur != "" && len([]rune(cur))+1+len([]rune(w)) > n {
			lines = append(lines, cur)
			cur = w
			continue
		}
		if cur != "" {
			cur += " "
		}
		cur += w
	}
	if cur != "" {
		lines = append(lines, cur)
	}
	return lines
}

func flowLabel(f assess.FlowRow) string {
	s := labels.Label(f.Channel)
	if f.Risks > 0 {
		s += fmt.Sprintf(" · %d risk", f.Risks)
		if f.Risks > 1 {
			s += "s"
		}
	}
	return s
}

func flowTitle(f assess.FlowRow) string {
	enc := "encrypted"
	if !f.Encrypted {
		enc = "NOT encrypted"
	}
	lvl := "no open risk"
	if f.Highest != "" {
		lvl = "highest open risk " + strings.ReplaceAll(f.Highest, "_", " ")
	}
	return fmt.Sprintf("%s: %s → %s over %s, %s, auth %s; %s", f.ID, f.FromName, f.ToName, f.Channel, enc, f.Auth, lvl)
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

func esc(s string) string { return template.HTMLEscapeString(s) }
