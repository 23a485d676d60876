package web

import (
	"fmt"
	"net/http"

	"rcmguard/internal/app"
)

func (s *Server) downloadHTML(w http.ResponseWriter, r *http.Request, c *call) error {
	return s.download(w, r, c, "html")
}

func (s *Server) downloadJSON(w http.ResponseWriter, r *http.Request, c *call) error {
	return s.download(w, r, c, "json")
}

// downloadExport sends an assessment in any of app.ExportFormats, named by
// the path's {format}.
func (s *Server) downloadExport(w http.ResponseWriter, r *http.Request, c *call) error {
	return s.download(w, r, c, r.PathValue("format"))
}

// download sends an assessment's report; the application checks the role
// and audits the export before a byte is sent.
func (s *Server) download(w http.ResponseWriter, r *http.Request, c *call, format string) error {
	id, err := assessmentID(r)
	if err != nil {
		return err
	}
	a, b, err := s.app.ExportAssessment(r.Context(), c.actor(), c.scope(), id, format)
	if err != nil {
		return err
	}
	f, _ := app.LookupExport(format)
	sendDownload(w, f, fmt.Sprintf("rcmguard-sra-w%d-v%d", c.WS.ID, a.Version), b)
	return nil
}

// sendDownload writes a file for the browser to save, never to show in
// place: the name is ours (digits and a fixed ending), so it needs no
// escaping. The page CSP still applies should someone open an HTML report
// from the download bar; it has no script.
func sendDownload(w http.ResponseWriter, f app.ExportFormat, base string, b []byte) {
	w.Header().Set("Content-Type", f.ContentType)
	w.Header().Set("Content-Disposition", `attachment; filename="`+base+"."+f.Ext+`"`)
	w.Header().Set("Content-Length", fmt.Sprint(len(b)))
	w.Write(b)
}

// apiFile is an API handler's answer that is a file, not JSON.
type apiFile struct {
	format app.ExportFormat
	base   string
	body   []byte
}

// apiAssessmentExport serves the same downloads as the assessment's page,
// through the same audited use case.
func (s *Server) apiAssessmentExport(w http.ResponseWriter, r *http.Request, c *apiCall) (any, error) {
	id, err := assessmentID(r)
	if err != nil {
		return nil, err
	}
	format := r.PathValue("format")
	a, b, err := s.app.ExportAssessment(r.Context(), c.actor(), c.scope(), id, format)
	if err != nil {
		return nil, err
	}
	f, _ := app.LookupExport(format)
	return apiFile{format: f, base: fmt.Sprintf("rcmguard-sra-w%d-v%d", c.WS.ID, a.Version), body: b}, nil
}
