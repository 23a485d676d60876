package web

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/pquerna/otp/totp"

	"rcmguard/internal/audit"
	"rcmguard/internal/auth"
	"rcmguard/internal/store"
	"rcmguard/internal/store/storetest"
)

// newEmptyEnv is a server on a database without any account, as a fresh
// `rcmguard serve` finds it.
func newEmptyEnv(t *testing.T, failureLimit ...int) *testEnv {
	t.Helper()
	limit := 0
	if len(failureLimit) > 0 {
		limit = failureLimit[0]
	}
	kr := storetest.Keyring(t)
	st := storetest.Open(t, filepath.Join(t.TempDir(), "rcmguard.db"), kr)
	set, err := sharedRules()
	if err != nil {
		t.Fatal(err)
	}
	log := audit.New(kr)
	clk := &clock{t: time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)}
	svc := auth.New(st, log, auth.Config{Params: auth.Params{Time: 1, Memory: 8 * 1024, Threads: 1}})
	lw := &lockedWriter{w: &strings.Builder{}}
	srv, err := New(Config{Store: st, Audit: log, Auth: svc, Rules: set, Now: clk.now, FailureLimit: limit,
		Logger: slog.New(slog.NewTextHandler(lw, nil))})
	if err != nil {
		t.Fatal(err)
	}
	e := &testEnv{t: t, st: st, srv: srv, clock: clk, auth: svc, ws: map[string]store.Workspace{}, users: map[string]testUser{}, logw: lw}
	e.ts = httptest.NewServer(srv.Handler())
	t.Cleanup(e.ts.Close)
	return e
}

// TestFirstRunSetupPage: the setup page exists only while no account
// does; a wrong token is refused (401, counted by the throttle) and the
// token used once cannot be used again: the page is gone.
func TestFirstRunSetupPage(t *testing.T) {
	e := newEmptyEnv(t)
	token, _, err := e.srv.app.IssueSetupToken(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	b := e.newBrowser()
	if resp, _ := b.get("/setup"); resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /setup on an empty database: %d", resp.StatusCode)
	}
	form := url.Values{"token": {"setup-guess"}, "email": {"dana@riverbend.example"}, "password": {testPassword},
		"confirm": {testPassword}, "workspace": {"Riverbend"}, "kind": {"practice"}}
	if resp, body := b.post("/setup", form); resp.StatusCode != http.StatusUnauthorized || !strings.Contains(body, "not valid") {
		t.Fatalf("wrong token: %d; want 401 with the reason", resp.StatusCode)
	}
	form.Set("token", token)
	resp, _ := b.post("/setup", form)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/login/enrol" {
		t.Fatalf("setup: %d to %q; want 303 to /login/enrol", resp.StatusCode, resp.Header.Get("Location"))
	}
	other := e.newBrowser()
	if resp, _ := other.get("/setup"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("GET /setup after the first account: %d; want 404", resp.StatusCode)
	}
	other.get("/login")
	form.Set("email", "mallory@example.org")
	form.Del("csrf")
	if resp, _ := other.post("/setup", form); resp.StatusCode != http.StatusNotFound {
		t.Errorf("the token a second time: %d; want 404", resp.StatusCode)
	}
	if strings.Contains(e.logs(), token) {
		t.Error("the server log carries the setup token")
	}
}

// TestGuidedSetupJourney walks a new owner from an empty database: the
// console's token, /setup, the owner's password and TOTP, the workspace,
// the template, every section of the questionnaire (one refused answer on
// the way, kept on the page), the model built, and the first assessment
// showing risks.
func TestGuidedSetupJourney(t *testing.T) {
	ctx := newChrome(t)
	e := newEmptyEnv(t)
	token, _, err := e.srv.app.IssueSetupToken(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	base := e.ts.URL
	C := func(s string) chromedp.CSS { return chromedp.CSS(s) }
	do := func(what string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, steps...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	text := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Text(C(sel)))
		if err != nil {
			t.Fatalf("text of %s: %v", sel, err)
		}
		return s
	}
	// The setup page fits a phone (TestPhoneWidth cannot reach it).
	do("the setup page at phone width", chromedp.EmulateViewport(phoneWidth, 844, chromedp.EmulateMobile), chromedp.Navigate(base+"/setup"))
	if w, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth - document.documentElement.clientWidth`)); err != nil || w > 0 {
		t.Errorf("/setup scrolls sideways at %d px by %d px (%v)", phoneWidth, w, err)
	}
	do("first-run setup",
		chromedp.EmulateViewport(1366, 900),
		chromedp.Navigate(base+"/setup"),
		chromedp.SendKeys(C("#token"), token),
		chromedp.SendKeys(C("#email"), "dana@riverbend.example"),
		chromedp.SendKeys(C("#password"), testPassword),
		chromedp.SendKeys(C("#confirm"), testPassword),
		chromedp.SendKeys(C("#workspace"), "Riverbend Family Medicine"),
		chromedp.Click(C("#setup-submit")),
		chromedp.WaitVisible(C("#totp-secret")),
	)
	secret := strings.ReplaceAll(strings.TrimSpace(text("#totp-secret")), " ", "")
	e.clock.advance(31 * time.Second)
	code, err := totp.GenerateCode(secret, e.clock.now())
	if err != nil {
		t.Fatal(err)
	}
	do("enrol TOTP and open the workspace",
		chromedp.SendKeys(C("#code"), code),
		chromedp.Submit(C("#code")),
		chromedp.WaitVisible(C("#recovery-codes")),
		chromedp.Click(C("#continue")),
		// The new owner may create more workspaces: the list, then theirs.
		chromedp.WaitVisible(C("#new-workspace-link")),
		chromedp.Click(C("#workspaces tbody a")),
		chromedp.WaitVisible(C("#guide-link")),
		chromedp.Click(C("#guide-link")),
		chromedp.WaitVisible(C("#t-practice")),
		chromedp.Click(C("#t-practice")),
		chromedp.Click(C("#guide-start")),
		chromedp.WaitVisible(C("#guide-section")),
	)
	// A refused answer: nothing saved, the error names the question and
	// what was typed stays.
	do("a bad answer",
		chromedp.SendKeys(C("#q-workforce"), "twelve"),
		chromedp.Click(C("#guide-save")),
		chromedp.WaitVisible(C("#guide-errors")),
	)
	if got := text("#guide-errors"); !strings.Contains(got, "How many people work for you") || !strings.Contains(got, `"twelve" is not a number`) {
		t.Fatalf("error summary does not name the question: %q", got)
	}
	if v, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector("#q-workforce").value`)); v != "twelve" {
		t.Fatalf("the refused answer was not kept on the page: %q", v)
	}
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector("#q-workforce").value = "12"`)); err != nil {
		t.Fatalf("fix the answer: %v", err)
	}
	// Answer each section as a practice manager would: "yes" where it is
	// offered, the first answer otherwise, 12 for numbers, "I don't know"
	// for dates' neighbours left empty.
	const answer = `(() => {
	  const f = document.querySelector("#guide-section");
	  const groups = {};
	  for (const r of f.querySelectorAll("input[type=radio]")) (groups[r.name] ||= []).push(r);
	  for (const rs of Object.values(groups)) {
	    if (rs.some(r => r.checked)) continue;
	    (rs.find(r => r.value === "yes") || rs.find(r => r.value === "no" && r.name === "pm.in_ehr") || rs[0]).checked = true;
	  }
	  for (const i of f.querySelectorAll("input[type=text]")) {
	    if (i.value === "" && i.inputMode === "decimal") i.value = "12";
	  }
	  return true;
	})()`
	for i := 0; ; i++ {
		if i > 12 {
			t.Fatal("the questionnaire did not end")
		}
		if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](answer)); err != nil {
			t.Fatalf("answer section %d: %v", i, err)
		}
		// The old page is marked, so that the next one is not mistaken for it.
		if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.body.dataset.old = "1", true`)); err != nil {
			t.Fatal(err)
		}
		do("save the section", chromedp.Click(C("#guide-save")), chromedp.WaitNotPresent(C("body[data-old]")), chromedp.WaitReady(C("#guide-progress")))
		loc, err := chromedp.Run(ctx, chromedp.Location())
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasSuffix(loc, "/setup") {
			break
		}
		if n, _ := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("#guide-errors").length`)); n > 0 {
			t.Fatalf("section at %s refused: %s", loc, text("#guide-errors"))
		}
	}
	if got := text("#guide-flows"); !strings.Contains(got, "We send claims from") {
		t.Fatalf("the review does not describe the claims flow:\n%s", got)
	}
	if p, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector("#guide-progress").value + "/" + document.querySelector("#guide-progress").max`)); p != "8/8" {
		t.Errorf("progress after every section: %s; want 8/8", p)
	}
	do("build the model and run the first assessment",
		chromedp.Click(C("#guide-build")),
		chromedp.WaitVisible(C("#guide-built")),
		chromedp.Click(C("#run-first")),
		chromedp.WaitVisible(C("#download-html")),
	)
	if n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("main table tbody tr .badge").length`)); err != nil || n == 0 {
		t.Fatalf("the first assessment shows %d risks (%v)", n, err)
	}
	if strings.Contains(e.logs(), token) {
		t.Error("the server log carries the setup token")
	}
}

// TestNewWorkspacesFromTheWeb: an owner of an organisation's workspace
// finds "New workspace" on the Workspaces page and lands on the new
// workspace's guided setup; an auditor finds no link and is refused; a
// billing company's new client opens on its guided setup too.
func TestNewWorkspacesFromTheWeb(t *testing.T) {
	e := newTestEnv(t, filepath.Join(t.TempDir(), "rcmguard.db"))
	owner := e.signIn("B:owner")
	if _, body := owner.get("/"); !strings.Contains(body, `href="/workspaces/new"`) {
		t.Fatal("the owner's Workspaces page has no New workspace link")
	}
	if resp, _ := owner.get("/workspaces/new"); resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /workspaces/new as owner: %d", resp.StatusCode)
	}
	if resp, body := owner.post("/workspaces", url.Values{"name": {""}, "kind": {"practice"}}); resp.StatusCode != http.StatusUnprocessableEntity ||
		!strings.Contains(body, "Enter the organisation") {
		t.Fatalf("an empty name: %d; want 422 naming the field", resp.StatusCode)
	}
	resp, _ := owner.post("/workspaces", url.Values{"name": {"Second Practice"}, "kind": {"practice"}})
	if resp.StatusCode != http.StatusSeeOther || !strings.HasSuffix(resp.Header.Get("Location"), "/setup") {
		t.Fatalf("create: %d to %q; want 303 to the guided setup", resp.StatusCode, resp.Header.Get("Location"))
	}
	if resp, body := owner.get(resp.Header.Get("Location")); resp.StatusCode != http.StatusOK || !strings.Contains(body, `id="t-dental"`) {
		t.Fatalf("the new workspace's guide: %d, templates offered: %t", resp.StatusCode, strings.Contains(body, `id="t-dental"`))
	}
	newWS := strings.TrimSuffix(resp.Header.Get("Location"), "/setup")
	for _, p := range []string{"", "/model"} {
		if resp, body := owner.get(newWS + p); resp.StatusCode != http.StatusOK || !strings.Contains(body, newWS+"/setup") {
			t.Errorf("GET %s of a workspace without a model: %d, links to the guide: %t", newWS+p, resp.StatusCode, strings.Contains(body, newWS+"/setup"))
		}
	}
	resp, _ = owner.post(wsPath(e.ws["B"].ID, "/clients"), url.Values{"name": {"New Client Clinic"}})
	if resp.StatusCode != http.StatusSeeOther || !strings.HasSuffix(resp.Header.Get("Location"), "/setup") {
		t.Fatalf("new client: %d to %q; want 303 to its guided setup", resp.StatusCode, resp.Header.Get("Location"))
	}
	// An owner of one workspace only (tenant A's) still gets the list
	// and its New workspace, not a redirect into that workspace.
	if resp, body := e.signIn("A:owner").get("/"); resp.StatusCode != http.StatusOK || !strings.Contains(body, `href="/workspaces/new"`) {
		t.Errorf("the owner of a single workspace: %d (%s), New workspace offered: %t", resp.StatusCode, resp.Header.Get("Location"),
			strings.Contains(body, `href="/workspaces/new"`))
	}
	auditor := e.signIn("B:auditor")
	if _, body := auditor.get("/"); strings.Contains(body, `href="/workspaces/new"`) {
		t.Error("an auditor's Workspaces page offers New workspace")
	}
	if resp, _ := auditor.post("/workspaces", url.Values{"name": {"Auditor Org"}, "kind": {"practice"}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("an auditor creating a workspace: %d; want 403", resp.StatusCode)
	}
}

// TestSetupTokenThrottled: wrong setup tokens spend the address's budget
// of failures, as wrong passwords do; once it is spent even the right
// token waits (429) before anything is checked.
func TestSetupTokenThrottled(t *testing.T) {
	e := newEmptyEnv(t, 2)
	token, _, err := e.srv.app.IssueSetupToken(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	b := e.newBrowser()
	b.get("/setup")
	form := func(tok string) url.Values {
		return url.Values{"token": {tok}, "email": {"dana@riverbend.example"}, "password": {testPassword},
			"confirm": {testPassword}, "workspace": {"Riverbend"}, "kind": {"practice"}}
	}
	for i, want := range []int{http.StatusUnauthorized, http.StatusUnauthorized, http.StatusTooManyRequests} {
		if resp, _ := b.post("/setup", form("setup-guess")); resp.StatusCode != want {
			t.Fatalf("wrong token %d: %d; want %d", i+1, resp.StatusCode, want)
		}
	}
	if resp, _ := b.post("/setup", form(token)); resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("the right token with the budget spent: %d; want 429", resp.StatusCode)
	}
	e.clock.advance(10 * time.Minute)
	if resp, _ := b.post("/setup", form(token)); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("the right token once the budget refilled: %d; want 303", resp.StatusCode)
	}
}
