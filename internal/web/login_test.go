package web

import (
	"net/http"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

var codeRE = regexp.MustCompile(`<li><code>([a-z0-9-]+)</code></li>`)

// TestSignInFailuresAreGenericAndAudited: a wrong password, an unknown
// address and a locked account look the same; each attempt is audited.
func TestSignInFailuresAreGenericAndAudited(t *testing.T) {
	e := newTestEnv(t, filepath.Join(t.TempDir(), "rcmguard.db"))
	u := e.users["A:contributor"]
	try := func(email, pw string) (int, string) {
		b := e.newBrowser()
		b.get("/login")
		resp, body := b.post("/login", url.Values{"email": {email}, "password": {pw}})
		return resp.StatusCode, body
	}
	msg := func(body string) string {
		_, after, _ := strings.Cut(body, `id="login-error">`)
		m, _, _ := strings.Cut(after, "<")
		return m
	}
	before := e.auditSeq()
	_, unknown := try("nobody@example.org", testPassword)
	_, wrong := try(u.Email, "not the password at all")
	if msg(unknown) == "" || msg(unknown) != msg(wrong) {
		t.Fatalf("unknown account and wrong password differ: %q vs %q", msg(unknown), msg(wrong))
	}
	for range 5 {
		try(u.Email, "still not the password")
	}
	st, locked := try(u.Email, testPassword)
	if st != http.StatusUnauthorized || msg(locked) != msg(wrong) {
		t.Errorf("locked account with the right password: %d %q; want the same generic refusal", st, msg(locked))
	}
	if got := e.auditSeq() - before; got < 8 {
		t.Errorf("%d audit entries for 8 failed sign-ins", got)
	}
	if !strings.Contains(unknown, `value="nobody@example.org"`) {
		t.Error("the sign-in form did not keep the address typed")
	}
	e.clock.advance(2 * time.Hour)
	if st, _ := try(u.Email, testPassword); st != http.StatusSeeOther {
		t.Errorf("after the lockout: %d; want the password accepted", st)
	}
}

// TestRecoveryCodeSignsInOnce enrols, keeps a recovery code, and signs in
// with it instead of the authenticator: once.
func TestRecoveryCodeSignsInOnce(t *testing.T) {
	e := newTestEnv(t, filepath.Join(t.TempDir(), "rcmguard.db"))
	u := e.users["A:auditor"]
	b := e.newBrowser()
	b.get("/login")
	b.post("/login", url.Values{"email": {u.Email}, "password": {u.Password}})
	b.get("/login/enrol")
	_, body := b.post("/login/enrol", url.Values{"code": {e.code(u.Secret)}})
	codes := codeRE.FindAllStringSubmatch(body, -1)
	if len(codes) != 10 {
		t.Fatalf("%d recovery codes shown; want 10", len(codes))
	}
	signInWith := func(code string) int {
		b := e.newBrowser()
		b.get("/login")
		b.post("/login", url.Values{"email": {u.Email}, "password": {u.Password}})
		b.get("/login/mfa?recovery=1")
		resp, _ := b.post("/login/mfa", url.Values{"method": {"recovery"}, "code": {code}})
		return resp.StatusCode
	}
	if st := signInWith(codes[3][1]); st != http.StatusSeeOther {
		t.Fatalf("recovery code: %d; want 303", st)
	}
	if st := signInWith(codes[3][1]); st != http.StatusUnauthorized {
		t.Errorf("the same recovery code again: %d; want 401", st)
	}
	// Before the second factor, no page is reachable.
	c := e.newBrowser()
	c.get("/login")
	c.post("/login", url.Values{"email": {u.Email}, "password": {u.Password}})
	if resp, _ := c.get(wsPath(e.ws["A"].ID, "")); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/login/mfa" {
		t.Errorf("dashboard after the password only: %d %q; want 303 to /login/mfa", resp.StatusCode, resp.Header.Get("Location"))
	}
}
