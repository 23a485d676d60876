package web

import (
	"net/http"

	"rcmguard/internal/assess"
)

type planRow struct {
	Item    assess.PlanItem
	Overdue bool
}

type planData struct {
	HasResult bool
	Version   int
	AsOf      string
	Rows      []planRow
}

// plan shows the latest assessment's remediation plan in priority order.
func (s *Server) plan(w http.ResponseWriter, r *http.Request, c *call) error {
	a, res, ok, err := s.app.Latest(r.Context(), c.WS.ID)
	if err != nil {
		return err
	}
	d := planData{HasResult: ok}
	if ok {
		d.Version, d.AsOf = a.Version, res.AsOf
		for _, p := range res.Plan {
			d.Rows = append(d.Rows, planRow{Item: p, Overdue: p.Due != "" && s.overdue(p.Due)})
		}
	}
	return s.render(w, http.StatusOK, "plan", page{Title: "Remediation plan", Nav: "plan", C: c, Data: d})
}
