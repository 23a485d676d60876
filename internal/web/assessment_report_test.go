package web

import (
	"fmt"
	"html"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var styleHashRE = regexp.MustCompile(`'sha256-[A-Za-z0-9+/]+=*'`)

// TestReportPage: the full report read in the app is the report itself,
// shown in the page (not a download) under a policy that allows its own
// styles by hash and nothing inline besides; reading it is not an export,
// so an auditor's reading adds no export to the audit log. The executive
// summary holds its four parts.
func TestReportPage(t *testing.T) {
	e := newTestEnv(t, filepath.Join(t.TempDir(), "rcmguard.db"))
	ws := e.ws["A"].ID
	a, res, _, err := e.srv.app.Latest(t.Context(), ws)
	if err != nil {
		t.Fatal(err)
	}
	b := e.signIn("A:contributor") // may read assessments, may not export
	resp, body := b.get(wsPath(ws, fmt.Sprintf("/assessments/%d/report", a.ID)))
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("report: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if cd := resp.Header.Get("Content-Disposition"); cd != "" {
		t.Errorf("the report read in the app is sent as a download: %s", cd)
	}
	if !strings.Contains(body, "HIPAA Security Risk Analysis") || !strings.Contains(body, res.Organization.Name) ||
		!strings.Contains(body, `<nav class="app-bar"`) {
		t.Error("the page is not the report with the app's bar")
	}
	policy := resp.Header.Get("Content-Security-Policy")
	src, _, _ := strings.Cut(policy[strings.Index(policy, "style-src"):], ";")
	if strings.Contains(policy, "unsafe-inline") || !strings.Contains(src, "'unsafe-hashes'") ||
		len(styleHashRE.FindAllString(src, -1)) < 3 || !strings.Contains(policy, "script-src 'self'") {
		t.Errorf("report policy: %q", policy)
	}
	if n := strings.Count(body, "<script"); n != 0 {
		t.Errorf("the report page has %d scripts", n)
	}
	// The download is still the audited export, refused to a contributor.
	if resp, _ := b.get(wsPath(ws, fmt.Sprintf("/assessments/%d/report.html", a.ID))); resp.StatusCode != http.StatusForbidden {
		t.Errorf("a contributor's download: %d; want 403", resp.StatusCode)
	}

	resp, body = b.get(wsPath(ws, fmt.Sprintf("/assessments/%d/summary", a.ID)))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("summary: %d", resp.StatusCode)
	}
	for _, want := range []string{`id="posture"`, `id="top"`, `id="fix"`, `id="coverage"`, html.EscapeString(res.Plan[0].Action),
		html.EscapeString(res.Organization.Name)} {
		if !strings.Contains(body, want) {
			t.Errorf("the summary lacks %q", want)
		}
	}
}
