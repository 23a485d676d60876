package web

import (
	"context"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// demoServer is the test env's installation served as `rcmguard demo`
// serves it: with sign-in links, on 127.0.0.1.
func (e *testEnv) demoServer(d *DemoSignIn) *httptest.Server {
	e.t.Helper()
	set, err := sharedRules()
	if err != nil {
		e.t.Fatal(err)
	}
	srv, err := New(Config{Store: e.st, Audit: e.srv.log, Auth: e.auth, Rules: set, Now: e.clock.now, FailureLimit: -1,
		Logger: e.srv.logger, Demo: d})
	if err != nil {
		e.t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	e.t.Cleanup(ts.Close)
	return ts
}

// TestDemoSignInLink: a link signs its user in fully, both factors and
// MFA enrolment included, once; a used link, a link of another run and a
// request that is not loopback to loopback are refused.
func TestDemoSignInLink(t *testing.T) {
	e := newTestEnv(t, filepath.Join(t.TempDir(), "rcmguard.db"))
	u := e.users["A:owner"]
	links := NewDemoSignIn()
	link := links.Add(u.Email, u.Password, u.Secret)
	other := NewDemoSignIn().Add(u.Email, u.Password, u.Secret) // another run's
	ts := e.demoServer(links)
	h := ts.Config.Handler
	get := func(path string) (*http.Response, *http.Client) {
		t.Helper()
		jar, _ := cookiejar.New(nil)
		c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		resp, err := c.Get(ts.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp, c
	}
	// From elsewhere: refused, and the link is not spent (it works below).
	for _, tc := range []struct{ name, local, remote, fwd string }{
		{"from another machine", "127.0.0.1:8080", "192.0.2.7:5555", ""},
		{"to a server on a network address", "192.0.2.1:8080", "127.0.0.1:5555", ""},
		{"through a proxy", "127.0.0.1:8080", "127.0.0.1:5555", "192.0.2.7"},
	} {
		req := httptest.NewRequest(http.MethodGet, link, nil)
		req.RemoteAddr = tc.remote
		req = req.WithContext(context.WithValue(req.Context(), http.LocalAddrContextKey, net.Addr(&net.TCPAddr{
			IP: net.ParseIP(strings.Split(tc.local, ":")[0]), Port: 8080})))
		if tc.fwd != "" {
			req.Header.Set("X-Forwarded-For", tc.fwd)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusForbidden {
			t.Errorf("%s: %d, want 403", tc.name, rec.Code)
		}
	}
	if resp, _ := get(other); resp.StatusCode != http.StatusNotFound {
		t.Errorf("another run's link: %d, want 404", resp.StatusCode)
	}
	e.clock.advance(31 * time.Second)
	resp, c := get(link)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/" {
		t.Fatalf("the link: %d to %q, want 303 to /", resp.StatusCode, resp.Header.Get("Location"))
	}
	home, err := c.Get(ts.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	home.Body.Close()
	if loc := home.Header.Get("Location"); home.StatusCode != http.StatusOK && !strings.HasPrefix(loc, "/w/") {
		t.Fatalf("after the link, / answers %d (%s): not fully signed in", home.StatusCode, home.Header.Get("Location"))
	}
	if got, err := e.st.User(context.Background(), u.ID); err != nil || !got.MFAEnrolled {
		t.Errorf("after the link the user is not enrolled in MFA (%v)", err)
	}
	e.clock.advance(31 * time.Second)
	if resp, _ := get(link); resp.StatusCode != http.StatusNotFound {
		t.Errorf("the link a second time: %d, want 404", resp.StatusCode)
	}
}

// TestNoDemoSignInWithoutDemo: a server configured as serve configures it
// has no demo sign-in route, whatever the token.
func TestNoDemoSignInWithoutDemo(t *testing.T) {
	e := newTestEnv(t, filepath.Join(t.TempDir(), "rcmguard.db"))
	u := e.users["A:owner"]
	link := NewDemoSignIn().Add(u.Email, u.Password, u.Secret)
	for _, r := range e.srv.routes {
		if strings.HasPrefix(r.path, demoSignInPrefix) {
			t.Errorf("route %s %s on a server without Demo", r.method, r.path)
		}
	}
	resp, _ := e.newBrowser().get(link)
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("%s on a server without Demo: %d, want 404", link, resp.StatusCode)
	}
}
