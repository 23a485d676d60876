package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

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
	d := tokensData{Name: strings.TrimSpace(r.PostFormValue("name")), Days: strings.TrimSpace(r.PostFormValue("days")),
		Errors: map[string]string{}}
	if d.Name == "" || len(d.Name) > 100 {
		d.Errors["name"] = "Name the token after what uses it (1 to 100 characters)."
	}
	days, err := strconv.Atoi(d.Days)
	if err != nil || days < 1 || days > 366 {
		d.Errors["days"] = "Enter a number of days between 1 and 366."
	}
	if len(d.Errors) > 0 {
		return s.tokenPage(w, r, c, http.StatusUnprocessableEntity, d)
	}
	secret, _, err := s.auth.CreateAPIToken(r.Context(), c.User.ID, c.WS.ID, d.Name, time.Duration(days)*24*time.Hour,
		"user:"+itoa(c.User.ID), s.now())
	if err != nil {
		if statusOf(err) == http.StatusConflict {
			d.Errors["name"] = "You already have a token with this name here."
			return s.tokenPage(w, r, c, http.StatusUnprocessableEntity, d)
		}
		return err
	}
	return s.tokenPage(w, r, c, http.StatusOK, tokensData{Created: secret})
}

func (s *Server) tokenDelete(w http.ResponseWriter, r *http.Request, c *call) error {
	id, err := strconv.ParseInt(r.PathValue("token"), 10, 64)
	if err != nil {
		return errNotFound
	}
	ctx := r.Context()
	err = s.st.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.DeleteAPIToken(ctx, c.WS.ID, id); err != nil {
			return err
		}
		return s.audit(ctx, tx, c, "token.revoke", "token:"+itoa(id), nil)
	})
	if err != nil {
		return err
	}
	http.Redirect(w, r, wsPath(c.WS.ID, "/tokens"), http.StatusSeeOther)
	return nil
}
