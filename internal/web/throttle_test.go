package web

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"rcmguard/internal/auth"
	"rcmguard/internal/store/storetest"
)

// TestFailedSignInsThrottledByAddress: once an address has spent its
// budget of failed attempts, the sign-in routes answer 429 (with
// Retry-After) before checking anything — even the right password — until
// the budget refills; successful sign-ins spend nothing.
func TestFailedSignInsThrottledByAddress(t *testing.T) {
	e := newTestEnv(t, filepath.Join(t.TempDir(), "rcmguard.db"))
	e.srv.failures = newFailureLimiter(e.st, 5)
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
	e.srv.failures = newFailureLimiter(e.st, 2)
	for _, key := range []string{"A:owner", "A:compliance_officer", "A:contributor", "A:auditor", "B:owner"} {
		e.signIn(key)
	}
}

func TestFailureLimiter(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dsn string) {
		st := storetest.Open(t, dsn, storetest.Keyring(t))
		ctx := context.Background()
		if newFailureLimiter(st, -1) != nil {
			t.Error("a negative limit is not 'no limit'")
		}
		if l := newFailureLimiter(st, 0); l.limit != defaultFailureLimit {
			t.Errorf("default limit %v; want %d", l.limit, defaultFailureLimit)
		}
		now := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
		l := newFailureLimiter(st, 2)
		take := func(addr string, at time.Time) time.Duration {
			t.Helper()
			w, err := l.take(ctx, addr, at)
			if err != nil {
				t.Fatal(err)
			}
			return w
		}
		take("10.0.0.1", now)
		take("10.0.0.1", now)
		if take("10.0.0.1", now) <= 0 || take("10.0.0.2", now) != 0 {
			t.Error("budgets are not kept per address")
		}
		if w := take("10.0.0.1", now); w > failureWindow/2+time.Second || w < failureWindow/2-time.Second {
			t.Errorf("wait %v; want one failure's refill, %v", w, failureWindow/2)
		}
		// A refund restores one attempt, never more than the budget.
		if err := l.refund(ctx, "10.0.0.1", now); err != nil {
			t.Fatal(err)
		}
		if take("10.0.0.1", now) != 0 || take("10.0.0.1", now) <= 0 {
			t.Error("a refund did not give back exactly one attempt")
		}
		for range 5 {
			l.refund(ctx, "10.0.0.2", now)
		}
		if take("10.0.0.2", now) != 0 || take("10.0.0.2", now) != 0 || take("10.0.0.2", now) <= 0 {
			t.Error("refunds filled a budget past its limit")
		}
		// A clock behind the one that last counted refills nothing.
		if take("10.0.0.1", now.Add(-time.Hour)) <= 0 {
			t.Error("an earlier clock refilled a budget")
		}
		// Half the window refills one of two.
		if take("10.0.0.1", now.Add(failureWindow/2+time.Second)) != 0 {
			t.Error("half the window did not refill one attempt")
		}
		// The table is bounded: budgets untouched for a whole window are
		// whole again and are dropped at the next sweep.
		later := now.Add(2 * failureWindow)
		take("10.0.0.3", later)
		var n int
		if err := st.DB().QueryRowContext(ctx, `SELECT COUNT(*) FROM signin_budgets`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 1 {
			t.Errorf("%d budgets kept after a window without failures; want 1 (the new one)", n)
		}
	})
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

// TestFailureLimiterRace: attempts from one address running at once each
// take exactly one failure's worth: of 200 on a budget of 120, exactly 120
// go ahead; refunds from as many at once give back exactly what they took.
func TestFailureLimiterRace(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dsn string) {
		st := storetest.Open(t, dsn, storetest.Keyring(t))
		ctx := context.Background()
		now := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
		const budget, attempts = 120, 200
		l := newFailureLimiter(st, budget)
		var allowed atomic.Int64
		var wg sync.WaitGroup
		for range attempts {
			wg.Go(func() {
				w, err := l.take(ctx, "192.0.2.1", now)
				if err != nil {
					t.Error(err)
				} else if w == 0 {
					allowed.Add(1)
				}
			})
		}
		wg.Wait()
		if n := allowed.Load(); n != budget {
			t.Fatalf("%d of %d concurrent attempts went ahead on a budget of %d", n, attempts, budget)
		}
		// 80 succeed at once and give their attempt back; 40 failures keep theirs.
		for range 80 {
			wg.Go(func() {
				if err := l.refund(ctx, "192.0.2.1", now); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		var left float64
		if err := st.DB().QueryRowContext(ctx, `SELECT tokens FROM signin_budgets WHERE addr = '192.0.2.1'`).Scan(&left); err != nil {
			t.Fatal(err)
		}
		if left != 80 {
			t.Fatalf("budget after 80 concurrent refunds %v; want 80", left)
		}
	})
}

// TestConcurrentFailedSignInsSpendTheBudgetOnce: 20 wrong passwords sent
// at once from one address with a budget of 5 get exactly 5 answers of
// 401 — the rest 429 before any password is checked. When the budget was
// read before the check and charged after it, all 20 were checked.
func TestConcurrentFailedSignInsSpendTheBudgetOnce(t *testing.T) {
	e := newTestEnv(t, filepath.Join(t.TempDir(), "rcmguard.db"))
	const budget, attempts = 5, 20
	e.srv.failures = newFailureLimiter(e.st, budget)
	// Enough hashing slots for every attempt: this test is about the
	// address's budget, not the hashing bound.
	e.srv.auth = auth.New(e.st, e.srv.log, auth.Config{Params: auth.Params{Time: 1, Memory: 8 * 1024, Threads: 1},
		HashGate: auth.NewHashGate(attempts, time.Hour)})
	u := e.users["A:owner"]
	reqs := make([]*http.Request, attempts)
	clients := make([]*client, attempts)
	for i := range attempts {
		clients[i] = e.newBrowser()
		clients[i].get("/login")
		form := url.Values{"csrf": {clients[i].csrf}, "email": {u.Email}, "password": {fmt.Sprintf("wrong password number %d", i)}}
		reqs[i], _ = http.NewRequest(http.MethodPost, e.ts.URL+"/login", strings.NewReader(form.Encode()))
		reqs[i].Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	status := make([]int, attempts)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range attempts {
		wg.Go(func() {
			<-start
			resp, err := clients[i].c.Do(reqs[i])
			if err != nil {
				status[i] = -1
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			status[i] = resp.StatusCode
		})
	}
	close(start)
	wg.Wait()
	got := map[int]int{}
	for _, st := range status {
		got[st]++
	}
	if got[http.StatusUnauthorized] != budget || got[http.StatusTooManyRequests] != attempts-budget {
		t.Errorf("answers %v; want %d × 401 and %d × 429", got, budget, attempts-budget)
	}
}

// TestBusyHashingAnswers429: with every password-hashing slot taken, sign-in
// and password change answer 429 with Retry-After and say why, spend
// nothing of the address's budget, and work once a slot is free.
func TestBusyHashingAnswers429(t *testing.T) {
	e := newTestEnv(t, filepath.Join(t.TempDir(), "rcmguard.db"))
	e.srv.failures = newFailureLimiter(e.st, 2)
	gate := auth.NewHashGate(1, 0)
	e.srv.auth = auth.New(e.st, e.srv.log, auth.Config{Params: auth.Params{Time: 1, Memory: 8 * 1024, Threads: 1}, HashGate: gate})
	owner := e.signIn("A:owner")
	u := e.users["A:owner"]
	release, err := gate.Acquire(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	b := e.newBrowser()
	b.get("/login")
	for i := range 5 { // more than the address's budget of 2
		resp, body := b.post("/login", url.Values{"email": {u.Email}, "password": {u.Password}})
		if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") == "" || !strings.Contains(body, "Wait a moment") {
			t.Fatalf("sign-in %d with every hashing slot taken: %d, Retry-After %q; want 429 with Retry-After and the reason",
				i+1, resp.StatusCode, resp.Header.Get("Retry-After"))
		}
	}
	owner.get("/account")
	resp, body := owner.post("/account/password", url.Values{"current": {u.Password}, "new": {"a kettle of violet herons"},
		"confirm": {"a kettle of violet herons"}})
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") == "" || !strings.Contains(body, "Wait a moment") {
		t.Errorf("password change with every hashing slot taken: %d; want 429 with Retry-After", resp.StatusCode)
	}
	if statusOf(fmt.Errorf("web: accept: %w", auth.ErrBusy)) != http.StatusTooManyRequests {
		t.Error("auth.ErrBusy from any other handler does not map to 429")
	}
	rec := httptest.NewRecorder()
	e.srv.fail(rec, httptest.NewRequest(http.MethodPost, "/invite/x", nil), &call{}, fmt.Errorf("web: accept: %w", auth.ErrBusy))
	if got := rec.Body.String(); rec.Code != http.StatusTooManyRequests || strings.Contains(got, "failed sign-in") || !strings.Contains(got, "checking many passwords") {
		t.Errorf("busy hashing elsewhere: %d, and the page blames failed sign-ins or gives no reason:\n%s", rec.Code, got)
	}
	release()
	b.get("/login")
	if resp, _ := b.post("/login", url.Values{"email": {u.Email}, "password": {u.Password}}); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("sign-in once a slot is free: %d; want 303 (busy answers spend none of the address's budget)", resp.StatusCode)
	}
}
