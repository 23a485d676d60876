package web

import "net/http"

// myWork lists what is the signed-in person's across their workspaces:
// risks they own with their due dates, and closures waiting for their
// review.
func (s *Server) myWork(w http.ResponseWriter, r *http.Request, c *call) error {
	mw, err := s.app.MyWork(r.Context(), c.actor())
	if err != nil {
		return err
	}
	return s.render(w, http.StatusOK, "mywork", page{Title: "My work", Nav: "mywork", C: c, Data: mw})
}
