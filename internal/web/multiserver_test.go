package web

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"rcmguard/internal/audit"
	"rcmguard/internal/auth"
	"rcmguard/internal/store/storetest"
)

// TestTwoServersOneDatabase is issue 12's "more than one server": two app
// servers — each with its own connection pool, audit log guard, caches and
// sign-in service, as two `rcmguard serve` processes have — share one
// PostgreSQL behind a load balancer that sends each request to the other
// server. Every page shows a change made through the other server at once,
// even with its caches warm; a session made on one works on the other and
// ends on both; the budget of failed sign-ins is counted across both; and
// the audit chain verifies after concurrent writes through both.
//
// It needs PostgreSQL (TEST_PG_DSN, as CI sets it): several servers on one
// SQLite file is not a supported set-up.
func TestTwoServersOneDatabase(t *testing.T) {
	dsn := storetest.PostgresDSN(t) // skips, saying so, without TEST_PG_DSN
	e := newTestEnv(t, dsn)
	const budget = 4
	e.srv.failures = newFailureLimiter(e.st, budget)
	kr := e.st.Keyring()
	set, err := sharedRules()
	if err != nil {
		t.Fatal(err)
	}
	stB := storetest.Open(t, dsn, kr)
	logB := audit.New(kr)
	svcB := auth.New(stB, logB, auth.Config{Params: auth.Params{Time: 1, Memory: 8 * 1024, Threads: 1}})
	srvB, err := New(Config{Store: stB, Audit: logB, Auth: svcB, Rules: set, Now: e.clock.now, FailureLimit: budget,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	tsB := httptest.NewServer(srvB.Handler())
	t.Cleanup(tsB.Close)
	servers := [2]string{e.ts.URL, tsB.URL}
	for i, s := range []*Server{e.srv, srvB} {
		if _, err := s.log.Check(context.Background(), s.st); err != nil {
			t.Fatalf("server %d start-up check: %v", i, err)
		}
	}

	ws := e.ws["A"].ID
	x := e.idsOfLatest("A")
	owner := e.users["A:owner"]

	// Signed in through both: password on one, code on the other.
	b := newBalanced(t, servers)
	b.get("/login")
	if resp, _ := b.post("/login", url.Values{"email": {owner.Email}, "password": {owner.Password}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("password step: %d", resp.StatusCode)
	}
	b.get("/login/enrol")
	if resp, _ := b.post("/login/enrol", url.Values{"code": {e.code(owner.Secret)}}); resp.StatusCode != http.StatusOK {
		t.Fatalf("code step on the other server: %d", resp.StatusCode)
	}
	pages := []string{"", "/risks", "/risks/" + url.PathEscape(x.risk), "/plan", "/assessments", "/audit"}
	// Both servers' caches warm: every page viewed on each.
	for _, p := range pages {
		for i := range servers {
			if resp, _ := b.on(i).get(wsPath(ws, p)); resp.StatusCode != http.StatusOK {
				t.Fatalf("GET %s on server %d: %d; the session made across both does not work there", p, i, resp.StatusCode)
			}
		}
	}

	// A decision on A shows on B's register, risk page and audit log.
	b.on(0).get(wsPath(ws, "/risks/"+url.PathEscape(x.risk)))
	resp, _ := b.on(0).post(wsPath(ws, "/risks/"+url.PathEscape(x.risk)),
		url.Values{"status": {"in_discussion"}, "owner": {"Owner decided on server A"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("decide on A: %d", resp.StatusCode)
	}
	if _, body := b.on(1).get(wsPath(ws, "/risks?status=in_discussion")); !strings.Contains(body, x.risk) {
		t.Errorf("B's register filtered by the new status does not list the risk decided on A")
	}
	if _, body := b.on(1).get(wsPath(ws, "/risks")); !strings.Contains(body, "Owner decided on server A") {
		t.Errorf("B's register does not show the owner decided on A")
	}
	if _, body := b.on(1).get(wsPath(ws, "/risks/"+url.PathEscape(x.risk))); !strings.Contains(body, "Owner decided on server A") {
		t.Errorf("B's risk page does not show the decision made on A")
	}
	if _, body := b.on(1).get(wsPath(ws, "/audit")); !strings.Contains(body, x.risk) {
		t.Errorf("B's audit log does not show the decision made on A")
	}

	// An assessment run on B shows on A's dashboard, plan, register and list.
	b.on(1).get(wsPath(ws, "/assessments"))
	if resp, _ := b.on(1).post(wsPath(ws, "/assessments"), url.Values{}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("run on B: %d", resp.StatusCode)
	}
	latest := e.idsOfLatest("A")
	for _, p := range []string{"", "/plan"} {
		if _, body := b.on(0).get(wsPath(ws, p)); !strings.Contains(strings.ToLower(body), "version 2") {
			t.Errorf("A's %q page does not show version 2, run on B", p)
		}
	}
	if _, body := b.on(0).get(wsPath(ws, "/assessments")); !strings.Contains(body, "/assessments/"+latest.a+`">v2<`) {
		t.Errorf("A's list of assessments does not show version 2, run on B")
	}
	// The run took the decision in: A's register shows it without "applies at next run".
	if _, body := b.on(0).get(wsPath(ws, "/risks?status=in_discussion")); !strings.Contains(body, x.risk) || strings.Contains(body, "applies at next run") {
		t.Errorf("A's register after B's run: the decided risk is missing or still pending")
	}
	// A sign-off on A shows on B's dashboard.
	b.on(0).get(wsPath(ws, "/assessments/"+latest.a))
	if resp, _ := b.on(0).post(wsPath(ws, "/assessments/"+latest.a+"/signoff"), url.Values{}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign off on A: %d", resp.StatusCode)
	}
	if _, body := b.on(1).get(wsPath(ws, "")); !strings.Contains(body, "Signed off by "+owner.Email) {
		t.Errorf("B's dashboard does not show the sign-off made on A")
	}

	// The failed sign-in budget is one, whoever counts: failures alternate
	// between the servers, and once the budget is spent both refuse.
	anon := newBalanced(t, servers)
	anon.get("/login")
	for i := range budget {
		if resp, _ := anon.post("/login", url.Values{"email": {owner.Email}, "password": {fmt.Sprintf("wrong password number %d", i)}}); resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("failure %d: %d; want 401", i+1, resp.StatusCode)
		}
	}
	for i := range servers {
		if resp, _ := anon.on(i).post("/login", url.Values{"email": {owner.Email}, "password": {owner.Password}}); resp.StatusCode != http.StatusTooManyRequests {
			t.Errorf("server %d after %d failures spread over both: %d; want 429 (each server kept its own budget)", i, budget, resp.StatusCode)
		}
	}

	e.clock.advance(failureWindow) // the budget refills for the sign-ins below

	// Concurrent writes through both servers: three people, each request
	// to the other server; every write acknowledged, the chain intact.
	res := e.latestRisks("A")
	var wg sync.WaitGroup
	for k, key := range []string{"A:owner", "A:compliance_officer", "A:contributor"} {
		c := e.signInBalanced(servers, key)
		wg.Go(func() {
			for i := k; i < len(res) && i < 45; i += 3 {
				p := wsPath(ws, "/risks/"+url.PathEscape(res[i]))
				c.get(p)
				if resp, _ := c.post(p, url.Values{"status": {"in_progress"}, "owner": {fmt.Sprintf("Team %d", i)}}); resp.StatusCode != http.StatusSeeOther {
					t.Errorf("%s decides %s: %d", key, res[i], resp.StatusCode)
					return
				}
			}
		})
	}
	wg.Wait()
	for i, s := range []*Server{e.srv, srvB} {
		if be := s.log.Broken(); be != nil {
			t.Errorf("server %d took the chain as broken: %v", i, be)
		}
	}
	stC := storetest.Open(t, dsn, kr)
	if rep, err := audit.New(kr).Verify(context.Background(), stC, nil); err != nil {
		t.Fatalf("audit verify after writes through both servers: %v", err)
	} else if n, err := stC.RiskDecisions(context.Background(), ws); err != nil || len(n) < min(len(res), 45) {
		t.Errorf("%d decisions stored (%v); want at least %d", len(n), err, min(len(res), 45))
	} else {
		t.Logf("chain intact: %d entries", rep.Entries)
	}

	// Signing out on A ends the session on B too.
	token := b.cookie(sessionCookieName)
	if token == "" {
		t.Fatal("no session cookie")
	}
	b.on(0).get(wsPath(ws, ""))
	if resp, _ := b.on(0).post("/logout", url.Values{}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign out on A: %d", resp.StatusCode)
	}
	req, _ := http.NewRequest(http.MethodGet, servers[1]+wsPath(ws, ""), nil)
	req.AddCookie(&http.Cookie{Name: sessionCookieName, Value: token})
	resp, err = noRedirect.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login") {
		t.Errorf("the session ended on A, on B: %d to %q; want a redirect to sign in", resp.StatusCode, resp.Header.Get("Location"))
	}
}

// sessionCookieName is the session cookie over plain HTTP.
const sessionCookieName = "rcmguard-session"

var noRedirect = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// idsOfLatest names tenant's latest assessment and its first risk.
func (e *testEnv) idsOfLatest(tenant string) ids {
	e.t.Helper()
	a, res, ok, err := e.srv.app.Latest(context.Background(), e.ws[tenant].ID)
	if err != nil || !ok || len(res.Risks) == 0 {
		e.t.Fatalf("tenant %s has no assessment with risks: %v", tenant, err)
	}
	return ids{a: itoa(a.ID), risk: res.Risks[0].ID}
}

// latestRisks lists the IDs of tenant's latest risks.
func (e *testEnv) latestRisks(tenant string) []string {
	e.t.Helper()
	_, res, _, err := e.srv.app.Latest(context.Background(), e.ws[tenant].ID)
	if err != nil {
		e.t.Fatal(err)
	}
	var out []string
	for _, r := range res.Risks {
		out = append(out, r.ID)
	}
	return out
}

// signInBalanced signs key in through the balancer, enrolling or passing
// MFA as the account needs.
func (e *testEnv) signInBalanced(servers [2]string, key string) *balanced {
	e.t.Helper()
	u := e.users[key]
	b := newBalanced(e.t, servers)
	b.get("/login")
	resp, _ := b.post("/login", url.Values{"email": {u.Email}, "password": {u.Password}})
	if resp.StatusCode != http.StatusSeeOther {
		e.t.Fatalf("sign in %s: %d", key, resp.StatusCode)
	}
	next := resp.Header.Get("Location")
	b.get(next)
	form := url.Values{"code": {e.code(u.Secret)}}
	if next != "/login/enrol" {
		form.Set("method", "totp")
	}
	if resp, _ := b.post(next, form); resp.StatusCode >= 400 {
		e.t.Fatalf("second factor of %s: %d", key, resp.StatusCode)
	}
	return b
}

// balanced is a browser behind a round-robin load balancer: each request
// goes to the next server. Cookies are per host, not per port, so both
// servers get the same ones, as behind one balancer address.
type balanced struct {
	t       *testing.T
	servers [2]string
	c       *http.Client
	mu      sync.Mutex
	n       int
	pin     int // -1: round robin
	csrf    string
	parent  *balanced // the browser a pinned view belongs to
}

func newBalanced(t *testing.T, servers [2]string) *balanced {
	jar, _ := cookiejar.New(nil)
	return &balanced{t: t, servers: servers, pin: -1, c: &http.Client{Jar: jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// on returns a view of b that sends its requests to server i only.
func (b *balanced) on(i int) *balanced {
	return &balanced{t: b.t, servers: b.servers, c: b.c, pin: i, csrf: b.csrf, parent: b}
}

func (b *balanced) next() string {
	if b.pin >= 0 {
		return b.servers[b.pin]
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.n++
	return b.servers[b.n%2]
}

func (b *balanced) do(req *http.Request) (*http.Response, string) {
	b.t.Helper()
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if m := csrfRE.FindSubmatch(body); m != nil {
		b.setCSRF(string(m[1]))
	}
	return resp, string(body)
}

func (b *balanced) setCSRF(v string) {
	b.csrf = v
	if b.parent != nil {
		b.parent.csrf = v
	}
}

func (b *balanced) get(path string) (*http.Response, string) {
	b.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, b.next()+path, nil)
	return b.do(req)
}

func (b *balanced) post(path string, form url.Values) (*http.Response, string) {
	b.t.Helper()
	if b.parent != nil && b.csrf == "" {
		b.csrf = b.parent.csrf
	}
	if _, ok := form["csrf"]; !ok {
		form.Set("csrf", b.csrf)
	}
	req, _ := http.NewRequest(http.MethodPost, b.next()+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(req)
}

// cookie returns the value of the browser's cookie name.
func (b *balanced) cookie(name string) string {
	u, _ := url.Parse(b.servers[0])
	for _, c := range b.c.Jar.Cookies(u) {
		if c.Name == name {
			return c.Value
		}
	}
	return ""
}
