package web

import (
	"context"
	"testing"

	"rcmguard/internal/app"
	"rcmguard/internal/risk"
	"rcmguard/internal/store"
)

// actAs returns a user acting in a workspace through the application, as
// the demo and the CLI act: what set-up uses instead of the pages.
func actAs(t testing.TB, srv *Server, userID, wsID int64) (app.Actor, app.Scope) {
	t.Helper()
	ctx := context.Background()
	sc, err := srv.app.Enter(ctx, userID, wsID)
	if err != nil {
		t.Fatalf("user %d enters workspace %d: %v", userID, wsID, err)
	}
	u, err := srv.st.User(ctx, userID)
	if err != nil {
		t.Fatal(err)
	}
	return app.Actor{User: u, Via: app.ViaCLI}, sc
}

// runAssessment runs an assessment of workspace ws as user.
func (e *testEnv) runAssessment(ctx context.Context, ws, user int64) (store.Assessment, error) {
	who, sc := actAs(e.t, e.srv, user, ws)
	return e.srv.app.RunAssessment(ctx, who, sc)
}

// importModel makes data the model of workspace ws, as user.
func importModel(t testing.TB, srv *Server, ws, user int64, data []byte) error {
	who, sc := actAs(t, srv, user, ws)
	_, err := srv.app.ImportModel(context.Background(), who, sc, data, app.AnyRevision)
	return err
}

// proposeClosure has the tenant's contributor propose closing a risk as
// mitigated, which waits for review.
func (e *testEnv) proposeClosure(tenant, riskID string) {
	e.t.Helper()
	who, sc := actAs(e.t, e.srv, e.users[tenant+":contributor"].ID, e.ws[tenant].ID)
	out, err := e.srv.app.DecideRisk(context.Background(), who, sc, riskID,
		app.Decision{Status: risk.Mitigated, Justification: "The control is in place."})
	if err != nil || out.Review == nil {
		e.t.Fatalf("propose closing %s: %+v, %v; want it pending review", riskID, out, err)
	}
}
