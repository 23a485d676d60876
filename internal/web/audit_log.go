package web

import (
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"time"

	"rcmguard/internal/app"
)

type auditData struct {
	app.AuditView
	Query app.AuditQuery
	// Form holds the filters as sent, to fill the form and the links of
	// the next page and the CSV in.
	Form url.Values
	Err  string
}

// FormQuery is the filters as a query string, without the page cursor.
// It is a template.URL because html/template would otherwise escape the
// "=" and "&" of a query spliced after "?" in an href, and the link
// would lose the filters; url.Values.Encode has escaped every value.
func (d auditData) FormQuery() template.URL {
	v := url.Values{}
	for _, k := range []string{"actor", "action", "from", "to"} {
		if s := d.Form.Get(k); s != "" {
			v.Set(k, s)
		}
	}
	return template.URL(v.Encode())
}

// Stamp is a time in the log's zone, to the second.
func (d auditData) Stamp(t time.Time) string { return t.In(d.Zone).Format("2006-01-02 15:04:05") }

// Summary is a line's action, with the span of folded reads in the zone.
func (d auditData) Summary(l app.AuditLine) string { return l.Summary(d.Zone) }

// auditQuery reads the filters; a bad one is an app.Error for the person.
func auditQuery(r *http.Request) (app.AuditQuery, error) {
	q := r.URL.Query()
	return app.ParseAuditQuery(q.Get("actor"), q.Get("action"), q.Get("from"), q.Get("to"), q.Get("before"))
}

// auditLog shows the workspace's audit log as people read it, filtered
// and a page at a time. Reading the log is not itself audited per page, to
// keep the log about changes and exports; exporting it is.
func (s *Server) auditLog(w http.ResponseWriter, r *http.Request, c *call) error {
	d := auditData{Form: r.URL.Query()}
	q, err := auditQuery(r)
	status := http.StatusOK
	var ae *app.Error
	if errors.As(err, &ae) {
		d.Err, status, q = ae.Msg, statusOf(err), app.AuditQuery{}
	}
	if d.AuditView, err = s.app.AuditLog(r.Context(), c.actor(), c.scope(), q); err != nil {
		return err
	}
	d.Query = q
	return s.render(w, status, "audit", page{Title: "Audit log", Nav: "audit", C: c, Data: d})
}

// auditExport downloads the filtered log as CSV, audited by the
// application before the file is sent.
func (s *Server) auditExport(w http.ResponseWriter, r *http.Request, c *call) error {
	q, err := auditQuery(r)
	if err != nil {
		return err
	}
	b, err := s.app.ExportAuditLog(r.Context(), c.actor(), c.scope(), q)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="rcmguard-audit-w%d.csv"`, c.WS.ID))
	_, err = w.Write(b)
	return err
}
