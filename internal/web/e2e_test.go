package web

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"
	"github.com/pquerna/otp/totp"
)

const chromiumPath = "/usr/bin/chromium"

// newChrome starts Debian's chromium headless, or skips without it (fails
// under CI, which installs it).
func newChrome(t *testing.T) context.Context {
	t.Helper()
	if _, err := exec.LookPath(chromiumPath); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s not found under CI: the browser tests must run", chromiumPath)
		}
		t.Skipf("%s not found; install Debian's chromium to run the browser tests", chromiumPath)
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath),
		chromedp.Flag("headless", true),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1366, 900),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	// A generous bound so a broken page fails the test instead of hanging
	// it; no assertion depends on how long anything takes.
	ctx, cancelTimeout := context.WithTimeout(ctx, 3*time.Minute)
	t.Cleanup(func() { cancelTimeout(); cancelCtx(); cancelAlloc() })
	return ctx
}

// TestBrowserJourney walks what a new user does: sign in, enrol MFA, see the
// recovery codes, edit a flow, run an assessment, change a risk's status,
// download the report and sign out.
func TestBrowserJourney(t *testing.T) {
	ctx := newChrome(t)
	e := newTestEnv(t, filepath.Join(t.TempDir(), "rcmguard.db"))
	u := e.users["A:owner"]
	ws := e.ws["A"].ID
	base := e.ts.URL
	do := func(what string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, steps...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	text := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("text of %s: %v", sel, err)
		}
		return s
	}
	C := func(s string) chromedp.CSS { return chromedp.CSS(s) }

	do("sign in",
		chromedp.Navigate(base+"/login"),
		chromedp.SendKeys(C("#email"), u.Email),
		chromedp.SendKeys(C("#password"), u.Password),
		chromedp.Submit(C("#password")),
		chromedp.WaitVisible(C("#totp-secret")),
	)
	secret := strings.ReplaceAll(strings.TrimSpace(text("#totp-secret")), " ", "")
	if secret != u.Secret {
		t.Fatalf("enrolment page shows secret %q; want the user's %q", secret, u.Secret)
	}
	e.clock.advance(31 * time.Second)
	code, err := totp.GenerateCode(secret, e.clock.now())
	if err != nil {
		t.Fatal(err)
	}
	do("enrol MFA",
		chromedp.SendKeys(C("#code"), code),
		chromedp.Submit(C("#code")),
		chromedp.WaitVisible(C("#recovery-codes")),
	)
	codes, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll("#recovery-codes code")).map(c => c.textContent)`))
	if err != nil || len(codes) != 10 {
		t.Fatalf("recovery codes shown: %d (%v); want 10", len(codes), err)
	}
	// An owner of an organisation lands on the workspaces list, which
	// offers a new workspace, and opens theirs from it.
	do("continue to the workspaces and open the dashboard",
		chromedp.Click(C("#continue")),
		chromedp.WaitVisible(C("#new-workspace-link")),
		chromedp.Click(C("#workspaces tbody a")),
		chromedp.WaitVisible(C("table.heat")),
	)

	do("edit a flow",
		chromedp.Navigate(base+wsPath(ws, "/model/flows/f-appeals-fax")),
		chromedp.WaitVisible(C("#f-channel")),
		chromedp.SetValue(C("#f-channel"), "encrypted_email"),
		chromedp.SetValue(C("#f-auth"), "mfa"),
		chromedp.Click(C("#save-flow")),
		chromedp.WaitVisible(C("#flows")),
	)
	if got := text("#flows"); !strings.Contains(got, "Encrypted email") {
		t.Fatalf("flow table after edit does not show the new channel:\n%s", got)
	}

	// The organisation form: a custom stage added in place by rows.js
	// (which focuses the new row; without it, the button posts the form),
	// and the analysis signed off.
	do("open the organisation form and add a stage row",
		chromedp.Navigate(base+wsPath(ws, "/model/organization")),
		chromedp.WaitVisible(C("#add-stages")),
		chromedp.Click(C("#add-stages")),
		chromedp.WaitVisible(C(`[name="stages.1.id"]`)),
	)
	if focused, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.activeElement.name`)); err != nil || focused != "stages.1.id" {
		t.Fatalf("after Add another stage, the focus is on %q (%v); want the new row, added in place", focused, err)
	}
	do("sign off and add the stage",
		chromedp.SendKeys(C(`[name="stages.1.id"]`), "s-intake"),
		chromedp.SendKeys(C(`[name="stages.1.title"]`), "Intake calls"),
		chromedp.SendKeys(C(`[name="assessment.sign_off.name"]`), "Dana Ruiz"),
		chromedp.SetValue(C(`[name="assessment.sign_off.date"]`), "2026-11-26"), // a date input: typed keys follow the locale
		chromedp.Click(C("#save-organization")),
		chromedp.WaitVisible(C("#flows")),
	)
	if got := text("main"); !strings.Contains(got, "Intake calls") || !strings.Contains(got, "approved by Dana Ruiz on 2026-11-26") {
		t.Fatalf("the model page does not show the new stage and sign-off:\n%s", got)
	}

	do("run an assessment",
		chromedp.Navigate(base+wsPath(ws, "/assessments")),
		chromedp.Click(C("main form button.primary")),
		chromedp.WaitVisible(C("#download-html")),
	)
	if got := text("h1"); !strings.Contains(got, "version 2") {
		t.Fatalf("after running: heading %q; want version 2", got)
	}

	do("change a risk's status",
		chromedp.Navigate(base+wsPath(ws, "/risks")),
		chromedp.Click(C("table.data tbody a")),
		chromedp.WaitVisible(C("#status")),
		chromedp.SetValue(C("#status"), "in_progress"),
		chromedp.SetValue(C("#owner"), "person:dana"), // a person of the model, chosen by name
		chromedp.SetValue(C("#due"), "2026-12-31"),
		chromedp.Submit(C("#owner")),
		chromedp.WaitVisible(C(".notice")),
	)
	if got, err := chromedp.Run(ctx, chromedp.Value(C("#status"))); err != nil || got != "in_progress" {
		t.Fatalf("status after saving = %q (%v); want in_progress", got, err)
	}
	if got, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector("#owner").selectedOptions[0].textContent`)); err != nil || !strings.Contains(got, "Dana Ruiz") {
		t.Fatalf("owner after saving shows %q (%v); want Dana Ruiz", got, err)
	}

	dir := t.TempDir()
	progress := chromedp.Events(ctx, browser.DownloadProgress)
	do("download the report",
		chromedp.Navigate(base+wsPath(ws, "/assessments")),
		chromedp.Click(C("table.data tbody a")),
		chromedp.WaitVisible(C("#download-html")),
		chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
			on := true
			_, err := chromedp.Call(ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
				Behavior: browser.SetDownloadBehaviorBehaviorAllowAndName, DownloadPath: dir, EventsEnabled: &on})
			return err
		}),
		chromedp.Click(C("#download-html")),
	)
	var guid string
	for ev, err := range progress {
		if err != nil {
			t.Fatalf("waiting for the download: %v", err)
		}
		if ev.State == browser.DownloadProgressStateCompleted {
			guid = ev.GUID
			break
		}
	}
	report, err := os.ReadFile(filepath.Join(dir, guid))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(report), "<html") || !strings.Contains(string(report), "Riverbend") {
		t.Fatalf("downloaded report is not the HTML report (%d bytes)", len(report))
	}

	do("sign out",
		chromedp.Click(C("header .who button")),
		chromedp.WaitVisible(C("#email")),
		chromedp.Navigate(base+wsPath(ws, "")),
		chromedp.WaitVisible(C("#email")),
	)
	if loc, err := chromedp.Run(ctx, chromedp.Location()); err != nil || !strings.HasSuffix(loc, "/login") {
		t.Fatalf("after signing out the dashboard led to %s (%v); want the sign-in page", loc, err)
	}
}
