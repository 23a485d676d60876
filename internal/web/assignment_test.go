package web

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"rcmguard/internal/auth"
	"rcmguard/internal/store"
	"rcmguard/internal/store/storetest"
)

// TestContributorsEditWhatIsAssigned: a contributor changes only the parts
// of the model and the risks assigned to them — in the browser and through
// the API — and the pages offer only that; owners assign parts of the
// model on the Members page, owners and compliance officers assign risks
// on each risk's page, and every assignment is audited.
func TestContributorsEditWhatIsAssigned(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dsn string) {
		e := newTestEnv(t, dsn)
		ctx := context.Background()
		ws := e.ws["A"].ID
		x := e.idsOf("A")
		_, m, _, err := e.srv.app.CurrentModel(ctx, ws)
		if err != nil {
			t.Fatal(err)
		}
		u, enr, err := e.auth.CreateUser(ctx, auth.NewUser{Email: "dana@example.org", Password: testPassword,
			Workspace: e.ws["A"].Name, Role: auth.RoleContributor, Actor: "test"}, e.clock.now())
		if err != nil {
			t.Fatal(err)
		}
		e.users["A:dana"] = testUser{ID: u.ID, Email: "dana@example.org", Password: testPassword, Secret: enr.Secret}
		dana := e.signIn("A:dana")
		token := e.apiToken("A:dana", "A", time.Hour)
		_, res, _, _ := e.srv.app.Latest(ctx, ws)
		other := res.Risks[1].ID

		risk := func(id string) string { return wsPath(ws, "/risks/"+url.PathEscape(id)) }
		status := func(b *client, method, path string, form url.Values) int {
			t.Helper()
			var resp *http.Response
			if method == http.MethodGet {
				resp, _ = b.get(path)
			} else {
				resp, _ = b.post(path, form)
			}
			return resp.StatusCode
		}
		decide := url.Values{"status": {"in_progress"}, "owner": {"Dana"}}
		system := wsPath(ws, "/model/s/systems/"+url.PathEscape(m.Systems[0].ID))
		policyDelete := wsPath(ws, "/model/s/policies/"+url.PathEscape(x.id)+"/delete")
		nothing := map[string]int{
			// The model's pages are read-only views to her (readOnly below).
			"GET " + system: http.StatusOK,
			"GET " + wsPath(ws, "/model/flows/"+url.PathEscape(x.flow)): http.StatusOK,
			"GET " + wsPath(ws, "/model/organization"):                  http.StatusOK,
			"POST " + wsPath(ws, "/model/import"):                       http.StatusForbidden,
			"POST " + policyDelete:                                      http.StatusForbidden,
			"POST " + risk(x.risk):                                      http.StatusForbidden,
			"GET " + risk(x.risk):                                       http.StatusOK,
			"GET " + wsPath(ws, "/model"):                               http.StatusOK,
		}
		check := func(want map[string]int) {
			t.Helper()
			for k, code := range want {
				method, path, _ := strings.Cut(k, " ")
				if method == http.MethodPost {
					dana.get(strings.TrimSuffix(strings.TrimSuffix(path, "/delete"), "/import"))
				}
				if got := status(dana, method, path, decide); got != code {
					t.Errorf("%s as an unassigned contributor: %d; want %d", k, got, code)
				}
			}
		}
		check(nothing)
		// The model's forms are read-only views to her.
		readOnly := func(path string, want bool) {
			t.Helper()
			_, body := dana.get(path)
			if got := strings.Contains(body, `id="read-only"`) && !strings.Contains(body, `class="save-bar"`); got != want {
				t.Errorf("GET %s as Dana: read-only %v; want %v", path, got, want)
			}
		}
		for _, p := range []string{system, wsPath(ws, "/model/flows/"+url.PathEscape(x.flow)), wsPath(ws, "/model/organization")} {
			readOnly(p, true)
		}
		// The pages offer nothing they would refuse.
		_, body := dana.get(wsPath(ws, "/model"))
		for _, offer := range []string{"Edit organisation", "/model/flows/new", "/model/import"} {
			if strings.Contains(body, offer) {
				t.Errorf("the model page offers %s to an unassigned contributor", offer)
			}
		}
		_, body = dana.get(risk(x.risk))
		if !strings.Contains(body, `id="not-assigned"`) || strings.Contains(body, `id="status"`) {
			t.Error("the risk page offers the decision form to an unassigned contributor")
		}
		apiDecision := "/api/v1/workspaces/" + itoa(ws) + "/risks/" + url.PathEscape(x.risk) + "/decision"
		if resp, _ := e.apiDo(token, http.MethodPut, apiDecision, "application/json", []byte(`{"status":"in_progress"}`)); resp.StatusCode != http.StatusForbidden {
			t.Errorf("API decision by an unassigned contributor: %d; want 403", resp.StatusCode)
		}
		if resp, _ := e.apiDo(token, http.MethodPut, "/api/v1/workspaces/"+itoa(ws)+"/model", "application/yaml", []byte("version: 1\n")); resp.StatusCode != http.StatusForbidden {
			t.Errorf("API model import by an unassigned contributor: %d; want 403", resp.StatusCode)
		}

		// The owner gives Dana the policies and systems; the compliance
		// officer assigns one risk.
		owner := e.signIn("A:owner")
		owner.get(wsPath(ws, "/members"))
		work := wsPath(ws, "/members/"+itoa(u.ID)+"/assignments")
		if got := status(owner, http.MethodPost, work, url.Values{"part": {"model:policies", "model:systems"}}); got != http.StatusSeeOther {
			t.Fatalf("assign parts: %d", got)
		}
		if a := e.lastAudit(); a.Action != "assignments.set" || a.Object != "user:"+itoa(u.ID) || !strings.Contains(a.Details, "model:systems") {
			t.Errorf("assigning parts audited as %+v", a)
		}
		_, body = owner.get(wsPath(ws, "/members"))
		if !strings.Contains(body, `id="part-`+itoa(u.ID)+`-model:systems" name="part" value="model:systems" checked`) {
			t.Error("the Members page does not show the systems assigned")
		}
		officer := e.signIn("A:compliance_officer")
		officer.get(risk(x.risk))
		if got := status(officer, http.MethodPost, risk(x.risk)+"/assign", url.Values{"assignee": {itoa(u.ID)}}); got != http.StatusSeeOther {
			t.Fatalf("assign a risk: %d", got)
		}
		if a := e.lastAudit(); a.Action != "risk.assign" || a.Object != "risk:"+x.risk || !strings.Contains(a.Details, "dana@example.org") {
			t.Errorf("assigning a risk audited as %+v", a)
		}
		readOnly(system, false)
		readOnly(wsPath(ws, "/model/organization"), true)
		check(map[string]int{
			"GET " + system:                            http.StatusOK,
			"POST " + policyDelete:                     http.StatusSeeOther,
			"POST " + risk(x.risk):                     http.StatusSeeOther,
			"POST " + risk(other):                      http.StatusForbidden,
			"GET " + wsPath(ws, "/model/organization"): http.StatusOK,
			"POST " + wsPath(ws, "/model/import"):      http.StatusForbidden,
		})
		if resp, body := e.apiDo(token, http.MethodPut, apiDecision, "application/json", []byte(`{"status":"in_discussion"}`)); resp.StatusCode != http.StatusOK {
			t.Errorf("API decision on an assigned risk: %d %s", resp.StatusCode, body)
		}
		// The register narrows down to the risks assigned to her.
		_, body = dana.get(wsPath(ws, "/risks?assigned=me"))
		if !strings.Contains(body, ">"+html.EscapeString(x.risk)+"</div>") || strings.Count(body, "<tr>") != 2 {
			t.Errorf("register assigned=me does not list exactly the one assigned risk")
		}
		_, body = dana.get(risk(x.risk))
		if !strings.Contains(body, `id="status"`) || !strings.Contains(body, "dana@example.org") {
			t.Error("the risk page does not offer the assigned contributor its decision form, or does not show the assignee")
		}

		// Every risk, then unassigning the single one keeps every risk.
		if got := status(owner, http.MethodPost, work, url.Values{"part": {"model:systems"}, "all_risks": {"yes"}}); got != http.StatusSeeOther {
			t.Fatalf("assign every risk: %d", got)
		}
		officer.get(risk(x.risk))
		if got := status(officer, http.MethodPost, risk(x.risk)+"/assign", url.Values{}); got != http.StatusSeeOther {
			t.Fatalf("unassign a risk: %d", got)
		}
		check(map[string]int{"POST " + risk(other): http.StatusSeeOther, "POST " + policyDelete: http.StatusForbidden})

		// Refused input: someone not a contributor here, a part not
		// offered, another tenant's member.
		officer.get(risk(x.risk))
		for _, v := range []string{itoa(e.users["A:owner"].ID), itoa(e.users["B:contributor"].ID), "x"} {
			if got := status(officer, http.MethodPost, risk(x.risk)+"/assign", url.Values{"assignee": {v}}); got != http.StatusBadRequest {
				t.Errorf("assigning a risk to %s: %d; want 400", v, got)
			}
		}
		owner.get(wsPath(ws, "/members"))
		if got := status(owner, http.MethodPost, work, url.Values{"part": {"model:secrets"}}); got != http.StatusBadRequest {
			t.Errorf("assigning an unknown part: %d; want 400", got)
		}
		if got := status(owner, http.MethodPost, wsPath(ws, "/members/"+itoa(e.users["A:compliance_officer"].ID)+"/assignments"), nil); got != http.StatusBadRequest {
			t.Errorf("assigning work to a compliance officer: %d; want 400", got)
		}
		if got := status(owner, http.MethodPost, wsPath(ws, "/members/"+itoa(e.users["B:contributor"].ID)+"/assignments"), url.Values{"part": {"model:systems"}}); got != http.StatusNotFound {
			t.Errorf("assigning work to another tenant's member: %d; want 404", got)
		}

		// Leaving the workspace ends the assignments.
		if got := status(owner, http.MethodPost, wsPath(ws, "/members/"+itoa(u.ID)+"/remove"), nil); got != http.StatusSeeOther {
			t.Fatalf("remove: %d", got)
		}
		if got, err := e.st.UserAssignments(ctx, ws, u.ID); err != nil || len(got) != 0 {
			t.Errorf("assignments after leaving: %v, %v", got, err)
		}
		err = e.st.InTx(ctx, func(tx *store.Tx) error {
			if err := tx.PutMembership(ctx, store.Membership{UserID: u.ID, WorkspaceID: ws, Role: "contributor", Created: e.clock.now()}); err != nil {
				return err
			}
			return e.srv.audit(ctx, tx, &call{User: store.User{ID: e.users["A:owner"].ID}, WS: store.Workspace{ID: ws}}, "membership.put", "", nil)
		})
		if err != nil {
			t.Fatal(err)
		}
		dana = e.signIn("A:dana")
		check(nothing)
	})
}
