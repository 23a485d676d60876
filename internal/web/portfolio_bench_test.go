package web

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"rcmguard/examples"
	"rcmguard/internal/app"
	"rcmguard/internal/audit"
	"rcmguard/internal/auth"
	"rcmguard/internal/model"
	"rcmguard/internal/seal"
	"rcmguard/internal/store"
)

// Load benchmark of issue 12, item 9: a billing company with 400 client
// workspaces of about 1,000 risks each, on PostgreSQL, and 50 signed-in
// users spread over them, each requesting one kind of page as fast as the
// server answers (a closed loop, like the 10,000-risk benchmark above).
// Goal: p95 under 100 ms and p99 under 200 ms for every page.
//
//	TEST_PG_DSN=postgres://… go test ./internal/web -run '^$' -bench PortfolioLoad -benchtime 2000x -timeout 60m
//
// (bench/portfolio/run.sh runs it.) Building 400 × 1,000 risks takes
// minutes, so the fixture is built once into a PostgreSQL schema named for
// what it holds (portfolioFixture) and reused by every later run; drop the
// schema to rebuild it. It is a benchmark, not part of `go test`.
const (
	portfolioClients = 400
	// portfolioScale copies of the billing-company example give each
	// client just over 1,000 risks.
	portfolioScale = 11
	// portfolioUsers sign in; user u is a member of the company and of
	// the clients c with c % portfolioUsers == u (8 each), and works in
	// those.
	portfolioUsers = 50
	// portfolioStint is how many pages a user views in one client before
	// moving on to the next (RCMGUARD_BENCH_STINT overrides it; 1 makes
	// every request go to another client).
	portfolioStint = 20
	// portfolioAuditPerClient entries in each client's audit log.
	portfolioAuditPerClient = 50
	// portfolioFixtureVersion changes whenever the fixture's contents do.
	portfolioFixtureVersion = 2
)

// portfolioClock is the fixture's and the server's "now".
var portfolioT0 = time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)

type portfolioEnv struct {
	ts      *httptest.Server
	timing  *latencyLog
	srv     *Server
	company int64
	clients []int64 // by client index
	users   []*http.Client
	risks   []string // risk IDs of every client (the same model)
}

func BenchmarkPortfolioLoad(b *testing.B) {
	pe := newPortfolioEnv(b)
	type pg struct {
		name string
		path func(user, n int) string
		want string
	}
	stint := portfolioStint
	if v, err := strconv.Atoi(os.Getenv("RCMGUARD_BENCH_STINT")); err == nil && v > 0 {
		stint = v
	}
	// A person works in one client for a stretch of pages, then moves on
	// to the next of theirs.
	client := func(user, n int) int64 {
		k := (n / stint) % (portfolioClients / portfolioUsers)
		return pe.clients[(user+portfolioUsers*k)%portfolioClients]
	}
	rnd := func(user, n int) int { return int(uint64(user*7919+n*104729) % uint64(len(pe.risks))) }
	pages := []pg{
		{"dashboard", func(u, n int) string { return wsPath(client(u, n), "") }, `class="heat"`},
		{"register", func(u, n int) string { return wsPath(client(u, n), "/risks") }, "Risk register"},
		{"register-filtered", func(u, n int) string { return wsPath(client(u, n), "/risks?level=high&sort=owner") }, "Risk register"},
		{"register-page-5", func(u, n int) string { return wsPath(client(u, n), "/risks?page=5") }, "Risk register"},
		{"plan", func(u, n int) string { return wsPath(client(u, n), "/plan") }, "Remediation plan"},
		{"risk-detail", func(u, n int) string {
			return wsPath(client(u, n), "/risks/"+url.PathEscape(pe.risks[rnd(u, n)]))
		}, "Likelihood"},
		{"portfolio", func(u, n int) string { return wsPath(pe.company, "/portfolio") }, "Client portfolio"},
		{"workspaces", func(u, n int) string { return "/" }, "Workspaces"},
		{"audit-log", func(u, n int) string { return wsPath(client(u, n), "/audit") }, "Audit log"},
	}
	if only := os.Getenv("RCMGUARD_BENCH_PAGES"); only != "" {
		keep := pages[:0]
		for _, p := range pages {
			if strings.Contains(","+only+",", ","+p.name+",") {
				keep = append(keep, p)
			}
		}
		pages = keep
	}
	for _, p := range pages {
		b.Run(p.name, func(b *testing.B) {
			measureClosedLoop(b, pe.ts.URL, pe.users, p.path, p.want, pe.timing)
		})
	}
}

// portfolioSchema names the fixture's schema after what it holds and the
// database schema version it was built under.
func portfolioSchema() string {
	h := sha256.Sum256(fmt.Appendf(nil, "portfolio v%d clients=%d scale=%d users=%d audit=%d schema=%d",
		portfolioFixtureVersion, portfolioClients, portfolioScale, portfolioUsers, portfolioAuditPerClient, store.SchemaVersion()))
	return "bench_portfolio_" + hex.EncodeToString(h[:6])
}

// portfolioKeyring is the fixture's data key, derived from its name: the
// data are synthetic, and a later run must open what an earlier sealed.
func portfolioKeyring(b *testing.B, schema string) *seal.Keyring {
	sum := sha256.Sum256([]byte("rcmguard benchmark fixture " + schema))
	k, err := seal.NewKey(sum[:])
	if err != nil {
		b.Fatal(err)
	}
	return seal.NewKeyring(k)
}

func newPortfolioEnv(b *testing.B) *portfolioEnv {
	b.Helper()
	ctx := context.Background()
	base := os.Getenv("TEST_PG_DSN")
	if base == "" {
		b.Skip("TEST_PG_DSN not set: the portfolio benchmark runs on PostgreSQL only")
	}
	schema := portfolioSchema()
	admin, err := sql.Open("pgx", base)
	if err != nil {
		b.Fatal(err)
	}
	defer admin.Close()
	var built bool
	err = admin.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM information_schema.tables
		WHERE table_schema = $1 AND table_name = 'bench_fixture_done')`, schema).Scan(&built)
	if err != nil {
		b.Fatal(err)
	}
	u, err := url.Parse(base)
	if err != nil {
		b.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	dsn := u.String()
	kr := portfolioKeyring(b, schema)
	if !built {
		start := time.Now()
		if _, err := admin.ExecContext(ctx, `DROP SCHEMA IF EXISTS `+schema+` CASCADE`); err != nil {
			b.Fatal(err)
		}
		if _, err := admin.ExecContext(ctx, `CREATE SCHEMA `+schema); err != nil {
			b.Fatal(err)
		}
		buildPortfolioFixture(b, dsn, kr)
		b.Logf("fixture built in schema %s in %v", schema, time.Since(start).Round(time.Second))
	} else {
		b.Logf("fixture reused from schema %s (DROP SCHEMA %s CASCADE to rebuild)", schema, schema)
	}

	st, err := store.Open(ctx, dsn, store.WithKeyring(kr))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	set, err := sharedRules()
	if err != nil {
		b.Fatal(err)
	}
	log := audit.New(kr)
	clk := &clock{t: portfolioT0.Add(time.Hour)}
	svc := auth.New(st, log, auth.Config{Params: auth.Params{Time: 1, Memory: 8 * 1024, Threads: 1}})
	srv, err := New(Config{Store: st, Audit: log, Auth: svc, Rules: set, Now: clk.now, FailureLimit: -1,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		b.Fatal(err)
	}
	pe := &portfolioEnv{srv: srv, timing: &latencyLog{}}
	pe.ts = httptest.NewServer(pe.timing.wrap(srv.Handler()))
	b.Cleanup(pe.ts.Close)

	// Each run signs everyone in afresh: earlier runs' sessions go, and
	// the TOTP steps they used may be used again at this run's clock.
	for _, q := range []string{`DELETE FROM sessions`, `UPDATE users SET totp_last_step = 0`} {
		if _, err := st.DB().ExecContext(ctx, q); err != nil {
			b.Fatal(err)
		}
	}
	co, err := st.WorkspaceByName(ctx, portfolioCompany)
	if err != nil {
		b.Fatal(err)
	}
	pe.company = co.ID
	cl, err := st.ClientWorkspaces(ctx, co.ID)
	if err != nil {
		b.Fatal(err)
	}
	byName := map[string]int64{}
	for _, w := range cl {
		byName[w.Name] = w.ID
	}
	for i := range portfolioClients {
		pe.clients = append(pe.clients, byName[portfolioClientName(i)])
	}
	_, res, _, err := srv.app.Latest(ctx, pe.clients[0])
	if err != nil {
		b.Fatal(err)
	}
	for _, r := range res.Risks {
		pe.risks = append(pe.risks, r.ID)
	}
	var secrets []string
	rows, err := st.DB().QueryContext(ctx, `SELECT email FROM users ORDER BY email`)
	if err != nil {
		b.Fatal(err)
	}
	var emails []string
	for rows.Next() {
		var e string
		rows.Scan(&e)
		emails = append(emails, e)
	}
	rows.Close()
	for _, e := range emails {
		u, err := st.UserByEmail(ctx, e)
		if err != nil {
			b.Fatal(err)
		}
		secrets = append(secrets, u.TOTPSecret)
	}
	for i, e := range emails {
		pe.users = append(pe.users, portfolioSignIn(b, pe.ts.URL, e, secrets[i], clk.now()))
	}
	if _, err := st.DB().ExecContext(ctx, `CHECKPOINT`); err != nil {
		b.Fatal(err)
	}
	runtime.GC()
	b.Logf("%d clients, %d risks each, %d users", len(pe.clients), len(pe.risks), len(pe.users))
	return pe
}

const portfolioCompany = "Portfolio Billing Co"

func portfolioClientName(i int) string { return fmt.Sprintf("Client practice %03d", i) }

// buildPortfolioFixture fills an empty schema: the company, its clients,
// the users and their memberships through the store; one client's model,
// two assessments and decisions through the application; then those
// copied to every other client with INSERT … SELECT, which takes seconds
// where running the engine 800 times would take many minutes; and each
// client's audit entries appended to the chain.
func buildPortfolioFixture(b *testing.B, dsn string, kr *seal.Keyring) {
	ctx := context.Background()
	st, err := store.Open(ctx, dsn, store.WithKeyring(kr))
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	set, err := sharedRules()
	if err != nil {
		b.Fatal(err)
	}
	log := audit.New(kr)
	clk := &clock{t: portfolioT0}
	svc := auth.New(st, log, auth.Config{Params: auth.Params{Time: 1, Memory: 8 * 1024, Threads: 1}})
	srv, err := New(Config{Store: st, Audit: log, Auth: svc, Rules: set, Now: clk.now,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		b.Fatal(err)
	}
	var userIDs []int64
	for i := range portfolioUsers {
		role := auth.RoleComplianceOfficer
		if i == 0 {
			role = auth.RoleOwner
		}
		u, _, err := svc.CreateUser(ctx, auth.NewUser{Email: fmt.Sprintf("user%02d@portfolio.test", i), Password: testPassword,
			Workspace: portfolioCompany, Role: role, Actor: "bench"}, clk.now())
		if err != nil {
			b.Fatal(err)
		}
		userIDs = append(userIDs, u.ID)
	}
	co, err := st.WorkspaceByName(ctx, portfolioCompany)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := st.DB().ExecContext(ctx, `UPDATE workspaces SET kind = 'billing_company' WHERE id = $1`, co.ID); err != nil {
		b.Fatal(err)
	}
	clients := make([]int64, portfolioClients)
	err = st.InTx(ctx, func(tx *store.Tx) error {
		for i := range portfolioClients {
			w, err := tx.CreateWorkspace(ctx, store.Workspace{Name: portfolioClientName(i), Kind: store.KindPractice, ParentID: co.ID, Created: clk.now()})
			if err != nil {
				return err
			}
			clients[i] = w.ID
			for _, uid := range []int64{userIDs[i%portfolioUsers], userIDs[0]} {
				role := string(auth.RoleComplianceOfficer)
				if uid == userIDs[0] {
					role = string(auth.RoleOwner)
				}
				if err := tx.PutMembership(ctx, store.Membership{UserID: uid, WorkspaceID: w.ID, Role: role, Created: clk.now()}); err != nil {
					return err
				}
			}
		}
		_, err := log.Append(ctx, tx, audit.Event{At: clk.now(), Actor: "cli:bench", WorkspaceID: co.ID, Action: "workspace.create",
			Details: map[string]any{"clients": portfolioClients}})
		return err
	})
	if err != nil {
		b.Fatal(err)
	}

	data, err := examples.FS.ReadFile("billing-company.yaml")
	if err != nil {
		b.Fatal(err)
	}
	base, err := model.Load("billing-company.yaml", data)
	if err != nil {
		b.Fatal(err)
	}
	big, err := app.MarshalModel(scaleModel(base, portfolioScale))
	if err != nil {
		b.Fatal(err)
	}
	first := clients[0]
	if err := importModel(b, srv, first, userIDs[0], big); err != nil {
		b.Fatal(err)
	}
	var risks []string
	for range 2 {
		clk.advance(24 * time.Hour)
		who, sc := actAs(b, srv, userIDs[0], first)
		a, err := srv.app.RunAssessment(ctx, who, sc)
		if err != nil {
			b.Fatal(err)
		}
		res, err := app.DecodeResult(a)
		if err != nil {
			b.Fatal(err)
		}
		risks = risks[:0]
		for _, r := range res.Risks {
			risks = append(risks, r.ID)
		}
	}
	if len(risks) < 1000 {
		b.Fatalf("the scaled model gives %d risks; the benchmark wants 1,000", len(risks))
	}
	err = st.InTx(ctx, func(tx *store.Tx) error {
		for i := 0; i < len(risks); i += loadDecisionEvery {
			d := store.RiskDecision{WorkspaceID: first, RiskID: risks[i], Status: "in_progress",
				Owner: fmt.Sprintf("Team %d", i%7), Due: clk.now().AddDate(0, 0, i%90-30), UpdatedBy: userIDs[0], Updated: clk.now()}
			if err := tx.PutRiskDecision(ctx, d); err != nil {
				return err
			}
		}
		return srv.audit(ctx, tx, &call{User: store.User{ID: userIDs[0]}, WS: store.Workspace{ID: first}}, "bench.decisions", "", nil)
	})
	if err != nil {
		b.Fatal(err)
	}
	// The other clients get copies of the first one's rows.
	for _, q := range []string{
		`INSERT INTO workspace_models (workspace_id, model_yaml, revision, updated_by, updated_at)
			SELECT w.id, m.model_yaml, m.revision, m.updated_by, m.updated_at
			FROM workspace_models m, workspaces w WHERE m.workspace_id = $1 AND w.parent_id = $2 AND w.id <> $1`,
		`INSERT INTO assessments (workspace_id, version, created_by, created_at, model_yaml, result_json)
			SELECT w.id, a.version, a.created_by, a.created_at, a.model_yaml, a.result_json
			FROM assessments a, workspaces w WHERE a.workspace_id = $1 AND w.parent_id = $2 AND w.id <> $1 ORDER BY w.id, a.version`,
		`INSERT INTO assessment_summaries (assessment_id, summary)
			SELECT a2.id, s.summary FROM assessment_summaries s
			JOIN assessments a1 ON a1.id = s.assessment_id
			JOIN assessments a2 ON a2.version = a1.version AND a2.workspace_id <> a1.workspace_id
			WHERE a1.workspace_id = $1 AND a2.workspace_id IN (SELECT id FROM workspaces WHERE parent_id = $2)`,
		`INSERT INTO risk_decisions (` + decisionColumns + `)
			SELECT w.id, ` + strings.TrimPrefix(decisionColumns, "workspace_id, ") + `
			FROM risk_decisions d, workspaces w WHERE d.workspace_id = $1 AND w.parent_id = $2 AND w.id <> $1`,
	} {
		if _, err := st.DB().ExecContext(ctx, q, first, co.ID); err != nil {
			b.Fatalf("copy the first client: %v", err)
		}
	}
	// Every client's audit log: decisions and views, through the chain.
	rnd := rand.New(rand.NewPCG(1, 2))
	actions := []string{"risk.decide", "model.view", "assessment.run", "export.report", "evidence.upload"}
	const batch = 50
	n := portfolioClients * portfolioAuditPerClient
	for i := 0; i < n; {
		err := st.InTx(ctx, func(tx *store.Tx) error {
			for j := 0; j < batch && i < n; j++ {
				c := rnd.IntN(portfolioClients)
				_, err := log.Append(ctx, tx, audit.Event{At: clk.now().Add(time.Duration(i) * time.Second),
					Actor: audit.UserActor(userIDs[c%portfolioUsers]), WorkspaceID: clients[c],
					Action: audit.Action(actions[i%len(actions)]), Object: "risk:" + risks[i%len(risks)],
					Details: map[string]any{"status": "in_progress"}})
				if err != nil {
					return err
				}
				i++
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	for _, q := range []string{`VACUUM ANALYZE`, `CHECKPOINT`, `CREATE TABLE bench_fixture_done (built_at TEXT)`} {
		if _, err := st.DB().ExecContext(ctx, q); err != nil {
			b.Fatalf("%s: %v", q, err)
		}
	}
}

// decisionColumns are risk_decisions' columns, workspace first.
const decisionColumns = `workspace_id, risk_id, status, justification, owner, due_date, approver_id, expires_at, updated_by, updated_at`
