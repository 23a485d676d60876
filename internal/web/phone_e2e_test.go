package web

import (
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"rcmguard/internal/auth"
)

// phoneWidth is a common phone's CSS width (iPhone 12 to 15).
const phoneWidth = 390

// phonePage is one page as a phone shows it.
type phonePage struct {
	url              string
	scrollW, clientW int
	links            []string
	imagesBroken     int
	heatMaps         int
	culprits         []string // the outermost elements that stick out
}

// pageLinks lists where a page leads: its links, and its GET forms
// submitted as they stand (the assessment comparison, the filters).
const pageLinks = `[...Array.from(document.querySelectorAll("a[href]"), a => a.getAttribute("href")),
  ...Array.from(document.querySelectorAll("form"), f => f.method === "get" ? f.getAttribute("action") + "?" + new URLSearchParams(new FormData(f)) : "")]`

// overflowCulprits names the outermost elements whose right edge passes
// the viewport's, so that a failure says what to fix.
const overflowCulprits = `(() => {
  const w = document.documentElement.clientWidth, out = [];
  const name = c => c.tagName.toLowerCase() + (c.id ? "#" + c.id : "") +
    (typeof c.className === "string" && c.className.trim() ? "." + c.className.trim().split(/\s+/).join(".") : "");
  const walk = el => {
    for (const c of el.children) {
      if (out.length >= 5) return;
      if (c.getBoundingClientRect().right > w + 0.5) out.push(name(c));
      else walk(c);
    }
  };
  walk(document.body);
  return out;
})()`

// TestPhoneWidth renders every page of the test installation (a practice,
// a billing company and its client, with models, assessments and
// evidence) at 390 px as each role, and fails on every page that scrolls
// sideways: the document must fit, and what is wider (a table) scrolls in
// its own box. Pages are found by following the links from the home page,
// one URL per route and kind of workspace; a GET route of the table that
// no role reached fails too, so a new page cannot escape the check.
func TestPhoneWidth(t *testing.T) {
	ctx := newChrome(t)
	e := newTestEnv(t, filepath.Join(t.TempDir(), "rcmguard.db"))
	e.newEvidenceSet("B")
	e.newIncident("C", "B")
	// A second assessment, so that there are two to compare.
	if _, err := e.runAssessment(t.Context(), e.ws["C"].ID, e.users["B:owner"].ID); err != nil {
		t.Fatal(err)
	}
	who, sc := actAs(t, e.srv, e.users["B:owner"].ID, e.ws["C"].ID)
	if _, err := e.srv.app.AddEvidence(t.Context(), who, sc, "phone.jsonl", factsFile("share/phone.csv")); err != nil {
		t.Fatal(err)
	}
	// A client without a model whose guided setup has begun: the guide's pages.
	bWho, bScope := actAs(t, e.srv, e.users["B:owner"].ID, e.ws["B"].ID)
	fresh, err := e.srv.app.CreateClient(t.Context(), bWho, bScope, "Phone client")
	if err != nil {
		t.Fatal(err)
	}
	fWho, fScope := actAs(t, e.srv, e.users["B:owner"].ID, fresh.ID)
	if err := e.srv.app.ChooseTemplate(t.Context(), fWho, fScope, "practice"); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(phoneWidth, 844, chromedp.EmulateMobile)); err != nil {
		t.Fatal(err)
	}
	base := e.ts.URL
	patternOf := getPattern(e.srv)
	kindOf := map[string]string{}
	for _, w := range e.ws {
		kindOf[fmt.Sprintf("/w/%d", w.ID)] = w.Kind
	}
	// viewKey names what a URL shows: its route and the kind of its
	// workspace, and the names of its query parameters (a filter is
	// another view, another page number is not). "" for what is no page.
	viewKey := func(l string) string {
		pu, err := url.Parse(l)
		if err != nil {
			return ""
		}
		pat := patternOf(pu.Path)
		if pat == "" || skipOnPhone(pat) {
			return ""
		}
		ws, _, _ := strings.Cut(strings.TrimPrefix(pu.Path, "/w/"), "/")
		key := pat + " " + kindOf["/w/"+ws]
		if q := pu.Query(); len(q) > 0 {
			key += " ?" + strings.Join(slices.Sorted(maps.Keys(q)), "&")
		}
		return key
	}
	visit := func(u string) phonePage {
		t.Helper()
		p := phonePage{url: u}
		if err := chromedp.Do(ctx, chromedp.Navigate(base+u)); err != nil {
			t.Fatalf("%s: %v", u, err)
		}
		var err error
		eval := func(js string, into *int) {
			if err == nil {
				*into, err = chromedp.Run(ctx, chromedp.Evaluate[int](js))
			}
		}
		eval(`document.documentElement.scrollWidth`, &p.scrollW)
		eval(`document.documentElement.clientWidth`, &p.clientW)
		eval(`Array.from(document.images).filter(i => !i.complete || i.naturalWidth === 0).length`, &p.imagesBroken)
		eval(`document.querySelectorAll("table.heat").length`, &p.heatMaps)
		if err == nil {
			p.links, err = chromedp.Run(ctx, chromedp.Evaluate[[]string](pageLinks))
		}
		if err == nil && p.scrollW > p.clientW {
			p.culprits, err = chromedp.Run(ctx, chromedp.Evaluate[[]string](overflowCulprits))
		}
		if err != nil {
			t.Fatalf("%s: %v", u, err)
		}
		return p
	}
	var wide []string
	seen := map[string]bool{} // route patterns rendered by any role
	heatMaps := 0
	check := func(who string, p phonePage) {
		if p.scrollW > p.clientW {
			wide = append(wide, fmt.Sprintf("%s as %s: %d px wide in %d (%s)", p.url, who, p.scrollW, p.clientW, strings.Join(p.culprits, ", ")))
		}
		if p.imagesBroken > 0 {
			t.Errorf("%s as %s: %d images do not load", p.url, who, p.imagesBroken)
		}
		seen[patternOf(p.url)] = true
		heatMaps += p.heatMaps
	}
	useCookies := func(c *client) { browserAs(t, ctx, base, c) }

	// The pages before sign-in: the form, the enrolment page with its QR
	// code, and the code page.
	useCookies(e.newBrowser())
	check("anyone", visit("/login"))
	useCookies(e.passwordOnly("A:owner"))
	check("a new user", visit("/login/enrol"))
	e.signIn("A:auditor")
	useCookies(e.passwordOnly("A:auditor"))
	check("an enrolled user", visit("/login/mfa"))

	for _, r := range auth.Roles {
		// Tenant B's users are members of the billing company and its
		// client: both kinds of workspace.
		who := string(r)
		useCookies(e.signIn("B:" + who))
		done := map[string]bool{viewKey("/"): true}
		queue := []string{"/"}
		for len(queue) > 0 {
			u := queue[0]
			queue = queue[1:]
			p := visit(u)
			check(who, p)
			for _, l := range p.links {
				l, _, _ = strings.Cut(l, "#")
				if !strings.HasPrefix(l, "/") || strings.HasPrefix(l, "//") || strings.HasPrefix(l, "/static/") {
					continue
				}
				key := viewKey(l)
				if key == "" {
					continue
				}
				if !done[key] {
					done[key] = true
					queue = append(queue, l)
				}
			}
		}
	}
	if heatMaps == 0 {
		t.Error("no page showed a heat map: the check did not cover it")
	}
	slices.Sort(wide)
	for _, w := range wide {
		t.Errorf("scrolls sideways at %d px: %s", phoneWidth, w)
	}
	for _, rt := range e.srv.routes {
		if rt.method == http.MethodGet && !seen[rt.path] && !skipOnPhone(rt.path) {
			t.Errorf("GET %s: no role reached it by a link; the phone check did not render it", rt.path)
		}
	}
}

// skipOnPhone names the GET routes that are no page: downloads, and the
// invitation page, which needs a token from an e-mail, and the first-run
// setup, which exists only before the first account (setup_e2e_test.go
// renders it at phone width).
func skipOnPhone(pattern string) bool {
	return strings.HasSuffix(pattern, "/report.html") || strings.HasSuffix(pattern, "/result.json") ||
		strings.HasSuffix(pattern, "/export") || strings.HasSuffix(pattern, "/download") || strings.HasSuffix(pattern, ".json") || strings.HasSuffix(pattern, ".csv") || strings.Contains(pattern, "/export/") || strings.HasSuffix(pattern, ".xlsx") || pattern == "/invite/{token}" || pattern == "/setup" || strings.HasPrefix(pattern, demoSignInPrefix)
}

// getPattern returns a function naming the GET route of the table a URL
// falls under ("" for none), for the tests that walk every page.
func getPattern(srv *Server) func(string) string {
	patterns := http.NewServeMux()
	for _, rt := range srv.routes {
		if rt.method == http.MethodGet {
			patterns.Handle("GET "+rt.path, http.NotFoundHandler())
		}
	}
	return func(u string) string {
		_, p := patterns.Handler(httptest.NewRequest(http.MethodGet, u, nil))
		return strings.TrimPrefix(p, "GET ")
	}
}
