package web

import (
	"bytes"
	"context"
	"encoding/csv"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/xuri/excelize/v2"
)

// TestRegisterJourney uses the register as a billing company's compliance
// officer in a real browser: a filter that applies as it changes (no Apply
// button pressed), a column sort, two rows ticked and given an owner and a
// due date in one go, the filtered register downloaded as CSV and XLSX and
// opened back, and the register across the company's clients.
func TestRegisterJourney(t *testing.T) {
	ctx := newChrome(t)
	e := newTestEnv(t, filepath.Join(t.TempDir(), "rcmguard.db"))
	ws, client := e.ws["B"].ID, e.ws["C"].ID
	base := e.ts.URL
	C := func(s string) chromedp.CSS { return chromedp.CSS(s) }
	do := func(what string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, steps...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	eval := func(js string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Evaluate[string](js))
		if err != nil {
			t.Fatalf("%s: %v", js, err)
		}
		return s
	}
	u, _ := url.Parse(base)
	b := e.signIn("B:compliance_officer")
	for _, k := range b.c.Jar.Cookies(u) {
		if _, err := chromedp.Call(ctx, network.SetCookie, network.SetCookieParams{Name: k.Name, Value: k.Value, URL: base}); err != nil {
			t.Fatal(err)
		}
	}
	// change sets a select as a person does: the value, then the event.
	change := func(sel, value string) chromedp.Action[chromedp.Void] {
		return chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
			_, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(() => { const el = document.querySelector(`+"`"+sel+"`"+`);
				el.value = `+"`"+value+"`"+`; el.dispatchEvent(new Event("change", {bubbles: true})); return true })()`))
			return err
		})
	}

	do("filter the register by level, with no Apply pressed",
		chromedp.Navigate(base+wsPath(ws, "/risks")),
		chromedp.WaitVisible(C("#register")),
		change("#f-level", "high"),
		chromedp.WaitReady(C(`#f-level option[value="high"][selected]`)),
	)
	if loc := eval(`location.search`); !strings.Contains(loc, "level=high") {
		t.Fatalf("after choosing a level the page is %q; want the filter applied", loc)
	}
	do("sort by the risk's title",
		chromedp.Click(C(`#register thead a[href*="sort=title"]`)),
		chromedp.WaitReady(C(`#register th[aria-sort="ascending"]`)),
	)
	titles := eval(`Array.from(document.querySelectorAll("#register tbody td:nth-child(3) > a")).map(a => a.textContent.toLowerCase()).join("\n")`)
	rows := strings.Split(titles, "\n")
	for i := 1; i < len(rows); i++ {
		if rows[i] < rows[i-1] {
			t.Fatalf("sorted by title, %q comes after %q", rows[i], rows[i-1])
		}
	}

	officer := e.users["B:compliance_officer"]
	do("give two risks an owner and a due date at once",
		chromedp.Click(C(`#register tbody tr:nth-child(1) input[name="risk"]`)),
		chromedp.Click(C(`#register tbody tr:nth-child(2) input[name="risk"]`)),
		change("#bulk-owner", "user:"+itoa(officer.ID)),
		chromedp.SetValue(C("#bulk-due"), "2027-04-30"),
		chromedp.Click(C("#bulk-apply")),
		chromedp.WaitVisible(C("#bulk-done")),
	)
	if got := eval(`document.querySelector("#bulk-done").textContent`); !strings.Contains(got, "2 risks changed") {
		t.Fatalf("after the bulk change: %q", got)
	}
	do("show the risks the officer owns",
		change("#f-owner", "user:"+itoa(officer.ID)),
		chromedp.WaitReady(C(`#f-owner option[selected][value="user:`+itoa(officer.ID)+`"]`)),
	)
	if got := eval(`document.querySelector("#register tbody").textContent`); strings.Count(got, officer.Email) != 2 || strings.Count(got, "2027-04-30") != 2 {
		t.Fatalf("the register filtered by owner shows:\n%s", got)
	}

	dir := t.TempDir()
	download := func(sel string) []byte {
		t.Helper()
		progress := chromedp.Events(ctx, browser.DownloadProgress)
		do("download "+sel,
			chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
				on := true
				_, err := chromedp.Call(ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
					Behavior: browser.SetDownloadBehaviorBehaviorAllowAndName, DownloadPath: dir, EventsEnabled: &on})
				return err
			}),
			chromedp.Click(C(sel)),
		)
		for ev, err := range progress {
			if err != nil {
				t.Fatalf("waiting for %s: %v", sel, err)
			}
			if ev.State == browser.DownloadProgressStateCompleted {
				data, err := os.ReadFile(filepath.Join(dir, ev.GUID))
				if err != nil {
					t.Fatal(err)
				}
				return data
			}
		}
		t.Fatalf("%s: no download", sel)
		return nil
	}
	recs, err := csv.NewReader(bytes.NewReader(download("#export-csv"))).ReadAll()
	if err != nil || len(recs) != 3 || recs[1][8] != officer.Email || recs[2][9] != "2027-04-30" {
		t.Fatalf("the CSV of the filtered register: %q, %v; want the two risks with their owner and due date", recs, err)
	}
	x, err := excelize.OpenReader(bytes.NewReader(download("#export-xlsx")))
	if err != nil {
		t.Fatal(err)
	}
	sheet, err := x.GetRows("Register")
	if err != nil || len(sheet) != 3 || sheet[1][8] != officer.Email {
		t.Fatalf("the workbook's Register sheet: %q, %v", sheet, err)
	}

	do("open the register across the clients",
		chromedp.Navigate(base+wsPath(ws, "/portfolio")),
		chromedp.Click(C("#clients-risks")),
		chromedp.WaitVisible(C("#clients-register")),
		change("#f-client", itoa(client)),
		chromedp.WaitReady(C(`#f-client option[selected][value="`+itoa(client)+`"]`)),
	)
	got := eval(`document.querySelector("#clients-register tbody").textContent`)
	if !strings.Contains(got, "Tenant B client") || strings.Contains(got, "Nothing matches") {
		t.Fatalf("the clients' register shows:\n%s", got)
	}
}
