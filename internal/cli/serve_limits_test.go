package cli

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"rcmguard/internal/auth"
	"rcmguard/internal/seal"
)

// hostileNested is issue 8's 200 KB upload: flow sequences nested 50,000
// deep, which took the YAML parser 3.8 GB before the model limits.
func hostileNested() []byte {
	return []byte("version: 1\norganization: " + strings.Repeat("[ ", 50_000) + strings.Repeat(" ]", 50_000) + "\n")
}

// hostileFan is issue 8's alias fan: one system with 2,000 data references
// listed again through 4,000 aliases, 8 million values from 32 KB.
func hostileFan() []byte {
	return []byte(`version: 1
organization: {name: x, kind: provider_practice, workforce: 1, patients_per_year: 1, claims_per_month: 1, avg_reimbursement: 1}
data: [{id: d, kind: claims_837}]
roles: [{id: r, name: R, kind: biller, headcount: 1}]
systems:
  - &s {id: s, name: n, kind: ehr, data: [` + strings.Repeat("d,", 1999) + "d]}\n" + strings.Repeat("  - *s\n", 4000))
}

// serverMemoryCap is what the server process must stay under while it
// refuses the hostile models (issue 8 asks for 512 MiB).
const serverMemoryCap = 512 << 20

// TestServeRefusesHostileModels runs `rcmguard serve` as its own process,
// sends it the hostile models of issue 8 at once through the API and the
// import page, and reads the server's peak memory from /proc: each model is
// refused with 413 or 422 and a message that says why, nothing is saved,
// the server stays under 512 MiB and serves the next request.
func TestServeRefusesHostileModels(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and runs a server")
	}
	if _, err := os.Stat("/proc/self/status"); err != nil {
		t.Skip("needs /proc to read the server's peak memory")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "rcmguard")
	if out, err := exec.Command("go", "build", "-o", bin, "rcmguard/cmd/rcmguard").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	c := newStoreCLI(t, filepath.Join(dir, "rcmguard.db"))
	const email = "owner@riverbend.example"
	enrolURI := c.addUser(email, "Riverbend", "owner")
	wsID, apiToken := apiTokenFor(t, c, email, "Riverbend")

	base, server := startServeProcess(t, bin, "serve", "--addr", "127.0.0.1:0", "--db", c.dsn, "--key-file", c.key)
	browser := signIn(t, base, email, enrolURI)
	modelPath := fmt.Sprintf("/w/%d/model", wsID)
	csrf := browser.csrfOf(browser.get(modelPath))
	apiURL := fmt.Sprintf("%s/api/v1/workspaces/%d/model", base, wsID)

	type answer struct {
		via, file string
		status    int
		body      string
	}
	send := []struct {
		via, file string
		data      []byte
	}{
		{"api", "nested", hostileNested()},
		{"api", "nested", hostileNested()},
		{"api", "fan", hostileFan()},
		{"api", "fan", hostileFan()},
		{"web", "nested", hostileNested()},
		{"web", "fan", hostileFan()},
	}
	answers := make([]answer, len(send))
	var wg sync.WaitGroup
	for i, s := range send {
		wg.Go(func() {
			var resp *http.Response
			var err error
			if s.via == "api" {
				req, _ := http.NewRequest(http.MethodPut, apiURL, bytes.NewReader(s.data))
				req.Header.Set("Authorization", "Bearer "+apiToken)
				req.Header.Set("Content-Type", "application/yaml")
				resp, err = http.DefaultClient.Do(req)
			} else {
				resp, err = browser.upload(modelPath+"/import", csrf, s.data)
			}
			if err != nil {
				answers[i] = answer{s.via, s.file, 0, err.Error()}
				return
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			answers[i] = answer{s.via, s.file, resp.StatusCode, string(b)}
		})
	}
	wg.Wait()

	peak := server.peakRSS(t)
	t.Logf("server peak RSS after %d hostile models at once: %d MiB", len(send), peak>>20)
	if peak > serverMemoryCap {
		t.Errorf("server peak RSS %d MiB; want under %d MiB", peak>>20, serverMemoryCap>>20)
	}
	want := map[string]struct {
		status int
		msg    string
	}{
		"nested": {http.StatusUnprocessableEntity, "model nests deeper than 64 levels"},
		"fan":    {http.StatusRequestEntityTooLarge, "model expands aliases beyond 200000 nodes"},
	}
	for _, a := range answers {
		w := want[a.file]
		if a.status != w.status || !strings.Contains(a.body, w.msg) {
			t.Errorf("%s %s: %d %.300s; want %d saying %q", a.via, a.file, a.status, a.body, w.status, w.msg)
		}
		if a.via == "api" {
			var got struct {
				Errors []struct {
					Line    int    `json:"line"`
					Message string `json:"message"`
				} `json:"errors"`
			}
			if err := json.Unmarshal([]byte(a.body), &got); err != nil || len(got.Errors) != 1 || got.Errors[0].Line == 0 {
				t.Errorf("api %s: want one error with its line, got %.300s", a.file, a.body)
			}
		}
	}

	// The server goes on: a real model is accepted and shown.
	practice, err := os.ReadFile("../../examples/practice.yaml")
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodPut, apiURL, bytes.NewReader(practice))
	req.Header.Set("Authorization", "Bearer "+apiToken)
	req.Header.Set("Content-Type", "application/yaml")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var saved struct {
		Revision int `json:"revision"`
	}
	if resp.StatusCode != http.StatusOK || json.Unmarshal(b, &saved) != nil || saved.Revision != 1 {
		t.Errorf("a valid model after the hostile ones: %d %s; want 200 at revision 1 (nothing saved before)", resp.StatusCode, b)
	}
	if page := browser.get(modelPath); !strings.Contains(page, "Riverbend Family Medicine") {
		t.Errorf("the model page does not show the saved model:\n%.500s", page)
	}
}

// apiTokenFor issues an API token for a user in a workspace straight in the
// database, as the tokens page would, before the server opens it.
func apiTokenFor(t *testing.T, c *storeCLI, email, workspace string) (int64, string) {
	t.Helper()
	st := c.open(c.key)
	ctx := context.Background()
	u, err := st.UserByEmail(ctx, email)
	if err != nil {
		t.Fatal(err)
	}
	ws, err := st.WorkspaceByName(ctx, workspace)
	if err != nil {
		t.Fatal(err)
	}
	kr, err := seal.LoadKeyFile(c.key)
	if err != nil {
		t.Fatal(err)
	}
	secret, _, err := auth.New(st, newAuditLog(kr), auth.Config{}).CreateAPIToken(ctx, u.ID, ws.ID, "limits-test", time.Hour, "test", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	return ws.ID, secret
}

// serverProcess is `rcmguard serve` running as its own process.
type serverProcess struct {
	pid int
	mu  sync.Mutex
	log bytes.Buffer // its standard error
}

func (p *serverProcess) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.log.Write(b)
}

// logTail is the end of the server's output or, when it crashed, the
// start of the crash report rather than its goroutine dump.
func (p *serverProcess) logTail() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	s := p.log.String()
	if i := strings.Index(s, "fatal error:"); i >= 0 {
		return s[max(0, i-200):min(len(s), i+600)]
	}
	return s[max(0, len(s)-2000):]
}

// startServeProcess starts the binary and waits for the address it serves
// on. The process runs under a 4 GiB address-space limit, so that a
// regression fails this test instead of exhausting the machine.
func startServeProcess(t *testing.T, bin string, args ...string) (base string, p *serverProcess) {
	t.Helper()
	cmd := exec.Command("/bin/sh", append([]string{"-c", `ulimit -v 4194304 && exec "$0" "$@"`, bin}, args...)...)
	cmd.Env = append(os.Environ(), "RCMGUARD_KEY=", "RCMGUARD_KEY_FILE=", "RCMGUARD_DB=")
	p = &serverProcess{}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p.pid = cmd.Process.Pid
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		cmd.Wait()
	})
	served := regexp.MustCompile(`serving on (http://\S+)`)
	lines := bufio.NewScanner(stderr)
	for lines.Scan() {
		fmt.Fprintln(p, lines.Text())
		if m := served.FindStringSubmatch(lines.Text()); m != nil {
			go io.Copy(p, stderr)
			return m[1], p
		}
	}
	t.Fatalf("%v exited before serving:\n%s", args, p.logTail())
	return "", nil
}

// peakRSS reads the peak resident set (VmHWM) of the server from /proc.
func (p *serverProcess) peakRSS(t *testing.T) int64 {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", p.pid))
	if err != nil {
		t.Fatalf("server process: %v\n%s", err, p.logTail())
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			if err != nil {
				t.Fatalf("VmHWM line %q: %v", line, err)
			}
			return kb << 10
		}
	}
	t.Fatalf("the server process has ended (no memory figures in /proc/%d/status); its last output:\n%s", p.pid, p.logTail())
	return 0
}

// browserSession is a signed-in browser against a server process.
type browserSession struct {
	t    *testing.T
	base string
	c    *http.Client
}

// signIn signs in as a user new from `user add`: password, then the first
// TOTP code from the enrolment URI, which completes enrolment.
func signIn(t *testing.T, base, email, enrolURI string) *browserSession {
	t.Helper()
	u, err := url.Parse(enrolURI)
	if err != nil {
		t.Fatalf("enrolment URI %q: %v", enrolURI, err)
	}
	secret := u.Query().Get("secret")
	jar, _ := cookiejar.New(nil)
	b := &browserSession{t: t, base: base, c: &http.Client{Jar: jar}}
	body := b.post("/login", url.Values{"csrf": {b.csrfOf(b.get("/login"))}, "email": {email}, "password": {testPassword}})
	if !strings.Contains(body, "Set up two-step verification") {
		t.Fatalf("after the password, not the enrolment page:\n%.500s", body)
	}
	code, err := totp.GenerateCode(secret, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if body := b.post("/login/enrol", url.Values{"csrf": {b.csrfOf(body)}, "code": {code}}); !strings.Contains(body, "recovery codes") {
		t.Fatalf("after the code, no recovery codes:\n%.500s", body)
	}
	return b
}

func (b *browserSession) page(resp *http.Response, err error) string {
	b.t.Helper()
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		b.t.Fatalf("%s: %d\n%.500s", resp.Request.URL, resp.StatusCode, body)
	}
	return string(body)
}

func (b *browserSession) get(path string) string { return b.page(b.c.Get(b.base + path)) }

func (b *browserSession) post(path string, form url.Values) string {
	return b.page(b.c.PostForm(b.base+path, form))
}

func (b *browserSession) csrfOf(body string) string {
	b.t.Helper()
	m := csrfFieldRE.FindStringSubmatch(body)
	if m == nil {
		b.t.Fatalf("no CSRF field in:\n%.500s", body)
	}
	return m[1]
}

// upload posts a model file to the import form, as the file input does.
func (b *browserSession) upload(path, csrf string, data []byte) (*http.Response, error) {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("csrf", csrf)
	fw, err := mw.CreateFormFile("model", "model.yaml")
	if err != nil {
		return nil, err
	}
	fw.Write(data)
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, b.base+path, &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return b.c.Do(req)
}
