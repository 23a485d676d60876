package web

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"rcmguard/internal/app"
)

// newIncident opens an incident in workspace wsKey as user key's owner,
// with a playbook, a piece of evidence and a signed assessment, and
// returns the IDs of the incident and the evidence.
func (e *testEnv) newIncident(wsKey, tenant string) (string, string) {
	e.t.Helper()
	ctx := context.Background()
	owner := e.users[tenant+":owner"].ID
	who, sc := actAs(e.t, e.srv, owner, e.ws[wsKey].ID)
	f := app.IncidentForm{Title: "Portal password phished", Severity: "high", OwnerID: owner, Discovered: "2026-11-20",
		Role: app.DefaultIncidentRole(sc.WS), Counts: []app.Count{{State: "FL", Individuals: 12}}}
	if f.Role == "business_associate" {
		_, m, _, err := e.srv.app.CurrentModel(ctx, sc.WS.ID)
		if err != nil {
			e.t.Fatal(err)
		}
		f.Clients = []string{m.Clients[0].ID}
		f.Counts[0].Client = m.Clients[0].ID
	}
	in, err := e.srv.app.OpenIncident(ctx, who, sc, f)
	if err != nil {
		e.t.Fatal(err)
	}
	if err := e.srv.app.ChooseIncidentPlaybook(ctx, who, sc, in.ID, "portal-credentials"); err != nil {
		e.t.Fatal(err)
	}
	file, err := e.srv.app.AttachIncidentFile(ctx, who, sc, in.ID, "portal-log.txt", []byte("login from 203.0.113.9"))
	if err != nil {
		e.t.Fatal(err)
	}
	if _, err := e.srv.app.AssessIncident(ctx, who, sc, in.ID, app.AssessmentForm{Factors: map[string]app.Factor{
		"nature": {Risk: "not_low", Reason: "claims"}, "recipient": {Risk: "not_low", Reason: "unknown attacker"},
		"acquired": {Risk: "not_low", Reason: "downloads in the log"}, "mitigation": {Risk: "low", Reason: "password reset"}},
		Conclusion: "Breach.", SignedName: "Olive Owner"}); err != nil {
		e.t.Fatal(err)
	}
	return itoa(in.ID), itoa(file.ID)
}

var incidentLinkRE = regexp.MustCompile(`/w/\d+/incidents/(\d+)\?opened=1`)

// TestIncidentPages opens an incident through the form, works its
// checklist, signs the assessment and sees the clocks, as a browser
// without JavaScript does; a refused form keeps what was typed; the
// evidence downloads as an attachment that cannot run in the page.
func TestIncidentPages(t *testing.T) {
	e := newTestEnv(t, t.TempDir()+"/rcmguard.db")
	b := e.signIn("A:contributor")
	ws := "/w/" + itoa(e.ws["A"].ID)
	b.get(ws + "/incidents/new")
	form := url.Values{"title": {"Statements to wrong addresses <b>"}, "severity": {"high"}, "owner": {itoa(e.users["A:owner"].ID)},
		"discovered": {"2026-11-20"}, "role": {"covered_entity"}, "counts": {"FL 300\nZZ 4"}, "data_types": {"name", "address"}}
	resp, body := b.post(ws+"/incidents", form)
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `&#34;ZZ&#34; is not a State code`) || !strings.Contains(body, "FL 300") {
		t.Fatalf("bad State: %d; want 422 with the message and the text kept", resp.StatusCode)
	}
	form.Set("counts", "FL 300\nGA 99")
	resp, _ = b.post(ws+"/incidents", form)
	m := incidentLinkRE.FindStringSubmatch(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusSeeOther || m == nil {
		t.Fatalf("open: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	page := ws + "/incidents/" + m[1]
	// The list shows the earliest notice due: Florida's 30 days.
	if _, body = b.get(ws + "/incidents"); !strings.Contains(body, "2026-12-20") || !strings.Contains(body, "Statements to wrong addresses &lt;b&gt;") {
		t.Error("the list lacks the incident or its next due date")
	}
	_, body = b.get(page)
	for _, want := range []string{"Statements to wrong addresses &lt;b&gt;", "Breach", "2027-01-19", "45 CFR 164.404(b)", "2027-03-01", "Fla. Stat."} {
		if !strings.Contains(body, want) {
			t.Errorf("incident page lacks %q", want)
		}
	}
	if strings.Contains(body, "/assessment\"") {
		t.Error("a contributor is offered the assessment")
	}
	b.post(page+"/playbook", url.Values{"playbook": {"misdirected-statements"}})
	resp, _ = b.post(page+"/checklist", url.Values{"item": {"contain.stop"}, "done": {"yes"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("tick: %d", resp.StatusCode)
	}
	_, body = b.get(page)
	if !strings.Contains(body, "1 of 10 done") || !strings.Contains(body, "Done: Contain: Stop the print or mail job") {
		t.Error("the tick is not shown on the checklist and the timeline")
	}
	resp, body = b.post(page+"/status", url.Values{"status": {"contained"}})
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("contributor moves the status: %d; want 403", resp.StatusCode)
	}

	o := e.signIn("A:compliance_officer")
	_, body = o.get(page + "/assessment")
	if !strings.Contains(body, "164.402(2)(iv)") {
		t.Error("the assessment form does not ask the four factors")
	}
	sign := url.Values{"exception": {"none"}, "factor_nature": {"not_low"}, "reason_nature": {"names and balances"},
		"factor_recipient": {"low"}, "reason_recipient": {"other patients"}, "factor_acquired": {"not_low"}, "reason_acquired": {"opened"},
		"factor_mitigation": {"low"}, "reason_mitigation": {"40 returned"}, "low_probability": {"yes"}, "conclusion": {"Breach."}, "signed_name": {"Carla Officer"}}
	resp, body = o.post(page+"/assessment", sign)
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "cannot be concluded while a factor points the other way") {
		t.Errorf("low probability against the factors: %d", resp.StatusCode)
	}
	sign.Del("low_probability")
	if resp, _ = o.post(page+"/assessment", sign); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign: %d", resp.StatusCode)
	}
	resp, body = o.post(page+"/status", url.Values{"status": {"closed"}})
	if resp.StatusCode != http.StatusConflict || !strings.Contains(body, "corrective action") {
		t.Errorf("closing without actions: %d", resp.StatusCode)
	}
	_, body = o.get(page)
	if !strings.Contains(body, "Signed by <strong>Carla Officer</strong>") {
		t.Error("the signed assessment is not shown")
	}

	// The title typed with markup stays text on every incident page.
	for _, p := range []string{page + "/notices", ws + "/incidents/log?year=2026", page + "/assessment"} {
		resp, body := o.get(p)
		if resp.StatusCode != http.StatusOK || strings.Contains(body, "addresses <b>") || !strings.Contains(body, "addresses &lt;b&gt;") {
			t.Errorf("%s: %d; the title is not shown escaped", p, resp.StatusCode)
		}
	}

	// Evidence: an attachment of the sniffed type, sandboxed.
	incID, fileID := e.newIncident("A", "A")
	resp, body = o.get(ws + "/incidents/" + incID + "/files/" + fileID + "/download")
	if resp.StatusCode != http.StatusOK || body != "login from 203.0.113.9" || !strings.HasPrefix(resp.Header.Get("Content-Disposition"), "attachment") ||
		!strings.Contains(resp.Header.Get("Content-Security-Policy"), "sandbox") {
		t.Errorf("download: %d %q %q", resp.StatusCode, resp.Header.Get("Content-Disposition"), resp.Header.Get("Content-Security-Policy"))
	}
}
