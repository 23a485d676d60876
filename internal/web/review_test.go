package web

import (
	"context"
	"encoding/json"
	"errors"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"rcmguard/internal/store"
	"rcmguard/internal/store/storetest"
)

// TestContributorClosureWaitsForReview is issue 8's finding 11: a
// contributor's closure of a risk (mitigated, false positive) takes it out
// of the register, so it must not take effect without a second person. It
// waits, audited, with the risk unchanged in the register and in the next
// assessment, until an owner or compliance officer approves it, in the
// browser and through the API alike; the proposer cannot review their own.
func TestContributorClosureWaitsForReview(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dsn string) {
		e := newTestEnv(t, dsn)
		ctx := context.Background()
		ws := e.ws["A"].ID
		x := e.idsOf("A")
		_, res, _, err := e.srv.app.Latest(ctx, ws)
		if err != nil || len(res.Risks) < 2 {
			t.Fatalf("the seeded assessment has %d risks, %v; want two at least", len(res.Risks), err)
		}
		first, second := res.Risks[0], res.Risks[1]
		if !first.Open() || !second.Open() {
			t.Fatalf("the seeded risks %s and %s are not open", first.ID, second.ID)
		}
		page := func(id string) string { return wsPath(ws, "/risks/"+url.PathEscape(id)) }
		apiPath := func(id, rest string) string {
			return x.path("/api/v1/workspaces/{ws}/risks/") + url.PathEscape(id) + rest
		}
		// stillOpen checks that a risk is unchanged in the register (the
		// API's list) and stays open in a new assessment.
		statusOf := map[string]string{}
		for _, r := range res.Risks {
			statusOf[r.ID] = string(r.Status)
		}
		stillOpen := func(step, id string, want string) {
			t.Helper()
			tok := e.apiToken("A:owner", "A", time.Hour)
			_, body := e.apiGet(tok, x.path("/api/v1/workspaces/{ws}/risks")+"?q="+url.QueryEscape(id))
			var list apiRiskList
			json.Unmarshal(body, &list)
			if len(list.Risks) != 1 || list.Risks[0].Status != statusOf[id] || list.Risks[0].Review != want {
				t.Errorf("%s: the register lists %s as %+v; want it %s with closure_pending %q", step, id, list.Risks, statusOf[id], want)
			}
			if _, err := e.runAssessment(ctx, ws, e.users["A:owner"].ID); err != nil {
				t.Fatal(err)
			}
			_, res, _, _ := e.srv.app.Latest(ctx, ws)
			for _, r := range res.Risks {
				if r.ID == id && !r.Open() {
					t.Errorf("%s: the next assessment closed %s (%s) before any review", step, id, r.Status)
				}
			}
		}

		// In the browser: the contributor's closure goes to review.
		con := e.signIn("A:contributor")
		con.get(page(first.ID))
		resp, _ := con.post(page(first.ID), url.Values{"status": {"mitigated"}, "justification": {"MFA is enforced on the portal"}})
		if resp.StatusCode != http.StatusSeeOther || !strings.HasSuffix(resp.Header.Get("Location"), "?proposed=1") {
			t.Fatalf("contributor's closure: %d to %q; want a redirect saying it went to review", resp.StatusCode, resp.Header.Get("Location"))
		}
		if _, err := e.st.RiskDecision(ctx, ws, first.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("the contributor's closure was stored as a decision (%v)", err)
		}
		if a := e.lastAudit(); a.Action != "risk.review.request" || a.Actor != "user:"+itoa(e.users["A:contributor"].ID) || a.Object != "risk:"+first.ID {
			t.Errorf("the closure was audited as %s by %s on %s", a.Action, a.Actor, a.Object)
		}
		if _, body := con.get(page(first.ID) + "?proposed=1"); !strings.Contains(body, `id="closure-sent"`) || !strings.Contains(body, `id="closure-review"`) || strings.Contains(body, `id="approve-closure"`) {
			t.Error("the contributor's risk page does not say the closure waits for review, or offers them to review it")
		}
		stillOpen("after the browser closure", first.ID, "mitigated")
		// Nobody reviews their own: the contributor has no review route.
		if resp, _ := con.post(page(first.ID)+"/review", url.Values{"decision": {"approve"}}); resp.StatusCode != http.StatusForbidden {
			t.Errorf("the contributor approving their own closure: %d; want 403", resp.StatusCode)
		}
		officer := e.signIn("A:compliance_officer")
		if _, body := officer.get(wsPath(ws, "/risks")); !strings.Contains(body, `id="closures-to-review"`) || !strings.Contains(body, html.EscapeString(first.ID)) {
			t.Error("the register does not list the closure waiting for the officer's review")
		}
		if _, body := officer.get(page(first.ID)); !strings.Contains(body, `id="approve-closure"`) || !strings.Contains(body, "MFA is enforced on the portal") {
			t.Error("the officer's risk page does not offer to review the closure with its justification")
		}
		if resp, body := officer.post(page(first.ID)+"/review", url.Values{"decision": {"reject"}}); resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `id="note-err"`) {
			t.Errorf("a rejection without a note: %d; want 422 asking why", resp.StatusCode)
		}
		resp, _ = officer.post(page(first.ID)+"/review", url.Values{"decision": {"approve"}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("the officer's approval: %d", resp.StatusCode)
		}
		d, err := e.st.RiskDecision(ctx, ws, first.ID)
		if err != nil || d.Status != "mitigated" || d.ApproverID != e.users["A:compliance_officer"].ID || d.UpdatedBy != e.users["A:contributor"].ID {
			t.Fatalf("after approval the decision is %+v, %v; want mitigated, approved by the officer, proposed by the contributor", d, err)
		}
		if a := e.lastAudit(); a.Action != "risk.review.approve" || a.Actor != "user:"+itoa(e.users["A:compliance_officer"].ID) {
			t.Errorf("the approval was audited as %s by %s", a.Action, a.Actor)
		}
		if resp, _ := officer.post(page(first.ID)+"/review", url.Values{"decision": {"approve"}}); resp.StatusCode != http.StatusConflict {
			t.Errorf("approving a closure already approved: %d; want 409", resp.StatusCode)
		}

		// Through the API: the same, answered 202 until reviewed.
		conTok := e.apiToken("A:contributor", "A", time.Hour)
		ownerTok := e.apiToken("A:owner", "A", time.Hour)
		propose := func() {
			t.Helper()
			resp, body := e.apiDo(conTok, http.MethodPut, apiPath(second.ID, "/decision"), "application/json",
				[]byte(`{"status":"false_positive","justification":"The portal is not used any more"}`))
			var out apiClosureOut
			if json.Unmarshal(body, &out); resp.StatusCode != http.StatusAccepted || out.Review == nil || out.Review.State != "pending" {
				t.Fatalf("the contributor's closure through the API: %d %s; want 202 with the review pending", resp.StatusCode, body)
			}
		}
		propose()
		if _, err := e.st.RiskDecision(ctx, ws, second.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("the contributor's API closure was stored as a decision (%v)", err)
		}
		stillOpen("after the API closure", second.ID, "false_positive")
		if resp, body := e.apiDo(conTok, http.MethodPost, apiPath(second.ID, "/review"), "application/json", []byte(`{"approve":true}`)); resp.StatusCode != http.StatusForbidden {
			t.Errorf("the contributor reviewing through the API: %d %s; want 403", resp.StatusCode, body)
		}
		resp, body := e.apiDo(ownerTok, http.MethodPost, apiPath(second.ID, "/review"), "application/json",
			[]byte(`{"approve":false,"note":"The portal still serves two practices"}`))
		var rejected apiClosureOut
		if json.Unmarshal(body, &rejected); resp.StatusCode != http.StatusOK || rejected.Review == nil || rejected.Review.State != "rejected" {
			t.Fatalf("the owner's rejection: %d %s", resp.StatusCode, body)
		}
		if _, body := con.get(page(second.ID)); !strings.Contains(body, `id="closure-rejection"`) || !strings.Contains(body, "The portal still serves two practices") {
			t.Error("the contributor's risk page does not show why the closure was rejected")
		}
		stillOpen("after the rejection", second.ID, "")
		propose()
		resp, body = e.apiDo(ownerTok, http.MethodPost, apiPath(second.ID, "/review"), "application/json", []byte(`{"approve":true}`))
		var approved apiDecisionOut
		if json.Unmarshal(body, &approved); resp.StatusCode != http.StatusOK || approved.Status != "false_positive" || approved.Approver != e.users["A:owner"].Email {
			t.Fatalf("the owner's approval through the API: %d %s", resp.StatusCode, body)
		}

		// An owner's or compliance officer's own closure is the review:
		// it is recorded at once, with them as approver.
		third := res.Risks[2].ID
		officerTok := e.apiToken("A:compliance_officer", "A", time.Hour)
		resp, body = e.apiDo(officerTok, http.MethodPut, apiPath(third, "/decision"), "application/json",
			[]byte(`{"status":"mitigated","justification":"Replaced by SFTP"}`))
		var own apiDecisionOut
		if json.Unmarshal(body, &own); resp.StatusCode != http.StatusOK || own.Status != "mitigated" || own.Approver != e.users["A:compliance_officer"].Email {
			t.Errorf("the officer's own closure: %d %s; want it recorded with them as approver", resp.StatusCode, body)
		}
	})
}
