package web

import (
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// TestIncidentJourney walks an incident in a real browser, as a
// compliance officer of a practice does: open it, choose a playbook and
// tick an item, sign the four-factor assessment, see the clocks, read the
// drafted notices, record and complete a corrective action, and move it
// on to closed.
func TestIncidentJourney(t *testing.T) {
	ctx := newChrome(t)
	e := newTestEnv(t, filepath.Join(t.TempDir(), "rcmguard.db"))
	base := e.ts.URL
	ws := e.ws["A"].ID
	c := e.signIn("A:compliance_officer")
	u, _ := url.Parse(base)
	for _, k := range c.c.Jar.Cookies(u) {
		if _, err := chromedp.Call(ctx, network.SetCookie, network.SetCookieParams{Name: k.Name, Value: k.Value, URL: base}); err != nil {
			t.Fatal(err)
		}
	}
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

	do("open an incident from the menu",
		chromedp.Navigate(base+wsPath(ws, "")),
		chromedp.Click(C(`nav.ws a[href$="/incidents"]`)),
		chromedp.WaitVisible(C("#open-incident")),
		chromedp.Click(C("#open-incident")),
		chromedp.WaitVisible(C("#incident-form")),
		chromedp.SendKeys(C("#f-title"), "Statements mailed to the wrong patients"),
		chromedp.SendKeys(C("#f-summary"), "The November statement run paired 620 statements with the wrong addresses."),
		chromedp.SetValue(C("#f-severity"), "high"),
		chromedp.SetValue(C("#f-discovered"), "2026-11-20"),
		chromedp.Click(C(`input[name="data_types"][value="name"]`)),
		chromedp.Click(C(`input[name="data_types"][value="account"]`)),
		chromedp.SendKeys(C("#f-counts"), "NY 610\nNJ 10"),
		chromedp.SendKeys(C("#f-contact"), "1-800-555-0100"),
		chromedp.Click(C("#incident-save")),
		chromedp.WaitVisible(C("#clocks")),
	)
	if got := text("#determination"); !strings.Contains(got, "Breach") {
		t.Fatalf("before the assessment a breach is presumed; the page says %q", got)
	}

	do("choose a playbook and tick an item",
		chromedp.SetValue(C("#f-playbook"), "misdirected-statements"),
		chromedp.Click(C("#playbook-save")),
		chromedp.WaitVisible(C(`[id="tick-contain.stop"]`)),
		chromedp.Click(C(`[id="tick-contain.stop"]`)),
		chromedp.WaitVisible(C(`button[aria-label^="Mark not done"]`)),
	)
	if got := text("#timeline"); !strings.Contains(got, "Done: Contain: Stop the print or mail job") {
		t.Fatalf("the tick is not in the timeline:\n%s", got)
	}

	do("sign the four-factor assessment",
		chromedp.Click(C("#assess-link")),
		chromedp.WaitVisible(C("#assessment-form")),
		chromedp.Click(C(`input[name="factor_nature"][value="not_low"]`)),
		chromedp.SendKeys(C("#f-reason-nature"), "Names, addresses and balances"),
		chromedp.Click(C(`input[name="factor_recipient"][value="low"]`)),
		chromedp.SendKeys(C("#f-reason-recipient"), "Other patients of the practice"),
		chromedp.Click(C(`input[name="factor_acquired"][value="not_low"]`)),
		chromedp.SendKeys(C("#f-reason-acquired"), "Envelopes were opened"),
		chromedp.Click(C(`input[name="factor_mitigation"][value="low"]`)),
		chromedp.SendKeys(C("#f-reason-mitigation"), "40 returned unopened"),
		chromedp.SendKeys(C("#f-conclusion"), "A breach: the statements were read by other patients."),
		chromedp.SendKeys(C("#f-signed-name"), "Carla Officer"),
		chromedp.Click(C("#assessment-sign")),
		chromedp.WaitVisible(C("#notices")),
	)
	notices := text("#notices")
	for _, want := range []string{"Individuals", "2027-01-19", "45 CFR 164.404(b)", "Media (NY)", "45 CFR 164.406", "HHS (Secretary)", "45 CFR 164.408(b)"} {
		if !strings.Contains(notices, want) {
			t.Errorf("the clocks lack %q:\n%s", want, notices)
		}
	}
	if got := text("#assessment"); !strings.Contains(got, "Signed by Carla Officer") {
		t.Errorf("the assessment is not shown as signed:\n%s", got)
	}

	do("record a corrective action",
		chromedp.SendKeys(C("#f-action"), "Check the address file against the patient file before each print run"),
		chromedp.SendKeys(C("#f-action-owner"), "Billing lead"),
		chromedp.Click(C("#action-add")),
		chromedp.WaitVisible(C("#action-done-1")),
	)
	do("read the drafted notices",
		chromedp.Click(C("#notices-link")),
		chromedp.WaitVisible(C("#notice-0")),
	)
	all := text("main")
	for _, want := range []string{"45 CFR 164.404(c)(1)(A)", "45 CFR 164.404(c)(1)(E)", "1-800-555-0100", "Notice to prominent media serving New York", "HHS breach portal fields"} {
		if !strings.Contains(all, want) {
			t.Errorf("the notices page lacks %q", want)
		}
	}

	do("complete the action and close",
		chromedp.Click(C("p.crumbs a:last-child")),
		chromedp.WaitVisible(C("#action-done-1")),
		chromedp.Click(C("#action-done-1")),
		// The page after the click shows the action done; #f-status is on
		// both, and a form sent before the new page loads cancels this one.
		chromedp.WaitVisible(C("#action-1-done")),
	)
	for _, s := range []string{"contained", "assessed", "notified", "closed"} {
		// Only the page after the move carries the new status: waiting
		// for anything to disappear could end while the old page unloads.
		do("move to "+s,
			chromedp.SetValue(C("#f-status"), s),
			chromedp.Click(C("#status-save")),
			chromedp.WaitVisible(C(`#incident-status[data-status="`+s+`"]`)),
		)
	}
	if got := text("#incident-status"); got != "Closed" {
		t.Fatalf("status after closing: %q", got)
	}
	if got := text("#timeline"); !strings.Contains(got, "Moved the incident from notified to closed.") || !strings.Contains(got, "Completed corrective action 1") {
		t.Errorf("the timeline lacks the closing entries:\n%s", got)
	}
}
