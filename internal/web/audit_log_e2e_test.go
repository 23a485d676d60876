package web

import (
	"context"
	"encoding/csv"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"

	"rcmguard/internal/audit"
)

// TestBrowserAuditFilters reads the audit log as a compliance officer does
// in a browser: pick a person, an action and a day from the form, see only
// those entries in words, download them as CSV and read the file back,
// then clear the filters.
func TestBrowserAuditFilters(t *testing.T) {
	ctx := newChrome(t)
	e := newTestEnv(t, filepath.Join(t.TempDir(), "rcmguard.db"))
	ws := e.ws["A"].ID
	owner := string(audit.UserActor(e.users["A:owner"].ID))
	other := string(audit.UserActor(e.users["A:contributor"].ID))
	e.clock.advance(24 * time.Hour)
	day := e.clock.now().UTC().Format("2006-01-02")
	e.putAudit(ws, owner, audit.RiskDecide, "risk:TEC-03@x", map[string]any{"status": "in_progress"})
	e.putAudit(ws, owner, audit.ModelExport, "workspace:1/model", nil)
	e.putAudit(ws, other, audit.RiskDecide, "risk:EDI-01@y", map[string]any{"status": "accepted"})
	e.clock.advance(24 * time.Hour)
	e.putAudit(ws, owner, audit.RiskDecide, "risk:VEN-01@z", map[string]any{"status": "mitigated"})

	base := e.ts.URL
	browserAs(t, ctx, base, e.signIn("A:compliance_officer"))
	do := func(what string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, steps...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	rows := func() []string {
		t.Helper()
		r, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll("table.data tbody tr"), r => r.innerText)`))
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	C := func(s string) chromedp.CSS { return chromedp.CSS(s) }

	do("open the log", chromedp.Navigate(base+wsPath(ws, "/audit")), chromedp.WaitVisible(C("#actor")))
	if n := len(rows()); n < 4 {
		t.Fatalf("the unfiltered log shows %d rows; want at least the 4 entries put", n)
	}
	// The person select offers names, not internal actor keys.
	labels, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll("#actor option"), o => o.textContent)`))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(strings.Join(labels, "|"), "user:") {
		t.Errorf("the person filter shows internal keys: %q", labels)
	}

	do("filter to the owner's decisions on one day",
		chromedp.SetValue(C("#actor"), owner),
		chromedp.SetValue(C("#action"), string(audit.RiskDecide)),
		chromedp.SetValue(C("#from"), day),
		chromedp.SetValue(C("#to"), day),
		chromedp.Submit(C("#to")),
		chromedp.WaitVisible(C("#actor")),
	)
	got := rows()
	if len(got) != 1 || !strings.Contains(got[0], "Decided on a risk") || !strings.Contains(got[0], "a-owner@example.org") {
		t.Fatalf("filtered to the owner's decisions on %s; rows:\n%s", day, strings.Join(got, "\n"))
	}
	if sel, err := chromedp.Run(ctx, chromedp.Value(C("#actor"))); err != nil || sel != owner {
		t.Errorf("after filtering, the person select shows %q (%v); the filter must stay visible", sel, err)
	}

	dir := t.TempDir()
	progress := chromedp.Events(ctx, browser.DownloadProgress)
	do("download the filtered entries",
		chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
			on := true
			_, err := chromedp.Call(ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
				Behavior: browser.SetDownloadBehaviorBehaviorAllowAndName, DownloadPath: dir, EventsEnabled: &on})
			return err
		}),
		chromedp.Click(C(`a[href*="/audit/export.csv"]`)),
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
	f, err := os.Open(filepath.Join(dir, guid))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatalf("the download is not CSV: %v", err)
	}
	if len(recs) != 2 || !strings.Contains(strings.Join(recs[1], ","), "TEC-03") {
		t.Fatalf("the CSV holds %d rows; want the header and the one entry shown:\n%q", len(recs), recs)
	}

	do("clear the filters",
		chromedp.Navigate(base+wsPath(ws, "/audit")+"?actor="+url.QueryEscape(owner)),
		chromedp.WaitVisible(C("#actor")),
		chromedp.Click(C(`form a[href$="/audit"]`)),
		chromedp.WaitVisible(C("#actor")),
	)
	if sel, err := chromedp.Run(ctx, chromedp.Value(C("#actor"))); err != nil || sel != "" {
		t.Errorf("after clearing, the person select shows %q (%v)", sel, err)
	}
	if n := len(rows()); n < 4 {
		t.Errorf("after clearing, %d rows; want every entry again", n)
	}
}
