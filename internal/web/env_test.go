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
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"rcmguard/examples"
	"rcmguard/internal/audit"
	"rcmguard/internal/auth"
	"rcmguard/internal/rules"
	"rcmguard/internal/store"
	"rcmguard/internal/store/storetest"
)

// clock is the injected time: tests move it, nothing waits.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// testEnv is a server on a real database with two tenants: a practice (A)
// and a billing company (B) with one client (C), each with a user per role.
type testEnv struct {
	t     *testing.T
	st    *store.Store
	srv   *Server
	ts    *httptest.Server
	clock *clock
	auth  *auth.Service
	ws    map[string]store.Workspace
	users map[string]testUser // key: tenant+":"+role, e.g. "A:owner"
	logw  *lockedWriter
}

// logs returns what the server has logged so far.
func (e *testEnv) logs() string {
	e.logw.mu.Lock()
	defer e.logw.mu.Unlock()
	return e.logw.w.(*strings.Builder).String()
}

type testUser struct {
	ID       int64
	Email    string
	Password string
	Secret   string
}

const testPassword = "correct horse battery staple 42"

var sharedRules = sync.OnceValues(func() (*rules.Set, error) { return rules.Load(rules.Builtin()) })

func newTestEnv(t *testing.T, dsn string) *testEnv {
	t.Helper()
	kr := storetest.Keyring(t)
	st := storetest.Open(t, dsn, kr)
	set, err := sharedRules()
	if err != nil {
		t.Fatal(err)
	}
	log := audit.New(kr)
	clk := &clock{t: time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)}
	svc := auth.New(st, log, auth.Config{Params: auth.Params{Time: 1, Memory: 8 * 1024, Threads: 1}})
	lw := &lockedWriter{w: &strings.Builder{}}
	// Tests sign in and fail from one address far more than a person
	// would; throttle_test.go checks the limit by address.
	srv, err := New(Config{Store: st, Audit: log, Auth: svc, Rules: set, Now: clk.now, FailureLimit: -1,
		Logger: slog.New(slog.NewTextHandler(lw, nil))})
	if err != nil {
		t.Fatal(err)
	}
	e := &testEnv{t: t, st: st, srv: srv, clock: clk, auth: svc, ws: map[string]store.Workspace{},
		users: map[string]testUser{}, logw: lw}
	e.ts = httptest.NewServer(srv.Handler())
	t.Cleanup(e.ts.Close)
	e.seed()
	return e
}

type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func (e *testEnv) seed() {
	t, ctx, now := e.t, context.Background(), e.clock.now()
	log := e.srv.log
	for _, w := range []struct{ key, name, kind, parent string }{
		{"A", "Tenant A practice", store.KindPractice, ""},
		{"B", "Tenant B billing", store.KindBillingCompany, ""},
		{"C", "Tenant B client", store.KindPractice, "B"},
	} {
		err := e.st.InTx(ctx, func(tx *store.Tx) error {
			ws, err := tx.CreateWorkspace(ctx, store.Workspace{Name: w.name, Kind: w.kind, ParentID: e.ws[w.parent].ID, Created: now})
			if err != nil {
				return err
			}
			e.ws[w.key] = ws
			_, err = log.Append(ctx, tx, audit.Event{At: now, Actor: "test", WorkspaceID: ws.ID, Action: "workspace.create"})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, tenant := range []string{"A", "B"} {
		for _, r := range auth.Roles {
			email := fmt.Sprintf("%s-%s@example.org", strings.ToLower(tenant), r)
			u, enr, err := e.auth.CreateUser(ctx, auth.NewUser{Email: email, Password: testPassword,
				Workspace: e.ws[tenant].Name, Role: r, Actor: "test"}, now)
			if err != nil {
				t.Fatal(err)
			}
			e.users[tenant+":"+string(r)] = testUser{ID: u.ID, Email: email, Password: testPassword, Secret: enr.Secret}
			if r == auth.RoleContributor {
				// The seeded contributors may edit the whole model and
				// every risk; assignment_test.go narrows others down.
				e.assignAll(tenant, u.ID)
			}
			if tenant == "B" {
				err := e.st.InTx(ctx, func(tx *store.Tx) error {
					if err := tx.PutMembership(ctx, store.Membership{UserID: u.ID, WorkspaceID: e.ws["C"].ID, Role: string(r), Created: now}); err != nil {
						return err
					}
					if r == auth.RoleContributor {
						if err := tx.SetUserAssignments(ctx, e.ws["C"].ID, u.ID, store.ModelObject, []string{store.ModelObject + store.AllObjects}, u.ID, now); err != nil {
							return err
						}
						if err := tx.Assign(ctx, store.Assignment{WorkspaceID: e.ws["C"].ID, UserID: u.ID, Object: store.RiskObject + store.AllObjects, CreatedBy: u.ID, Created: now}); err != nil {
							return err
						}
					}
					_, err := log.Append(ctx, tx, audit.Event{At: now, Actor: "test", WorkspaceID: e.ws["C"].ID, Action: "membership.put"})
					return err
				})
				if err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	for key, file := range map[string]string{"A": "practice.yaml", "B": "billing-company.yaml", "C": "practice.yaml"} {
		owner := e.users[map[string]string{"A": "A", "B": "B", "C": "B"}[key]+":owner"].ID
		data, err := examples.FS.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		if err := importModel(t, e.srv, e.ws[key].ID, owner, data); err != nil {
			t.Fatal(err)
		}
		if _, err := e.runAssessment(ctx, e.ws[key].ID, owner); err != nil {
			t.Fatal(err)
		}
	}
}

// assignAll lets a contributor of tenant edit the whole model and every risk.
func (e *testEnv) assignAll(tenant string, user int64) {
	e.t.Helper()
	ctx, now := context.Background(), e.clock.now()
	err := e.st.InTx(ctx, func(tx *store.Tx) error {
		for _, o := range []string{store.ModelObject + store.AllObjects, store.RiskObject + store.AllObjects} {
			if err := tx.Assign(ctx, store.Assignment{WorkspaceID: e.ws[tenant].ID, UserID: user, Object: o, CreatedBy: user, Created: now}); err != nil {
				return err
			}
		}
		_, err := e.srv.log.Append(ctx, tx, audit.Event{At: now, Actor: "test", WorkspaceID: e.ws[tenant].ID, Action: "assignments.set"})
		return err
	})
	if err != nil {
		e.t.Fatal(err)
	}
}

// client is an HTTP client with its own cookies, signed in as one user.
type client struct {
	e    *testEnv
	c    *http.Client
	csrf string
}

func (e *testEnv) newBrowser() *client {
	jar, _ := cookiejar.New(nil)
	return &client{e: e, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

var csrfRE = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// get fetches a path and remembers the page's CSRF token.
func (b *client) get(path string) (*http.Response, string) {
	b.e.t.Helper()
	resp, err := b.c.Get(b.e.ts.URL + path)
	if err != nil {
		b.e.t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if m := csrfRE.FindSubmatch(body); m != nil {
		b.csrf = string(m[1])
	}
	return resp, string(body)
}

// post submits a form with the remembered CSRF token (unless the form
// sets its own "csrf").
func (b *client) post(path string, form url.Values) (*http.Response, string) {
	b.e.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	if _, ok := form["csrf"]; !ok {
		form.Set("csrf", b.csrf)
	}
	req, _ := http.NewRequest(http.MethodPost, b.e.ts.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := b.c.Do(req)
	if err != nil {
		b.e.t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if m := csrfRE.FindSubmatch([]byte(body)); m != nil {
		b.csrf = string(m[1])
	}
	return resp, string(body)
}

// code returns the TOTP code at the current (fake) time; each sign-in moves
// the clock a step on, since a code's time step may be used once only.
func (e *testEnv) code(secret string) string {
	e.clock.advance(31 * time.Second)
	c, err := totp.GenerateCode(secret, e.clock.now())
	if err != nil {
		e.t.Fatal(err)
	}
	return c
}

// signIn signs a browser in as key ("A:owner"), enrolling MFA first time.
func (e *testEnv) signIn(key string) *client {
	e.t.Helper()
	u := e.users[key]
	b := e.newBrowser()
	b.get("/login")
	resp, _ := b.post("/login", url.Values{"email": {u.Email}, "password": {u.Password}})
	if resp.StatusCode != http.StatusSeeOther {
		e.t.Fatalf("sign in %s: status %d", key, resp.StatusCode)
	}
	next := resp.Header.Get("Location")
	b.get(next)
	if next == "/login/enrol" {
		resp, _ = b.post("/login/enrol", url.Values{"code": {e.code(u.Secret)}})
		if resp.StatusCode != http.StatusOK {
			e.t.Fatalf("enrol %s: status %d", key, resp.StatusCode)
		}
	} else {
		resp, _ = b.post("/login/mfa", url.Values{"method": {"totp"}, "code": {e.code(u.Secret)}})
		if resp.StatusCode != http.StatusSeeOther {
			e.t.Fatalf("mfa %s: status %d", key, resp.StatusCode)
		}
	}
	b.get("/")
	return b
}
