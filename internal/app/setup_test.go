package app_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"rcmguard/internal/app"
	"rcmguard/internal/audit"
	"rcmguard/internal/auth"
	"rcmguard/internal/model"
	"rcmguard/internal/store"
	"rcmguard/internal/store/storetest"
)

// emptyApps are two Apps (two server processes) over one empty database.
func emptyApps(t *testing.T, dsn string, now *time.Time) (a1, a2 *app.App, st *store.Store) {
	t.Helper()
	kr := storetest.Keyring(t)
	st = storetest.Open(t, dsn, kr)
	log := audit.New(kr)
	svc := auth.New(st, log, auth.Config{Params: auth.Params{Time: 1, Memory: 8 * 1024, Threads: 1}})
	clock := func() time.Time { return *now }
	mk := func() *app.App { return app.New(app.Config{Store: st, Audit: log, Auth: svc, Now: clock}) }
	return mk(), mk(), st
}

func TestFirstRunSetup(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dsn string) {
		{
			ctx := context.Background()
			now := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
			a1, a2, st := emptyApps(t, dsn, &now)
			if open, err := a1.SetupOpen(ctx); err != nil || !open {
				t.Fatalf("SetupOpen on an empty database = %t, %v; want true", open, err)
			}
			tok1, until, err := a1.IssueSetupToken(ctx)
			if err != nil || !until.Equal(now.Add(app.SetupTokenLifetime)) {
				t.Fatalf("IssueSetupToken = %v, %v", until, err)
			}
			// A second server on the same database prints its own token.
			tok2, _, err := a2.IssueSetupToken(ctx)
			if err != nil || tok2 == tok1 {
				t.Fatalf("second token: %v (same as the first: %t)", err, tok2 == tok1)
			}
			in := app.FirstRun{Token: "setup-wrong", Email: "dana@riverbend.example", Password: "correct horse battery staple 42",
				Workspace: "Riverbend Family Medicine", Kind: store.KindPractice}
			if _, err := a1.CompleteSetup(ctx, in); !errors.Is(err, app.ErrSetupToken) {
				t.Fatalf("wrong token: %v; want ErrSetupToken", err)
			}
			// A bad form with the right token names the field and uses nothing up.
			bad := in
			bad.Token, bad.Password = tok1, "short"
			var errs app.Errors
			if _, err := a1.CompleteSetup(ctx, bad); !errors.As(err, &errs) || errs.ByField()["password"] == "" {
				t.Fatalf("weak password: %v; want an error on the password field", err)
			}
			// The token one server printed works through the other.
			in.Token = " " + tok1 + "\n"
			got, err := a2.CompleteSetup(ctx, in)
			if err != nil {
				t.Fatalf("setup with the first server's token on the second: %v", err)
			}
			if got.SessionToken == "" || got.EnrolmentURI == "" || got.Workspace.Name != in.Workspace {
				t.Fatalf("setup returned %+v", got)
			}
			m, err := st.Membership(ctx, got.Workspace.ID, got.User.ID)
			if err != nil || m.Role != string(auth.RoleOwner) {
				t.Fatalf("membership = %+v, %v; want owner", m, err)
			}
			// A second use of the token, the other server's token, a new
			// token: all refused now that an account exists, by both.
			for _, a := range []*app.App{a1, a2} {
				for _, tok := range []string{tok1, tok2} {
					in.Token = tok
					if _, err := a.CompleteSetup(ctx, in); !errors.Is(err, app.ErrSetupDone) || !errors.Is(err, app.ErrNotFound) {
						t.Errorf("setup again with a token: %v; want ErrSetupDone (not found)", err)
					}
				}
				if _, _, err := a.IssueSetupToken(ctx); !errors.Is(err, app.ErrSetupDone) {
					t.Errorf("a token after the setup: %v; want ErrSetupDone", err)
				}
			}
			// Neither token nor its hash is in the audit log.
			rows, err := st.AuditEntries(ctx, 0, 1000)
			if err != nil {
				t.Fatal(err)
			}
			var actions []string
			for _, r := range rows {
				actions = append(actions, string(r.Action))
				for _, tok := range []string{tok1, tok2} {
					h, _ := auth.SetupTokenHash(tok)
					if strings.Contains(r.Details+r.Object, tok) || strings.Contains(r.Details+r.Object, h) {
						t.Errorf("audit entry %d (%s) carries a setup token", r.Seq, r.Action)
					}
				}
			}
			for _, want := range []audit.Action{audit.SetupTokenIssue, audit.SetupFail, audit.SetupComplete, audit.UserCreate, audit.WorkspaceCreate} {
				if !strings.Contains(strings.Join(actions, " "), string(want)) {
					t.Errorf("audit log has no %s entry: %v", want, actions)
				}
			}
		}
	})
}

func TestSetupTokenExpires(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	a, _, _ := emptyApps(t, t.TempDir()+"/rcmguard.db", &now)
	tok, _, err := a.IssueSetupToken(ctx)
	if err != nil {
		t.Fatal(err)
	}
	now = now.Add(app.SetupTokenLifetime)
	_, err = a.CompleteSetup(ctx, app.FirstRun{Token: tok, Email: "dana@riverbend.example", Password: "correct horse battery staple 42",
		Workspace: "Riverbend", Kind: store.KindPractice})
	if !errors.Is(err, app.ErrSetupToken) {
		t.Fatalf("expired token: %v; want ErrSetupToken", err)
	}
}

func TestCreateWorkspaceByOwnersOnly(t *testing.T) {
	f := newFixture(t, t.TempDir()+"/rcmguard.db")
	ctx := context.Background()
	for _, r := range []auth.Role{auth.RoleComplianceOfficer, auth.RoleContributor, auth.RoleAuditor} {
		who, _ := f.as(t, r)
		if ok, err := f.a.CanCreateWorkspaces(ctx, who.User); err != nil || ok {
			t.Errorf("%s may create workspaces: %t, %v", r, ok, err)
		}
		if _, err := f.a.CreateWorkspace(ctx, who, "Elsewhere "+string(r), store.KindPractice); !errors.Is(err, app.ErrForbidden) {
			t.Errorf("%s creating a workspace: %v; want ErrForbidden", r, err)
		}
	}
	who, _ := f.as(t, auth.RoleOwner)
	var errs app.Errors
	if _, err := f.a.CreateWorkspace(ctx, who, " ", "hospital"); !errors.As(err, &errs) || len(errs) != 2 {
		t.Fatalf("empty name and unknown kind: %v; want two field errors", err)
	}
	ws, err := f.a.CreateWorkspace(ctx, who, "Second Clinic", store.KindBillingCompany)
	if err != nil {
		t.Fatal(err)
	}
	sc, err := f.a.Enter(ctx, who.User.ID, ws.ID)
	if err != nil || sc.Role() != auth.RoleOwner {
		t.Fatalf("creator's role in the new workspace: %v, %v", sc.Role(), err)
	}
	if _, err := f.a.CreateWorkspace(ctx, who, "Second Clinic", store.KindPractice); !errors.As(err, &errs) || errs.ByField()["name"] == "" {
		t.Fatalf("a taken name: %v; want an error on the name", err)
	}
	// The owner of only a client workspace (a practice the billing company
	// handed the owner role) may not start organisations on the server.
	client, err := f.a.CreateClient(ctx, who, sc, "Client Practice")
	if err != nil {
		t.Fatal(err)
	}
	inv, err := f.a.Invite(ctx, who.User, client.ID, app.InviteRequest{Email: "client-owner@example.org", Role: auth.RoleOwner})
	if err != nil {
		t.Fatal(err)
	}
	joined, err := f.a.JoinWithNewAccount(ctx, inv.Token, "correct horse battery staple 42")
	if err != nil {
		t.Fatal(err)
	}
	clientOwner := joined.User
	if ok, err := f.a.CanCreateWorkspaces(ctx, clientOwner); err != nil || ok {
		t.Errorf("an owner of a client workspace only may create workspaces: %t, %v", ok, err)
	}
}

// answerGuide answers every section of the guide, section by section, with
// pick's answers, and fails on a refusal.
func answerGuide(t *testing.T, a *app.App, who app.Actor, ws app.Scope, pick func(sec string, q app.Question) []string) app.Guide {
	t.Helper()
	ctx := context.Background()
	for i := 0; ; i++ {
		g, err := a.Guide(ctx, who, ws)
		if err != nil {
			t.Fatal(err)
		}
		if g.Complete || i > 20 {
			return g
		}
		for _, sec := range g.Sections {
			if g.Done[sec.ID] {
				continue
			}
			form := map[string][]string{}
			for _, q := range sec.Questions {
				if v := pick(sec.ID, q); v != nil {
					form[q.ID] = v
				}
			}
			if err := a.SaveGuideSection(ctx, who, ws, sec.ID, form); err != nil {
				t.Fatalf("section %s: %v", sec.ID, err)
			}
			break
		}
	}
}

// typical answers a question as a practice manager who knows most things.
func typical(sec string, q app.Question) []string {
	switch q.Kind {
	case app.QNumber:
		return []string{"12"}
	case app.QText:
		if q.ID == "name" {
			return []string{"Guided Clinic"}
		}
		return []string{"Named " + q.ID}
	case app.QDate:
		return []string{"2026-03-01"}
	case app.QLines:
		return []string{"North Clinic\nSouth Clinic"}
	case app.QSystems:
		return q.Default
	case app.QChoice:
		if q.ID == "time_zone" {
			return []string{"America/Chicago"}
		}
		if strings.HasSuffix(q.ID, ".use") {
			return []string{"yes"}
		}
		if q.ID == "pm.in_ehr" {
			return []string{"no"}
		}
		return []string{q.Choices[len(q.Choices)-1].Value}
	}
	return nil
}

// unsure answers "I don't know" wherever it may, and the least otherwise.
func unsure(sec string, q app.Question) []string {
	if q.Unknown {
		return []string{app.DontKnow}
	}
	if q.Required {
		return typical(sec, q)
	}
	return nil
}

func TestGuideBuildsAModelThatAssesses(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dsn string) {
		{
			f := newFixture(t, dsn)
			ctx := context.Background()
			owner, _ := f.as(t, auth.RoleOwner)
			i := 0
			for _, tc := range []struct {
				template, kind string
				pick           func(string, app.Question) []string
			}{
				{"practice", store.KindPractice, typical},
				{"practice", store.KindPractice, unsure},
				{"dental", store.KindPractice, typical},
				{"billing-company", store.KindBillingCompany, typical},
				{"billing-company", store.KindBillingCompany, unsure},
			} {
				i++
				ws, err := f.a.CreateWorkspace(ctx, owner, fmt.Sprintf("%s %d", tc.template, i), tc.kind)
				if err != nil {
					t.Fatal(err)
				}
				sc, err := f.a.Enter(ctx, owner.User.ID, ws.ID)
				if err != nil {
					t.Fatal(err)
				}
				if err := f.a.ChooseTemplate(ctx, owner, sc, tc.template); err != nil {
					t.Fatalf("%s: choose template: %v", tc.template, err)
				}
				g := answerGuide(t, f.a, owner, sc, tc.pick)
				if !g.Complete || g.DoneCount() != len(g.Sections) {
					t.Fatalf("%s: guide not complete after answering every section", tc.template)
				}
				wm, err := f.a.BuildModelFromGuide(ctx, owner, sc)
				if err != nil {
					t.Fatalf("%s: build: %v", tc.template, err)
				}
				m, err := model.Load("built.yaml", wm.YAML)
				if err != nil {
					t.Fatalf("%s: the built model does not load: %v", tc.template, err)
				}
				if _, err := f.a.RunAssessment(ctx, owner, sc); err != nil {
					t.Fatalf("%s: first assessment: %v", tc.template, err)
				}
				_, res, ok, err := f.a.Latest(ctx, ws.ID)
				if err != nil || !ok || len(res.Risks) == 0 {
					t.Fatalf("%s: first assessment has no risks (%v)", tc.template, err)
				}
				// "I don't know" leaves a field out; "no" says false.
				for _, s := range m.Systems {
					if s.Kind == "workstation" {
						continue
					}
					if tc.pick == nil {
						continue
					}
					switch {
					case isUnsure(tc.pick) && (s.UniqueLogins != nil || (s.MFA != "" && s.MFA != "unknown")):
						t.Errorf("%s: system %s: own logins %v, MFA %q after \"I don't know\"; want both left out", tc.template, s.ID, s.UniqueLogins, s.MFA)
					case !isUnsure(tc.pick) && s.UniqueLogins != nil && *s.UniqueLogins:
						t.Errorf("%s: system %s: own logins true after \"some share a login\"", tc.template, s.ID)
					}
				}
				if _, err := f.a.BuildModelFromGuide(ctx, owner, sc); !errors.Is(err, app.ErrConflict) {
					t.Errorf("%s: building again over the model: %v; want ErrConflict", tc.template, err)
				}
			}
		}
	})
}

func isUnsure(p func(string, app.Question) []string) bool {
	return len(p("x", app.Question{ID: "q", Unknown: true})) == 1 && p("x", app.Question{ID: "q", Unknown: true})[0] == app.DontKnow
}

func TestGuideRefusesBadAnswersByField(t *testing.T) {
	f := newFixture(t, t.TempDir()+"/rcmguard.db")
	ctx := context.Background()
	owner, _ := f.as(t, auth.RoleOwner)
	ws, err := f.a.CreateWorkspace(ctx, owner, "Answers Clinic", store.KindPractice)
	if err != nil {
		t.Fatal(err)
	}
	sc, err := f.a.Enter(ctx, owner.User.ID, ws.ID)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.a.SaveGuideSection(ctx, owner, sc, "organisation", nil); !errors.Is(err, app.ErrConflict) {
		t.Fatalf("a section before a template: %v; want ErrConflict", err)
	}
	if err := f.a.ChooseTemplate(ctx, owner, sc, "billing-company"); !errors.Is(err, app.ErrInvalid) {
		t.Fatalf("a billing company's template for a practice: %v; want ErrInvalid", err)
	}
	if err := f.a.ChooseTemplate(ctx, owner, sc, "practice"); err != nil {
		t.Fatal(err)
	}
	err = f.a.SaveGuideSection(ctx, owner, sc, "organisation", map[string][]string{
		"name": {"Answers Clinic"}, "workforce": {"twelve"}, "patients": {"100", app.DontKnow}, "claims": {app.DontKnow},
		"reimbursement": {"-5"}, "locations": {"1"}, "time_zone": {"Mars/Olympus"}})
	var errs app.Errors
	if !errors.As(err, &errs) {
		t.Fatalf("bad answers: %v; want field errors", err)
	}
	by := errs.ByField()
	for field, words := range map[string]string{"workforce": `"twelve" is not a number`, "patients": "keep one of them",
		"reimbursement": "between 0 and", "time_zone": "not one of the answers"} {
		if !strings.Contains(by[field], words) || !strings.Contains(by[field], "?") && !strings.Contains(by[field], ":") {
			t.Errorf("error on %s = %q; want it to name the question and say %q", field, by[field], words)
		}
	}
	g, err := f.a.Guide(ctx, owner, sc)
	if err != nil {
		t.Fatal(err)
	}
	if g.Done["organisation"] {
		t.Error("a refused section counts as done")
	}
	// A contributor without the whole model assigned may not use the guide.
	contrib, _ := f.as(t, auth.RoleContributor)
	if _, err := f.a.Guide(ctx, contrib, app.Scope{WS: ws}); !errors.Is(err, app.ErrForbidden) {
		t.Errorf("a non-member's guide: %v; want ErrForbidden", err)
	}
}
