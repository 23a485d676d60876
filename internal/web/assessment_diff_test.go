package web

import (
	"context"
	"strings"
	"testing"

	"rcmguard/internal/app"
	"rcmguard/internal/risk"
	"rcmguard/internal/store"
)

// TestDiffShowsDecisionChanges decides two risks between two assessments:
// the comparison, opened without picking versions, compares the two latest
// and lists each decision's status, owner, due date and approver as they
// were and are, not only new, resolved and re-rated risks.
func TestDiffShowsDecisionChanges(t *testing.T) {
	e := newTestEnv(t, t.TempDir()+"/rcmguard.db")
	ctx := context.Background()
	ws := e.ws["A"].ID
	owner := e.users["A:owner"]
	_, res, _, err := e.srv.app.Latest(ctx, ws)
	if err != nil || len(res.Risks) < 3 {
		t.Fatalf("latest assessment: %v, %d risks", err, len(res.Risks))
	}
	accepted, planned, untouched := res.Risks[0], res.Risks[1], res.Risks[2]
	who, sc := actAs(t, e.srv, owner.ID, ws)
	for id, d := range map[string]app.Decision{
		accepted.ID: {Status: risk.Accepted, Justification: "Cost exceeds the benefit.", Expires: "2027-06-30"},
		planned.ID:  {Status: risk.InProgress, Owner: "Dana Office Manager", Due: "2027-01-15"},
	} {
		if _, err := e.srv.app.DecideRisk(ctx, who, sc, id, d); err != nil {
			t.Fatalf("decide %s: %v", id, err)
		}
	}
	// A third assessment makes sure the default is the two latest, not
	// the first and the last.
	if _, err := e.runAssessment(ctx, ws, owner.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.runAssessment(ctx, ws, owner.ID); err != nil {
		t.Fatal(err)
	}
	c, err := e.srv.app.CompareAssessments(ctx, who, sc, mustHead(t, e, ws, 1).ID, mustHead(t, e, ws, 2).ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Decisions) != 2 {
		t.Fatalf("decision changes between v1 and v2: %+v; want the two decided risks", c.Decisions)
	}

	b := e.signIn("A:auditor")
	_, body := b.get(wsPath(ws, "/assessments/diff"))
	if !strings.Contains(body, `selected>v3`) || !strings.Contains(body, "From v2 to v3") {
		t.Errorf("the compare form does not default to the two latest versions (v2 → v3):\n%s", body)
	}
	_, body = b.get(wsPath(ws, "/assessments/diff?from="+itoa(mustHead(t, e, ws, 1).ID)+"&to="+itoa(mustHead(t, e, ws, 2).ID)))
	_, dec, ok := strings.Cut(body, "Changed decisions")
	if !ok {
		t.Fatalf("no decision section:\n%s", body)
	}
	for _, want := range []string{
		accepted.ID, "Accepted", "Approved by", owner.Email, "Acceptance expires", "2027-06-30",
		planned.ID, "Mitigation in progress", "Dana Office Manager", "Due date", "2027-01-15",
	} {
		if !strings.Contains(dec, want) {
			t.Errorf("the decision changes do not show %q:\n%s", want, dec)
		}
	}
	if strings.Contains(dec, untouched.ID) {
		t.Errorf("an undecided risk %s is listed as a changed decision", untouched.ID)
	}
}

// mustHead returns the workspace's assessment of version n.
func mustHead(t *testing.T, e *testEnv, ws int64, n int) (a store.Assessment) {
	t.Helper()
	heads, err := e.st.AssessmentHeads(context.Background(), ws)
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range heads {
		if h.Version == n {
			return h
		}
	}
	t.Fatalf("workspace %d has no v%d", ws, n)
	return a
}
