package web

import (
	"net/http"
	"path/filepath"
	"testing"
)

func TestSmokeEveryPageAsOwner(t *testing.T) {
	e := newTestEnv(t, filepath.Join(t.TempDir(), "rcmguard.db"))
	b := e.signIn("B:owner")
	ws := e.ws["B"].ID
	for _, p := range []string{"/", wsPath(ws, ""), wsPath(ws, "/portfolio"), wsPath(ws, "/model"), wsPath(ws, "/risks"),
		wsPath(ws, "/plan"), wsPath(ws, "/assessments"), wsPath(ws, "/audit"), wsPath(ws, "/model/organization"),
		wsPath(ws, "/model/flows/new"), wsPath(ws, "/model/flows/f-837-b"), wsPath(ws, "/assessments/diff")} {
		resp, body := b.get(p)
		if resp.StatusCode != http.StatusOK {
			t.Errorf("GET %s = %d\n%s\n%s", p, resp.StatusCode, body, e.logs())
		}
	}
}
