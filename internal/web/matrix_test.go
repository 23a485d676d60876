package web

import (
	"context"
	"net/http"
	"net/url"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"rcmguard/internal/auth"
)

// allowed is the expected permission table, written out by hand rather
// than derived from auth.Can, so that a change of a route's action or of
// the matrix shows up here. A route missing from it fails the test.
var allowed = map[string][]auth.Role{
	"GET /{$}":                                   everyone,
	"POST /logout":                               everyone,
	"GET /account":                               everyone,
	"GET /workspaces/new":                        {auth.RoleOwner},
	"POST /workspaces":                           {auth.RoleOwner},
	"GET /w/{ws}/setup":                          editors,
	"POST /w/{ws}/setup":                         editors,
	"POST /w/{ws}/setup/build":                   editors,
	"GET /w/{ws}/setup/{step}":                   editors,
	"POST /w/{ws}/setup/{step}":                  editors,
	"POST /account/password":                     everyone,
	"POST /account/recovery-codes":               everyone,
	"POST /account/sessions/end-others":          everyone,
	"POST /account/keys/options":                 everyone,
	"POST /account/keys":                         everyone,
	"POST /account/keys/remove":                  everyone,
	"GET /w/{ws}":                                everyone,
	"GET /w/{ws}/portfolio":                      everyone,
	"GET /w/{ws}/model":                          everyone,
	"GET /w/{ws}/model/export":                   {auth.RoleOwner, auth.RoleComplianceOfficer, auth.RoleAuditor},
	"POST /w/{ws}/model/import":                  editors,
	"GET /w/{ws}/model/organization":             everyone,
	"POST /w/{ws}/model/organization":            editors,
	"GET /w/{ws}/model/flows/new":                editors,
	"POST /w/{ws}/model/flows":                   editors,
	"GET /w/{ws}/model/flows/{flow}":             everyone,
	"POST /w/{ws}/model/flows/{flow}":            editors,
	"POST /w/{ws}/model/flows/{flow}/delete":     editors,
	"GET /w/{ws}/model/s/{section}":              everyone,
	"GET /w/{ws}/model/s/{section}/new":          editors,
	"POST /w/{ws}/model/s/{section}":             editors,
	"GET /w/{ws}/model/s/{section}/{id}":         everyone,
	"POST /w/{ws}/model/s/{section}/{id}":        editors,
	"POST /w/{ws}/model/s/{section}/{id}/delete": editors,
	"GET /w/{ws}/assessments":                    everyone,
	"POST /w/{ws}/assessments":                   officers,
	"GET /w/{ws}/assessments/diff":               everyone,
	"GET /w/{ws}/assessments/{a}":                everyone,
	"POST /w/{ws}/assessments/{a}/signoff":       officers,
	"GET /w/{ws}/assessments/{a}/summary":        everyone,
	"GET /w/{ws}/assessments/{a}/report":         everyone,
	"GET /w/{ws}/assessments/{a}/report.html":    {auth.RoleOwner, auth.RoleComplianceOfficer, auth.RoleAuditor},
	"GET /w/{ws}/assessments/{a}/result.json":    {auth.RoleOwner, auth.RoleComplianceOfficer, auth.RoleAuditor},
	"GET /w/{ws}/risks":                          everyone,
	"GET /w/{ws}/risks/{risk}":                   everyone,
	"POST /w/{ws}/risks/{risk}":                  editors,
	"POST /w/{ws}/risks/{risk}/review":           officers,
	"POST /w/{ws}/risks/{risk}/assign":           officers,
	"GET /w/{ws}/plan":                           everyone,
	"GET /w/{ws}/evidence":                       everyone,
	"POST /w/{ws}/evidence":                      editors,
	"GET /w/{ws}/evidence/{set}":                 everyone,
	"POST /w/{ws}/evidence/{set}/delete":         editors,
	"GET /w/{ws}/audit":                          {auth.RoleOwner, auth.RoleComplianceOfficer, auth.RoleAuditor},
	"GET /w/{ws}/audit/export.csv":               {auth.RoleOwner, auth.RoleComplianceOfficer, auth.RoleAuditor},
	"GET /w/{ws}/tokens":                         officers,
	"GET /w/{ws}/members":                        {auth.RoleOwner},
	"POST /w/{ws}/members":                       {auth.RoleOwner},
	"POST /w/{ws}/members/{user}/remove":         {auth.RoleOwner},
	"POST /w/{ws}/members/{user}/assignments":    {auth.RoleOwner},
	"POST /w/{ws}/clients":                       {auth.RoleOwner},
	"POST /w/{ws}/tokens":                        officers,
	"POST /w/{ws}/tokens/{token}/delete":         officers,

	"GET /w/{ws}/incidents":                              everyone,
	"GET /w/{ws}/incidents/new":                          editors,
	"POST /w/{ws}/incidents":                             editors,
	"GET /w/{ws}/incidents/{inc}":                        everyone,
	"GET /w/{ws}/incidents/log":                          everyone,
	"GET /w/{ws}/incidents/{inc}/notices":                everyone,
	"GET /w/{ws}/incidents/{inc}/hhs-portal.csv":         {auth.RoleOwner, auth.RoleComplianceOfficer, auth.RoleAuditor},
	"GET /w/{ws}/incidents/{inc}/hhs-portal.json":        {auth.RoleOwner, auth.RoleComplianceOfficer, auth.RoleAuditor},
	"GET /w/{ws}/incidents/{inc}/edit":                   editors,
	"POST /w/{ws}/incidents/{inc}":                       editors,
	"POST /w/{ws}/incidents/{inc}/notes":                 editors,
	"POST /w/{ws}/incidents/{inc}/status":                officers,
	"POST /w/{ws}/incidents/{inc}/playbook":              editors,
	"POST /w/{ws}/incidents/{inc}/checklist":             editors,
	"POST /w/{ws}/incidents/{inc}/files":                 editors,
	"GET /w/{ws}/incidents/{inc}/files/{file}/download":  everyone,
	"GET /w/{ws}/incidents/{inc}/assessment":             officers,
	"POST /w/{ws}/incidents/{inc}/assessment":            officers,
	"POST /w/{ws}/incidents/{inc}/actions":               editors,
	"POST /w/{ws}/incidents/{inc}/actions/{action}/done": editors,

	"POST /w/{ws}/members/invitations/{invitation}/revoke": {auth.RoleOwner},
	"POST /w/{ws}/members/invitations/{invitation}/resend": {auth.RoleOwner},

	// The register, the plan, the workspaces and their downloads (register helper).
	"GET /w/{ws}/assessments/{a}/export/{format}": {auth.RoleOwner, auth.RoleComplianceOfficer, auth.RoleAuditor},
	"POST /w/{ws}/risks/bulk":                     editors,
	"GET /w/{ws}/register.csv":                    {auth.RoleOwner, auth.RoleComplianceOfficer, auth.RoleAuditor},
	"GET /w/{ws}/register.xlsx":                   {auth.RoleOwner, auth.RoleComplianceOfficer, auth.RoleAuditor},
	"POST /w/{ws}/risks/views":                    everyone,
	"POST /w/{ws}/risks/views/delete":             everyone,
	"GET /w/{ws}/plan.csv":                        {auth.RoleOwner, auth.RoleComplianceOfficer, auth.RoleAuditor},
	"GET /w/{ws}/plan.xlsx":                       {auth.RoleOwner, auth.RoleComplianceOfficer, auth.RoleAuditor},
	"POST /w/{ws}/plan/views":                     everyone,
	"POST /w/{ws}/plan/views/delete":              everyone,
	"GET /my-work":                                everyone,
	"GET /w/{ws}/clients/risks":                   everyone,
	"GET /w/{ws}/clients/plan":                    everyone,
}

var (
	everyone = auth.Roles
	editors  = []auth.Role{auth.RoleOwner, auth.RoleComplianceOfficer, auth.RoleContributor}
	officers = []auth.Role{auth.RoleOwner, auth.RoleComplianceOfficer}
)

// ids are the concrete values substituted into route patterns.
type ids struct {
	ws, a, flow, risk, section, id, token, user string
	set                                         string // an evidence set
	invitation                                  string // a pending invitation's ID
	invite                                      string // another pending invitation's link token
	inc, file                                   string // an open incident and a piece of its evidence
}

func (e *testEnv) idsOf(tenant string) ids {
	e.t.Helper()
	ctx := context.Background()
	a, res, ok, err := e.srv.app.Latest(ctx, e.ws[tenant].ID)
	if err != nil || !ok || len(res.Risks) == 0 {
		e.t.Fatalf("tenant %s has no assessment with risks: %v", tenant, err)
	}
	_, m, _, err := e.srv.app.CurrentModel(ctx, e.ws[tenant].ID)
	if err != nil {
		e.t.Fatal(err)
	}
	inc, file := e.newIncident(tenant, tenant)
	return ids{ws: itoa(e.ws[tenant].ID), a: itoa(a.ID), flow: m.Flows[len(m.Flows)-1].ID, risk: res.Risks[0].ID,
		section: "policies", id: m.Policies[len(m.Policies)-1].ID, token: e.newToken(tenant+":owner", tenant),
		user: e.extraMember(tenant), set: e.newEvidenceSet(tenant), invitation: itoa(e.newInvitation(tenant).ID),
		invite: e.newInvitationLink(tenant), inc: inc, file: file}
}

func (x ids) path(pattern string) string {
	return strings.NewReplacer("/invite/{token}", "/invite/"+x.invite, "{ws}", x.ws, "{a}", x.a, "{flow}", url.PathEscape(x.flow),
		"{risk}", url.PathEscape(x.risk), "{section}", x.section, "{id}", url.PathEscape(x.id), "{token}", x.token, "{user}", x.user, "{set}", x.set, "{invitation}", x.invitation, "{format}", "csv",
		"{inc}", x.inc, "{file}", x.file, "{action}", "1", "{$}", "").Replace(pattern)
}

// routeKeys lists the route table's "METHOD pattern" keys, state-changing
// routes last so that a deletion does not hide a later check.
func (s *Server) routeKeys(kinds ...routeKind) []string {
	var get, post, del []string
	for _, rt := range s.routes {
		for _, k := range kinds {
			if rt.kind != k {
				continue
			}
			key := rt.method + " " + rt.path
			switch {
			case rt.method == http.MethodGet:
				get = append(get, key)
			case strings.HasSuffix(rt.path, "/delete"):
				del = append(del, key)
			default:
				post = append(post, key)
			}
		}
	}
	sort.Strings(get)
	return append(append(get, post...), del...)
}

func TestRouteRoleMatrix(t *testing.T) {
	e := newTestEnv(t, filepath.Join(t.TempDir(), "rcmguard.db"))
	keys := e.srv.routeKeys(signedIn, workspace)
	for _, k := range keys {
		if _, ok := allowed[k]; !ok {
			t.Errorf("route %s has no row in the expected permission table", k)
		}
	}
	if len(keys) != len(allowed) {
		t.Errorf("permission table has %d rows for %d routes", len(allowed), len(keys))
	}
	x := e.idsOf("B")
	for _, role := range auth.Roles {
		x := e.idsOf("B") // the previous role may have deleted the flow
		b := e.signIn("B:" + string(role))
		for _, k := range keys {
			method, pattern, _ := strings.Cut(k, " ")
			want := false
			for _, r := range allowed[k] {
				want = want || r == role
			}
			if k == "POST /logout" {
				continue // checked below: it ends the session the loop needs
			}
			var resp *http.Response
			if method == http.MethodGet {
				resp, _ = b.get(x.path(pattern))
			} else {
				resp, _ = b.post(x.path(pattern), nil)
			}
			denied := resp.StatusCode == http.StatusForbidden || resp.StatusCode == http.StatusNotFound ||
				(resp.StatusCode == http.StatusSeeOther && strings.HasPrefix(resp.Header.Get("Location"), "/login"))
			if denied == want {
				t.Errorf("%s as %s: status %d (location %q); want allowed=%v", k, role, resp.StatusCode, resp.Header.Get("Location"), want)
			}
			if !want && resp.StatusCode != http.StatusForbidden {
				t.Errorf("%s as %s: denied with %d; want 403", k, role, resp.StatusCode)
			}
		}
		resp, _ := b.post("/logout", nil)
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/login" {
			t.Errorf("POST /logout as %s: %d %q; want 303 to /login", role, resp.StatusCode, resp.Header.Get("Location"))
		}
		if resp, _ := b.get(x.path("/w/{ws}")); resp.StatusCode != http.StatusSeeOther {
			t.Errorf("after logout as %s the dashboard answered %d; want a redirect to sign in", role, resp.StatusCode)
		}
	}
	// Without a session every protected route sends the visitor to sign in.
	anon := e.newBrowser()
	anon.get("/login")
	for _, k := range keys {
		method, pattern, _ := strings.Cut(k, " ")
		var resp *http.Response
		if method == http.MethodGet {
			resp, _ = anon.get(x.path(pattern))
		} else {
			resp, _ = anon.post(x.path(pattern), nil)
		}
		if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login") {
			t.Errorf("%s without a session: %d %q; want 303 to /login", k, resp.StatusCode, resp.Header.Get("Location"))
		}
	}
}

// TestTenantIsolation has a member of tenant A try every workspace route
// with tenant B's workspace ID, and A's workspace with B's object IDs.
func TestTenantIsolation(t *testing.T) {
	e := newTestEnv(t, filepath.Join(t.TempDir(), "rcmguard.db"))
	a, bIDs := e.idsOf("A"), e.idsOf("B")
	b := e.signIn("A:owner")
	before := e.auditSeq()
	for _, k := range e.srv.routeKeys(workspace) {
		method, pattern, _ := strings.Cut(k, " ")
		probes := []string{bIDs.path(pattern)}
		if strings.Contains(pattern, "{a}") {
			mixed := a
			mixed.a = bIDs.a
			probes = append(probes, mixed.path(pattern))
		}
		if strings.Contains(pattern, "{set}") {
			mixed := a
			mixed.set = bIDs.set
			probes = append(probes, mixed.path(pattern))
		}
		if strings.Contains(pattern, "{inc}") {
			mixed := a
			mixed.inc, mixed.file = bIDs.inc, bIDs.file
			probes = append(probes, mixed.path(pattern))
		}
		if strings.Contains(pattern, "{invitation}") {
			mixed := a
			mixed.invitation = bIDs.invitation
			probes = append(probes, mixed.path(pattern))
		}
		for _, p := range probes {
			var resp *http.Response
			if method == http.MethodGet {
				resp, _ = b.get(p)
			} else {
				resp, _ = b.post(p, nil)
			}
			if resp.StatusCode != http.StatusNotFound {
				t.Errorf("%s %s as tenant A's owner: %d; want 404", method, p, resp.StatusCode)
			}
		}
	}
	for _, q := range []string{"?from=" + bIDs.a + "&to=" + a.a, "?from=" + a.a + "&to=" + bIDs.a} {
		if resp, _ := b.get(a.path("/w/{ws}/assessments/diff") + q); resp.StatusCode != http.StatusNotFound {
			t.Errorf("diff with tenant B's assessment %s: %d; want 404", q, resp.StatusCode)
		}
	}
	if after := e.auditSeq(); after != before {
		t.Errorf("probes changed state: audit head moved from %d to %d", before, after)
	}
}

func (e *testEnv) auditSeq() int64 {
	e.t.Helper()
	h, err := e.st.AuditHead(context.Background())
	if err != nil {
		e.t.Fatal(err)
	}
	return h.Seq
}

// newToken issues an API token for a user in a tenant's workspace and
// returns its ID.
func (e *testEnv) newToken(user, tenant string) string {
	e.t.Helper()
	_, k, err := e.auth.CreateAPIToken(context.Background(), e.users[user].ID, e.ws[tenant].ID, "t"+errorID(), 24*time.Hour, "test", e.clock.now())
	if err != nil {
		e.t.Fatal(err)
	}
	return itoa(k.ID)
}

// extraMember adds a throw-away contributor to a tenant's workspace, for
// routes that remove a member, and returns its user ID.
func (e *testEnv) extraMember(tenant string) string {
	e.t.Helper()
	u, _, err := e.auth.CreateUser(context.Background(), auth.NewUser{Email: "extra-" + errorID() + "@example.org",
		Password: testPassword, Workspace: e.ws[tenant].Name, Role: auth.RoleContributor, Actor: "test"}, e.clock.now())
	if err != nil {
		e.t.Fatal(err)
	}
	return itoa(u.ID)
}
