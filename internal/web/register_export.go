package web

import (
	"fmt"
	"net/http"

	"rcmguard/internal/app"
	"rcmguard/internal/assess"
	"rcmguard/internal/risk"
)

func (s *Server) registerCSV(w http.ResponseWriter, r *http.Request, c *call) error {
	return s.exportList(w, r, c, app.ViewRisks, "csv")
}

func (s *Server) registerXLSX(w http.ResponseWriter, r *http.Request, c *call) error {
	return s.exportList(w, r, c, app.ViewRisks, "xlsx")
}

func (s *Server) planCSV(w http.ResponseWriter, r *http.Request, c *call) error {
	return s.exportList(w, r, c, app.ViewPlan, "csv")
}

func (s *Server) planXLSX(w http.ResponseWriter, r *http.Request, c *call) error {
	return s.exportList(w, r, c, app.ViewPlan, "xlsx")
}

// exportList downloads the register or the plan as the page shows it with
// the same query: every page of it, filtered and sorted, with the owners
// and due dates the page shows, through report's CSV and XLSX writers.
func (s *Server) exportList(w http.ResponseWriter, r *http.Request, c *call, view, format string) error {
	a, res, ok, err := s.app.Latest(r.Context(), c.WS.ID)
	if err != nil {
		return err
	}
	if !ok {
		return errNotFound
	}
	_, j, _, err := s.register(r, c.WS)
	if err != nil {
		return err
	}
	f := filterOf(r.URL.Query())
	f.Client = ""
	var mine map[string]bool
	if f.Assigned == "me" {
		if mine, err = s.assignmentSet(r.Context(), c); err != nil {
			return err
		}
	}
	base := j.rows
	if view == app.ViewPlan {
		base = j.plan()
		if f.Sort == "" {
			f.Sort = "plan"
		}
	}
	rows := filterRows(base, f, mine, s.today().Format("2006-01-02"))
	b, err := s.app.ExportList(r.Context(), c.actor(), c.scope(), a, view, format, listResult(res, rows))
	if err != nil {
		return err
	}
	ef, _ := app.LookupExport(format)
	sendDownload(w, ef, fmt.Sprintf("rcmguard-%s-w%d-v%d", map[string]string{app.ViewRisks: "register", app.ViewPlan: "plan"}[view], c.WS.ID, a.Version), b)
	return nil
}

// listResult is res cut down to rows, in their order, each risk and plan
// step carrying the status, owner (by name) and due date the pages show.
// It copies what it changes: res is shared.
func listResult(res *assess.Result, rows []riskRow) *assess.Result {
	out := *res
	out.Risks = make([]assess.Risk, 0, len(rows))
	out.Plan = make([]assess.PlanItem, 0, len(rows))
	for _, row := range rows {
		rk := *row.R
		t := assess.Tracking{}
		if rk.Tracking != nil {
			t = *rk.Tracking
		}
		t.Owner, t.Due = row.OwnerName, row.DueAt
		rk.Tracking, rk.Status = &t, risk.Status(row.Status)
		out.Risks = append(out.Risks, rk)
		if row.Plan != nil {
			p := *row.Plan
			p.Owner, p.Due, p.Status = row.OwnerName, row.DueAt, row.Status
			out.Plan = append(out.Plan, p)
		}
	}
	return &out
}
