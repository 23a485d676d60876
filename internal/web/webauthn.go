package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"

	"rcmguard/internal/auth"
)

// The security key routes answer the page's script (static/webauthn.js)
// with JSON: {"options": …} to begin a ceremony, {"redirect": "/…"} when
// it is done, or {"error": "…", "field": "…"} to show beside a field.
// They are ordinary form posts otherwise, under the same CSRF and session
// policy as every other route.

type keyAnswer struct {
	Options  json.RawMessage `json:"options,omitempty"`
	Redirect string          `json:"redirect,omitempty"`
	Error    string          `json:"error,omitempty"`
	Field    string          `json:"field,omitempty"`
}

func writeKeyAnswer(w http.ResponseWriter, status int, a keyAnswer) error {
	b, err := json.Marshal(a)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, err = w.Write(b)
	return err
}

const msgNoRelyingParty = "Security keys need the server's public address: start rcmguard with --public-url, or open it at http://localhost during a trial."

// parsePublicURL checks the --public-url value: an https origin, or http
// on localhost only, with nothing after the host.
func parsePublicURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("web: public URL: %w", err)
	}
	if u.Host == "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return nil, fmt.Errorf("web: public URL %q: want scheme://host[:port] and nothing more", raw)
	}
	switch {
	case u.Scheme == "https":
	case u.Scheme == "http" && isLocalhost(u.Hostname()):
	default:
		return nil, fmt.Errorf("web: public URL %q: must be https (http only on localhost)", raw)
	}
	if net.ParseIP(u.Hostname()) != nil {
		return nil, fmt.Errorf("web: public URL %q: security keys need a host name, not an IP address", raw)
	}
	return &url.URL{Scheme: u.Scheme, Host: u.Host}, nil
}

func isLocalhost(host string) bool {
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	return host == "localhost" || strings.HasSuffix(host, ".localhost")
}

// relyingParty is the address security keys are bound to: the configured
// public URL, or, without one, the request's own Host only when it names
// this machine (localhost), so that a forged Host header cannot make keys
// answer for another site. Browsers refuse IP addresses as an RP ID, so a
// trial at 127.0.0.1 is told to use localhost instead.
func (s *Server) relyingParty(r *http.Request) (auth.RelyingParty, bool) {
	if s.publicURL != nil {
		return auth.RelyingParty{ID: s.publicURL.Hostname(), Origin: s.publicURL.Scheme + "://" + s.publicURL.Host}, true
	}
	host := r.Host
	name := host
	if h, _, err := net.SplitHostPort(host); err == nil {
		name = h
	}
	if !isLocalhost(name) {
		return auth.RelyingParty{}, false
	}
	scheme := "http"
	if r.TLS != nil || s.secure {
		scheme = "https"
	}
	return auth.RelyingParty{ID: strings.ToLower(name), Origin: scheme + "://" + strings.ToLower(host)}, true
}

// keyRegisterBegin returns the options for navigator.credentials.create.
func (s *Server) keyRegisterBegin(w http.ResponseWriter, r *http.Request, c *call) error {
	rp, ok := s.relyingParty(r)
	if !ok {
		return writeKeyAnswer(w, http.StatusUnprocessableEntity, keyAnswer{Error: msgNoRelyingParty, Field: "key-name"})
	}
	opts, err := s.auth.BeginKeyRegistration(r.Context(), rp, c.User, c.Token, s.now())
	var ne *auth.KeyNameError
	if errors.As(err, &ne) {
		return writeKeyAnswer(w, http.StatusUnprocessableEntity, keyAnswer{Error: ne.Msg, Field: "key-name"})
	}
	if err != nil {
		return err
	}
	return writeKeyAnswer(w, http.StatusOK, keyAnswer{Options: opts})
}

// keyRegisterFinish checks the browser's answer and stores the key.
func (s *Server) keyRegisterFinish(w http.ResponseWriter, r *http.Request, c *call) error {
	rp, ok := s.relyingParty(r)
	if !ok {
		return writeKeyAnswer(w, http.StatusUnprocessableEntity, keyAnswer{Error: msgNoRelyingParty, Field: "key-name"})
	}
	_, err := s.auth.FinishKeyRegistration(r.Context(), rp, c.User, c.Token, r.PostFormValue("name"),
		[]byte(r.PostFormValue("credential")), s.now())
	var ne *auth.KeyNameError
	switch {
	case errors.As(err, &ne):
		return writeKeyAnswer(w, http.StatusUnprocessableEntity, keyAnswer{Error: ne.Msg, Field: "key-name"})
	case errors.Is(err, auth.ErrKeyRejected):
		return writeKeyAnswer(w, http.StatusUnprocessableEntity, keyAnswer{Field: "key-name",
			Error: "The security key's answer was not accepted. Try again; if it keeps failing, the key may not be supported."})
	case err != nil:
		return err
	}
	return writeKeyAnswer(w, http.StatusOK, keyAnswer{Redirect: "/account?done=key-added"})
}

// keyLoginBegin returns the options for navigator.credentials.get, for a
// session past the password step whose user has a key.
func (s *Server) keyLoginBegin(w http.ResponseWriter, r *http.Request, c *call) error {
	rp, ok := s.relyingParty(r)
	if !ok {
		return writeKeyAnswer(w, http.StatusUnprocessableEntity, keyAnswer{Error: msgNoRelyingParty})
	}
	opts, err := s.auth.BeginKeyLogin(r.Context(), rp, c.Token, s.now())
	switch {
	case errors.Is(err, auth.ErrNoKeys):
		return writeKeyAnswer(w, http.StatusUnprocessableEntity, keyAnswer{Error: "You have no security key. Use the code from your authenticator app."})
	case errors.Is(err, auth.ErrUnauthenticated):
		return writeKeyAnswer(w, http.StatusUnauthorized, keyAnswer{Redirect: "/login"})
	case err != nil:
		return err
	}
	return writeKeyAnswer(w, http.StatusOK, keyAnswer{Options: opts})
}

// keyLoginFinish completes sign-in with the key's answer. A refusal says no
// more than a wrong code does.
func (s *Server) keyLoginFinish(w http.ResponseWriter, r *http.Request, c *call) error {
	rp, ok := s.relyingParty(r)
	if !ok {
		return writeKeyAnswer(w, http.StatusUnprocessableEntity, keyAnswer{Error: msgNoRelyingParty})
	}
	token, err := s.auth.VerifyKey(r.Context(), rp, c.Token, []byte(r.PostFormValue("credential")), s.now())
	switch {
	case errors.Is(err, auth.ErrInvalidCredentials):
		return writeKeyAnswer(w, http.StatusUnauthorized, keyAnswer{
			Error: "The security key was not accepted. Try again, or use the code from your authenticator app."})
	case errors.Is(err, auth.ErrUnauthenticated):
		s.clearCookie(w, sessionCookie)
		return writeKeyAnswer(w, http.StatusUnauthorized, keyAnswer{Redirect: "/login"})
	case err != nil:
		return err
	}
	s.setCookie(w, sessionCookie, token)
	return writeKeyAnswer(w, http.StatusOK, keyAnswer{Redirect: "/"})
}

// offerKeys reports whether the second-factor page should offer "Use
// security key": the user has one and the server knows its address. A
// failed lookup only hides the offer; the code still works.
func (s *Server) offerKeys(r *http.Request, c *call) bool {
	if _, ok := s.relyingParty(r); !ok {
		return false
	}
	keys, err := s.auth.Keys(r.Context(), c.User.ID)
	if err != nil {
		s.logger.Warn("web: security keys of a signing-in user", "user", c.User.ID, "err", err)
		return false
	}
	return len(keys) > 0
}
