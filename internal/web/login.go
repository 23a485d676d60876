package web

import (
	"errors"
	"net/http"
	"strings"

	"rcmguard/internal/auth"
)

type loginData struct {
	Email   string
	Error   string
	Expired bool
}

func (s *Server) loginForm(w http.ResponseWriter, r *http.Request, c *call) error {
	return s.render(w, http.StatusOK, "login", page{Title: "Sign in", C: c,
		Data: loginData{Expired: r.URL.Query().Get("expired") == "1"}})
}

// loginSubmit checks the password. Every failure shows the same message:
// the page never says whether the account exists, is disabled or is
// locked; auth counts, locks out and audits.
func (s *Server) loginSubmit(w http.ResponseWriter, r *http.Request, c *call) error {
	email := strings.TrimSpace(r.PostFormValue("email"))
	res, err := s.auth.Login(r.Context(), email, r.PostFormValue("password"), s.now())
	if errors.Is(err, auth.ErrInvalidCredentials) {
		return s.render(w, http.StatusUnauthorized, "login", page{Title: "Sign in", C: c,
			Data: loginData{Email: email, Error: "The e-mail address or password is not correct, or the account cannot sign in right now."}})
	}
	if errors.Is(err, auth.ErrBusy) {
		setRetryBusy(w)
		return s.render(w, http.StatusTooManyRequests, "login", page{Title: "Sign in", C: c,
			Data: loginData{Email: email, Error: busyMessage}})
	}
	if err != nil {
		return err
	}
	s.setCookie(w, sessionCookie, res.Token)
	s.clearCookie(w, preCookie)
	next := "/login/mfa"
	if res.NeedsEnrol {
		next = "/login/enrol"
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
	return nil
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request, c *call) error {
	if err := s.auth.Logout(r.Context(), c.Token, s.now()); err != nil {
		return err
	}
	s.clearCookie(w, sessionCookie)
	http.Redirect(w, r, "/login", http.StatusSeeOther)
	return nil
}
