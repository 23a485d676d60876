package durability

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"math/rand/v2"
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
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"rcmguard/examples"
	"rcmguard/internal/model"
	"rcmguard/internal/seal"
	"rcmguard/internal/store"
	"rcmguard/internal/store/storetest"
)

// The load of each cycle: 200 concurrent writers split over two workspaces.
// Most change the status of a risk that belongs to them alone; some add a
// policy to the model (racing each other on the model's revision, so many
// get 409 and retry); a few run a whole assessment.
const (
	decisionWriters = 90 // per workspace
	policyWriters   = 8  // per workspace
	runWriters      = 2  // per workspace
	// The server is killed once the writers of a cycle have had between
	// minAcks and maxAcks writes acknowledged, at a point chosen at random.
	minAcks = 150
	maxAcks = 300
	// liveness bounds a cycle that stops making progress, so that a hung
	// server fails the test instead of hanging it. No check depends on it.
	liveness = 3 * time.Minute
)

const password = "durable ledgers survive the crash 7"

// TestKill9DuringWrites is test 1 of the reliability plan at the size of
// issue 3's quality bar: SIGKILL the server while 200 clients write through
// the browser routes (session cookie and CSRF token), restart it on the same
// database, and require that every acknowledged write is there, that no
// write is half there, that `rcmguard audit verify` passes and that SQLite's
// integrity check says ok — ten times, on SQLite and on PostgreSQL.
func TestKill9DuringWrites(t *testing.T) {
	if testing.Short() {
		t.Skip("builds rcmguard and kills it repeatedly under load; skipped with -short")
	}
	bin := buildBinary(t)
	t.Run("sqlite", func(t *testing.T) {
		crashCycles(t, bin, filepath.Join(t.TempDir(), "rcmguard.db"))
	})
	t.Run("postgres", func(t *testing.T) {
		crashCycles(t, bin, storetest.PostgresDSN(t))
	})
}

// buildBinary compiles cmd/rcmguard as shipped: the process killed must be
// the real server, not a handler inside the test process.
func buildBinary(t *testing.T) string {
	t.Helper()
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go command is needed to build rcmguard: %v", err)
	}
	bin := filepath.Join(t.TempDir(), "rcmguard")
	cmd := exec.Command(gobin, "build", "-o", bin, "rcmguard/cmd/rcmguard")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// childEnv is the test's environment without the variables that would
// point the binary at another database or key.
func childEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "RCMGUARD_") {
			env = append(env, kv)
		}
	}
	return env
}

// runCLI runs one rcmguard command to completion.
func runCLI(bin string, args ...string) (stdout, stderr string, code int) {
	cmd := exec.Command(bin, args...)
	cmd.Env = childEnv()
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code = cmd.ProcessState.ExitCode()
	if err != nil && code == 0 {
		code = -1
	}
	return out.String(), errb.String(), code
}

// server is one running `rcmguard serve` process.
type server struct {
	cmd  *exec.Cmd
	base string
	logs *lockedBuffer
	done chan struct{}
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

var servingRE = regexp.MustCompile(`serving on (http://\S+)`)

// startServer starts the binary on a free loopback port and waits for the
// line that says it is listening.
func startServer(t *testing.T, bin, dsn, key string) *server {
	t.Helper()
	cmd := exec.Command(bin, "serve", "--addr", "127.0.0.1:0", "--db", dsn, "--key-file", key)
	cmd.Env = childEnv()
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s := &server{cmd: cmd, logs: &lockedBuffer{}, done: make(chan struct{})}
	t.Cleanup(s.kill)
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			fmt.Fprintln(s.logs, sc.Text())
			if m := servingRE.FindStringSubmatch(sc.Text()); m != nil {
				select {
				case found <- m[1]:
				default:
				}
			}
		}
		cmd.Wait()
		close(s.done)
	}()
	select {
	case s.base = <-found:
	case <-s.done:
		t.Fatalf("rcmguard serve exited before listening:\n%s", s.logs)
	case <-time.After(liveness):
		t.Fatalf("rcmguard serve did not start listening:\n%s", s.logs)
	}
	return s
}

// kill sends SIGKILL — kill -9: no shutdown code runs — and waits for the
// process to be gone.
func (s *server) kill() {
	s.cmd.Process.Signal(syscall.SIGKILL)
	<-s.done
}

// session is one signed-in browser: its cookies, its form token and the
// workspace it works in.
type session struct {
	hc   *http.Client
	csrf string
	ws   int64
}

var (
	csrfRE     = regexp.MustCompile(`name="csrf" value="([^"]+)"`)
	revisionRE = regexp.MustCompile(`name="revision" value="(\d+)"`)
	wsLinkRE   = regexp.MustCompile(`^/w/(\d+)$`)
	listedWSRE = regexp.MustCompile(`<a href="(/w/\d+)"`)
	riskLinkRE = regexp.MustCompile(`href="/w/\d+/risks/([^"?]+)"`)
	runLinkRE  = regexp.MustCompile(`^/w/\d+/assessments/(\d+)$`)
	// The status the decision writers set: "work under way", named
	// in_progress in the model's tracking vocabulary (mitigating before).
	nextPageRE = regexp.MustCompile(`href="([^"]+)" rel="next"`)
	statusRE   = regexp.MustCompile(`<option value="(in_progress|mitigating)"`)
)

// transport is shared by every session: one connection per writer, kept
// alive, as browsers would.
var transport = &http.Transport{MaxIdleConns: 512, MaxIdleConnsPerHost: 512, DisableCompression: true}

func newSession() *session {
	jar, _ := cookiejar.New(nil)
	// Cookies are kept per host, not per port, so a session outlives the
	// restarts, which move the server to a new port.
	return &session{hc: &http.Client{Jar: jar, Transport: transport, Timeout: liveness,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// do sends a request and returns its status, Location and body.
func (s *session) do(req *http.Request) (int, string, string, error) {
	resp, err := s.hc.Do(req)
	if err != nil {
		return 0, "", "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, "", "", err
	}
	return resp.StatusCode, resp.Header.Get("Location"), string(b), nil
}

func (s *session) get(base, path string) (int, string, string, error) {
	req, err := http.NewRequest(http.MethodGet, base+path, nil)
	if err != nil {
		return 0, "", "", err
	}
	return s.do(req)
}

// post submits a form with the session's CSRF token.
func (s *session) post(base, path string, form url.Values) (int, string, string, error) {
	form.Set("csrf", s.csrf)
	req, err := http.NewRequest(http.MethodPost, base+path, strings.NewReader(form.Encode()))
	if err != nil {
		return 0, "", "", err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return s.do(req)
}

// must is for the set-up steps, where any failure ends the test.
func must(t *testing.T, wantStatus int) func(int, string, string, error) (string, string) {
	return func(status int, loc, body string, err error) (string, string) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		if status != wantStatus {
			t.Fatalf("status %d; want %d\n%s", status, wantStatus, body)
		}
		return loc, body
	}
}

func (s *session) takeCSRF(t *testing.T, body string) {
	t.Helper()
	m := csrfRE.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no CSRF token in:\n%s", body)
	}
	s.csrf = m[1]
}

// signIn goes through the real sign-in: password, then first-time TOTP
// enrolment with a code computed from the secret `user add` printed.
func signIn(t *testing.T, base, email, secret string) *session {
	t.Helper()
	s := newSession()
	_, body := must(t, http.StatusOK)(s.get(base, "/login"))
	s.takeCSRF(t, body)
	loc, _ := must(t, http.StatusSeeOther)(s.post(base, "/login", url.Values{"email": {email}, "password": {password}}))
	if loc != "/login/enrol" {
		t.Fatalf("after the password %s went to %q; want the enrolment page", email, loc)
	}
	_, body = must(t, http.StatusOK)(s.get(base, "/login/enrol"))
	s.takeCSRF(t, body)
	code, err := totp.GenerateCode(secret, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	_, body = must(t, http.StatusOK)(s.post(base, "/login/enrol", url.Values{"code": {code}}))
	if !strings.Contains(body, "recovery-codes") {
		t.Fatalf("enrolment of %s did not show recovery codes:\n%s", email, body)
	}
	// A member of one workspace is sent straight to its dashboard; an
	// owner who may create workspaces sees the list, with theirs in it.
	status, loc, body, err := s.get(base, "/")
	if err != nil {
		t.Fatal(err)
	}
	if status == http.StatusOK {
		if l := listedWSRE.FindStringSubmatch(body); l != nil {
			loc = l[1]
		}
	}
	m := wsLinkRE.FindStringSubmatch(loc)
	if m == nil {
		t.Fatalf("%s was sent to %q; want their workspace", email, loc)
	}
	s.ws, _ = strconv.ParseInt(m[1], 10, 64)
	_, body = must(t, http.StatusOK)(s.get(base, loc))
	s.takeCSRF(t, body)
	return s
}

// importModel uploads an example model through the import form.
func (s *session) importModel(t *testing.T, base, file string) {
	t.Helper()
	data, err := examples.FS.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("csrf", s.csrf)
	fw, _ := mw.CreateFormFile("model", file)
	fw.Write(data)
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, fmt.Sprintf("%s/w/%d/model/import", base, s.ws), &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	must(t, http.StatusSeeOther)(s.do(req))
}

// seq numbers every risk decision of the test; its due date is the date
// that many days after 2027-01-01, so each write is told apart by one
// value that both the decision row and its audit entry carry.
var seq atomic.Int64

func nextDue() string {
	return time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, int(seq.Add(1))).Format("2006-01-02")
}

// writer is one of the 200 clients. Its fields are written only by its own
// goroutine during a cycle and read by the test between cycles.
type writer struct {
	id     int
	kind   string // "decision", "policy" or "run"
	s      *session
	risk   string // for decision writers: the risk only this writer changes
	status string // the status they set

	acked    []string // every acknowledged write: due dates, policy IDs or assessment IDs
	cycleAck string   // the last acknowledged decision of this cycle
	known    string   // the decision found after the previous restart
	inflight string   // a write sent whose answer never came
	n        int
}

// cycle is what the writers of one cycle share.
type cycle struct {
	base    string
	acks    atomic.Int64
	target  int64
	reached chan struct{}
	once    sync.Once
	killed  atomic.Bool
	mu      sync.Mutex
	errs    []string
}

func (c *cycle) ack() {
	if c.acks.Add(1) >= c.target {
		c.once.Do(func() { close(c.reached) })
	}
}

func (c *cycle) errorf(format string, args ...any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.errs) < 20 {
		c.errs = append(c.errs, fmt.Sprintf(format, args...))
	}
}

// run writes until the server stops answering. A request without an
// answer is remembered as in flight: it may or may not have committed.
func (w *writer) run(c *cycle) {
	w.inflight, w.cycleAck = "", ""
	for {
		var err error
		switch w.kind {
		case "decision":
			err = w.decide(c)
		case "policy":
			err = w.addPolicy(c)
		case "run":
			err = w.runAssessment(c)
		}
		if err != nil {
			if !c.killed.Load() {
				c.errorf("writer %d: request failed while the server was up: %v", w.id, err)
			}
			return
		}
	}
}

func (w *writer) decide(c *cycle) error {
	due := nextDue()
	w.inflight = due
	status, loc, body, err := w.s.post(c.base, fmt.Sprintf("/w/%d/risks/%s", w.s.ws, url.PathEscape(w.risk)),
		url.Values{"status": {w.status}, "owner": {fmt.Sprintf("writer %d", w.id)}, "due": {due}})
	if err != nil {
		return err
	}
	w.inflight = ""
	if status != http.StatusSeeOther || !strings.Contains(loc, "saved=1") {
		c.errorf("writer %d: risk decision answered %d %q: %.300s", w.id, status, loc, body)
		return nil
	}
	w.acked = append(w.acked, due)
	w.cycleAck = due
	c.ack()
	return nil
}

func (w *writer) addPolicy(c *cycle) error {
	status, _, body, err := w.s.get(c.base, fmt.Sprintf("/w/%d/model/s/policies/new", w.s.ws))
	if err != nil {
		return err
	}
	m := revisionRE.FindStringSubmatch(body)
	if status != http.StatusOK || m == nil {
		c.errorf("writer %d: new policy form answered %d: %.300s", w.id, status, body)
		return nil
	}
	w.n++
	id := fmt.Sprintf("p-dur-%d-%d", w.id, w.n)
	w.inflight = id
	status, _, body, err = w.s.post(c.base, fmt.Sprintf("/w/%d/model/s/policies", w.s.ws), url.Values{
		"revision": {m[1]}, "id": {id}, "kind": {"sanctions"}, "title": {"Sanctions " + id},
		"exists": {"yes"}, "last_reviewed": {"2026-01-15"}})
	if err != nil {
		return err
	}
	w.inflight = ""
	switch status {
	case http.StatusSeeOther:
		w.acked = append(w.acked, id)
		c.ack()
	case http.StatusConflict:
		// Another writer saved the model first; this one was refused
		// whole and tries again on the new revision.
	default:
		c.errorf("writer %d: adding policy answered %d: %.300s", w.id, status, body)
	}
	return nil
}

func (w *writer) runAssessment(c *cycle) error {
	w.inflight = "run"
	status, loc, body, err := w.s.post(c.base, fmt.Sprintf("/w/%d/assessments", w.s.ws), url.Values{})
	if err != nil {
		return err
	}
	w.inflight = ""
	if status == http.StatusConflict {
		// On PostgreSQL two runs in one workspace can race for the same
		// version number; the loser is refused whole and tries again.
		return nil
	}
	m := runLinkRE.FindStringSubmatch(loc)
	if status != http.StatusSeeOther || m == nil {
		c.errorf("writer %d: running an assessment answered %d %q: %.300s", w.id, status, loc, body)
		return nil
	}
	w.acked = append(w.acked, m[1])
	c.ack()
	return nil
}

// crashCycles sets up one database, then kills and restarts its server
// cycles times, checking after each restart.
func crashCycles(t *testing.T, bin, dsn string) {
	dir := t.TempDir()
	key := filepath.Join(dir, "rcmguard.key")
	if _, errs, code := runCLI(bin, "keys", "generate", "-o", key); code != 0 {
		t.Fatalf("keys generate: exit %d: %s", code, errs)
	}
	pwFile := filepath.Join(dir, "password")
	if err := os.WriteFile(pwFile, []byte(password+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	accounts := []struct{ email, ws, role, example string }{
		{"owner@keystone.test", "Keystone Revenue Partners", "owner", "billing-company.yaml"},
		{"compliance@keystone.test", "Keystone Revenue Partners", "compliance_officer", ""},
		{"owner@riverbend.test", "Riverbend Family Medicine", "owner", "practice.yaml"},
		{"compliance@riverbend.test", "Riverbend Family Medicine", "compliance_officer", ""},
	}
	secrets := map[string]string{}
	for _, a := range accounts {
		out, errs, code := runCLI(bin, "user", "add", a.email, "--workspace", a.ws, "--role", a.role,
			"--password-file", pwFile, "--db", dsn, "--key-file", key)
		if code != 0 {
			t.Fatalf("user add %s: exit %d: %s", a.email, code, errs)
		}
		u, err := url.Parse(strings.TrimSpace(out))
		if err != nil || u.Scheme != "otpauth" || u.Query().Get("secret") == "" {
			t.Fatalf("user add %s printed %q; want an otpauth URI", a.email, out)
		}
		secrets[a.email] = u.Query().Get("secret")
	}

	srv := startServer(t, bin, dsn, key)
	var writers []*writer
	for i := 0; i < len(accounts); i += 2 {
		owner := signIn(t, srv.base, accounts[i].email, secrets[accounts[i].email])
		officer := signIn(t, srv.base, accounts[i+1].email, secrets[accounts[i+1].email])
		if owner.ws != officer.ws {
			t.Fatalf("%s and %s are in workspaces %d and %d; want one", accounts[i].email, accounts[i+1].email, owner.ws, officer.ws)
		}
		owner.importModel(t, srv.base, accounts[i].example)
		must(t, http.StatusSeeOther)(owner.post(srv.base, fmt.Sprintf("/w/%d/assessments", owner.ws), url.Values{}))
		// The register comes in pages; follow them to the end.
		var risks []string
		for next := fmt.Sprintf("/w/%d/risks", owner.ws); next != ""; {
			_, body := must(t, http.StatusOK)(owner.get(srv.base, next))
			for _, m := range riskLinkRE.FindAllStringSubmatch(body, -1) {
				id, err := url.PathUnescape(m[1])
				if err != nil {
					t.Fatal(err)
				}
				risks = append(risks, id)
			}
			next = ""
			if m := nextPageRE.FindStringSubmatch(body); m != nil {
				next = html.UnescapeString(m[1])
			}
		}
		if len(risks) < decisionWriters {
			t.Fatalf("workspace %d has %d risks; the test needs %d", owner.ws, len(risks), decisionWriters)
		}
		_, body := must(t, http.StatusOK)(owner.get(srv.base, fmt.Sprintf("/w/%d/risks/%s", owner.ws, url.PathEscape(risks[0]))))
		st := statusRE.FindStringSubmatch(body)
		if st == nil {
			t.Fatalf("the risk page offers no in-progress status:\n%s", body)
		}
		// Writers share the two sessions of their workspace, as the tabs
		// of two busy people would.
		sess := []*session{owner, officer}
		for j := range decisionWriters {
			writers = append(writers, &writer{id: len(writers), kind: "decision", s: sess[j%2], risk: risks[j], status: st[1]})
		}
		for j := range policyWriters {
			writers = append(writers, &writer{id: len(writers), kind: "policy", s: sess[j%2]})
		}
		for j := range runWriters {
			writers = append(writers, &writer{id: len(writers), kind: "run", s: sess[j%2]})
		}
	}

	total := 0
	for n := 1; n <= cycles; n++ {
		c := &cycle{base: srv.base, target: int64(minAcks + rand.IntN(maxAcks-minAcks)), reached: make(chan struct{})}
		var wg sync.WaitGroup
		for _, w := range writers {
			wg.Go(func() { w.run(c) })
		}
		select {
		case <-c.reached:
		case <-time.After(liveness):
			t.Errorf("cycle %d: only %d of %d writes acknowledged before the liveness bound", n, c.acks.Load(), c.target)
		}
		c.killed.Store(true)
		srv.kill()
		wg.Wait()
		for _, e := range c.errs {
			t.Error(e)
		}
		if t.Failed() {
			t.Fatalf("cycle %d: server log:\n%s", n, srv.logs)
		}
		acked := c.acks.Load()
		total += int(acked)

		// The database as the crash left it.
		if out, errs, code := runCLI(bin, "audit", "verify", "--db", dsn, "--key-file", key); code != 0 {
			t.Fatalf("cycle %d: audit verify exit %d:\n%s%s", n, code, out, errs)
		}
		if !store.IsPostgres(dsn) {
			integrityCheck(t, dsn)
		}
		srv = startServer(t, bin, dsn, key)
		checked := verifyWrites(t, dsn, key, writers)
		t.Logf("cycle %d: killed after %d acknowledged writes (target %d); restarted; %d acknowledged writes so far all present",
			n, acked, c.target, checked)
	}
	t.Logf("%d cycles, %d writes acknowledged and verified", cycles, total)
}

// integrityCheck runs SQLite's own consistency check on the file.
func integrityCheck(t *testing.T, path string) {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`PRAGMA integrity_check`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var lines []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		lines = append(lines, s)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if len(lines) != 1 || lines[0] != "ok" {
		t.Fatalf("PRAGMA integrity_check: %q", lines)
	}
}

// verifyWrites reads the database the restarted server runs on and checks
// every write acknowledged so far, returning how many it checked.
func verifyWrites(t *testing.T, dsn, keyFile string, writers []*writer) int {
	t.Helper()
	ctx := context.Background()
	kr, err := seal.Load(keyFile, func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(ctx, dsn, store.WithKeyring(kr))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()

	// What the audit chain says was done: risk decisions by due date,
	// policies added and assessments run.
	audited := map[string]bool{}
	for after := int64(0); ; {
		rows, err := st.AuditEntries(ctx, after, 2000)
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) == 0 {
			break
		}
		for _, r := range rows {
			after = r.Seq
			var d map[string]any
			if r.Details != "" {
				if err := json.Unmarshal([]byte(r.Details), &d); err != nil {
					t.Fatalf("audit entry %d: details %q: %v", r.Seq, r.Details, err)
				}
			}
			switch r.Action {
			case "risk.decide":
				audited[fmt.Sprintf("%d %s %v", r.WorkspaceID, r.Object, d["due"])] = true
			case "model.policies.create":
				audited[fmt.Sprintf("%d policy %v", r.WorkspaceID, d["element"])] = true
			case "assessment.run":
				audited[fmt.Sprintf("%d %s", r.WorkspaceID, r.Object)] = true
			}
		}
	}

	decisions := map[int64]map[string]store.RiskDecision{}
	policies := map[int64]map[string]bool{}
	for _, w := range writers {
		ws := w.s.ws
		if decisions[ws] != nil {
			continue
		}
		decisions[ws] = map[string]store.RiskDecision{}
		ds, err := st.RiskDecisions(ctx, ws)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range ds {
			decisions[ws][d.RiskID] = d
			// A decision present without its audit entry would be a
			// write half there.
			if key := fmt.Sprintf("%d risk:%s %s", ws, d.RiskID, d.Due.Format("2006-01-02")); !audited[key] {
				t.Errorf("decision on %s in workspace %d (due %s) has no audit entry", d.RiskID, ws, d.Due.Format("2006-01-02"))
			}
		}
		wm, err := st.WorkspaceModel(ctx, ws)
		if err != nil {
			t.Fatal(err)
		}
		m, err := model.Load("model.yaml", wm.YAML)
		if err != nil {
			t.Fatalf("workspace %d: stored model: %v", ws, err)
		}
		policies[ws] = map[string]bool{}
		for _, p := range m.Policies {
			policies[ws][p.ID] = true
			if strings.HasPrefix(p.ID, "p-dur-") && !audited[fmt.Sprintf("%d policy %s", ws, p.ID)] {
				t.Errorf("policy %s in workspace %d has no audit entry", p.ID, ws)
			}
		}
	}

	checked := 0
	for _, w := range writers {
		ws := w.s.ws
		for _, a := range w.acked {
			checked++
			var ok bool
			switch w.kind {
			case "decision":
				ok = audited[fmt.Sprintf("%d risk:%s %s", ws, w.risk, a)]
			case "policy":
				ok = policies[ws][a] && audited[fmt.Sprintf("%d policy %s", ws, a)]
			case "run":
				id, _ := strconv.ParseInt(a, 10, 64)
				_, err := st.Assessment(ctx, ws, id)
				ok = err == nil && audited[fmt.Sprintf("%d assessment:%s", ws, a)]
			}
			if !ok {
				t.Errorf("writer %d (%s): acknowledged write %s is missing after the restart", w.id, w.kind, a)
			}
		}
		if w.kind != "decision" {
			continue
		}
		// The decision now stored must be the last one acknowledged, or
		// the one in flight at the kill (committed, answer lost).
		want := w.cycleAck
		if want == "" {
			want = w.known
		}
		got := ""
		if d, ok := decisions[ws][w.risk]; ok {
			got = d.Due.Format("2006-01-02")
		}
		if got != want && (w.inflight == "" || got != w.inflight) {
			t.Errorf("writer %d: risk %s has due %q; want the last acknowledged %q or the in-flight %q",
				w.id, w.risk, got, want, w.inflight)
		}
		w.known = got
	}
	return checked
}
