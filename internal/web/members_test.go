package web

import (
	"context"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"rcmguard/internal/auth"
)

func TestMembersPage(t *testing.T) {
	e := newTestEnv(t, filepath.Join(t.TempDir(), "rcmguard.db"))
	ctx := context.Background()
	ws := e.ws["A"].ID
	owner := e.signIn("A:owner")
	owner.get(wsPath(ws, "/members"))
	resp, body := owner.post(wsPath(ws, "/members"), url.Values{"email": {"nobody at example.org"}, "role": {"auditor"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `id="email-err"`) || !strings.Contains(body, `value="nobody at example.org"`) {
		t.Errorf("not an address: %d; want 422 beside the address, input kept", resp.StatusCode)
	}
	resp, body = owner.post(wsPath(ws, "/members"), url.Values{"email": {e.users["A:owner"].Email}, "role": {"auditor"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "your own role") {
		t.Errorf("changing one's own role: %d; want 422", resp.StatusCode)
	}
	// Tenant B's contributor is invited to A as an auditor: nothing changes
	// until they accept, signed in; then the expiry defaults.
	guest := e.users["B:contributor"]
	link, _ := inviteFromPage(t, owner, ws, url.Values{"email": {guest.Email}, "role": {"auditor"}})
	if _, err := e.st.Membership(ctx, ws, guest.ID); err == nil {
		t.Fatal("adding an existing account made it a member before it accepted")
	}
	g := e.signIn("B:contributor")
	if resp, _ := g.get(wsPath(ws, "")); resp.StatusCode != http.StatusNotFound {
		t.Errorf("invited account opening the workspace before accepting: %d; want 404", resp.StatusCode)
	}
	g.get(linkPath(t, link))
	if resp, _ := g.post(linkPath(t, link), url.Values{"intent": {"join"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("accept: %d", resp.StatusCode)
	}
	m, err := e.st.Membership(ctx, ws, guest.ID)
	if err != nil || m.Role != string(auth.RoleAuditor) || m.Expires.IsZero() {
		t.Fatalf("membership = %+v, %v; want an auditor with an expiry", m, err)
	}
	// A member's role changes at once.
	if resp, _ := owner.post(wsPath(ws, "/members"), url.Values{"email": {guest.Email}, "role": {"contributor"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("change role: %d", resp.StatusCode)
	}
	if m, _ := e.st.Membership(ctx, ws, guest.ID); m.Role != string(auth.RoleContributor) {
		t.Errorf("role after change = %s", m.Role)
	}
	if resp, _ := owner.post(wsPath(ws, "/members"), url.Values{"email": {guest.Email}, "role": {"auditor"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("change role back: %d", resp.StatusCode)
	}
	if resp, _ := g.get(wsPath(ws, "/audit")); resp.StatusCode != http.StatusOK {
		t.Errorf("new auditor reading the audit log: %d", resp.StatusCode)
	}
	owner.get(wsPath(ws, "/members"))
	if resp, _ := owner.post(wsPath(ws, "/members/"+itoa(guest.ID)+"/remove"), nil); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("remove member: %d", resp.StatusCode)
	}
	if resp, _ := g.get(wsPath(ws, "")); resp.StatusCode != http.StatusNotFound {
		t.Errorf("removed member opening the workspace: %d; want 404", resp.StatusCode)
	}
	if resp, _ := owner.post(wsPath(ws, "/members/"+itoa(e.users["A:owner"].ID)+"/remove"), nil); resp.StatusCode != http.StatusForbidden {
		t.Errorf("owner removing themselves: %d; want 403", resp.StatusCode)
	}
}

func TestClientCreate(t *testing.T) {
	e := newTestEnv(t, filepath.Join(t.TempDir(), "rcmguard.db"))
	ctx := context.Background()
	ws := e.ws["B"].ID
	b := e.signIn("B:owner")
	b.get(wsPath(ws, "/portfolio"))
	// Its own client's name is taken; another tenant's is not, and trying
	// it says nothing about that tenant.
	resp, body := b.post(wsPath(ws, "/clients"), url.Values{"name": {"Tenant B client"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `id="client-name-err"`) ||
		!strings.Contains(body, "already has a client practice of this name") {
		t.Errorf("client with its own client's name: %d; want 422 beside the name", resp.StatusCode)
	}
	if resp, _ := b.post(wsPath(ws, "/clients"), url.Values{"name": {"Tenant A practice"}}); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("client named like another tenant's workspace: %d; want it created", resp.StatusCode)
	}
	resp, _ = b.post(wsPath(ws, "/clients"), url.Values{"name": {"Maple Grove Pediatrics"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("new client: %d", resp.StatusCode)
	}
	clients, err := e.st.ClientWorkspaces(ctx, ws)
	if err != nil || len(clients) != 3 {
		t.Fatalf("clients = %v, %v; want 3", clients, err)
	}
	var id int64
	for _, c := range clients {
		if c.Name == "Maple Grove Pediatrics" {
			id = c.ID
		}
	}
	if m, err := e.st.Membership(ctx, id, e.users["B:owner"].ID); err != nil || m.Role != "owner" {
		t.Errorf("creator's membership of the new client = %+v, %v; want owner", m, err)
	}
	if resp, _ := b.get(wsPath(id, "/model")); resp.StatusCode != http.StatusOK {
		t.Errorf("new client's model page: %d", resp.StatusCode)
	}
	if _, body := b.get(wsPath(ws, "/portfolio")); !strings.Contains(body, "Maple Grove Pediatrics") || !strings.Contains(body, "Not assessed yet") {
		t.Error("the portfolio does not list the new, unassessed client")
	}
	a := e.signIn("A:owner")
	a.get("/")
	if resp, _ := a.post(wsPath(e.ws["A"].ID, "/clients"), url.Values{"name": {"X"}}); resp.StatusCode != http.StatusNotFound {
		t.Errorf("a practice adding a client: %d; want 404", resp.StatusCode)
	}
}
