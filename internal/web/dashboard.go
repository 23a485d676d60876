package web

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"html/template"
	"net/http"
	"strings"

	"rcmguard/internal/app"
	"rcmguard/internal/assess"
	"rcmguard/internal/risk"
)

// heatCell is one square of the 5×5 likelihood × impact map.
type heatCell struct {
	Count int
	Level risk.Level
	Label string
	// Query opens the register filtered to this square:
	// likelihood=<level slug>&impact=<level slug>&status=open.
	Query string
}

type levelCount struct {
	Slug, Title string
	Count       int
}

type trendPoint struct {
	Version int
	Open    int
	X, Y    int
	Label   bool // the version is written under the axis
}

// trendTick is a value on the vertical axis and its height.
type trendTick struct {
	Value, Y int
}

// The trend chart's plot area inside its 360×190 view box: room on the
// left for the counts, below for the versions and the axis title.
const (
	trendLeft, trendRight = 48, 344
	trendTop, trendBottom = 14, 142
)

// dashboardPage is what the dashboard template receives: the parts that
// depend on the viewer, and the body rendered from dashboardData.
type dashboardPage struct {
	HasResult bool
	HasModel  bool
	Body      template.HTML
	Latest    assessmentRow
	Progress  app.Progress
	// The risks the next dates concern, by title.
	ExpiryTitle, DueTitle string
}

// DecidedPercent is the share of the latest assessment's risks decided,
// rounded down, for the progress bar.
func (p dashboardPage) DecidedPercent() int {
	if p.Progress.Risks == 0 {
		return 100
	}
	return p.Progress.Decided * 100 / p.Progress.Risks
}

// dashboardData is the body of the dashboard (the "dashboard-body"
// template): it depends only on the workspace's history and the day.
type dashboardData struct {
	Latest    assessmentRow
	Res       *assess.Result
	Heat      [][]heatCell // rows: likelihood very high → very low
	ImpactCol []string
	LikeRow   []string
	Counts    []levelCount
	Top       []assess.Risk
	Overdue   []assess.PlanItem
	Trend     []trendPoint
	TrendPath string
	TrendMax  int
	Ticks     []trendTick
	TrendDesc string
}

// dashboardBody is what the "dashboard-body" template receives.
type dashboardBody struct {
	WS   int64
	Data dashboardData
}

var levelsDesc = []risk.Level{risk.VeryHigh, risk.High, risk.Moderate, risk.Low, risk.VeryLow}

func (s *Server) dashboard(w http.ResponseWriter, r *http.Request, c *call) error {
	ctx := r.Context()
	var p dashboardPage
	// Only whether a model exists: parsing a big one costs more than the
	// rest of the page.
	hasModel, err := s.st.HasWorkspaceModel(ctx, c.WS.ID)
	if err != nil {
		return err
	}
	p.HasModel = hasModel
	rows, err := s.history(ctx, c.WS.ID)
	if err != nil {
		return err
	}
	if len(rows) > 0 {
		p.HasResult, p.Latest = true, rows[0]
		if p.Body, err = s.dashboardBody(ctx, c.WS.ID, rows); err != nil {
			return err
		}
		// What changes with every decision and model edit is measured on
		// each view, outside the cached body.
		res, err := s.app.Result(ctx, rows[0].A)
		if err != nil {
			return err
		}
		if p.Progress, err = s.app.ProgressOf(ctx, c.actor(), c.scope(), rows[0].A, res); err != nil {
			return err
		}
		for _, r := range res.Risks {
			switch r.ID {
			case p.Progress.ExpiryRisk:
				p.ExpiryTitle = r.Title + " (" + RiskSubject(r) + ")"
			case p.Progress.DueRisk:
				p.DueTitle = r.Title + " (" + RiskSubject(r) + ")"
			}
		}
	}
	return s.render(w, http.StatusOK, "dashboard", page{Title: c.WS.Name, Nav: "dashboard", C: c, Data: p})
}

// dashboardBody renders the heat map, counts, trend, top risks and overdue
// items of a workspace whose history is rows (newest first). The body is
// the same for every viewer until an assessment is run or signed off, or
// the day changes (items fall overdue), so it is rendered once per
// (workspace, history, day) and then served from s.fragments: for a
// register of 10,000 risks that is most of a dashboard view's work.
func (s *Server) dashboardBody(ctx context.Context, ws int64, rows []assessmentRow) (template.HTML, error) {
	today := s.today().Format("2006-01-02")
	key := dashboardKey(ws, today, rows)
	if h, ok := s.fragments.Get(key); ok {
		return h, nil
	}
	d := dashboardData{Latest: rows[0]}
	var err error
	if d.Res, err = s.app.Result(ctx, rows[0].A); err != nil {
		return "", err
	}
	d.Heat, d.LikeRow, d.ImpactCol = heatMap(d.Res.Summary.HeatMap)
	for _, l := range levelsDesc {
		d.Counts = append(d.Counts, levelCount{Slug: l.Slug(), Title: l.Title(), Count: d.Res.Summary.OpenByLevel[l.Slug()]})
	}
	for i := range d.Res.Risks {
		if d.Res.Risks[i].Open() && len(d.Top) < 5 {
			d.Top = append(d.Top, d.Res.Risks[i])
		}
	}
	d.Overdue = s.overdueItems(d.Res)
	d.Trend, d.TrendPath, d.TrendMax, d.Ticks = trend(rows)
	if n := len(d.Trend); n > 0 {
		first, last := d.Trend[0], d.Trend[n-1]
		d.TrendDesc = fmt.Sprintf("%d open risks in version %d.", last.Open, last.Version)
		if n > 1 {
			d.TrendDesc = fmt.Sprintf("From %d open risks in version %d to %d in version %d, over %d assessments.",
				first.Open, first.Version, last.Open, last.Version, n)
		}
	}
	var b bytes.Buffer
	if err := s.tpl.byName["dashboard"].ExecuteTemplate(&b, "dashboard-body", dashboardBody{WS: ws, Data: d}); err != nil {
		return "", fmt.Errorf("web: render dashboard body: %w", err)
	}
	h := template.HTML(b.String())
	s.fragments.Add(key, h, 0)
	return h, nil
}

// dashboardKey names everything a dashboard body shows: the workspace, the
// day, and for each assessment its identity, who ran and who signed it off
// and when, and its open count.
func dashboardKey(ws int64, today string, rows []assessmentRow) string {
	h := sha256.New()
	fmt.Fprintf(h, "%d\x00%s", ws, today)
	for _, r := range rows {
		fmt.Fprintf(h, "\x00%d\x00%d\x00%q\x00%q\x00%d\x00%d", r.A.ID, r.A.Version, r.By, r.SignedBy,
			r.A.SignedOff.UnixNano(), r.Open)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// heatMap lays out the result's counts with the NIST matrix level of each
// square, likelihood from very high (top) to very low, impact left to right.
func heatMap(hm [5][5]int) (rows [][]heatCell, likeRow, impactCol []string) {
	for _, l := range levelsDesc {
		var row []heatCell
		for i := risk.VeryLow; i <= risk.VeryHigh; i++ {
			lvl := risk.Matrix(l, i)
			row = append(row, heatCell{Count: hm[l][i], Level: lvl,
				Label: fmt.Sprintf("%d open risks with %s likelihood and %s impact", hm[l][i], l, i),
				Query: "likelihood=" + l.Slug() + "&impact=" + i.Slug() + "&status=" + statusOpen})
		}
		rows = append(rows, row)
		likeRow = append(likeRow, l.Title())
	}
	for i := risk.VeryLow; i <= risk.VeryHigh; i++ {
		impactCol = append(impactCol, i.Title())
	}
	return rows, likeRow, impactCol
}

// overdueItems are plan items still open whose due date has passed. A plan
// of 10,000 items is checked on every dashboard view, so dates are first
// compared as YYYY-MM-DD text (which orders like the dates) and parsed only
// when that says they are past.
func (s *Server) overdueItems(res *assess.Result) []assess.PlanItem {
	var out []assess.PlanItem
	today := s.today().Format("2006-01-02")
	for _, p := range res.Plan {
		if p.Due != "" && p.Due < today && s.overdue(p.Due) && risk.Status(p.Status).StillAtRisk() {
			out = append(out, p)
		}
	}
	return out
}

// trend plots open risks per assessment, oldest first: the points of the
// line, the top of the vertical axis (a round number at or above the
// highest count) and its ticks. At most about eight versions are written
// under the axis, the newest always.
func trend(rows []assessmentRow) ([]trendPoint, string, int, []trendTick) {
	top := 1
	for _, r := range rows {
		top = max(top, r.Open)
	}
	top = roundUp(top)
	n := len(rows)
	every := max(1, (n+7)/8)
	var pts []trendPoint
	var path strings.Builder
	for i := n - 1; i >= 0; i-- {
		k := n - 1 - i
		x := (trendLeft + trendRight) / 2
		if n > 1 {
			x = trendLeft + 8 + k*(trendRight-trendLeft-16)/(n-1)
		}
		y := trendBottom - rows[i].Open*(trendBottom-trendTop)/top
		pts = append(pts, trendPoint{Version: rows[i].A.Version, Open: rows[i].Open, X: x, Y: y,
			Label: i == 0 || (n-1-i)%every == 0})
		fmt.Fprintf(&path, "%d,%d ", x, y)
	}
	var ticks []trendTick
	for _, v := range []int{0, top / 2, top} {
		if len(ticks) > 0 && ticks[len(ticks)-1].Value == v {
			continue
		}
		ticks = append(ticks, trendTick{Value: v, Y: trendBottom - v*(trendBottom-trendTop)/top})
	}
	return pts, strings.TrimSpace(path.String()), top, ticks
}

// roundUp is the axis top for a highest count n: n rounded up to 1, 2 or 5
// times a power of ten, so that the ticks are round numbers.
func roundUp(n int) int {
	for p := 1; ; p *= 10 {
		for _, m := range []int{1, 2, 5} {
			if m*p >= n {
				return m * p
			}
		}
	}
}
