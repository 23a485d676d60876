package web

import (
	"bytes"
	"fmt"
	"net/http"

	"rcmguard/internal/report"
	"rcmguard/internal/store"
)

func (s *Server) downloadHTML(w http.ResponseWriter, r *http.Request, c *call) error {
	return s.download(w, r, c, "html")
}

func (s *Server) downloadJSON(w http.ResponseWriter, r *http.Request, c *call) error {
	return s.download(w, r, c, "json")
}

// download sends an assessment's report. It is an export of the analysis,
// so it is audited, and the audit entry is written before a byte is sent:
// no audit entry, no download.
func (s *Server) download(w http.ResponseWriter, r *http.Request, c *call, format string) error {
	a, res, err := s.assessmentOf(r, c)
	if err != nil {
		return err
	}
	var b bytes.Buffer
	ctype := "application/json"
	if format == "html" {
		ctype = "text/html; charset=utf-8"
		err = report.HTML(&b, res)
	} else {
		err = report.JSON(&b, res)
	}
	if err != nil {
		return err
	}
	ctx := r.Context()
	err = s.st.InTx(ctx, func(tx *store.Tx) error {
		return s.audit(ctx, tx, c, "export.assessment", "assessment:"+itoa(a.ID), map[string]any{"format": format, "version": a.Version})
	})
	if err != nil {
		return err
	}
	name := fmt.Sprintf("rcmguard-sra-w%d-v%d.%s", c.WS.ID, a.Version, format)
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	// The report is self-contained and has no script; the page CSP still
	// applies should someone open it from the download bar.
	_, err = w.Write(b.Bytes())
	return err
}
