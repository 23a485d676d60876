package web

import (
	"errors"
	"net/http"

	"rcmguard/internal/app"
)

func (s *Server) assessmentRun(w http.ResponseWriter, r *http.Request, c *call) error {
	a, err := s.app.RunAssessment(r.Context(), c.actor(), c.scope())
	if errors.Is(err, app.ErrNoModel) {
		http.Redirect(w, r, wsPath(c.WS.ID, "/model"), http.StatusSeeOther)
		return nil
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, wsPath(c.WS.ID, "/assessments/"+itoa(a.ID)), http.StatusSeeOther)
	return nil
}
