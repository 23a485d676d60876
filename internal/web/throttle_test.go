package web

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestFailedSignInsThrottledByAddress: once an address has spent its
// budget of failed attempts, the sign-in routes answer 429 (with
// Retry-After) before checking anything — even the right password — until
// the budget refills; successful sign-ins spend nothing.
func TestFailedSignInsThrottledByAddress(t *testing.T) {
	e := newTestEnv(t, filepath.Join(t.TempDir(), "rcmguard.db"))
	e.srv.failures = newFailureLimiter(5)
	u := e.users["A:owner"]
	b := e.newBrowser()
	b.get("/login")
	login := func(pw string) *http.Response {
		t.Helper()
		resp, _ := b.post("/login", url.Values{"email": {u.Email}, "password": {pw}})
		return resp
	}
	for i := range 5 {
		if resp := login("wrong password number " + fmt.Sprint(i)); resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("failure %d: %d; want 401", i+1, resp.StatusCode)
		}
	}
	resp, body := b.post("/login", url.Values{"email": {u.Email}, "password": {u.Password}})
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") == "" || !strings.Contains(body, "Too many attempts") {
		t.Fatalf("sixth attempt, right password: %d, Retry-After %q; want 429 with Retry-After", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	// The same budget covers guessed invitation links.
	if resp, _ := b.get("/invite/not-a-real-token"); resp.StatusCode != http.StatusTooManyRequests {
		t.Errorf("invitation link while throttled: %d; want 429", resp.StatusCode)
	}
	// Five failures refill in ten minutes: one in two.
	e.clock.advance(30 * time.Second)
	if resp := login(u.Password); resp.StatusCode != http.StatusTooManyRequests {
		t.Errorf("30 s later: %d; want still 429", resp.StatusCode)
	}
	e.clock.advance(2 * time.Minute)
	b.get("/login")
	if resp := login(u.Password); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("after the budget refilled, the right password: %d; want 303", resp.StatusCode)
	}

	// Successful sign-ins spend nothing: an office behind one address.
	e.srv.failures = newFailureLimiter(2)
	for _, key := range []string{"A:owner", "A:compliance_officer", "A:contributor", "A:auditor", "B:owner"} {
		e.signIn(key)
	}
}

func TestFailureLimiter(t *testing.T) {
	if newFailureLimiter(-1) != nil {
		t.Error("a negative limit is not 'no limit'")
	}
	if l := newFailureLimiter(0); l.limit != defaultFailureLimit {
		t.Errorf("default limit %v; want %d", l.limit, defaultFailureLimit)
	}
	now := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	l := newFailureLimiter(2)
	l.fail("10.0.0.1", now)
	l.fail("10.0.0.1", now)
	if l.wait("10.0.0.1", now) <= 0 || l.wait("10.0.0.2", now) != 0 {
		t.Error("budgets are not kept per address")
	}
	if w := l.wait("10.0.0.1", now); w > failureWindow/2+time.Second || w < failureWindow/2-time.Second {
		t.Errorf("wait %v; want one failure's refill, %v", w, failureWindow/2)
	}
	// The table is bounded.
	for i := range failureTableMax + 10 {
		l.fail(fmt.Sprintf("a%d", i), now)
	}
	if n := len(l.buckets); n > failureTableMax {
		t.Errorf("%d addresses remembered; bound %d", n, failureTableMax)
	}
	// Every route the limiter names exists.
	e := newTestEnv(t, filepath.Join(t.TempDir(), "rcmguard.db"))
	routes := map[string]bool{}
	for _, rt := range e.srv.routes {
		routes[rt.method+" "+rt.path] = true
	}
	for k := range failureRoutes {
		if !routes[k] {
			t.Errorf("failureRoutes names %s, which is not a route", k)
		}
	}
}

// TestClientAddr: the peer's address, or behind a trusted proxy the last
// X-Forwarded-For entry, never one the client wrote before it.
func TestClientAddr(t *testing.T) {
	s := &Server{}
	r := httptest.NewRequest(http.MethodPost, "/login", nil)
	r.RemoteAddr = "192.0.2.7:51234"
	r.Header.Set("X-Forwarded-For", "203.0.113.9, 198.51.100.4")
	if got := s.clientAddr(r); got != "192.0.2.7" {
		t.Errorf("untrusted X-Forwarded-For: %s; want the peer 192.0.2.7", got)
	}
	s.trustForwarded = true
	if got := s.clientAddr(r); got != "198.51.100.4" {
		t.Errorf("behind a proxy: %s; want the entry the proxy appended, 198.51.100.4", got)
	}
	r.Header.Set("X-Forwarded-For", "not an address")
	if got := s.clientAddr(r); got != "192.0.2.7" {
		t.Errorf("garbage X-Forwarded-For: %s; want the peer", got)
	}
}
