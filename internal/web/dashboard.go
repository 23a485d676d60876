package web

import (
	"fmt"
	"net/http"
	"strings"

	"rcmguard/internal/assess"
	"rcmguard/internal/risk"
)

// heatCell is one square of the 5×5 likelihood × impact map.
type heatCell struct {
	Count int
	Level risk.Level
	Label string
}

type levelCount struct {
	Slug, Title string
	Count       int
}

type trendPoint struct {
	Version int
	Open    int
	X, Y    int
}

type dashboardData struct {
	HasResult bool
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
	HasModel  bool
}

var levelsDesc = []risk.Level{risk.VeryHigh, risk.High, risk.Moderate, risk.Low, risk.VeryLow}

func (s *Server) dashboard(w http.ResponseWriter, r *http.Request, c *call) error {
	ctx := r.Context()
	d := dashboardData{}
	// Only whether a model exists: parsing a big one costs more than the
	// rest of the page.
	hasModel, err := s.st.HasWorkspaceModel(ctx, c.WS.ID)
	if err != nil {
		return err
	}
	d.HasModel = hasModel
	rows, err := s.history(ctx, c.WS.ID)
	if err != nil {
		return err
	}
	if len(rows) > 0 {
		d.HasResult = true
		d.Latest = rows[0]
		if d.Res, err = s.result(ctx, rows[0].A); err != nil {
			return err
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
		d.Trend, d.TrendPath, d.TrendMax = trend(rows)
	}
	return s.render(w, http.StatusOK, "dashboard", page{Title: c.WS.Name, Nav: "dashboard", C: c, Data: d})
}

// heatMap lays out the result's counts with the NIST matrix level of each
// square, likelihood from very high (top) to very low, impact left to right.
func heatMap(hm [5][5]int) (rows [][]heatCell, likeRow, impactCol []string) {
	for _, l := range levelsDesc {
		var row []heatCell
		for i := risk.VeryLow; i <= risk.VeryHigh; i++ {
			lvl := risk.Matrix(l, i)
			row = append(row, heatCell{Count: hm[l][i], Level: lvl,
				Label: fmt.Sprintf("%d open risks with %s likelihood and %s impact", hm[l][i], l, i)})
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
		if p.Due != "" && p.Due < today && s.overdue(p.Due) && p.Status != "mitigated" && p.Status != "false_positive" {
			out = append(out, p)
		}
	}
	return out
}

// trend plots open risks per assessment, oldest first, as an SVG polyline
// in a 300×80 box.
func trend(rows []assessmentRow) ([]trendPoint, string, int) {
	maxOpen := 1
	for _, r := range rows {
		maxOpen = max(maxOpen, r.Open)
	}
	n := len(rows)
	var pts []trendPoint
	var path strings.Builder
	for i := n - 1; i >= 0; i-- {
		k := n - 1 - i
		x := 10
		if n > 1 {
			x = 10 + k*280/(n-1)
		}
		y := 70 - rows[i].Open*60/maxOpen
		pts = append(pts, trendPoint{Version: rows[i].A.Version, Open: rows[i].Open, X: x, Y: y})
		fmt.Fprintf(&path, "%d,%d ", x, y)
	}
	return pts, strings.TrimSpace(path.String()), maxOpen
}
