package web

import (
	"errors"
	"net/http"

	"rcmguard/internal/app"
)

// clientCreate adds a client practice under a billing company.
func (s *Server) clientCreate(w http.ResponseWriter, r *http.Request, c *call) error {
	name := r.PostFormValue("name")
	ws, err := s.app.CreateClient(r.Context(), c.actor(), c.scope(), name)
	if errors.Is(err, app.ErrInvalid) {
		return s.renderPortfolio(w, r, c, statusOf(err), clientForm{Name: name, Err: app.Message(err)})
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, wsPath(ws.ID, "/setup"), http.StatusSeeOther)
	return nil
}
