package web

import (
	"encoding/base64"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"strings"

	"rcmguard/internal/audit"
	"rcmguard/internal/auth"
	"rcmguard/internal/store"

	"github.com/boombuler/barcode/qr"
)

type enrolData struct {
	Secret string // grouped in fours for typing
	URI    string
	// QR is the otpauth URI as a QR code, an SVG data URI for an <img>: a
	// phone scans it instead of typing the secret.
	QR    template.URL
	Error string
}

// newEnrolData is what the enrolment page shows a user.
func (s *Server) newEnrolData(u store.User, msg string) (enrolData, error) {
	uri := s.auth.EnrolmentURI(u)
	img, err := qrSVG(uri)
	if err != nil {
		return enrolData{}, err
	}
	return enrolData{Secret: groupSecret(u.TOTPSecret), URI: uri, QR: template.URL(img), Error: msg}, nil
}

// qrQuietZone is the blank border, in modules, that scanners need around
// a QR code (ISO/IEC 18004 asks for four).
const qrQuietZone = 4

// qrSVG encodes text as a QR code and draws it as an SVG data URI, one
// path of unit squares, so that it scales without blurring. It is made on
// the server and shown with <img>: the CSP forbids inline script.
func qrSVG(text string) (string, error) {
	code, err := qr.Encode(text, qr.M, qr.Auto)
	if err != nil {
		return "", fmt.Errorf("web: QR code of the enrolment link: %w", err)
	}
	n := code.Bounds().Dx()
	side := n + 2*qrQuietZone
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" shape-rendering="crispEdges">`, side, side)
	fmt.Fprintf(&b, `<rect width="%d" height="%d" fill="#fff"/><path fill="#000" d="`, side, side)
	for y := range n {
		for x := range n {
			if r, _, _, _ := code.At(x, y).RGBA(); r == 0 {
				fmt.Fprintf(&b, "M%d %dh1v1h-1z", x+qrQuietZone, y+qrQuietZone)
			}
		}
	}
	b.WriteString(`"/></svg>`)
	return "data:image/svg+xml;base64," + base64.StdEncoding.EncodeToString([]byte(b.String())), nil
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
	data, err := s.newEnrolData(c.User, "")
	if err != nil {
		return err
	}
	return s.render(w, http.StatusOK, "enrol", page{Title: "Set up two-step verification", C: c, Data: data})
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
		data, err := s.newEnrolData(c.User, "That code is not correct. Check the device's clock and enter the code it shows now.")
		if err != nil {
			return err
		}
		return s.render(w, http.StatusUnauthorized, "enrol", page{Title: "Set up two-step verification", C: c, Data: data})
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
