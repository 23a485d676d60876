package web

import (
	"errors"
	"net/http"
	"strings"

	"rcmguard/internal/audit"
	"rcmguard/internal/auth"
)

type enrolData struct {
	Secret string // grouped in fours for typing
	URI    string
	Error  string
}

func groupSecret(s string) string {
	var b strings.Builder
	for i, r := range s {
		if i > 0 && i%4 == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// enrolForm shows the TOTP secret of a user who has not confirmed a code
// yet: MFA is required of everyone and enrolled at first sign-in.
func (s *Server) enrolForm(w http.ResponseWriter, r *http.Request, c *call) error {
	if c.User.MFAEnrolled {
		http.Redirect(w, r, "/login/mfa", http.StatusSeeOther)
		return nil
	}
	return s.render(w, http.StatusOK, "enrol", page{Title: "Set up two-step verification", C: c,
		Data: enrolData{Secret: groupSecret(c.User.TOTPSecret), URI: s.auth.EnrolmentURI(c.User)}})
}

// enrolSubmit confirms the first code, which completes enrolment and
// sign-in, then shows the recovery codes once, in this response only.
func (s *Server) enrolSubmit(w http.ResponseWriter, r *http.Request, c *call) error {
	if c.User.MFAEnrolled {
		http.Redirect(w, r, "/login/mfa", http.StatusSeeOther)
		return nil
	}
	code := strings.ReplaceAll(strings.TrimSpace(r.PostFormValue("code")), " ", "")
	token, err := s.auth.VerifyTOTP(r.Context(), c.Token, code, s.now())
	if errors.Is(err, auth.ErrInvalidCredentials) {
		return s.render(w, http.StatusUnauthorized, "enrol", page{Title: "Set up two-step verification", C: c,
			Data: enrolData{Secret: groupSecret(c.User.TOTPSecret), URI: s.auth.EnrolmentURI(c.User),
				Error: "That code is not correct. Check the device's clock and enter the code it shows now."}})
	}
	if errors.Is(err, auth.ErrUnauthenticated) {
		s.toLogin(w, r, err)
		return nil
	}
	if err != nil {
		return err
	}
	s.setCookie(w, sessionCookie, token)
	codes, err := s.auth.SetRecoveryCodes(r.Context(), c.User.ID, audit.UserActor(c.User.ID), s.now())
	if err != nil {
		return err
	}
	c.Token, c.CSRF = token, csrfToken(token)
	return s.render(w, http.StatusOK, "recovery_codes", page{Title: "Your recovery codes", C: c, Data: codes})
}
