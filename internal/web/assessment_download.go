package web

import (
	"fmt"
	"net/http"
)

func (s *Server) downloadHTML(w http.ResponseWriter, r *http.Request, c *call) error {
	return s.download(w, r, c, "html")
}

func (s *Server) downloadJSON(w http.ResponseWriter, r *http.Request, c *call) error {
	return s.download(w, r, c, "json")
}

// download sends an assessment's report; the application audits the
// export before a byte is sent.
func (s *Server) download(w http.ResponseWriter, r *http.Request, c *call, format string) error {
	id, err := assessmentID(r)
	if err != nil {
		return err
	}
	a, b, err := s.app.ExportAssessment(r.Context(), c.actor(), c.scope(), id, format)
	if err != nil {
		return err
	}
	ctype := "application/json"
	if format == "html" {
		ctype = "text/html; charset=utf-8"
	}
	name := fmt.Sprintf("rcmguard-sra-w%d-v%d.%s", c.WS.ID, a.Version, format)
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	// The report is self-contained and has no script; the page CSP still
	// applies should someone open it from the download bar.
	_, err = w.Write(b)
	return err
}
