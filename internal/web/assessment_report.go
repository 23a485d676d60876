package web

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"html/template"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/net/html"

	"rcmguard/internal/assess"
	"rcmguard/internal/risk"
)

// The report in the app: the full report of internal/report read in the
// browser (and printed from it), and a two-page executive summary.

// reportView shows the full report as internal/report renders it, with a
// bar back to the app that print leaves out, and print and phone rules
// added. The report styles itself inline; the page allows exactly those
// styles, by hash, and nothing else inline.
func (s *Server) reportView(w http.ResponseWriter, r *http.Request, c *call) error {
	id, err := assessmentID(r)
	if err != nil {
		return err
	}
	a, doc, err := s.app.ReportHTML(r.Context(), c.actor(), c.scope(), id)
	if err != nil {
		return err
	}
	back := template.HTMLEscapeString(wsPath(c.WS.ID, "/assessments/"+itoa(a.ID)))
	summary := template.HTMLEscapeString(wsPath(c.WS.ID, "/assessments/"+itoa(a.ID)+"/summary"))
	bar := `<nav class="app-bar" aria-label="rcmguard"><a href="` + back + `">← Assessment version ` + strconv.Itoa(a.Version) +
		`</a> <a href="` + summary + `">Executive summary</a> <span>Print it from your browser: each section starts a page.</span></nav>`
	doc, err = injectReport(doc, reportStyle, bar)
	if err != nil {
		return err
	}
	policy, err := reportCSP(doc)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Security-Policy", policy)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, err = w.Write(doc)
	return err
}

// reportStyle is added to the report read in the app: the bar back to the
// app, tables that scroll in their own box on a phone, and print margins
// that suit A4 and Letter alike. The report's own print rules already
// hide navigation and start each section on a new page.
const reportStyle = `
.app-bar{display:flex;flex-wrap:wrap;gap:6px 18px;align-items:center;padding:10px 28px;background:#13294b;color:#e5ecf6;font-size:14px}
.app-bar a{color:#fff;font-weight:600}
@page{size:auto;margin:16mm 14mm}
@media print{.app-bar{display:none}table{font-size:9.5pt}svg{max-width:100%;height:auto}}
@media (max-width:40rem){main{padding:16px 12px 40px}table{display:block;overflow-x:auto}.risk dl{grid-template-columns:1fr}
svg{max-width:100%;height:auto}nav ol{columns:1}td,th,li,p,dd,code{overflow-wrap:anywhere}.app-bar{padding:10px 12px}}
`

// injectReport adds a style sheet at the end of the report's head and a
// bar at the start of its body.
func injectReport(doc []byte, style, bar string) ([]byte, error) {
	head := bytes.Index(doc, []byte("</head>"))
	body := bytes.Index(doc, []byte("<body>"))
	if head < 0 || body < head {
		return nil, fmt.Errorf("web: the report has no head and body to add to")
	}
	body += len("<body>")
	var b bytes.Buffer
	b.Grow(len(doc) + len(style) + len(bar) + 32)
	b.Write(doc[:head])
	b.WriteString("<style>" + style + "</style>\n")
	b.Write(doc[head:body])
	b.WriteString("\n" + bar)
	b.Write(doc[body:])
	return b.Bytes(), nil
}

// reportCSP is the page's policy for a report: the app's, with the
// report's style elements and style attributes allowed by their hashes
// ('unsafe-hashes' covers attributes, and only those listed).
func reportCSP(doc []byte) (string, error) {
	var elems, attrs []string
	hash := func(s string) string {
		sum := sha256.Sum256([]byte(s))
		return "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
	}
	z := html.NewTokenizer(bytes.NewReader(doc))
	inStyle := false
	for {
		switch z.Next() {
		case html.ErrorToken:
			if len(elems) == 0 {
				return "", fmt.Errorf("web: the report has no style")
			}
			slices.Sort(attrs)
			src := "style-src 'self' " + strings.Join(elems, " ")
			if len(attrs) > 0 {
				src += " 'unsafe-hashes' " + strings.Join(slices.Compact(attrs), " ")
			}
			return strings.Replace(csp, "style-src 'self'", src, 1), nil
		case html.StartTagToken, html.SelfClosingTagToken:
			t := z.Token()
			inStyle = t.Data == "style"
			for _, a := range t.Attr {
				if a.Key == "style" {
					attrs = append(attrs, hash(a.Val))
				}
			}
		case html.TextToken:
			if inStyle {
				elems = append(elems, hash(string(z.Raw())))
			}
		case html.EndTagToken:
			inStyle = false
		}
	}
}

// summaryData is the executive summary: the posture, the risks that
// matter most, what to fix first, and how much of the Security Rule the
// analysis covers, on two printed pages.
type summaryData struct {
	Row      assessmentRow
	Res      *assess.Result
	Counts   []levelCount
	Posture  string
	Top      []assess.Risk
	FixFirst []assess.PlanItem
	Covered  int // specifications and standards covered by rules, answers or not applicable
	Total    int
	Percent  int
	OpenQs   []assess.Coverage // what is not covered yet, first few
	MoreQs   int
}

// summaryTop and summaryFix bound the lists so that the summary prints on
// two pages.
const (
	summaryTop    = 8
	summaryFix    = 8
	summaryOpenQs = 8
)

func (s *Server) summaryView(w http.ResponseWriter, r *http.Request, c *call) error {
	id, err := assessmentID(r)
	if err != nil {
		return err
	}
	a, res, err := s.app.Assessment(r.Context(), c.actor(), c.scope(), id)
	if err != nil {
		return err
	}
	names := map[int64]string{}
	d := summaryData{Res: res, Row: assessmentRow{A: a, By: s.userEmail(r.Context(), a.CreatedBy, names),
		SignedBy: s.userEmail(r.Context(), a.SignedOffBy, names), Open: res.Summary.Open, Highest: res.Summary.Highest,
		RiskCount: res.Summary.Risks}}
	for _, l := range levelsDesc {
		d.Counts = append(d.Counts, levelCount{Slug: l.Slug(), Title: l.Title(), Count: res.Summary.OpenByLevel[l.Slug()]})
	}
	d.Posture = posture(res)
	for i := range res.Risks {
		if res.Risks[i].Open() && len(d.Top) < summaryTop {
			d.Top = append(d.Top, res.Risks[i])
		}
	}
	for _, p := range res.Plan {
		if risk.Status(p.Status).StillAtRisk() && len(d.FixFirst) < summaryFix {
			d.FixFirst = append(d.FixFirst, p)
		}
	}
	cc := res.Summary.Coverage
	d.Total = cc.Specifications + cc.Standards
	d.Covered = cc.ByRules + cc.ByAnswers + cc.NotApplicable
	if d.Total > 0 {
		d.Percent = d.Covered * 100 / d.Total
	}
	for _, cv := range res.Coverage {
		if cv.Status == "open" {
			if len(d.OpenQs) < summaryOpenQs {
				d.OpenQs = append(d.OpenQs, cv)
			} else {
				d.MoreQs++
			}
		}
	}
	return s.render(w, http.StatusOK, "summary", page{Title: "Executive summary, version " + strconv.Itoa(a.Version),
		Nav: "assessments", C: c, Data: d})
}

// posture says in one sentence where the organisation stands.
func posture(res *assess.Result) string {
	sum := res.Summary
	if sum.Open == 0 {
		return "No open risks: every risk found is mitigated, accepted or a false positive."
	}
	hi := sum.OpenByLevel[risk.VeryHigh.Slug()] + sum.OpenByLevel[risk.High.Slug()]
	lvl, err := risk.ParseLevel(sum.Highest)
	highest := sum.Highest
	if err == nil {
		highest = strings.ToLower(lvl.Title())
	}
	switch {
	case hi > 0:
		return fmt.Sprintf("%d open risks, %d of them high or very high: the highest open level is %s. Those come first.",
			sum.Open, hi, highest)
	default:
		return fmt.Sprintf("%d open risks, none high or very high: the highest open level is %s.", sum.Open, highest)
	}
}
