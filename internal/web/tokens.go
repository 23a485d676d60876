package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"rcmguard/internal/app"
	"rcmguard/internal/store"
)

type tokenRow struct {
	T    store.APIToken
	User string
}

type tokensData struct {
	Rows    []tokenRow
	Name    string
	Days    string
	Errors  map[string]string
	Created string // the new token, shown once
}

func (s *Server) tokenPage(w http.ResponseWriter, r *http.Request, c *call, status int, d tokensData) error {
	ts, err := s.st.APITokens(r.Context(), c.WS.ID)
	if err != nil {
		return err
	}
	names := map[int64]string{}
	for _, t := range ts {
		d.Rows = append(d.Rows, tokenRow{T: t, User: s.userEmail(r.Context(), t.UserID, names)})
	}
	if d.Days == "" {
		d.Days = "90"
	}
	return s.render(w, status, "tokens", page{Title: "API tokens", Nav: "tokens", C: c, Data: d})
}

func (s *Server) tokenList(w http.ResponseWriter, r *http.Request, c *call) error {
	return s.tokenPage(w, r, c, http.StatusOK, tokensData{})
}

// tokenCreate issues a token acting as the signed-in user in this
// workspace, with their role; it is shown once and only its hash is kept.
func (s *Server) tokenCreate(w http.ResponseWriter, r *http.Request, c *call) error {
	d := tokensData{Name: strings.TrimSpace(r.PostFormValue("name")), Days: strings.TrimSpace(r.PostFormValue("days"))}
	days, err := strconv.Atoi(d.Days)
	if err != nil {
		days = 0 // not a number of days: refused with the others
	}
	secret, err := s.app.CreateToken(r.Context(), c.actor(), c.scope(), d.Name, days)
	var fields app.Errors
	if errors.As(err, &fields) {
		d.Errors = fields.ByField()
		return s.tokenPage(w, r, c, statusOf(err), d)
	}
	if err != nil {
		return err
	}
	return s.tokenPage(w, r, c, http.StatusOK, tokensData{Created: secret})
}

func (s *Server) tokenDelete(w http.ResponseWriter, r *http.Request, c *call) error {
	id, err := strconv.ParseInt(r.PathValue("token"), 10, 64)
	if err != nil {
		return errNotFound
	}
	if err := s.app.RevokeToken(r.Context(), c.actor(), c.scope(), id); err != nil {
		return err
	}
	http.Redirect(w, r, wsPath(c.WS.ID, "/tokens"), http.StatusSeeOther)
	return nil
}
