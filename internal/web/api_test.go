package web

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/goccy/go-yaml"

	"rcmguard/internal/auth"
)

// apiGet calls the API with a bearer token ("" for none).
func (e *testEnv) apiGet(token, path string) (*http.Response, []byte) {
	e.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, e.ts.URL+path, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

func (e *testEnv) apiToken(user, tenant string, ttl time.Duration) string {
	e.t.Helper()
	secret, _, err := e.auth.CreateAPIToken(context.Background(), e.users[user].ID, e.ws[tenant].ID, "api-test-"+errorID(), ttl, "test", e.clock.now())
	if err != nil {
		e.t.Fatal(err)
	}
	return secret
}

// apiAllowed is the API's expected permission table, by hand as for pages.
var apiAllowed = map[string][]auth.Role{
	"GET /api/v1/workspaces":                            everyone,
	"GET /api/v1/workspaces/{ws}":                       everyone,
	"GET /api/v1/workspaces/{ws}/assessments":           everyone,
	"GET /api/v1/workspaces/{ws}/assessments/{a}":       {auth.RoleOwner, auth.RoleComplianceOfficer, auth.RoleAuditor},
	"GET /api/v1/workspaces/{ws}/risks":                 everyone,
	"PUT /api/v1/workspaces/{ws}/model":                 editors,
	"POST /api/v1/workspaces/{ws}/assessments":          officers,
	"PUT /api/v1/workspaces/{ws}/risks/{risk}/decision": editors,
	"POST /api/v1/workspaces/{ws}/risks/{risk}/review":  officers,
	"POST /api/v1/workspaces/{ws}/evidence":             editors,
	"GET /api/v1/workspaces/{ws}/evidence":              everyone,
	"GET /api/v1/workspaces/{ws}/evidence/{set}":        everyone,
	"DELETE /api/v1/workspaces/{ws}/evidence/{set}":     editors,

	"GET /api/v1/workspaces/{ws}/assessments/{a}/export/{format}": {auth.RoleOwner, auth.RoleComplianceOfficer, auth.RoleAuditor},
	"GET /api/v1/workspaces/{ws}/incidents":                       everyone,
	"GET /api/v1/workspaces/{ws}/incidents/{inc}":                 everyone,
	"POST /api/v1/workspaces/{ws}/incidents":                      editors,
}

func TestAPIRolesAndTenants(t *testing.T) {
	e := newTestEnv(t, filepath.Join(t.TempDir(), "rcmguard.db"))
	x, a := e.idsOf("B"), e.idsOf("A")
	routes := e.srv.apiRouteTable()
	if len(routes) != len(apiAllowed) {
		t.Fatalf("API table has %d routes, expected table %d", len(routes), len(apiAllowed))
	}
	for _, role := range auth.Roles {
		tok := e.apiToken("B:"+string(role), "B", time.Hour)
		for _, rt := range routes {
			roles, ok := apiAllowed[rt.method+" "+rt.path]
			if !ok {
				t.Fatalf("API route %s %s has no expected row", rt.method, rt.path)
			}
			want := false
			for _, r := range roles {
				want = want || r == role
			}
			if strings.Contains(rt.path, "{set}") {
				// A set of its own for each call: an allowed delete
				// removes the one before.
				x.set, a.set = e.newEvidenceSet("B"), e.newEvidenceSet("A")
			}
			if strings.HasSuffix(rt.path, "/review") {
				// A closure waiting for each call: an allowed review
				// settles the one before.
				e.proposeClosure("B", x.risk)
			}
			ct, reqBody := e.apiWriteBody(rt.method + " " + rt.path)
			resp, body := e.apiDo(tok, rt.method, x.path(rt.path), ct, reqBody)
			done := resp.StatusCode == http.StatusOK || resp.StatusCode == http.StatusCreated || resp.StatusCode == http.StatusNoContent
			if done != want || (!want && resp.StatusCode != http.StatusForbidden) {
				t.Errorf("%s %s as %s: %d %s; want allowed=%v", rt.method, rt.path, role, resp.StatusCode, body, want)
			}
			checkHeaders(t, "api "+rt.path, resp.Header, false)
			wantCT := "application/json"
			if strings.HasSuffix(rt.path, "/export/{format}") && done {
				wantCT = "text/csv; charset=utf-8" // the file asked for: {format} is csv here
			}
			if ct := resp.Header.Get("Content-Type"); resp.StatusCode != http.StatusNoContent && ct != wantCT {
				t.Errorf("%s %s: Content-Type %q", rt.method, rt.path, ct)
			}
			// The same token on another tenant's workspace, or mixing in
			// another tenant's assessment, finds nothing.
			if strings.Contains(rt.path, "{ws}") {
				if resp, _ := e.apiDo(tok, rt.method, a.path(rt.path), ct, reqBody); resp.StatusCode != http.StatusNotFound {
					t.Errorf("%s %s of tenant A with a tenant B token: %d; want 404", rt.method, rt.path, resp.StatusCode)
				}
			}
		}
	}
	tok := e.apiToken("B:owner", "B", time.Hour)
	mixed := x
	mixed.a = a.a
	if resp, _ := e.apiGet(tok, mixed.path("/api/v1/workspaces/{ws}/assessments/{a}")); resp.StatusCode != http.StatusNotFound {
		t.Errorf("tenant A's assessment through tenant B's workspace: %d; want 404", resp.StatusCode)
	}
	// A token is for its own workspace only, even where its user is a member elsewhere.
	if resp, _ := e.apiGet(tok, "/api/v1/workspaces/"+itoa(e.ws["C"].ID)); resp.StatusCode != http.StatusNotFound {
		t.Errorf("token used on its user's other workspace: %d; want 404", resp.StatusCode)
	}
}

func TestAPIAuthentication(t *testing.T) {
	e := newTestEnv(t, filepath.Join(t.TempDir(), "rcmguard.db"))
	x := e.idsOf("A")
	path := x.path("/api/v1/workspaces/{ws}/risks")
	for name, tok := range map[string]string{"no token": "", "unknown token": "rcmg_nope"} {
		resp, body := e.apiGet(tok, path)
		if resp.StatusCode != http.StatusUnauthorized || !strings.HasPrefix(resp.Header.Get("WWW-Authenticate"), "Bearer") {
			t.Errorf("%s: %d %q %s; want 401 with a Bearer challenge", name, resp.StatusCode, resp.Header.Get("WWW-Authenticate"), body)
		}
	}
	// A browser session is no way into the API.
	b := e.signIn("A:owner")
	resp, err := b.c.Get(e.ts.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("API with a session cookie: %d; want 401", resp.StatusCode)
	}
	tok := e.apiToken("A:auditor", "A", time.Hour)
	req, _ := http.NewRequest(http.MethodPost, e.ts.URL+path, strings.NewReader("status=accepted"))
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != http.StatusMethodNotAllowed || resp.Header.Get("Allow") != "GET" {
		t.Errorf("POST to a read-only endpoint: %v %v; want 405 allowing GET", resp.StatusCode, err)
	}
	resp2, body := e.apiGet(tok, path+"?level=high")
	var list apiRiskList
	if err := json.Unmarshal(body, &list); err != nil || resp2.StatusCode != http.StatusOK || len(list.Risks) == 0 {
		t.Fatalf("risks: %d %v %s", resp2.StatusCode, err, body)
	}
	for _, r := range list.Risks {
		if r.Level != "high" {
			t.Errorf("level filter let %s (%s) through", r.ID, r.Level)
		}
	}
	before := e.auditSeq()
	resp2, body = e.apiGet(tok, x.path("/api/v1/workspaces/{ws}/assessments/{a}"))
	if resp2.StatusCode != http.StatusOK || !strings.Contains(string(body), `"schema": "rcmguard.assessment/v2"`) {
		t.Errorf("full result: %d %.200s", resp2.StatusCode, body)
	}
	if e.auditSeq() != before+1 {
		t.Error("the API export of a result was not audited")
	}
	e.clock.advance(time.Hour + time.Second)
	if resp, _ := e.apiGet(tok, path); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("expired token: %d; want 401", resp.StatusCode)
	}
}

// TestTokenPage creates a token in the browser, uses it, and revokes it.
func TestTokenPage(t *testing.T) {
	e := newTestEnv(t, filepath.Join(t.TempDir(), "rcmguard.db"))
	ws := e.ws["A"].ID
	b := e.signIn("A:compliance_officer")
	b.get(wsPath(ws, "/tokens"))
	resp, body := b.post(wsPath(ws, "/tokens"), map[string][]string{"name": {""}, "days": {"400"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `id="name-err"`) || !strings.Contains(body, `id="days-err"`) {
		t.Errorf("invalid token form: %d", resp.StatusCode)
	}
	resp, body = b.post(wsPath(ws, "/tokens"), map[string][]string{"name": {"nightly export"}, "days": {"30"}})
	_, after, ok := strings.Cut(body, `id="new-token">`)
	secret, _, _ := strings.Cut(after, "<")
	if resp.StatusCode != http.StatusOK || !ok || !strings.HasPrefix(secret, "rcmg_") {
		t.Fatalf("token not shown once created: %d", resp.StatusCode)
	}
	if resp, _ := e.apiGet(secret, "/api/v1/workspaces/"+itoa(ws)); resp.StatusCode != http.StatusOK {
		t.Fatalf("new token: %d", resp.StatusCode)
	}
	if _, body = b.get(wsPath(ws, "/tokens")); strings.Contains(body, secret) {
		t.Error("the token list shows the secret again")
	}
	ts, _ := e.st.APITokens(context.Background(), ws)
	if len(ts) != 1 {
		t.Fatalf("%d tokens stored; want 1", len(ts))
	}
	if resp, _ = b.post(wsPath(ws, "/tokens/"+itoa(ts[0].ID)+"/delete"), nil); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("revoke: %d", resp.StatusCode)
	}
	if resp, _ := e.apiGet(secret, "/api/v1/workspaces/"+itoa(ws)); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("revoked token: %d; want 401", resp.StatusCode)
	}
}

// TestOpenAPIDescribesEveryRoute keeps docs/openapi.yaml in step with the
// API route table: every route is described, nothing is described that is
// not a route, and every operation on a workspace documents the answers
// the API policy gives before any handler runs.
func TestOpenAPIDescribesEveryRoute(t *testing.T) {
	doc, err := os.ReadFile("../../docs/openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var s Server
	routes := map[string]bool{}
	for _, rt := range s.apiRouteTable() {
		routes[strings.ToLower(rt.method)+" "+rt.path] = true
	}
	var spec struct {
		Paths map[string]map[string]any `yaml:"paths"`
	}
	if err := yaml.Unmarshal(doc, &spec); err != nil {
		t.Fatalf("docs/openapi.yaml: %v", err)
	}
	described := 0
	for path, ops := range spec.Paths {
		for method, v := range ops {
			switch method {
			case "get", "put", "post", "delete", "patch", "head", "options", "trace":
			default:
				continue // path-level parameters, summary
			}
			described++
			op, _ := v.(map[string]any)
			responses, _ := op["responses"].(map[string]any)
			if !routes[method+" "+path] {
				t.Errorf("docs/openapi.yaml describes %s %s, which the API does not serve", strings.ToUpper(method), path)
			}
			want := []string{"401"}
			if strings.Contains(path, "{ws}") {
				want = append(want, "403", "404")
			}
			for _, code := range want {
				if _, ok := responses[code]; !ok || op["operationId"] == nil {
					t.Errorf("docs/openapi.yaml: %s %s lacks an operationId or the %s answer", strings.ToUpper(method), path, code)
				}
			}
		}
	}
	if described != len(routes) {
		t.Errorf("docs/openapi.yaml describes %d operations; the API serves %d", described, len(routes))
	}
	for _, rt := range s.apiRouteTable() {
		_, block, ok := strings.Cut(string(doc), "\n  "+rt.path+":\n")
		if !ok {
			t.Errorf("docs/openapi.yaml does not describe %s", rt.path)
			continue
		}
		// The path's block ends where the next path begins.
		if i := strings.Index(block, "\n  /"); i >= 0 {
			block = block[:i]
		}
		if !strings.Contains("\n"+block, "\n    "+strings.ToLower(rt.method)+":\n") {
			t.Errorf("docs/openapi.yaml does not describe %s %s", rt.method, rt.path)
		}
	}
}
