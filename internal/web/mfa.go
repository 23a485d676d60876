package web

import (
	"errors"
	"net/http"
	"strings"

	"rcmguard/internal/auth"
)

type mfaData struct {
	Error    string
	Recovery bool
	Keys     bool // the user has a security key to offer instead of the code
}

func (s *Server) mfaForm(w http.ResponseWriter, r *http.Request, c *call) error {
	if !c.User.MFAEnrolled {
		http.Redirect(w, r, "/login/enrol", http.StatusSeeOther)
		return nil
	}
	return s.render(w, http.StatusOK, "mfa", page{Title: "Verification code", C: c,
		Data: mfaData{Recovery: r.URL.Query().Get("recovery") == "1", Keys: s.offerKeys(r, c)}})
}

// mfaSubmit completes sign-in with an authenticator code or, when the
// person has lost their device, a one-time recovery code.
func (s *Server) mfaSubmit(w http.ResponseWriter, r *http.Request, c *call) error {
	if !c.User.MFAEnrolled {
		http.Redirect(w, r, "/login/enrol", http.StatusSeeOther)
		return nil
	}
	recovery := r.PostFormValue("method") == "recovery"
	code := strings.TrimSpace(r.PostFormValue("code"))
	var token string
	var err error
	if recovery {
		token, err = s.auth.VerifyRecoveryCode(r.Context(), c.Token, code, s.now())
	} else {
		token, err = s.auth.VerifyTOTP(r.Context(), c.Token, strings.ReplaceAll(code, " ", ""), s.now())
	}
	if errors.Is(err, auth.ErrInvalidCredentials) {
		return s.render(w, http.StatusUnauthorized, "mfa", page{Title: "Verification code", C: c,
			Data: mfaData{Recovery: recovery, Keys: s.offerKeys(r, c),
				Error: "That code is not correct. Codes work once; wait for the next one and try again."}})
	}
	if errors.Is(err, auth.ErrUnauthenticated) {
		s.toLogin(w, r, err)
		return nil
	}
	if err != nil {
		return err
	}
	s.setCookie(w, sessionCookie, token)
	http.Redirect(w, r, "/", http.StatusSeeOther)
	return nil
}
