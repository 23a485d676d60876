package web

import (
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
)

// TestDecisionStatusesAreTheModels checks the register offers exactly the
// model's tracking statuses (accepted only to those who may accept),
// stores them unchanged, and filters by them.
func TestDecisionStatusesAreTheModels(t *testing.T) {
	e := newTestEnv(t, filepath.Join(t.TempDir(), "rcmguard.db"))
	ws := e.ws["A"].ID
	x := e.idsOf("A")
	p := wsPath(ws, "/risks/"+url.PathEscape(x.risk))
	all := []string{"unchecked", "in_discussion", "accepted", "in_progress", "mitigated", "false_positive"}
	for role, want := range map[string][]string{
		"A:compliance_officer": all,
		"A:contributor":        {"unchecked", "in_discussion", "in_progress", "mitigated", "false_positive"},
	} {
		b := e.signIn(role)
		_, body := b.get(p)
		_, sel, _ := strings.Cut(body, `<select id="status"`)
		sel, _, _ = strings.Cut(sel, "</select>")
		if n := strings.Count(sel, "<option"); n != len(want) {
			t.Errorf("%s: %d status options; want %d", role, n, len(want))
		}
		for _, st := range want {
			if !strings.Contains(sel, `value="`+st+`"`) {
				t.Errorf("%s: no option %s", role, st)
			}
		}
	}
	b := e.signIn("A:contributor")
	b.get(p)
	for _, old := range []string{"open", "mitigating", "transferred"} {
		if resp, body := b.post(p, url.Values{"status": {old}}); resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `id="status-err"`) {
			t.Errorf("old status %s: %d; want 422 beside the field", old, resp.StatusCode)
		}
	}
	if resp, _ := b.post(p, url.Values{"status": {"in_discussion"}, "owner": {"Practice manager"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("in_discussion: %d", resp.StatusCode)
	}
	d, err := e.st.RiskDecision(t.Context(), ws, x.risk)
	if err != nil || d.Status != "in_discussion" {
		t.Fatalf("stored %q, %v; want in_discussion", d.Status, err)
	}
	_, body := b.get(wsPath(ws, "/risks?status=in_discussion"))
	if !strings.Contains(body, x.risk) || strings.Count(body, `<tr`) != 2 {
		t.Errorf("filter by in_discussion does not list exactly the one risk")
	}
	if _, err := e.runAssessment(t.Context(), ws, e.users["A:owner"].ID); err != nil {
		t.Fatal(err)
	}
	_, res, _, _ := e.srv.app.Latest(t.Context(), ws)
	for _, r := range res.Risks {
		if r.ID == x.risk && r.Status != "in_discussion" {
			t.Errorf("after the run %s is %s; want in_discussion", r.ID, r.Status)
		}
	}
}
