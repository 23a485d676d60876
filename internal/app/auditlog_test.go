package app_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"strconv"
	"strings"
	"testing"
	"time"

	"rcmguard/examples"
	"rcmguard/internal/app"
	"rcmguard/internal/audit"
	"rcmguard/internal/auth"
	"rcmguard/internal/store"
	"rcmguard/internal/store/storetest"
)

// TestEveryActionHasALabel reads the audit.Action constants from the
// source, where they are declared, so that a new action without words
// for the log fails here rather than showing "auth.webauthn.add" to a
// practice manager.
func TestEveryActionHasALabel(t *testing.T) {
	f, err := parser.ParseFile(token.NewFileSet(), "../audit/actions.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.CONST {
			continue
		}
		for _, s := range g.Specs {
			vs := s.(*ast.ValueSpec)
			if id, ok := vs.Type.(*ast.Ident); !ok || id.Name != "Action" {
				continue
			}
			for i, name := range vs.Names {
				v, err := strconv.Unquote(vs.Values[i].(*ast.BasicLit).Value)
				if err != nil {
					t.Fatal(err)
				}
				n++
				if l := app.ActionLabel(v); l == v || l == "" {
					t.Errorf("audit.%s (%q) has no label for the audit log", name.Name, v)
				}
			}
		}
	}
	if n < 40 {
		t.Fatalf("found only %d audit.Action constants in actions.go: is the parse wrong?", n)
	}
	for _, v := range []audit.Verb{audit.Create, audit.Update, audit.Delete} {
		for _, part := range []string{"flow", "systems", "vendors", "some_new_part"} {
			a := string(audit.ModelChange(part, v))
			if l := app.ActionLabel(a); l == a || strings.Contains(l, "_") {
				t.Errorf("model change %q is labelled %q", a, l)
			}
		}
	}
}

// logFixture is an App whose clock the test moves, with the audit log it
// writes through, so that entries can be placed at chosen times.
type logFixture struct {
	*fixture
	log   *audit.Log
	clock *time.Time
	other int64 // a second workspace, of another tenant
}

func newLogFixture(t *testing.T, dsn string) *logFixture {
	t.Helper()
	ctx := context.Background()
	kr := storetest.Keyring(t)
	st := storetest.Open(t, dsn, kr)
	log := audit.New(kr)
	set, err := builtin()
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	clock := &now
	svc := auth.New(st, log, auth.Config{Params: auth.Params{Time: 1, Memory: 8 * 1024, Threads: 1}})
	f := &fixture{a: app.New(app.Config{Store: st, Audit: log, Auth: svc, Rules: set, Now: func() time.Time { return *clock }}),
		st: st, users: map[auth.Role]store.User{}, now: now}
	for _, r := range []auth.Role{auth.RoleOwner, auth.RoleAuditor, auth.RoleContributor} {
		u, _, err := svc.CreateUser(ctx, auth.NewUser{Email: string(r) + "@example.org", Password: "correct horse battery staple 42",
			Workspace: "Practice", Role: r, Actor: "test"}, now)
		if err != nil {
			t.Fatal(err)
		}
		f.users[r] = u
	}
	w, err := st.WorkspaceByName(ctx, "Practice")
	if err != nil {
		t.Fatal(err)
	}
	f.ws = w.ID
	lf := &logFixture{fixture: f, log: log, clock: clock}
	if _, _, err := svc.CreateUser(ctx, auth.NewUser{Email: "intruder@example.net", Password: "correct horse battery staple 42",
		Workspace: "Other practice", Role: auth.RoleOwner, Actor: "test"}, now); err != nil {
		t.Fatal(err)
	}
	ow, err := st.WorkspaceByName(ctx, "Other practice")
	if err != nil {
		t.Fatal(err)
	}
	lf.other = ow.ID
	return lf
}

// put appends an entry to workspace ws at time at.
func (f *logFixture) put(t *testing.T, ws int64, at time.Time, actor, action, object string, details map[string]any) {
	t.Helper()
	ctx := context.Background()
	err := f.st.InTx(ctx, func(tx *store.Tx) error {
		_, err := f.log.Append(ctx, tx, audit.Event{At: at, Actor: audit.Actor(actor), WorkspaceID: ws, Action: audit.Action(action), Object: object, Details: details})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

func (f *logFixture) user(r auth.Role) string { return string(audit.UserActor(f.users[r].ID)) }

// read returns every line of the log for q, following the pages.
func (f *logFixture) read(t *testing.T, q app.AuditQuery) (lines []app.AuditLine, pages int) {
	t.Helper()
	who, ws := f.as(t, auth.RoleAuditor)
	for {
		v, err := f.a.AuditLog(context.Background(), who, ws, q)
		if err != nil {
			t.Fatal(err)
		}
		lines, pages = append(lines, v.Entries...), pages+1
		if v.Next == 0 {
			return lines, pages
		}
		if pages > 100 {
			t.Fatal("the log's pages do not end")
		}
		q.Before = v.Next
	}
}

func at(h, m int) time.Time { return time.Date(2026, 11, 27, h, m, 0, 0, time.UTC) }

// TestAuditLogFilters filters by person, action and days on the server:
// every page is full of matching entries, the pages together hold each
// match once, and the other workspace's entries never appear.
func TestAuditLogFilters(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dsn string) {
		f := newLogFixture(t, dsn)
		owner, contrib := f.user(auth.RoleOwner), f.user(auth.RoleContributor)
		// 70 decisions by the contributor over three days, 40 by the owner
		// interleaved, and the other tenant's owner acting as the contributor's
		// ID would look in their own workspace.
		for i := range 110 {
			day := time.Date(2026, 11, 25+i%3, 10, i%60, i%60, 0, time.UTC)
			who := contrib
			if i%11 < 4 {
				who = owner
			}
			f.put(t, f.ws, day, who, string(audit.RiskDecide), "risk:R-"+strconv.Itoa(i), map[string]any{"status": "in_progress"})
			f.put(t, f.other, day, contrib, string(audit.RiskDecide), "risk:OTHER-"+strconv.Itoa(i), nil)
		}
		all, _ := f.read(t, app.AuditQuery{Action: string(audit.RiskDecide)})
		if len(all) != 110 {
			t.Fatalf("%d decisions listed; want 110", len(all))
		}
		mine, pages := f.read(t, app.AuditQuery{Actor: contrib, Action: string(audit.RiskDecide)})
		seen := map[int64]bool{}
		for _, l := range mine {
			if l.Who != "contributor@example.org" || seen[l.Seq] || strings.Contains(l.On, "OTHER") {
				t.Errorf("filtered by person, got %+v (seen before: %v)", l, seen[l.Seq])
			}
			seen[l.Seq] = true
		}
		if len(mine) != 70 || pages != 2 {
			t.Errorf("the contributor's decisions: %d lines on %d pages; want 70 on 2", len(mine), pages)
		}
		day26, _ := f.read(t, app.AuditQuery{Action: string(audit.RiskDecide), From: at(0, 0).AddDate(0, 0, -1), To: at(0, 0).AddDate(0, 0, -1)})
		for _, l := range day26 {
			if l.At.Day() != 26 {
				t.Errorf("filtered to 26 November, got an entry of %s", l.At)
			}
		}
		if len(day26) != 37 {
			t.Errorf("%d decisions on 26 November; want 37", len(day26))
		}
		who, ws := f.as(t, auth.RoleAuditor)
		v, err := f.a.AuditLog(context.Background(), who, ws, app.AuditQuery{})
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range v.People {
			if strings.Contains(p.Label, "intruder") {
				t.Errorf("the person filter offers someone from another workspace: %+v", p)
			}
		}
		if _, err := app.ParseAuditQuery("", "", "27/11/2026", "", ""); !errors.Is(err, app.ErrInvalid) ||
			!strings.Contains(err.Error(), "From") {
			t.Errorf("a date that does not parse: %v; want an invalid-input error naming From", err)
		}
		if _, err := app.ParseAuditQuery("", "", "2026-11-27", "2026-11-20", ""); !errors.Is(err, app.ErrInvalid) {
			t.Errorf("a range ending before it starts: %v; want an invalid-input error", err)
		}
		_, cws := f.as(t, auth.RoleContributor)
		if _, err := f.a.AuditLog(context.Background(), app.Actor{User: f.users[auth.RoleContributor]}, cws, app.AuditQuery{}); !errors.Is(err, app.ErrForbidden) {
			t.Errorf("a contributor read the audit log: %v", err)
		}
	})
}

// TestAuditLogReadsAsText names people, actions and objects in words and
// shows details as "key: value", masking identifiers.
func TestAuditLogReadsAsText(t *testing.T) {
	f := newLogFixture(t, t.TempDir()+"/rcmguard.db")
	ctx := context.Background()
	who, ws := f.as(t, auth.RoleOwner)
	data, err := examples.FS.ReadFile("practice.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.a.ImportModel(ctx, who, ws, data, app.AnyRevision); err != nil {
		t.Fatal(err)
	}
	asm, err := f.a.RunAssessment(ctx, who, ws)
	if err != nil {
		t.Fatal(err)
	}
	_, res, _, err := f.a.Latest(ctx, f.ws)
	if err != nil {
		t.Fatal(err)
	}
	rk := res.Risks[0]
	owner := f.user(auth.RoleOwner)
	f.put(t, f.ws, at(9, 0), owner, string(audit.AssessmentSignOff), "assessment:"+strconv.FormatInt(asm.ID, 10), nil)
	f.put(t, f.ws, at(9, 0), owner, string(audit.RiskDecide), "risk:"+rk.ID, map[string]any{"status": "accepted", "due": "2027-01-31"})
	f.put(t, f.ws, at(9, 1), owner, string(audit.ModelExport), fmt.Sprintf("workspace:%d/model", f.ws), map[string]any{"revision": 3})
	f.put(t, f.ws, at(9, 2), owner, string(audit.EvidenceUpload), "evidence:7",
		map[string]any{"file": "Doe Jane 078-05-1120.pdf", "facts": 12, "sha256": strings.Repeat("ab", 32), "ok": true})
	f.put(t, f.ws, at(9, 3), "cli:alice", string(audit.AssignmentsSet), string(audit.UserActor(f.users[auth.RoleContributor].ID)),
		map[string]any{"assigned": []any{"model:flows", "risk:*"}, "via": "cli"})
	lines, _ := f.read(t, app.AuditQuery{})
	byAction := map[string]app.AuditLine{}
	for _, l := range lines {
		byAction[l.Action] = l
	}
	exp := byAction[string(audit.ModelExport)]
	if exp.Who != "owner@example.org" || exp.What != "Exported the model" || exp.On != "Workspace model" {
		t.Errorf("model export reads %q %q %q", exp.Who, exp.What, exp.On)
	}
	up := byAction[string(audit.EvidenceUpload)]
	text := fmt.Sprint(up.Details)
	if strings.Contains(text, "078-05-1120") || !strings.Contains(text, "1120") || strings.Contains(text, strings.Repeat("ab", 32)) ||
		!strings.Contains(text, "{Facts 12}") || !strings.Contains(text, "{Ok yes}") || !strings.Contains(text, "{Sha256 abababab…}") ||
		up.On != "Evidence set #7" {
		t.Errorf("evidence upload on %q, details: %s", up.On, text)
	}
	if so := byAction[string(audit.AssessmentSignOff)]; so.On != "Assessment v1" || so.What != "Signed off an assessment" {
		t.Errorf("sign-off reads %q on %q", so.What, so.On)
	}
	if d := byAction[string(audit.RiskDecide)]; d.On != "Risk: "+rk.Title || d.OnRef != rk.ID ||
		fmt.Sprint(d.Details) != "[{Due date 2027-01-31} {Status Accepted}]" {
		t.Errorf("decision reads on %q (%q): %v", d.On, d.OnRef, d.Details)
	}
	as := byAction[string(audit.AssignmentsSet)]
	if as.Who != "alice (command line)" || as.On != "contributor@example.org" ||
		fmt.Sprint(as.Details) != "[{Assigned model:flows, risk:*} {Through command line}]" {
		t.Errorf("assignment reads %q on %q: %v", as.Who, as.On, as.Details)
	}
	v, err := f.a.AuditLog(ctx, who, ws, app.AuditQuery{})
	if err != nil || v.Zone != time.UTC || !strings.Contains(v.ZoneNote, "UTC") {
		t.Errorf("with no time zone in the model, the log is in %v (%q), %v", v.Zone, v.ZoneNote, err)
	}
}

// TestAuditLogZone shows times, and reads the date filters, in the time
// zone the model gives the organisation.
func TestAuditLogZone(t *testing.T) {
	f := newLogFixture(t, t.TempDir()+"/rcmguard.db")
	ctx := context.Background()
	who, ws := f.as(t, auth.RoleOwner)
	data, err := examples.FS.ReadFile("practice.yaml")
	if err != nil {
		t.Fatal(err)
	}
	bad := strings.Replace(string(data), "organization:\n", "organization:\n  time_zone: Mars/Olympus_Mons\n", 1)
	if _, err := f.a.ImportModel(ctx, who, ws, []byte(bad), app.AnyRevision); err == nil || !strings.Contains(err.Error(), "time_zone") {
		t.Errorf("a model with an unknown time zone: %v", err)
	}
	// Viewed once before the zone is set: the zone found then is kept
	// for that model only, not past the next save.
	if v, err := f.a.AuditLog(ctx, who, ws, app.AuditQuery{}); err != nil || v.Zone != time.UTC {
		t.Fatalf("before the zone is set: %v, %v", v.Zone, err)
	}
	good := strings.Replace(string(data), "organization:\n", "organization:\n  time_zone: America/Chicago\n", 1)
	if _, err := f.a.ImportModel(ctx, who, ws, []byte(good), app.AnyRevision); err != nil {
		t.Fatal(err)
	}
	// 03:30 UTC on the 27th is 21:30 on the 26th in Chicago.
	f.put(t, f.ws, at(3, 30), f.user(auth.RoleOwner), string(audit.RiskDecide), "risk:R-1", nil)
	q, err := app.ParseAuditQuery("", string(audit.RiskDecide), "2026-11-26", "2026-11-26", "")
	if err != nil {
		t.Fatal(err)
	}
	v, err := f.a.AuditLog(ctx, who, ws, q)
	if err != nil {
		t.Fatal(err)
	}
	if v.Zone.String() != "America/Chicago" || !strings.Contains(v.ZoneNote, "America/Chicago") || len(v.Entries) != 1 ||
		v.Entries[0].At.In(v.Zone).Format(time.DateTime) != "2026-11-26 21:30:00" {
		t.Errorf("log in %v (%q): %+v", v.Zone, v.ZoneNote, v.Entries)
	}
}

// TestAuditLogGroupsReads folds one person's repeated views of the model
// into a line saying how many and when, but not across a change.
func TestAuditLogGroupsReads(t *testing.T) {
	f := newLogFixture(t, t.TempDir()+"/rcmguard.db")
	owner, auditor := f.user(auth.RoleOwner), f.user(auth.RoleAuditor)
	model := fmt.Sprintf("workspace:%d/model", f.ws)
	for i := range 14 {
		m := 9*60 + 2 + i*(158/13) // 09:02 … 11:40
		if i == 13 {
			m = 11*60 + 40
		}
		f.put(t, f.ws, at(m/60, m%60), owner, string(audit.ModelRead), model, map[string]any{"view": "model"})
		if i%5 == 0 {
			f.put(t, f.ws, at(m/60, m%60).Add(time.Second), auditor, string(audit.EvidenceRead), "evidence:3", nil)
		}
	}
	f.put(t, f.ws, at(12, 0), owner, string(audit.RiskDecide), "risk:R-1", map[string]any{"status": "accepted"})
	f.put(t, f.ws, at(12, 5), owner, string(audit.ModelRead), model, nil)
	f.put(t, f.ws, at(12, 6), owner, string(audit.ModelRead), model, nil)
	lines, _ := f.read(t, app.AuditQuery{})
	var got []string
	for _, l := range lines {
		got = append(got, l.Who+" "+l.Summary(time.UTC))
	}
	want := []string{
		"owner@example.org Viewed the model 2 times between 12:05:00 and 12:06:00",
		"owner@example.org Decided on a risk",
		"owner@example.org Viewed the model 14 times between 09:02:00 and 11:40:00",
		"auditor@example.org Viewed this evidence 3 times between 09:02:01 and 11:02:01",
	}
	if len(got) < len(want) || strings.Join(got[:len(want)], "\n") != strings.Join(want, "\n") {
		t.Errorf("grouped log:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestAuditExportCSV exports the filtered log, parses it back, finds
// formula cells defused and the export itself recorded.
func TestAuditExportCSV(t *testing.T) {
	f := newLogFixture(t, t.TempDir()+"/rcmguard.db")
	ctx := context.Background()
	owner := f.user(auth.RoleOwner)
	f.put(t, f.ws, at(9, 0), owner, string(audit.RiskDecide), "risk:R-1", map[string]any{"owner": `=HYPERLINK("http://evil.example","x")`})
	f.put(t, f.ws, at(9, 1), owner, string(audit.RiskDecide), "risk:R-2", map[string]any{"owner": "+1-555-0100"})
	f.put(t, f.ws, at(9, 2), f.user(auth.RoleAuditor), string(audit.RiskDecide), "risk:R-3", nil)
	f.put(t, f.other, at(9, 3), owner, string(audit.RiskDecide), "risk:OTHER", nil)
	who, ws := f.as(t, auth.RoleAuditor)
	q, err := app.ParseAuditQuery(owner, string(audit.RiskDecide), "2026-11-27", "2026-11-27", "")
	if err != nil {
		t.Fatal(err)
	}
	data, err := f.a.ExportAuditLog(ctx, who, ws, q)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil {
		t.Fatalf("the export does not parse as CSV: %v\n%s", err, data)
	}
	if len(recs) != 3 || recs[0][1] != "Time (UTC)" || recs[0][2] != "Person" {
		t.Fatalf("export:\n%q", recs)
	}
	for _, r := range recs[1:] {
		if r[2] != "owner@example.org" || r[3] != "Decided on a risk" || r[7] != "risk.decide" {
			t.Errorf("row %q", r)
		}
	}
	if recs[1][1] != "2026-11-27 09:01:00" || recs[1][6] != "Owner: +1-555-0100" || !strings.HasPrefix(recs[2][6], "Owner: =HYPERLINK") {
		t.Errorf("rows %q", recs[1:])
	}
	// A name a person chose can start a cell: the command-line account's.
	f.put(t, f.ws, at(9, 4), "cli:=SUM(1+1)", string(audit.UserList), "", map[string]any{"accounts": 2})
	if data, err = f.a.ExportAuditLog(ctx, who, ws, app.AuditQuery{Action: string(audit.UserList)}); err != nil {
		t.Fatal(err)
	}
	if recs, err = csv.NewReader(bytes.NewReader(data)).ReadAll(); err != nil || len(recs) != 2 || recs[1][2] != "'=SUM(1+1) (command line)" {
		t.Errorf("a formula name exported as %q (%v)", recs, err)
	}
	for _, r := range recs {
		for _, c := range r {
			if c != "" && strings.ContainsRune("=+-@", rune(c[0])) {
				t.Errorf("cell %q would run as a formula", c)
			}
		}
	}
	rows, err := f.st.WorkspaceAuditEntries(ctx, f.ws, 0, 3)
	if err != nil {
		t.Fatal(err)
	}
	rows = rows[2:] // before the second export and its entry
	if rows[0].Action != string(audit.AuditExport) || rows[0].Actor != f.user(auth.RoleAuditor) ||
		!strings.Contains(rows[0].Details, `"entries":2`) || !strings.Contains(rows[0].Details, `"from":"2026-11-27"`) {
		t.Errorf("the export was not recorded: %+v", rows[0])
	}
	_, cws := f.as(t, auth.RoleContributor)
	if _, err := f.a.ExportAuditLog(ctx, app.Actor{User: f.users[auth.RoleContributor]}, cws, app.AuditQuery{}); !errors.Is(err, app.ErrForbidden) {
		t.Errorf("a contributor exported the log: %v", err)
	}
}
