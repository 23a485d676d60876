package web

import (
	"net/http"
	"strconv"

	"rcmguard/internal/app"
)

type diffData struct {
	Rows     []assessmentRow
	From, To int64
	Picked   bool
	// Cmp is the comparison when two were picked (or defaulted to).
	Cmp            app.Comparison
	SameAssessment bool
}

// assessmentDiff compares two assessments of the workspace; without a
// choice it compares the two latest, which is what people open it for.
func (s *Server) assessmentDiff(w http.ResponseWriter, r *http.Request, c *call) error {
	rows, err := s.history(r.Context(), c.WS.ID)
	if err != nil {
		return err
	}
	d := diffData{Rows: rows}
	q := r.URL.Query()
	switch {
	case q.Get("from") != "" || q.Get("to") != "":
		from, err1 := strconv.ParseInt(q.Get("from"), 10, 64)
		to, err2 := strconv.ParseInt(q.Get("to"), 10, 64)
		if err1 != nil || err2 != nil {
			return errNotFound
		}
		d.From, d.To, d.Picked = from, to, true
	case len(rows) >= 2:
		d.From, d.To, d.Picked = rows[1].A.ID, rows[0].A.ID, true
	}
	if d.Picked {
		if d.Cmp, err = s.app.CompareAssessments(r.Context(), c.actor(), c.scope(), d.From, d.To); err != nil {
			return err
		}
		d.SameAssessment = d.From == d.To
	}
	return s.render(w, http.StatusOK, "diff", page{Title: "Compare assessments", Nav: "assessments", C: c, Data: d})
}
