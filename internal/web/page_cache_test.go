package web

import (
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"rcmguard/internal/store/storetest"
)

// TestCachedPartsFollowChanges: the dashboard body and the register rows
// are rendered once and reused (fragment_cache.go, register_cache.go);
// each change that they show — a decision, a sign-off, a new run, a new
// day — must show at the next view, on either database.
func TestCachedPartsFollowChanges(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dsn string) {
		e := newTestEnv(t, dsn)
		ctx := t.Context()
		ws := e.ws["A"].ID
		x := e.idsOf("A")
		b := e.signIn("A:owner")

		// Register: view (rendering and caching the rows), decide, view.
		page := wsPath(ws, "/risks?q="+url.QueryEscape(x.risk))
		_, body := b.get(page)
		row := registerRowOf(t, body, x.risk)
		if strings.Contains(row, "In discussion") || strings.Contains(row, "Billing lead") {
			t.Fatalf("row before the decision already shows it: %s", row)
		}
		p := wsPath(ws, "/risks/"+url.PathEscape(x.risk))
		b.get(p)
		if resp, body := b.post(p, url.Values{"status": {"in_discussion"}, "owner": {"Billing lead"}, "due": {"2027-01-15"}}); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("decide: %d\n%s", resp.StatusCode, body)
		}
		_, body = b.get(page)
		row = registerRowOf(t, body, x.risk)
		for _, want := range []string{"In discussion", "Billing lead", "2027-01-15", "applies at next run"} {
			if !strings.Contains(row, want) {
				t.Errorf("register row after the decision lacks %q: %s", want, row)
			}
		}

		// The filter form, rendered once per join and choice, shows each
		// view's own choice, and a decision's new owner among the owners.
		for _, level := range []string{"high", "", "moderate"} {
			_, body := b.get(wsPath(ws, "/risks?level="+level))
			for _, l := range []string{"high", "moderate"} {
				if got := strings.Contains(body, `<option value="`+l+`" selected>`); got != (l == level) {
					t.Errorf("register ?level=%s: option %s selected = %v", level, l, got)
				}
			}
			if !strings.Contains(body, `<option value="Billing lead" >`) {
				t.Errorf("register ?level=%s: the decision's owner is not among the owners to filter by", level)
			}
		}

		// Dashboard: view, sign off, view.
		first, _, _, err := e.srv.app.Latest(ctx, ws)
		if err != nil {
			t.Fatal(err)
		}
		_, body = b.get(wsPath(ws, ""))
		if !strings.Contains(body, "Not signed off yet") || strings.Contains(body, `class="overdue"`) {
			t.Fatalf("dashboard before sign-off:\n%s", body)
		}
		ap := wsPath(ws, "/assessments/"+itoa(first.ID))
		b.get(ap)
		if resp, _ := b.post(ap+"/signoff", nil); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("sign off: %d", resp.StatusCode)
		}
		_, body = b.get(wsPath(ws, ""))
		if !strings.Contains(body, "Signed off by "+e.users["A:owner"].Email) {
			t.Errorf("dashboard after sign-off does not say so")
		}

		// A new run shows as the latest version, and the register follows it.
		second, err := e.runAssessment(ctx, ws, e.users["A:owner"].ID)
		if err != nil {
			t.Fatal(err)
		}
		_, body = b.get(wsPath(ws, ""))
		if !strings.Contains(body, ">version "+itoa(int64(second.Version))+"</a>") || !strings.Contains(body, "Not signed off yet") {
			t.Errorf("dashboard after a new run does not show version %d", second.Version)
		}
		_, body = b.get(page)
		if row := registerRowOf(t, body, x.risk); strings.Contains(row, "applies at next run") || !strings.Contains(row, "In discussion") {
			t.Errorf("register row after the run: %s", row)
		}

		// A year on, plan items fall overdue without any other change.
		e.clock.advance(400 * 24 * time.Hour)
		b = e.signIn("A:owner")
		_, body = b.get(wsPath(ws, ""))
		if !strings.Contains(body, `class="overdue">due `) || strings.Contains(body, "Nothing overdue") {
			t.Errorf("no overdue plan items a year later")
		}
	})
}

// registerRowOf returns the register's table row of risk id.
func registerRowOf(t *testing.T, body, id string) string {
	t.Helper()
	i := strings.Index(body, ">"+html.EscapeString(id)+"</div>")
	if i < 0 {
		t.Fatalf("risk %s not in the register", id)
	}
	start := strings.LastIndex(body[:i], "<tr>")
	end := strings.Index(body[i:], "</tr>")
	return body[start : i+end]
}
