package web

import (
	"crypto/rand"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"sync"

	"rcmguard/internal/auth"

	"github.com/pquerna/otp/totp"
)

// DemoSignIn holds the sign-in links of one `rcmguard demo` run: each
// signs one demo account in, both factors, once. The tokens are random
// and live only in this process's memory, so a link dies with the run.
// Only the demo sets Config.Demo; a server without it has no such route.
type DemoSignIn struct {
	mu    sync.Mutex
	links map[string]demoAccount // by token
}

type demoAccount struct{ email, password, totpSecret string }

// demoSignInPrefix is the path of the links; the route exists only on a
// server given a DemoSignIn.
const demoSignInPrefix = "/demo/sign-in/"

// NewDemoSignIn returns an empty set of links.
func NewDemoSignIn() *DemoSignIn { return &DemoSignIn{links: map[string]demoAccount{}} }

// Add makes a link that signs the account in with its password and a code
// from its TOTP secret, as the person would, and returns its path.
func (d *DemoSignIn) Add(email, password, totpSecret string) string {
	token := rand.Text() // 128 bits
	d.mu.Lock()
	defer d.mu.Unlock()
	d.links[token] = demoAccount{email, password, totpSecret}
	return demoSignInPrefix + token
}

// take spends a link.
func (d *DemoSignIn) take(token string) (demoAccount, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	a, ok := d.links[token]
	delete(d.links, token)
	return a, ok
}

// demoRoute is the route of the demo's links.
func (s *Server) demoRoute() route {
	return route{"GET", demoSignInPrefix + "{token}", public, "", s.demoSignIn}
}

// demoSignIn spends a link: it goes through the password and the TOTP
// step of the auth service like any sign-in (counted, audited, session
// renewed), so MFA stays what makes a session; the link only saves typing
// the code. It answers only a browser on this machine talking to a server
// that listens on this machine, and not through a proxy.
func (s *Server) demoSignIn(w http.ResponseWriter, r *http.Request, c *call) error {
	if !loopbackRequest(r) {
		return fmt.Errorf("web: demo sign-in from %s: %w", r.RemoteAddr, errForbidden)
	}
	acct, ok := s.demo.take(r.PathValue("token"))
	if !ok {
		return fmt.Errorf("web: demo sign-in link not of this run or already used: %w", errNotFound)
	}
	ctx, now := r.Context(), s.now()
	res, err := s.auth.Login(ctx, acct.email, acct.password, now)
	if errors.Is(err, auth.ErrInvalidCredentials) {
		return fmt.Errorf("web: demo sign-in %s: %w: %w", auth.EmailHint(acct.email), errForbidden, err)
	}
	if err != nil {
		return err
	}
	code, err := totp.GenerateCode(acct.totpSecret, now)
	if err != nil {
		return fmt.Errorf("web: demo sign-in code: %w", err)
	}
	token, err := s.auth.VerifyTOTP(ctx, res.Token, code, now)
	if errors.Is(err, auth.ErrInvalidCredentials) {
		// The code's time step was used already: the person signed in by
		// hand within the last half minute.
		return fmt.Errorf("web: demo sign-in %s: %w: %w", auth.EmailHint(acct.email), errForbidden, err)
	}
	if err != nil {
		return err
	}
	s.setCookie(w, sessionCookie, token)
	s.clearCookie(w, preCookie)
	http.Redirect(w, r, "/", http.StatusSeeOther)
	return nil
}

// loopbackRequest tells whether both ends of the connection are loopback
// addresses and no proxy says it forwarded the request.
func loopbackRequest(r *http.Request) bool {
	local, ok := r.Context().Value(http.LocalAddrContextKey).(net.Addr)
	if !ok || !loopbackAddr(local.String()) || !loopbackAddr(r.RemoteAddr) {
		return false
	}
	return r.Header.Get("X-Forwarded-For") == "" && r.Header.Get("Forwarded") == ""
}

func loopbackAddr(hostport string) bool {
	ap, err := netip.ParseAddrPort(hostport)
	return err == nil && ap.Addr().Unmap().IsLoopback()
}
