package web

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"net/http"
	"strings"
)

type cookieKind int

const (
	sessionCookie cookieKind = iota
	// preCookie binds the sign-in form's CSRF token to this browser before
	// there is a session.
	preCookie
)

// cookieName uses the __Host- prefix under TLS: the browser then insists on
// Secure, Path=/ and no Domain, so a sibling host cannot plant the cookie.
// The prefix is not allowed without Secure, hence plain names over http.
func (s *Server) cookieName(k cookieKind) string {
	name := "rcmguard-session"
	if k == preCookie {
		name = "rcmguard-pre"
	}
	if s.secure {
		return "__Host-" + name
	}
	return name
}

func (s *Server) cookie(r *http.Request, k cookieKind) string {
	c, err := r.Cookie(s.cookieName(k))
	if err != nil {
		return ""
	}
	return c.Value
}

func (s *Server) setCookie(w http.ResponseWriter, k cookieKind, value string) {
	http.SetCookie(w, &http.Cookie{Name: s.cookieName(k), Value: value, Path: "/", HttpOnly: true,
		Secure: s.secure, SameSite: http.SameSiteStrictMode})
}

func (s *Server) clearCookie(w http.ResponseWriter, k cookieKind) {
	http.SetCookie(w, &http.Cookie{Name: s.cookieName(k), Value: "", Path: "/", HttpOnly: true,
		Secure: s.secure, SameSite: http.SameSiteStrictMode, MaxAge: -1})
}

func (s *Server) setPreCookie(w http.ResponseWriter) string {
	v := rand.Text()
	s.setCookie(w, preCookie, v)
	return v
}

// csrfToken derives the synchronizer token from the secret the browser
// holds (the session token, else the pre-session cookie). It is tied to the
// session — a new session gets a new token — and needs no server-side
// state, so it works across several app servers. The derivation is one-way
// and domain-separated from the stored session hash.
func csrfToken(binding string) string {
	if binding == "" {
		return ""
	}
	sum := sha256.Sum256([]byte("rcmguard csrf v1\x00" + binding))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// checkCSRF compares the form's token with the expected one in constant
// time. It reports a body over the size limit separately, so that the
// user is told the upload is too large rather than that the form expired.
func (s *Server) checkCSRF(r *http.Request, binding string) (ok, tooLarge bool) {
	var err error
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		err = r.ParseMultipartForm(maxUploadBody)
	} else {
		err = r.ParseForm()
	}
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return false, true
	}
	if binding == "" || err != nil {
		return false, false
	}
	got := r.PostFormValue("csrf")
	if got == "" && r.MultipartForm != nil {
		got = r.FormValue("csrf")
	}
	want := csrfToken(binding)
	return subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1, false
}
