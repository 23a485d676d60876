package web

import (
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"rcmguard/internal/app"
	"rcmguard/internal/store"
)

// viewsData is what the "saved-views" template receives.
type viewsData struct {
	Path  string // the list's page
	CSRF  string
	Views []store.SavedView
	Query string // the filters shown, which "Save view" keeps
}

func viewsBar(c *call, rel string, views []store.SavedView, query string) viewsData {
	return viewsData{Path: wsPath(c.WS.ID, rel), CSRF: c.CSRF, Views: views, Query: query}
}

func (s *Server) riskViewSave(w http.ResponseWriter, r *http.Request, c *call) error {
	return s.viewSave(w, r, c, app.ViewRisks)
}

func (s *Server) planViewSave(w http.ResponseWriter, r *http.Request, c *call) error {
	return s.viewSave(w, r, c, app.ViewPlan)
}

// viewSave saves the filters shown under the name typed, then shows them.
func (s *Server) viewSave(w http.ResponseWriter, r *http.Request, c *call, page string) error {
	q, err := parseQueryField(r.PostFormValue("query"))
	if err != nil {
		return errBadInput
	}
	v, err := s.app.SaveView(r.Context(), c.actor(), c.scope(), page, r.PostFormValue("name"), q)
	if err != nil {
		return err
	}
	to := wsPath(c.WS.ID, "/"+page)
	if v.Query != "" {
		to += "?" + v.Query
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
	return nil
}

func (s *Server) riskViewDelete(w http.ResponseWriter, r *http.Request, c *call) error {
	return s.viewDelete(w, r, c, app.ViewRisks)
}

func (s *Server) planViewDelete(w http.ResponseWriter, r *http.Request, c *call) error {
	return s.viewDelete(w, r, c, app.ViewPlan)
}

func (s *Server) viewDelete(w http.ResponseWriter, r *http.Request, c *call, page string) error {
	id, err := strconv.ParseInt(r.PostFormValue("view"), 10, 64)
	if err != nil {
		return errBadInput
	}
	if err := s.app.DeleteView(r.Context(), c.actor(), c.scope(), id); err != nil {
		return err
	}
	http.Redirect(w, r, wsPath(c.WS.ID, "/"+page), http.StatusSeeOther)
	return nil
}

// parseQueryField reads a query string posted in a form field.
func parseQueryField(s string) (map[string][]string, error) {
	return url.ParseQuery(strings.TrimPrefix(s, "?"))
}

// listURL is a link to one of our list pages with a query of filters. The
// query is parsed and encoded again, so whatever was stored, the link is
// path?key=value&… and no more; html/template would otherwise escape the
// "&" and "=" of a query written as one value.
func listURL(path, query string) template.URL {
	q, err := url.ParseQuery(query)
	if err != nil || len(q) == 0 {
		return template.URL(path)
	}
	return template.URL(path + "?" + q.Encode())
}
