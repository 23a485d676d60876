package web

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"rcmguard/internal/auth"
	"strings"
	"testing"
	"time"
)

// endlessBody is a well-formed multipart upload whose file part never
// ends; it counts what was read of it.
type endlessBody struct{ n int64 }

const endlessHead = "--xyz\r\nContent-Disposition: form-data; name=\"file\"; filename=\"scan.jsonl\"\r\n\r\n"

func (b *endlessBody) Read(p []byte) (int, error) {
	for i := range p {
		if k := b.n + int64(i); k < int64(len(endlessHead)) {
			p[i] = endlessHead[k]
		} else {
			p[i] = 'a'
		}
	}
	b.n += int64(len(p))
	return len(p), nil
}

// maxReadBeforeAuth is what a refusal may read of a body: nothing, in fact;
// the bound leaves room for buffering below the handler.
const maxReadBeforeAuth = 4 << 10

// TestNoBodyReadBeforeAuthorisation sends every route that takes a body an
// endless one, from someone not allowed to use it: no session, a member of
// another tenant, a role without the permission, no API token, a token of
// another workspace. Each must be refused without reading more than a few
// KB. Before the fix the form (up to 32 MiB for evidence) was parsed for
// its CSRF token before the session was looked at.
func TestNoBodyReadBeforeAuthorisation(t *testing.T) {
	e := newTestEnv(t, filepath.Join(t.TempDir(), "rcmguard.db"))
	x := e.idsOf("B")
	h := e.srv.Handler()
	send := func(method, path string, cookies []*http.Cookie, token string) (int, int64) {
		t.Helper()
		body := &endlessBody{}
		req := httptest.NewRequest(method, path, body)
		req.ContentLength = -1
		req.Header.Set("Content-Type", "multipart/form-data; boundary=xyz")
		if strings.HasPrefix(path, "/api/") {
			req.Header.Set("Content-Type", "application/yaml")
		}
		for _, c := range cookies {
			req.AddCookie(c)
		}
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK && rec.Header().Get("Connection") != "close" {
			t.Errorf("%s %s refused with %d but keeps the connection open (the server would drain the body)", method, path, rec.Code)
		}
		return rec.Code, body.n
	}
	check := func(who, method, path string, status int, want ...int) {
		t.Helper()
		for _, w := range want {
			if status == w {
				return
			}
		}
		t.Errorf("%s: %s %s: %d; want one of %v", who, method, path, status, want)
	}
	cookiesOf := func(b *client) []*http.Cookie {
		u, _ := url.Parse(e.ts.URL)
		return b.c.Jar.Cookies(u)
	}
	outsider := cookiesOf(e.signIn("A:owner"))  // not a member of B
	auditor := cookiesOf(e.signIn("B:auditor")) // a member of B who may change nothing
	tested := 0
	for _, rt := range e.srv.routes {
		if safeMethod(rt.method) || rt.kind == public {
			continue
		}
		path := x.path(rt.path)
		status, n := send(rt.method, path, nil, "")
		check("anonymous", rt.method, path, status, http.StatusSeeOther)
		if n > maxReadBeforeAuth {
			t.Errorf("anonymous %s %s: read %d bytes of the body before refusing", rt.method, path, n)
		}
		if rt.kind == workspace {
			status, n = send(rt.method, path, outsider, "")
			check("another tenant's owner", rt.method, path, status, http.StatusNotFound)
			if n > maxReadBeforeAuth {
				t.Errorf("another tenant's owner %s %s: read %d bytes of the body before refusing", rt.method, path, n)
			}
			if auth.Can(auth.RoleAuditor, rt.act) {
				continue // an auditor may (saving a view of the register): not a refusal to test
			}
			status, n = send(rt.method, path, auditor, "")
			check("auditor", rt.method, path, status, http.StatusForbidden)
			if n > maxReadBeforeAuth {
				t.Errorf("auditor %s %s: read %d bytes of the body before refusing", rt.method, path, n)
			}
		}
		tested++
	}
	if tested < 20 {
		t.Fatalf("only %d routes with a body tested", tested)
	}
	otherToken := e.apiToken("A:owner", "A", time.Hour)
	for _, rt := range e.srv.apiRouteTable() {
		if safeMethod(rt.method) {
			continue
		}
		path := x.path(strings.Replace(rt.path, "{ws}", itoa(e.ws["B"].ID), 1))
		status, n := send(rt.method, path, nil, "")
		check("no token", rt.method, path, status, http.StatusUnauthorized)
		if n > maxReadBeforeAuth {
			t.Errorf("API without a token %s %s: read %d bytes", rt.method, path, n)
		}
		status, n = send(rt.method, path, nil, otherToken)
		check("another workspace's token", rt.method, path, status, http.StatusNotFound)
		if n > maxReadBeforeAuth {
			t.Errorf("API with another workspace's token %s %s: read %d bytes", rt.method, path, n)
		}
	}
}
