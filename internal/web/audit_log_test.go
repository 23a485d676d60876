package web

import (
	"context"
	"encoding/csv"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"rcmguard/internal/audit"
	"rcmguard/internal/store"
)

// putAudit appends an entry to a workspace's log at the clock's time.
func (e *testEnv) putAudit(ws int64, actor string, action audit.Action, object string, details map[string]any) {
	e.t.Helper()
	ctx := context.Background()
	err := e.st.InTx(ctx, func(tx *store.Tx) error {
		_, err := e.srv.log.Append(ctx, tx, audit.Event{At: e.clock.now(), Actor: audit.Actor(actor), WorkspaceID: ws,
			Action: action, Object: object, Details: details})
		return err
	})
	if err != nil {
		e.t.Fatal(err)
	}
}

// TestAuditLogPage reads the log as a compliance officer would: in words,
// filtered on the server, a hostile detail shown as text, another
// tenant's entries never, and the CSV of what is shown.
func TestAuditLogPage(t *testing.T) {
	e := newTestEnv(t, t.TempDir()+"/rcmguard.db")
	wsA, wsB := e.ws["A"].ID, e.ws["B"].ID
	ownerA, ownerB := string(audit.UserActor(e.users["A:owner"].ID)), string(audit.UserActor(e.users["B:owner"].ID))
	e.clock.advance(24 * 3600e9) // 28 November
	e.putAudit(wsA, ownerA, audit.RiskDecide, "risk:TEC-03@x", map[string]any{"owner": `<script>alert("owner")</script>`})
	e.putAudit(wsB, ownerB, audit.RiskDecide, "risk:B-SECRET", map[string]any{"owner": "tenant B only"})
	// An entry in A by a person of tenant B (a membership since ended) shows; their B entries never.
	e.putAudit(wsA, ownerB, audit.ModelExport, "workspace:1/model", nil)

	b := e.signIn("A:compliance_officer")
	_, body := b.get(wsPath(wsA, "/audit"))
	if strings.Contains(body, "<script>alert") || !strings.Contains(body, "Owner: &lt;script&gt;alert(&#34;owner&#34;)&lt;/script&gt;") {
		t.Errorf("the detail was not shown escaped, as text:\n%s", body)
	}
	for _, want := range []string{"Decided on a risk", "a-owner@example.org", "Times are in UTC", "Exported the model"} {
		if !strings.Contains(body, want) {
			t.Errorf("the log does not show %q", want)
		}
	}
	for _, p := range []string{"/audit", "/audit?actor=" + url.QueryEscape(ownerB), "/audit/export.csv", "/audit/export.csv?actor=" + url.QueryEscape(ownerB)} {
		_, body := b.get(wsPath(wsA, p))
		if strings.Contains(body, "B-SECRET") || strings.Contains(body, "tenant B only") {
			t.Errorf("GET %s shows another workspace's entry", p)
		}
	}

	q := "?actor=" + url.QueryEscape(ownerA) + "&action=risk.decide&from=2026-11-28&to=2026-11-28"
	_, body = b.get(wsPath(wsA, "/audit"+q))
	if strings.Count(body, "Decided on a risk</td>") != 1 || strings.Contains(body, "Exported the model</td>") {
		t.Errorf("filtered to the owner's decisions on 28 November:\n%s", body)
	}
	// The CSV link carries the filters as a query, not percent-escaped into
	// one opaque string (html/template escapes "=" and "&" after "?").
	if !strings.Contains(body, `/audit/export.csv?action=risk.decide&amp;actor=`) {
		t.Errorf("the CSV link does not carry the filters:\n%s", body)
	}
	_, body = b.get(wsPath(wsA, "/audit?action=risk.decide&to=2026-11-27"))
	if strings.Contains(body, "Decided on a risk</td>") {
		t.Error("filtered to before 28 November, the decision of the 28th is listed")
	}
	resp, body := b.get(wsPath(wsA, "/audit?from=yesterday"))
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "From: &#34;yesterday&#34; is not a date") {
		t.Errorf("a bad date: %d, without a message saying which field", resp.StatusCode)
	}

	before := e.auditSeq()
	resp, body = b.get(wsPath(wsA, "/audit/export.csv"+q))
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("export: %d %q", resp.StatusCode, resp.Header.Get("Content-Disposition"))
	}
	recs, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil || len(recs) != 2 || recs[1][2] != "a-owner@example.org" || recs[1][6] != `Owner: <script>alert("owner")</script>` {
		t.Errorf("export parsed back: %q, %v", recs, err)
	}
	if e.auditSeq() != before+1 || e.lastAudit().Action != string(audit.AuditExport) {
		t.Errorf("the export was not recorded: %+v", e.lastAudit())
	}
	if resp, _ := e.signIn("A:contributor").get(wsPath(wsA, "/audit/export.csv")); resp.StatusCode != http.StatusForbidden {
		t.Errorf("a contributor's export: %d", resp.StatusCode)
	}
}
