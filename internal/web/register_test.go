package web

import (
	"bytes"
	"context"
	"encoding/csv"
	"html"
	"net/http"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"rcmguard/internal/app"
)

// TestRegisterAtScale drives the register as a compliance officer: a
// filter applied on the server across pages, a column sort, a bulk
// change of owner and due date (a member, shown by name, and the same due
// date in the register and the plan), a bulk closure that only goes for
// review, the filtered CSV and XLSX read back, and a saved view.
func TestRegisterAtScale(t *testing.T) {
	e := newTestEnv(t, filepath.Join(t.TempDir(), "rcmguard.db"))
	ctx := context.Background()
	ws := e.ws["B"].ID
	b := e.signIn("B:compliance_officer")
	_, body := b.get(wsPath(ws, "/risks?level=high"))
	ids := regexp.MustCompile(`name="risk" value="([^"]+)"`).FindAllStringSubmatch(body, -1)
	if len(ids) < 3 || !strings.Contains(body, `data-autosubmit`) || !strings.Contains(body, `aria-sort="descending"`) {
		t.Fatalf("the high risks show %d selectable rows; the page:\n%s", len(ids), body)
	}
	_, res, _, _ := e.srv.app.Latest(ctx, ws)
	highs := 0
	for _, r := range res.Risks {
		if r.Level.Slug() == "high" {
			highs++
		}
	}
	if !strings.Contains(body, ">"+itoa(int64(highs))+" of "+itoa(int64(len(res.Risks)))+" risks") {
		t.Errorf("the count does not say %d of %d risks", highs, len(res.Risks))
	}
	// Names, not codes: the title links, the ID is a small label, areas in words.
	first := res.Risks[0]
	if _, all := b.get(wsPath(ws, "/risks")); !strings.Contains(all, ">"+html.EscapeString(first.Title)+"</a>") || !strings.Contains(all, `<div class="meta risk-id">`+html.EscapeString(first.ID)+`</div>`) {
		t.Errorf("the register does not show %q with its ID as a label", first.Title)
	}

	// Sorting by a column reaches every page: the first row sorted by
	// title is the alphabetically first title of all risks.
	_, sorted := b.get(wsPath(ws, "/risks?sort=title"))
	minTitle := res.Risks[0].Title
	for _, r := range res.Risks {
		if strings.ToLower(r.Title) < strings.ToLower(minTitle) {
			minTitle = r.Title
		}
	}
	if i := strings.Index(sorted, `<tbody>`); i < 0 || !strings.Contains(sorted[i:i+2000], html.EscapeString(minTitle)) {
		t.Errorf("sorted by title, the first row is not %q", minTitle)
	}

	officer := app.MemberOwner(e.users["B:compliance_officer"].ID).String()
	sel := []string{ids[0][1], ids[1][1], ids[2][1]}
	resp, _ := b.post(wsPath(ws, "/risks/bulk"), url.Values{"risk": sel, "owner": {officer}, "due": {"2027-03-31"},
		"status": {"in_progress"}, "back": {"level=high"}})
	if resp.StatusCode != http.StatusSeeOther || !strings.Contains(resp.Header.Get("Location"), "decided=3") {
		t.Fatalf("bulk change: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	_, body = b.get(resp.Header.Get("Location"))
	if !strings.Contains(body, "3 risks changed") {
		t.Errorf("no notice of the bulk change")
	}
	mine := wsPath(ws, "/risks?owner="+url.QueryEscape(officer))
	_, body = b.get(mine)
	if n := strings.Count(body, `name="risk" value=`); n != 3 || strings.Count(body, "b-compliance_officer@example.org") < 3 || !strings.Contains(body, "2027-03-31") {
		t.Errorf("filtered by the new owner: %d rows; want 3 named and due 2027-03-31", n)
	}
	_, plan := b.get(wsPath(ws, "/plan?group=owner&owner="+url.QueryEscape(officer)))
	if !strings.Contains(plan, `<tr class="group"><th scope="rowgroup" colspan="8">b-compliance_officer@example.org</th></tr>`) || strings.Count(plan, "2027-03-31") < 3 {
		t.Errorf("the plan grouped by owner does not show the register's owner and due date:\n%s", plan)
	}
	// The plan acts in bulk too, and returns to the plan.
	resp, _ = b.post(wsPath(ws, "/risks/bulk"), url.Values{"risk": sel[:1], "due": {"2027-05-15"}, "list": {"plan"}, "back": {"group=owner"}})
	if loc := resp.Header.Get("Location"); !strings.HasPrefix(loc, wsPath(ws, "/plan?")) || !strings.Contains(loc, "decided=1") {
		t.Errorf("bulk change from the plan went to %q", loc)
	}
	if _, body := b.get(wsPath(ws, "/plan?q="+url.QueryEscape(sel[0]))); !strings.Contains(body, "2027-05-15") {
		t.Error("the plan does not show the due date set from it")
	}
	// A plan step with no decision shows the plan's due date in the register too.
	for _, p := range res.Plan {
		if p.RiskID == sel[0] || p.RiskID == sel[1] || p.RiskID == sel[2] {
			continue
		}
		_, one := b.get(wsPath(ws, "/risks?q="+url.QueryEscape(p.RiskID)))
		if !strings.Contains(one, "<td>"+p.Due+"</td>") {
			t.Errorf("the register does not show %s due %s as the plan does", p.RiskID, p.Due)
		}
		break
	}

	// Closing in bulk only asks for review.
	resp, _ = b.post(wsPath(ws, "/risks/bulk"), url.Values{"risk": sel[:2], "status": {"mitigated"}, "justification": {"Encrypted since May"}})
	if !strings.Contains(resp.Header.Get("Location"), "proposed=2") {
		t.Errorf("bulk closure: %q; want 2 sent for review", resp.Header.Get("Location"))
	}
	if d, _ := e.st.RiskDecision(ctx, ws, sel[0]); d.Status != "in_progress" {
		t.Errorf("a bulk closure changed the decision: %+v", d)
	}
	resp, body = b.post(wsPath(ws, "/risks/bulk"), url.Values{"risk": sel[:1], "status": {"accepted"}, "back": {"level=high"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "Accept risks one at a time") || !strings.Contains(body, "Nothing was changed") {
		t.Errorf("bulk acceptance: %d; want the reason on the register", resp.StatusCode)
	}

	// The filtered register, every page of it, as CSV and XLSX.
	resp, csvBody := b.get(wsPath(ws, "/register.csv?owner="+url.QueryEscape(officer)))
	recs, err := csv.NewReader(strings.NewReader(csvBody)).ReadAll()
	if resp.StatusCode != http.StatusOK || err != nil || len(recs) != 4 || recs[1][8] != "b-compliance_officer@example.org" || !strings.HasPrefix(recs[1][9], "2027-0") {
		t.Errorf("CSV of the filtered register: %d, %v, %q", resp.StatusCode, err, recs)
	}
	resp, xl := b.get(wsPath(ws, "/register.xlsx?level=high"))
	f, err := excelize.OpenReader(bytes.NewReader([]byte(xl)))
	if err != nil {
		t.Fatalf("XLSX: %d %v", resp.StatusCode, err)
	}
	rows, _ := f.GetRows("Register")
	if len(rows) != highs+1 {
		t.Errorf("XLSX of the high risks: %d rows; want %d and a header", len(rows), highs)
	}
	if cd := resp.Header.Get("Content-Disposition"); !strings.Contains(cd, `rcmguard-register-w`) {
		t.Errorf("XLSX named %q", cd)
	}
	if resp, _ := e.signIn("B:contributor").get(wsPath(ws, "/register.csv")); resp.StatusCode != http.StatusForbidden {
		t.Errorf("a contributor's export: %d; want 403", resp.StatusCode)
	}

	// A saved view is the viewer's, and opens the same filters.
	resp, _ = b.post(wsPath(ws, "/risks/views"), url.Values{"name": {"My highs"}, "query": {"level=high&sort=-due&page=4"}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != wsPath(ws, "/risks?level=high&sort=-due") {
		t.Errorf("save view: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if _, body := b.get(wsPath(ws, "/risks")); !strings.Contains(body, `href="`+html.EscapeString(wsPath(ws, "/risks?level=high&sort=-due"))+`">My highs</a>`) {
		t.Error("the saved view is not offered")
	}
	if _, body := e.signIn("B:owner").get(wsPath(ws, "/risks")); strings.Contains(body, "My highs") {
		t.Error("another member sees the officer's saved view")
	}
}

// TestWorkspacesList shows a billing company's member their workspaces,
// the clients under the company, with status, and finds one by name.
func TestWorkspacesList(t *testing.T) {
	e := newTestEnv(t, filepath.Join(t.TempDir(), "rcmguard.db"))
	b := e.signIn("B:owner")
	resp, body := b.get("/")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("/: %d", resp.StatusCode)
	}
	company := strings.Index(body, `rowgroup" colspan="5">Tenant B billing`)
	client := strings.Index(body, ">Tenant B client</strong></a>")
	if company < 0 || client < company || !strings.Contains(body, "Client of Tenant B billing") || !strings.Contains(body, "very high") {
		t.Errorf("the client is not listed under its billing company with its status:\n%s", body)
	}
	if _, body := b.get("/?q=client"); strings.Contains(body, ">Tenant B billing</strong></a>") || !strings.Contains(body, ">Tenant B client</strong></a>") {
		t.Errorf("search for the client:\n%s", body)
	}
}

// TestClientsRegisterAndMyWork: a billing company's member sees the
// register and plan of the clients they may see, with the client's name;
// a risk they own shows on "My work" with the plan's due date, and a
// closure someone else proposed waits there for their review.
func TestClientsRegisterAndMyWork(t *testing.T) {
	e := newTestEnv(t, filepath.Join(t.TempDir(), "rcmguard.db"))
	ctx := context.Background()
	b := e.signIn("B:owner")
	company, client := e.ws["B"].ID, e.ws["C"].ID
	resp, body := b.get(wsPath(company, "/clients/risks?level=high"))
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, ">Tenant B client</a></td>") || !strings.Contains(body, "of 1 client you may see") {
		t.Fatalf("cross-client register: %d\n%s", resp.StatusCode, body)
	}
	_, res, _, _ := e.srv.app.Latest(ctx, client)
	if !strings.Contains(body, html.EscapeString(res.Plan[0].Title)) {
		t.Errorf("the client's top risk %q is not listed", res.Plan[0].Title)
	}
	if resp, body := b.get(wsPath(company, "/clients/plan?group=client")); resp.StatusCode != http.StatusOK || !strings.Contains(body, `colspan="6">Tenant B client</th>`) {
		t.Errorf("cross-client plan grouped by client: %d", resp.StatusCode)
	}
	// A practice has no clients.
	if resp, _ := e.signIn("A:owner").get(wsPath(e.ws["A"].ID, "/clients/risks")); resp.StatusCode != http.StatusNotFound {
		t.Errorf("a practice's cross-client register: %d; want 404", resp.StatusCode)
	}
	// Without membership of the client, the company's member sees none of its risks.
	if _, err := e.st.DB().ExecContext(ctx, `DELETE FROM memberships WHERE workspace_id = ? AND user_id = ?`, client, e.users["B:auditor"].ID); err != nil {
		t.Fatal(err)
	}
	if _, body := e.signIn("B:auditor").get(wsPath(company, "/clients/risks")); strings.Contains(body, "Tenant B client</a>") || !strings.Contains(body, "of 0 clients") {
		t.Errorf("a member of the company only sees a client's risks:\n%s", body)
	}

	// My work: the owner makes themself owner of a client's risk.
	me := app.MemberOwner(e.users["B:owner"].ID).String()
	p := res.Plan[0]
	if resp, _ := b.post(wsPath(client, "/risks/bulk"), url.Values{"risk": {p.RiskID}, "owner": {me}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("bulk owner: %d", resp.StatusCode)
	}
	e.proposeClosure("B", e.idsOf("B").risk)
	_, body = b.get("/my-work")
	if !strings.Contains(body, html.EscapeString(p.Title)) || !strings.Contains(body, p.Due) || !strings.Contains(body, "Tenant B client") {
		t.Errorf("My work does not list the owned risk %q due %s:\n%s", p.Title, p.Due, body)
	}
	if !strings.Contains(body, `id="my-reviews"`) || strings.Contains(body, "Nothing is waiting for your review") {
		t.Errorf("My work does not list the closure waiting for review")
	}
	if _, body := e.signIn("B:contributor").get("/my-work"); !strings.Contains(body, "You own no open risk") {
		t.Errorf("another member's My work lists the owner's risks")
	}
}
