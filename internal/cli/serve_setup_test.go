package cli

import (
	"bytes"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a buffer the server writes its console to while the test
// reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// startServerConsole runs serve in the background like startServer, and
// returns everything it writes to its console (standard error: the log
// and the setup line).
func startServerConsole(t *testing.T, args ...string) (base string, console *syncBuffer, stop func() int) {
	t.Helper()
	type started struct {
		addr string
		stop func()
	}
	ready := make(chan started, 1)
	serveHook = func(addr string, stop func()) { ready <- started{addr, stop} }
	t.Cleanup(func() { serveHook = nil })
	console = &syncBuffer{}
	var out bytes.Buffer
	status := make(chan int, 1)
	e := &env{stdin: strings.NewReader(""), stdout: &out, stderr: console, now: time.Now}
	go func() { status <- e.main(args) }()
	select {
	case s := <-ready:
		return "http://" + s.addr, console, func() int { s.stop(); return <-status }
	case st := <-status:
		t.Fatalf("%v exited with %d before serving:\n%s", args, st, console.String())
	}
	return "", nil, nil
}

var setupLineRE = regexp.MustCompile(`first-run setup: no account exists yet\. Open (\S+)/setup and enter the setup token (\S+) \(valid until`)

// TestServeFirstRunSetup: a fresh serve on an empty database prints a
// setup token on one console line, the browser creates the first owner
// with it, and after that the token appears nowhere else in the console
// (the log), the page is gone and a restart prints no token.
func TestServeFirstRunSetup(t *testing.T) {
	c := newStoreCLI(t, t.TempDir()+"/rcmguard.db")
	args := []string{"serve", "--addr", "127.0.0.1:0", "--db", c.dsn, "--key-file", c.key}
	base, console, stop := startServerConsole(t, args...)
	m := setupLineRE.FindStringSubmatch(console.String())
	if m == nil {
		t.Fatalf("no first-run setup line on the console:\n%s", console.String())
	}
	token := m[2]
	jar, _ := cookiejar.New(nil)
	b := &browserSession{t: t, base: base, c: &http.Client{Jar: jar}}
	body := b.get("/setup")
	form := url.Values{"csrf": {b.csrfOf(body)}, "token": {"setup-guessed"}, "email": {"dana@riverbend.example"},
		"password": {testPassword}, "confirm": {testPassword}, "workspace": {"Riverbend"}, "kind": {"practice"}}
	resp, err := b.c.PostForm(base+"/setup", form)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("a wrong token: %d; want 401", resp.StatusCode)
	}
	form.Set("token", token)
	if body := b.post("/setup", form); !strings.Contains(body, "Set up two-step verification") {
		t.Fatalf("after the setup, not the TOTP enrolment page:\n%.500s", body)
	}
	resp, err = http.Get(base + "/setup")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("GET /setup after the setup: %d; want 404", resp.StatusCode)
	}
	if st := stop(); st != exitOK {
		t.Errorf("serve exit status %d", st)
	}
	if n := strings.Count(console.String(), token); n != 1 {
		t.Errorf("the token appears %d times on the console; want once, on its line:\n%s", n, console.String())
	}
	_, again, stop := startServerConsole(t, args...)
	if st := stop(); st != exitOK {
		t.Errorf("second serve exit status %d", st)
	}
	if strings.Contains(again.String(), "first-run setup") {
		t.Errorf("a serve after the first account offers the setup again:\n%s", again.String())
	}
	// The setup's entries extend a chain that verifies (that they carry
	// no token is internal/app's TestFirstRunSetup).
	if st, out, errs := c.db("audit", "verify"); st != exitOK {
		t.Errorf("audit verify after the setup: %d\n%s%s", st, out, errs)
	}
}
