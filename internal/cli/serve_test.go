package cli

import (
	"bytes"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"rcmguard/internal/demo"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"
)

// startServer runs a serving command in the background and returns its
// base URL, its output so far, and a function that stops it and returns
// its exit status.
func startServer(t *testing.T, args ...string) (base string, stdout *bytes.Buffer, stop func() int) {
	t.Helper()
	t.Setenv("TMPDIR", t.TempDir())
	type started struct {
		addr string
		stop func()
	}
	ready := make(chan started, 1)
	serveHook = func(addr string, stop func()) { ready <- started{addr, stop} }
	t.Cleanup(func() { serveHook = nil })
	var out, errs bytes.Buffer
	status := make(chan int, 1)
	e := &env{stdin: strings.NewReader(""), stdout: &out, stderr: &errs, now: time.Now}
	go func() { status <- e.main(args) }()
	select {
	case s := <-ready:
		return "http://" + s.addr, &out, func() int { s.stop(); return <-status }
	case st := <-status:
		t.Fatalf("%v exited with %d before serving:\n%s\n%s", args, st, out.String(), errs.String())
	}
	return "", nil, nil
}

var (
	demoPasswordRE = regexp.MustCompile(`owner@demo\.rcmguard\.test\s+password: (\S+)`)
	demoSecretRE   = regexp.MustCompile(`(?s)owner@demo\.rcmguard\.test.*?TOTP secret: (\S+)`)
	csrfFieldRE    = regexp.MustCompile(`name="csrf" value="([^"]+)"`)
)

// TestDemoServesAndSignsIn runs `rcmguard demo` and signs in with what it
// prints, enrolling MFA as a new user would.
func TestDemoServesAndSignsIn(t *testing.T) {
	t.Setenv("RCMGUARD_KEY", "")
	t.Setenv("RCMGUARD_KEY_FILE", "")
	t.Setenv("RCMGUARD_DB", "")
	base, out, stop := startServer(t, "demo", "--addr", "127.0.0.1:0")
	text := out.String()
	for _, want := range []string{base + "/login", "compliance@demo.rcmguard.test", "contributor@demo.rcmguard.test",
		"auditor@demo.rcmguard.test", "first sign-in", "recovery codes"} {
		if !strings.Contains(text, want) {
			t.Errorf("demo output lacks %q:\n%s", want, text)
		}
	}
	pw, secret := demoPasswordRE.FindStringSubmatch(text), demoSecretRE.FindStringSubmatch(text)
	if pw == nil || secret == nil {
		t.Fatalf("demo output has no owner password or TOTP secret:\n%s", text)
	}
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	sess := &browserSession{t: t, base: base, c: c}
	page, csrf := sess.page, sess.csrfOf
	body := page(c.Get(base + "/login"))
	body = page(c.PostForm(base+"/login", url.Values{"csrf": {csrf(body)}, "email": {"owner@demo.rcmguard.test"}, "password": {pw[1]}}))
	if !strings.Contains(body, "Set up two-step verification") {
		t.Fatalf("after the password, not the enrolment page:\n%s", body)
	}
	code, err := totp.GenerateCode(secret[1], time.Now())
	if err != nil {
		t.Fatal(err)
	}
	body = page(c.PostForm(base+"/login/enrol", url.Values{"csrf": {csrf(body)}, "code": {code}}))
	if !strings.Contains(body, "recovery codes") {
		t.Fatalf("after the code, no recovery codes:\n%s", body)
	}
	body = page(c.Get(base + "/"))
	for _, ws := range demoWorkspaces {
		if !strings.Contains(body, ws.name) {
			t.Errorf("workspace list lacks %q", ws.name)
		}
	}
	// The practice's Evidence page lists what the demo seeded, and its
	// register holds risks that evidence backs.
	m := regexp.MustCompile(`href="/w/(\d+)"><strong>` + regexp.QuoteMeta(demoWorkspaces[0].name) + `<`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no link to %q on the home page", demoWorkspaces[0].name)
	}
	body = page(c.Get(base + "/w/" + m[1] + "/evidence"))
	for _, want := range []string{"share-scan.jsonl", "PHI scan", "claims-edi-inspect.json", "EDI inspection", "portal-probe.json", "Endpoint probe", "3 evidence sets"} {
		if !strings.Contains(body, want) {
			t.Errorf("the demo's Evidence page lacks %q", want)
		}
	}
	body = page(c.Get(base + "/w/" + m[1] + "/risks?area=evidence"))
	for _, want := range []string{"EVD-01", "EVD-05", "EVD-11"} {
		if !strings.Contains(body, want) {
			t.Errorf("the demo's register lacks the evidence-backed %s", want)
		}
	}
	for i := range demoWorkspaces {
		for _, id := range demo.ShareIdentifiers(i) {
			if strings.Contains(out.String(), id) || strings.Contains(body, id) {
				t.Errorf("the demo shows a full identifier of its synthetic files: %q", id)
			}
		}
	}
	if st := stop(); st != exitOK {
		t.Errorf("demo exit status %d; want 0", st)
	}
}

// TestServeOnExistingDatabase serves a database made by `user add`.
func TestServeOnExistingDatabase(t *testing.T) {
	c := newStoreCLI(t, t.TempDir()+"/rcmguard.db")
	c.addUser("dana@example.org", "Riverbend", "owner")
	base, _, stop := startServer(t, "serve", "--addr", "127.0.0.1:0", "--db", c.dsn, "--key-file", c.key, "--idle-timeout", "10m")
	resp, err := http.Get(base + "/login")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Security-Policy") == "" {
		t.Errorf("GET /login: %d, CSP %q", resp.StatusCode, resp.Header.Get("Content-Security-Policy"))
	}
	if st := stop(); st != exitOK {
		t.Errorf("serve exit status %d; want 0", st)
	}
}

func TestServeRejectsBadFlags(t *testing.T) {
	for _, args := range [][]string{
		{"serve", "--tls-cert", "cert.pem"},
		{"serve", "--tls-key", "key.pem"},
		{"serve", "--idle-timeout", "2h"},
		{"serve", "--idle-timeout", "10s"},
		{"serve", "--addr", "no-port"},
		{"serve", "extra"},
		{"demo", "--idle-timeout", "0"},
		{"demo", "--addr", "0.0.0.0:8080"},
	} {
		var out, errs bytes.Buffer
		e := &env{stdin: strings.NewReader(""), stdout: &out, stderr: &errs, now: time.Now}
		if st := e.main(args); st != exitInvalid {
			t.Errorf("%v: exit %d; want %d (%s)", args, st, exitInvalid, errs.String())
		}
	}
}
