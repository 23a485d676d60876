package web

import (
	"context"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"rcmguard/internal/audit"
	"rcmguard/internal/store"
)

// TestTokenEndsWithMembership: a compliance officer's API token stops
// working when they are removed from the workspace, and stays dead when
// they are added back. Before the fix the old token answered 200 again.
func TestTokenEndsWithMembership(t *testing.T) {
	e := newTestEnv(t, filepath.Join(t.TempDir(), "rcmguard.db"))
	ctx := context.Background()
	ws := e.ws["A"].ID
	officer := e.users["A:compliance_officer"]
	token := e.apiToken("A:compliance_officer", "A", 24*time.Hour)
	path := "/api/v1/workspaces/" + itoa(ws) + "/risks"
	if resp, _ := e.apiGet(token, path); resp.StatusCode != http.StatusOK {
		t.Fatalf("token before removal: %d", resp.StatusCode)
	}
	owner := e.signIn("A:owner")
	owner.get(wsPath(ws, "/members"))
	if resp, _ := owner.post(wsPath(ws, "/members/"+itoa(officer.ID)+"/remove"), nil); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("remove member: %d", resp.StatusCode)
	}
	if resp, _ := e.apiGet(token, path); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("token after removal: %d; want 401", resp.StatusCode)
	}
	err := e.st.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.PutMembership(ctx, store.Membership{UserID: officer.ID, WorkspaceID: ws, Role: "compliance_officer", Created: e.clock.now()}); err != nil {
			return err
		}
		_, err := e.srv.log.Append(ctx, tx, audit.Event{At: e.clock.now(), Actor: "test", WorkspaceID: ws, Action: "membership.put"})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if resp, _ := e.apiGet(token, path); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("the old token after the member was added back: %d; want 401", resp.StatusCode)
	}
}
