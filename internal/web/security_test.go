package web

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestCSRFEveryStateChangingRoute sends every non-GET route with no token,
// a wrong token, another session's token, and a cross-site fetch, and
// requires 403 with nothing changed.
func TestCSRFEveryStateChangingRoute(t *testing.T) {
	e := newTestEnv(t, filepath.Join(t.TempDir(), "rcmguard.db"))
	x := e.idsOf("B")
	b := e.signIn("B:owner")
	other := e.signIn("B:compliance_officer")
	// The code pages take a session past the password step only; a full
	// session is sent home from them before its form is read.
	pend := e.newBrowser()
	pend.get("/login")
	pend.post("/login", url.Values{"email": {e.users["B:owner"].Email}, "password": {testPassword}})
	pend.get("/login/mfa")
	var posts []string
	by := map[string]*client{}
	for _, rt := range e.srv.routes {
		if rt.method != http.MethodGet {
			posts = append(posts, rt.path)
			by[rt.path] = b
			if rt.kind == pending {
				by[rt.path] = pend
			}
		}
	}
	if len(posts) < 10 {
		t.Fatalf("only %d state-changing routes found", len(posts))
	}
	before := e.auditSeq()
	for _, p := range posts {
		path := x.path(p)
		for name, form := range map[string]url.Values{
			"missing token":         {"csrf": {""}},
			"wrong token":           {"csrf": {"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}},
			"another session's one": {"csrf": {other.csrf}},
		} {
			form.Set("email", e.users["B:owner"].Email)
			form.Set("password", testPassword)
			if resp, _ := by[p].post(path, form); resp.StatusCode != http.StatusForbidden {
				t.Errorf("POST %s with %s: %d; want 403", path, name, resp.StatusCode)
			}
		}
		// A valid token does not help a cross-site request.
		req, _ := http.NewRequest(http.MethodPost, e.ts.URL+path, strings.NewReader(url.Values{"csrf": {b.csrf}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Sec-Fetch-Site", "cross-site")
		resp, err := b.c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("cross-site POST %s: %d; want 403", path, resp.StatusCode)
		}
	}
	if after := e.auditSeq(); after != before {
		t.Errorf("refused requests changed state: audit head moved from %d to %d", before, after)
	}
	// The sign-in form is protected too, before there is any session.
	anon := e.newBrowser()
	anon.get("/login")
	resp, _ := anon.post("/login", url.Values{"csrf": {""}, "email": {e.users["A:owner"].Email}, "password": {testPassword}})
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("POST /login without a token: %d; want 403", resp.StatusCode)
	}
}

func checkHeaders(t *testing.T, what string, h http.Header, static bool) {
	t.Helper()
	want := map[string]string{
		"X-Content-Type-Options":     "nosniff",
		"Referrer-Policy":            "no-referrer",
		"Cross-Origin-Opener-Policy": "same-origin",
		"X-Frame-Options":            "DENY",
	}
	for k, v := range want {
		if got := h.Get(k); got != v {
			t.Errorf("%s: %s = %q; want %q", what, k, got, v)
		}
	}
	cspHdr := h.Get("Content-Security-Policy")
	for _, d := range []string{"default-src 'self'", "script-src 'self'", "style-src 'self'", "frame-ancestors 'none'",
		"form-action 'self'", "base-uri 'none'", "object-src 'none'"} {
		if !strings.Contains(cspHdr, d) {
			t.Errorf("%s: CSP %q lacks %q", what, cspHdr, d)
		}
	}
	if strings.Contains(cspHdr, "unsafe-inline") {
		t.Errorf("%s: CSP allows inline code: %q", what, cspHdr)
	}
	if h.Get("Permissions-Policy") == "" {
		t.Errorf("%s: no Permissions-Policy", what)
	}
	cc := h.Get("Cache-Control")
	if static && !strings.Contains(cc, "max-age=31536000") {
		t.Errorf("%s: static asset Cache-Control %q; want a long cache", what, cc)
	}
	if !static && cc != "no-store" {
		t.Errorf("%s: Cache-Control %q; want no-store", what, cc)
	}
}

// TestSecurityHeadersEverywhere requests every route (allowed, denied and
// anonymous), error pages and the static files.
func TestSecurityHeadersEverywhere(t *testing.T) {
	e := newTestEnv(t, filepath.Join(t.TempDir(), "rcmguard.db"))
	x := e.idsOf("B")
	owner, auditor, anon := e.signIn("B:owner"), e.signIn("B:auditor"), e.newBrowser()
	for _, c := range []*client{owner, auditor, anon} {
		for _, rt := range e.srv.routes {
			if rt.path == "/logout" {
				continue
			}
			var resp *http.Response
			if rt.method == http.MethodGet {
				resp, _ = c.get(x.path(rt.path))
			} else {
				resp, _ = c.post(x.path(rt.path), nil)
			}
			checkHeaders(t, rt.method+" "+rt.path, resp.Header, false)
		}
	}
	for _, p := range []string{"/no/such/page", "/w/999999", "/w/abc/risks", "/static/missing.css"} {
		resp, _ := owner.get(p)
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: %d; want 404", p, resp.StatusCode)
		}
		checkHeaders(t, p, resp.Header, false)
	}
	for name := range e.srv.assets.files {
		u, err := e.srv.assets.url(name)
		if err != nil {
			t.Fatal(err)
		}
		resp, _ := anon.get(u)
		if resp.StatusCode != http.StatusOK {
			t.Errorf("GET %s: %d", u, resp.StatusCode)
		}
		checkHeaders(t, u, resp.Header, true)
	}
}

// TestSecureModeCookiesAndHSTS checks what changes under TLS: the __Host-
// cookie, Secure, and HSTS.
func TestSecureModeCookiesAndHSTS(t *testing.T) {
	e := newTestEnv(t, filepath.Join(t.TempDir(), "rcmguard.db"))
	s := *e.srv
	s.secure = true
	h := s.Handler()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "https://rcmguard.example/login", nil))
	if got := rec.Header().Get("Strict-Transport-Security"); !strings.Contains(got, "max-age=63072000") {
		t.Errorf("HSTS = %q; want a two-year max-age", got)
	}
	cookies := rec.Result().Cookies()
	if len(cookies) != 1 || cookies[0].Name != "__Host-rcmguard-pre" || !cookies[0].Secure || !cookies[0].HttpOnly ||
		cookies[0].SameSite != http.SameSiteStrictMode || cookies[0].Path != "/" {
		t.Errorf("cookies under TLS = %+v; want one __Host- cookie, Secure, HttpOnly, SameSite=Strict, Path=/", cookies)
	}
	// Over plain http (the demo on 127.0.0.1) there is no HSTS and no Secure.
	rec = httptest.NewRecorder()
	e.srv.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "http://127.0.0.1:8080/login", nil))
	if rec.Header().Get("Strict-Transport-Security") != "" {
		t.Error("HSTS sent over plain http")
	}
	if c := rec.Result().Cookies(); len(c) != 1 || c[0].Secure || !c[0].HttpOnly || c[0].SameSite != http.SameSiteStrictMode {
		t.Errorf("cookies over http = %+v; want HttpOnly, SameSite=Strict, not Secure", c)
	}
}

// TestSessionIdleAndAbsoluteExpiry moves the injected clock: activity
// keeps a session alive up to the idle timeout; silence beyond it, or the
// absolute lifetime whatever the activity, signs the user out.
func TestSessionIdleAndAbsoluteExpiry(t *testing.T) {
	e := newTestEnv(t, filepath.Join(t.TempDir(), "rcmguard.db"))
	dash := wsPath(e.ws["A"].ID, "")
	b := e.signIn("A:owner")
	e.clock.advance(14 * time.Minute)
	if resp, _ := b.get(dash); resp.StatusCode != http.StatusOK {
		t.Fatalf("after 14 idle minutes: %d; want 200", resp.StatusCode)
	}
	e.clock.advance(15*time.Minute + time.Second)
	resp, _ := b.get(dash)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/login?expired=1" {
		t.Fatalf("after 15 idle minutes: %d %q; want 303 to /login?expired=1", resp.StatusCode, resp.Header.Get("Location"))
	}
	if _, body := b.get("/login?expired=1"); !strings.Contains(body, "signed out after a period of inactivity") {
		t.Error("the sign-in page does not say the session ended for inactivity")
	}
	b = e.signIn("A:owner")
	for range 12 * 6 {
		e.clock.advance(10 * time.Minute)
		if resp, _ := b.get(dash); resp.StatusCode != http.StatusOK {
			break
		}
	}
	if resp, _ := b.get(dash); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("after 12 busy hours: %d; want the session ended by its absolute lifetime", resp.StatusCode)
	}
}

// TestInternalErrorShowsOnlyAnID breaks the database under a signed-in
// user: the page shows a generic message and an error ID, the log carries
// the details under the same ID, and nothing internal leaks.
func TestInternalErrorShowsOnlyAnID(t *testing.T) {
	e := newTestEnv(t, filepath.Join(t.TempDir(), "rcmguard.db"))
	b := e.signIn("A:owner")
	ws := e.ws["A"].ID
	// Authentication still works (the session row exists); the page's own
	// queries fail once the assessments table is gone.
	for _, q := range []string{`DROP TABLE assessment_status`, `DROP TABLE assessment_summaries`, `DROP TABLE assessments`} { // the summaries refer to the assessments
		if _, err := e.st.DB().Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	resp, body := b.get(wsPath(ws, "/assessments"))
	if resp.StatusCode != http.StatusInternalServerError {
		t.Fatalf("status %d; want 500", resp.StatusCode)
	}
	checkHeaders(t, "500 page", resp.Header, false)
	m := regexp.MustCompile(`<code class="errid">([0-9a-f]{12})</code>`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no error ID on the page:\n%s", body)
	}
	if strings.Contains(strings.ToLower(body), "sql") || strings.Contains(body, "no such table") {
		t.Errorf("the error page leaks internals:\n%s", body)
	}
	if log := e.logs(); !strings.Contains(log, "error_id="+m[1]) || !strings.Contains(log, "no such table") {
		t.Errorf("the log lacks the error ID %s with the details:\n%s", m[1], log)
	}
}
