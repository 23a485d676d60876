package web

import (
	"context"
	"fmt"
	"net/url"
	"path/filepath"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// browserAs signs a browser in as the user of a test client, by its cookies.
func browserAs(t *testing.T, ctx context.Context, base string, c *client) {
	t.Helper()
	u, _ := url.Parse(base)
	if _, err := chromedp.Call(ctx, network.ClearBrowserCookies, cdp.Empty{}); err != nil {
		t.Fatal(err)
	}
	for _, k := range c.c.Jar.Cookies(u) {
		if _, err := chromedp.Call(ctx, network.SetCookie, network.SetCookieParams{Name: k.Name, Value: k.Value, URL: base}); err != nil {
			t.Fatal(err)
		}
	}
}

// TestModelFormsInBrowser: on a long model form the save button stays in
// view at the bottom of the window wherever the form is scrolled; a
// refused form takes the focus to its error summary, and each link there
// puts the cursor in its field.
func TestModelFormsInBrowser(t *testing.T) {
	ctx := newChrome(t)
	e := newTestEnv(t, filepath.Join(t.TempDir(), "rcmguard.db"))
	ws := e.ws["A"].ID
	browserAs(t, ctx, e.ts.URL, e.signIn("A:compliance_officer"))
	eval := func(js string) int {
		t.Helper()
		n, err := chromedp.Run(ctx, chromedp.Evaluate[int](js))
		if err != nil {
			t.Fatalf("%s: %v", js, err)
		}
		return n
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(e.ts.URL+wsPath(ws, "/model/s/systems/pm")), chromedp.WaitVisible(chromedp.CSS("#save-element"))); err != nil {
		t.Fatal(err)
	}
	if h, vh := eval(`document.documentElement.scrollHeight`), eval(`window.innerHeight`); h < 2*vh {
		t.Fatalf("the system form is %d px high in a %d px window: not long enough to test the bar", h, vh)
	}
	const inView = `(() => { const r = document.getElementById("save-element").getBoundingClientRect();
	  return r.top >= 0 && r.bottom <= window.innerHeight ? 1 : 0; })()`
	for _, at := range []string{"0", "document.documentElement.scrollHeight / 3", "document.documentElement.scrollHeight / 2"} {
		eval(`(window.scrollTo(0, ` + at + `), 0)`)
		if eval(inView) != 1 {
			t.Errorf("scrolled to %s, the save button is out of view", at)
		}
	}

	// A refused form: the summary has the focus; a link focuses its field.
	if err := chromedp.Do(ctx, chromedp.Navigate(e.ts.URL+wsPath(ws, "/model/s/roles/new")), chromedp.WaitVisible(chromedp.CSS("#save-element")),
		chromedp.SetValue(chromedp.CSS("#f-headcount"), "many"), chromedp.Click(chromedp.CSS("#save-element")), chromedp.WaitVisible(chromedp.CSS("#error-summary"))); err != nil {
		t.Fatal(err)
	}
	if eval(`document.activeElement.id === "error-summary" ? 1 : 0`) != 1 {
		t.Error("the refused form does not focus its error summary")
	}
	n := eval(`document.querySelectorAll("#error-summary a").length`)
	if n < 3 {
		t.Fatalf("the summary lists %d problems", n)
	}
	for i := range n {
		got, err := chromedp.Run(ctx, chromedp.Evaluate[string](fmt.Sprintf(`(() => {
		  const a = document.querySelectorAll("#error-summary a")[%d];
		  a.click();
		  const want = a.getAttribute("href").slice(1), el = document.activeElement;
		  return el.id === want || el.closest("[id='" + want + "']") ? "" : want + " / " + el.tagName + "#" + el.id;
		})()`, i)))
		if err != nil {
			t.Fatal(err)
		}
		if got != "" {
			t.Errorf("the summary's link %d does not focus its field: %s", i, got)
		}
	}
}

// TestReportInBrowser: the full report read in the app keeps its own
// styles under the page's policy (allowed by hash, nothing inline
// otherwise), and prints without the app's bar, a section per page; the
// executive summary prints without the app's header and navigation, its
// second half on a second page.
func TestReportInBrowser(t *testing.T) {
	ctx := newChrome(t)
	e := newTestEnv(t, filepath.Join(t.TempDir(), "rcmguard.db"))
	ws := e.ws["B"].ID
	browserAs(t, ctx, e.ts.URL, e.signIn("B:auditor"))
	a, _, _, err := e.srv.app.Latest(t.Context(), ws)
	if err != nil {
		t.Fatal(err)
	}
	str := func(js string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Evaluate[string](js))
		if err != nil {
			t.Fatalf("%s: %v", js, err)
		}
		return s
	}
	media := func(m string) {
		t.Helper()
		if _, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: m}); err != nil {
			t.Fatal(err)
		}
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(e.ts.URL+wsPath(ws, fmt.Sprintf("/assessments/%d/report", a.ID))), chromedp.WaitVisible(chromedp.CSS("nav.app-bar"))); err != nil {
		t.Fatal(err)
	}
	if got := str(`getComputedStyle(document.querySelector("h1")).color`); got != "rgb(30, 58, 95)" {
		t.Errorf("the report's style sheet did not apply: h1 colour %s", got)
	}
	if got := str(`getComputedStyle(document.querySelector(".badge")).backgroundColor`); got == "rgba(0, 0, 0, 0)" {
		t.Error("the report's style attributes did not apply: a level badge has no colour")
	}
	if got := str(`getComputedStyle(document.querySelector("nav.app-bar")).display`); got != "flex" {
		t.Errorf("the app bar is not shown on screen: %s", got)
	}
	media("print")
	if got := str(`getComputedStyle(document.querySelector("nav.app-bar")).display`); got != "none" {
		t.Errorf("the app bar prints: display %s", got)
	}
	if got := str(`getComputedStyle(document.querySelector("#h-scope")).breakBefore`); got != "page" {
		t.Errorf("a report section does not start a printed page: break-before %s", got)
	}
	media("")

	if err := chromedp.Do(ctx, chromedp.Navigate(e.ts.URL+wsPath(ws, fmt.Sprintf("/assessments/%d/summary", a.ID))), chromedp.WaitVisible(chromedp.CSS("#posture"))); err != nil {
		t.Fatal(err)
	}
	media("print")
	for sel, want := range map[string]string{"header.top": "none", "nav.ws": "none", "footer.foot": "none"} {
		if got := str(`getComputedStyle(document.querySelector("` + sel + `")).display`); got != want {
			t.Errorf("printed summary: %s display %s; want %s", sel, got, want)
		}
	}
	if got := str(`getComputedStyle(document.querySelector("#fix")).breakBefore`); got != "page" {
		t.Errorf("the summary's second page does not start at what to fix first: break-before %s", got)
	}
	media("")
}
