package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"rcmguard/internal/audit"
	"rcmguard/internal/store/storetest"
)

// TestReadOnlyWhileAuditBroken cuts the audit chain's tail under a running
// server. Once its check finds the break, pages still open, with a banner;
// every change, the sign-in included, and every audited read answers 503;
// the chain is never extended.
func TestReadOnlyWhileAuditBroken(t *testing.T) {
	e := newTestEnv(t, filepath.Join(t.TempDir(), "rcmguard.db"))
	ctx := context.Background()
	x := e.idsOf("B")
	b := e.signIn("B:owner")
	token := e.apiToken("B:owner", "B", time.Hour)
	n := e.auditSeq()
	storetest.TamperAudit(t, e.st, fmt.Sprintf(`DELETE FROM audit_log WHERE seq > %d`, n-3),
		fmt.Sprintf(`UPDATE audit_head SET seq = %d, hash = (SELECT hash FROM audit_log WHERE seq = %d)`, n-3, n-3))
	var be *audit.BreakError
	if _, err := e.srv.log.Check(ctx, e.st); !errors.As(err, &be) {
		t.Fatalf("Check: %v; want a break", err)
	}
	head, _ := e.st.AuditHead(ctx)
	_, broken := e.srv.log.Verify(ctx, e.st, nil)
	banner := fmt.Sprintf("The audit log failed verification at entry %d", be.Seq)

	for _, p := range []string{wsPath(e.ws["B"].ID, ""), wsPath(e.ws["B"].ID, "/risks"), "/"} {
		resp, body := b.get(p)
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, banner) {
			t.Errorf("GET %s: %d, banner shown: %v", p, resp.StatusCode, strings.Contains(body, banner))
		}
	}
	anon := e.newBrowser()
	if _, body := anon.get("/login"); !strings.Contains(body, banner) {
		t.Error("the sign-in page does not show the banner")
	}
	resp, body := anon.post("/login", map[string][]string{"email": {e.users["A:owner"].Email}, "password": {testPassword}})
	if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(body, "Changes are disabled") {
		t.Errorf("sign-in while read-only: %d", resp.StatusCode)
	}
	for _, rt := range e.srv.routes {
		if safeMethod(rt.method) {
			continue
		}
		if resp, body := b.post(x.path(rt.path), nil); resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(body, banner) {
			t.Errorf("POST %s while read-only: %d, banner shown: %v", rt.path, resp.StatusCode, strings.Contains(body, banner))
		}
	}
	// An export is audited, so it cannot be recorded either.
	if resp, _ := b.get(x.path("/w/{ws}/assessments/{a}/report.html")); resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("audited export while read-only: %d; want 503", resp.StatusCode)
	}
	for _, rt := range e.srv.apiRouteTable() {
		if safeMethod(rt.method) {
			continue
		}
		ct, data := e.apiWriteBody(rt.method + " " + rt.path)
		resp, body := e.apiDo(token, rt.method, x.path(strings.Replace(rt.path, "{ws}", itoa(e.ws["B"].ID), 1)), ct, data)
		if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(string(body), "changes are disabled") {
			t.Errorf("API %s %s while read-only: %d %s", rt.method, rt.path, resp.StatusCode, body)
		}
	}
	if resp, _ := e.apiGet(token, "/api/v1/workspaces/"+itoa(e.ws["B"].ID)+"/risks"); resp.StatusCode != http.StatusOK {
		t.Errorf("API read while read-only: %d", resp.StatusCode)
	}
	after, _ := e.st.AuditHead(ctx)
	_, still := e.srv.log.Verify(ctx, e.st, nil)
	if after != head || fmt.Sprint(still) != fmt.Sprint(broken) {
		t.Errorf("the chain changed while read-only: head %+v -> %+v, verify %v -> %v", head, after, broken, still)
	}
}
