package web

import (
	"context"
	"encoding/json"
	"html"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"rcmguard/internal/auth"
	"rcmguard/internal/auth/webauthntest"
)

// auditSince returns the actions appended after seq.
func (e *testEnv) auditSince(seq int64) []string {
	e.t.Helper()
	rows, err := e.st.AuditEntries(context.Background(), seq, 1000)
	if err != nil {
		e.t.Fatal(err)
	}
	var out []string
	for _, r := range rows {
		out = append(out, r.Action)
	}
	return out
}

func TestAccountPasswordCodesAndSessions(t *testing.T) {
	e := newTestEnv(t, filepath.Join(t.TempDir(), "rcmguard.db"))
	u := e.users["A:contributor"]
	b := e.signIn("A:contributor")
	other := e.signIn("A:contributor")

	resp, body := b.get("/account")
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, u.Email) || !strings.Contains(body, `id="account-link"`) {
		t.Fatalf("account page: %d", resp.StatusCode)
	}
	if n := strings.Count(body, "<td>this browser</td>"); n != 1 {
		t.Errorf("account page marks %d sessions as this browser; want 1", n)
	}
	for _, c := range b.c.Jar.Cookies(mustURL(t, e.ts.URL)) {
		if strings.Contains(body, c.Value) || strings.Contains(body, auth.SessionHash(c.Value)) {
			t.Fatalf("account page shows cookie %s or its hash", c.Name)
		}
	}

	// Errors beside the field, nothing changed.
	before := e.auditSeq()
	for _, tc := range []struct {
		form  url.Values
		field string
	}{
		{url.Values{"current": {""}, "new": {"x"}, "confirm": {"x"}}, "current"},
		{url.Values{"current": {testPassword}, "new": {"a fine long passphrase 7"}, "confirm": {"another"}}, "confirm"},
		{url.Values{"current": {testPassword}, "new": {"short"}, "confirm": {"short"}}, "new"},
		{url.Values{"current": {"not the password at all"}, "new": {"a fine long passphrase 7"}, "confirm": {"a fine long passphrase 7"}}, "current"},
	} {
		resp, body := b.post("/account/password", tc.form)
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `id="`+tc.field+`-err"`) {
			t.Errorf("password change %v: %d, error beside %s shown: %v", tc.form, resp.StatusCode, tc.field,
				strings.Contains(body, `id="`+tc.field+`-err"`))
		}
	}
	if got := e.auditSince(before); len(got) != 1 || got[0] != "auth.password.change.fail" {
		t.Errorf("audit after refused changes: %v; want one failed attempt (the wrong current password)", got)
	}

	const next = "a fine long passphrase 7"
	resp, body = b.post("/account/password", url.Values{"current": {testPassword}, "new": {next}, "confirm": {next}})
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "Your password is changed") {
		t.Fatalf("password change: %d", resp.StatusCode)
	}
	if resp, _ := other.get("/account"); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("the other session after a password change: %d; want a redirect to sign in", resp.StatusCode)
	}
	if resp, _ := b.get("/account"); resp.StatusCode != http.StatusOK {
		t.Errorf("this session after a password change: %d; want 200", resp.StatusCode)
	}
	u.Password = next
	e.users["A:contributor"] = u

	// New recovery codes replace the old ones.
	_, body = b.post("/account/recovery-codes", nil)
	first := codeRE.FindAllStringSubmatch(body, -1)
	_, body = b.post("/account/recovery-codes", nil)
	second := codeRE.FindAllStringSubmatch(body, -1)
	if len(first) != auth.RecoveryCodeCount || len(second) != auth.RecoveryCodeCount {
		t.Fatalf("recovery codes shown: %d and %d; want %d", len(first), len(second), auth.RecoveryCodeCount)
	}
	if resp, body := b.get("/account"); resp.StatusCode != http.StatusOK || codeRE.MatchString(body) {
		t.Errorf("recovery codes shown again on a later visit")
	}
	signInWith := func(code string) int {
		c := e.newBrowser()
		c.get("/login")
		c.post("/login", url.Values{"email": {u.Email}, "password": {u.Password}})
		c.get("/login/mfa?recovery=1")
		resp, _ := c.post("/login/mfa", url.Values{"method": {"recovery"}, "code": {code}})
		return resp.StatusCode
	}
	if st := signInWith(first[0][1]); st != http.StatusUnauthorized {
		t.Errorf("a replaced recovery code: %d; want 401", st)
	}
	if st := signInWith(second[0][1]); st != http.StatusSeeOther {
		t.Errorf("a new recovery code: %d; want 303", st)
	}

	// Sign out everywhere else.
	third := e.signIn("A:contributor")
	_, body = b.get("/account")
	if n := strings.Count(body, "<tr><td>"); n < 3 {
		t.Errorf("account page lists %d sessions; want at least 3", n)
	}
	before = e.auditSeq()
	resp, _ = b.post("/account/sessions/end-others", nil)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("end other sessions: %d", resp.StatusCode)
	}
	if resp, _ := third.get("/account"); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("another session after 'sign out other sessions': %d; want a redirect to sign in", resp.StatusCode)
	}
	_, body = b.get("/account?done=sessions-ended")
	if n := strings.Count(body, "<tr><td>"); n != 1 {
		t.Errorf("account page lists %d sessions after signing out the others; want 1", n)
	}
	if got := e.auditSince(before); strings.Join(got, ",") != "auth.sessions.end_others" {
		t.Errorf("audit after ending sessions: %v", got)
	}
}

func mustURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// keyPost posts a form to a security key route and decodes its answer.
func (b *client) keyPost(path string, form url.Values) (int, keyAnswer) {
	b.e.t.Helper()
	resp, body := b.post(path, form)
	var a keyAnswer
	if err := json.Unmarshal([]byte(body), &a); err != nil {
		b.e.t.Fatalf("POST %s: %d, not JSON: %.200s", path, resp.StatusCode, body)
	}
	return resp.StatusCode, a
}

// addKey registers a software key named name through the account page's
// routes, and returns the key and the finishing answer.
func (b *client) addKey(key *webauthntest.Authenticator, name string) (int, keyAnswer) {
	b.e.t.Helper()
	b.get("/account")
	st, a := b.keyPost("/account/keys/options", nil)
	if st != http.StatusOK || len(a.Options) == 0 {
		b.e.t.Fatalf("key options: %d %+v", st, a)
	}
	resp, err := key.Create(a.Options)
	if err != nil {
		b.e.t.Fatal(err)
	}
	return b.keyPost("/account/keys", url.Values{"name": {name}, "credential": {string(resp)}})
}

// passwordOnly signs a new browser in with the password step only.
func (e *testEnv) passwordOnly(key string) *client {
	e.t.Helper()
	u := e.users[key]
	c := e.newBrowser()
	c.get("/login")
	if resp, _ := c.post("/login", url.Values{"email": {u.Email}, "password": {u.Password}}); resp.StatusCode != http.StatusSeeOther {
		e.t.Fatalf("password step for %s: %d", key, resp.StatusCode)
	}
	return c
}

const testOrigin = "https://rcmguard.example.org"

func TestSecurityKeyRoutes(t *testing.T) {
	e := newTestEnv(t, filepath.Join(t.TempDir(), "rcmguard.db"))
	var err error
	if e.srv.publicURL, err = parsePublicURL(testOrigin); err != nil {
		t.Fatal(err)
	}
	b := e.signIn("A:owner")
	key, err := webauthntest.New(testOrigin)
	if err != nil {
		t.Fatal(err)
	}
	before := e.auditSeq()
	if st, a := b.addKey(key, "Desk key"); st != http.StatusOK || a.Redirect != "/account?done=key-added" {
		t.Fatalf("adding a key: %d %+v", st, a)
	}
	if st, a := b.addKey(key, "Same key twice"); st != http.StatusUnprocessableEntity || a.Field != "key-name" || a.Error == "" {
		t.Errorf("adding the same key again: %d %+v; want 422 with a message beside the name", st, a)
	}
	other, _ := webauthntest.New(testOrigin)
	if st, a := b.addKey(other, "Desk key"); st != http.StatusUnprocessableEntity || !strings.Contains(a.Error, "already have a key with this name") {
		t.Errorf("a second key with the same name: %d %+v", st, a)
	}
	_, body := b.get("/account?done=key-added")
	if !strings.Contains(body, "Desk key") || !strings.Contains(body, "The security key is added") {
		t.Errorf("account page does not list the new key")
	}
	// A finish without a begun ceremony (or a second one) is refused.
	resp, _ := key.Create([]byte(`{"publicKey":{"challenge":"AAAAAAAAAAAAAAAAAAAAAA","rp":{"id":"rcmguard.example.org"}}}`))
	if st, a := b.keyPost("/account/keys", url.Values{"name": {"Forged"}, "credential": {string(resp)}}); st != http.StatusUnprocessableEntity || a.Error == "" {
		t.Errorf("registration without a challenge: %d %+v", st, a)
	}

	// The second-factor page offers the key, and the key signs in.
	c := e.passwordOnly("A:owner")
	_, body = c.get("/login/mfa")
	if !strings.Contains(body, `id="use-key"`) || !strings.Contains(body, "webauthn.js") {
		t.Fatal("the second-factor page does not offer the security key")
	}
	if strings.Contains(body, `id="account-link"`) {
		t.Error("the second-factor page links to the account page, which needs both factors")
	}
	st, a := c.keyPost("/login/mfa/key/options", nil)
	if st != http.StatusOK {
		t.Fatalf("key sign-in options: %d %+v", st, a)
	}
	assertion, err := key.Get(a.Options)
	if err != nil {
		t.Fatal(err)
	}
	if st, a := c.keyPost("/login/mfa/key", url.Values{"credential": {string(assertion)}}); st != http.StatusOK || a.Redirect != "/" {
		t.Fatalf("key sign-in: %d %+v", st, a)
	}
	if resp, _ := c.get("/account"); resp.StatusCode != http.StatusOK {
		t.Fatalf("account page after key sign-in: %d", resp.StatusCode)
	}
	// The same assertion from another signing-in browser is refused.
	d := e.passwordOnly("A:owner")
	d.get("/login/mfa")
	d.keyPost("/login/mfa/key/options", nil)
	if st, a := d.keyPost("/login/mfa/key", url.Values{"credential": {string(assertion)}}); st != http.StatusUnauthorized || a.Error == "" {
		t.Errorf("replayed assertion: %d %+v; want 401", st, a)
	}
	// Someone without a key is not offered one.
	e.signIn("A:auditor") // enrols the authenticator app
	n := e.passwordOnly("A:auditor")
	if _, body := n.get("/login/mfa"); strings.Contains(body, `id="use-key"`) {
		t.Error("the second-factor page offers a key to a user without one")
	}
	if st, _ := n.keyPost("/login/mfa/key/options", nil); st != http.StatusUnprocessableEntity {
		t.Errorf("key options for a user without keys: %d; want 422", st)
	}

	// Removal: not another user's key, then this one.
	keys, _ := e.auth.Keys(t.Context(), e.users["A:owner"].ID)
	if len(keys) != 1 {
		t.Fatalf("%d keys stored; want 1", len(keys))
	}
	mallory := e.signIn("B:owner")
	if resp, body := mallory.post("/account/keys/remove", url.Values{"key": {itoa(keys[0].ID)}}); resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `id="keys-err"`) {
		t.Errorf("removing another user's key: %d", resp.StatusCode)
	}
	if resp, _ := b.post("/account/keys/remove", url.Values{"key": {itoa(keys[0].ID)}}); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("removing the key: %d; want 303", resp.StatusCode)
	}
	if _, body := b.get("/account?done=key-removed"); strings.Contains(body, "Desk key") {
		t.Error("the removed key is still listed")
	}
	got := strings.Join(e.auditSince(before), ",")
	for _, want := range []string{"auth.webauthn.add", "auth.webauthn.add.fail", "auth.webauthn.use", "auth.mfa.fail", "auth.webauthn.remove"} {
		if !strings.Contains(got+",", want+",") {
			t.Errorf("audit log lacks %s: %s", want, got)
		}
	}
}

// TestSecurityKeyAddressFromHostOnlyOnLocalhost checks where the relying
// party comes from without --public-url: a loopback name is trusted, any
// other Host header is not.
func TestSecurityKeyAddressFromHostOnlyOnLocalhost(t *testing.T) {
	e := newTestEnv(t, filepath.Join(t.TempDir(), "rcmguard.db"))
	for host, want := range map[string]string{
		"localhost:8080":       "http://localhost:8080",
		"app.localhost":        "http://app.localhost",
		"127.0.0.1:8080":       "",
		"evil.example.org":     "",
		"rcmguard.example.org": "",
	} {
		r, _ := http.NewRequest(http.MethodGet, "http://"+host+"/account", nil)
		rp, ok := e.srv.relyingParty(r)
		if ok != (want != "") || rp.Origin != want {
			t.Errorf("Host %s: relying party %+v, %v; want origin %q", host, rp, ok, want)
		}
	}
	b := e.signIn("A:owner")
	if _, body := b.get("/account"); !strings.Contains(body, `id="keys-unavailable"`) || strings.Contains(body, `id="key-register"`) {
		t.Error("the account page offers to add a key without a known address")
	}
	if st, a := b.keyPost("/account/keys/options", nil); st != http.StatusUnprocessableEntity || !strings.Contains(a.Error, "--public-url") {
		t.Errorf("key options without a known address: %d %+v", st, a)
	}
	for raw, ok := range map[string]bool{
		"https://rcmguard.example.org": true, "https://rcmguard.example.org:8443/": true, "http://localhost:8080": true,
		"http://rcmguard.example.org": false, "https://10.0.0.5": false, "https://rcmguard.example.org/app": false,
		"rcmguard.example.org": false, "https://user@rcmguard.example.org": false,
	} {
		if _, err := parsePublicURL(raw); (err == nil) != ok {
			t.Errorf("parsePublicURL(%q) = %v; want ok=%v", raw, err, ok)
		}
	}
}

// TestXSSKeyNames stores the payload as a key name and checks the account
// page and the answers that quote names.
func TestXSSKeyNames(t *testing.T) {
	e := newTestEnv(t, filepath.Join(t.TempDir(), "rcmguard.db"))
	var err error
	if e.srv.publicURL, err = parsePublicURL(testOrigin); err != nil {
		t.Fatal(err)
	}
	b := e.signIn("A:owner")
	key, _ := webauthntest.New(testOrigin)
	if st, a := b.addKey(key, xss); st != http.StatusOK {
		t.Fatalf("adding a key named with the payload: %d %+v", st, a)
	}
	_, body := b.get("/account")
	if unescaped(body) || !strings.Contains(body, "&lt;script&gt;alert(1)") {
		t.Error("the account page shows the key name unescaped, or not at all")
	}
	resp, body := b.post("/account/password", url.Values{"current": {xss}, "new": {xss}, "confirm": {xss}})
	if resp.StatusCode != http.StatusUnprocessableEntity || unescaped(body) || strings.Contains(body, `value="&lt;script`) {
		t.Errorf("password errors: %d; the page must not echo passwords", resp.StatusCode)
	}
	resp, body = b.post("/account/keys/remove", url.Values{"key": {xss}})
	if resp.StatusCode != http.StatusUnprocessableEntity || unescaped(body) {
		t.Errorf("key removal with the payload: %d", resp.StatusCode)
	}
	other, _ := webauthntest.New(testOrigin)
	if _, a := b.addKey(other, xss); strings.Contains(a.Error, "<") {
		t.Errorf("registration error quotes the name: %q", a.Error)
	}
}

// TestPasswordRefusalReasonShown: a new password the policy refuses is
// refused with its reason beside the field, and the page does not repeat
// the password.
func TestPasswordRefusalReasonShown(t *testing.T) {
	e := newTestEnv(t, filepath.Join(t.TempDir(), "rcmguard.db"))
	b := e.signIn("A:owner")
	u := e.users["A:owner"]
	local, _, _ := strings.Cut(u.Email, "@")
	b.get("/account")
	for _, tc := range []struct{ pw, reason string }{
		{"qwertyuiopasdfgh", "a keyboard pattern"},
		{"P@ssw0rdP@ssw0rd", "a repeated word"},
		{"Summer2026Summer2026!", "a common season/year pattern"},
		{"medicalbilling2026", "a common season/year pattern"},
		{u.Email + u.Email, "contains your e-mail address"},
		{local + "-" + local + "-" + local, "contains your e-mail address"},
	} {
		resp, body := b.post("/account/password", url.Values{"current": {u.Password}, "new": {tc.pw}, "confirm": {tc.pw}})
		_, errText, _ := strings.Cut(body, `id="new-err">`)
		errText, _, _ = strings.Cut(errText, "<")
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(html.UnescapeString(errText), tc.reason) {
			t.Errorf("new password %q: %d, beside the field %q; want 422 saying %q", tc.pw, resp.StatusCode, errText, tc.reason)
		}
		if strings.Contains(body, html.EscapeString(tc.pw)) {
			t.Errorf("new password %q: the page repeats it", tc.pw)
		}
	}
}
