package app_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"rcmguard/internal/app"
	"rcmguard/internal/auth"
	"rcmguard/internal/incident"
	"rcmguard/internal/store/storetest"
)

func incidentForm(f *fixture, counts string) app.IncidentForm {
	c, err := app.ParseCounts(counts)
	if err != nil {
		panic(err)
	}
	return app.IncidentForm{Title: "Statement batch mailed to wrong addresses", Summary: "Batch 2026-11-18 of Jane Roe's practice",
		Severity: "high", OwnerID: f.users[auth.RoleComplianceOfficer].ID, Discovered: "2026-11-20", Role: "covered_entity",
		Systems: []string{"statements-vendor"}, DataTypes: []string{"name", "address", "account"}, Counts: c}
}

func dueOf(r incident.Result, to string) string {
	for _, n := range r.Notices {
		if n.To == to && strings.HasPrefix(n.Citation, "45 CFR") {
			return n.Due.String() + "/" + n.Form
		}
	}
	return ""
}

// TestIncidentLifecycle opens an incident, works it through a playbook,
// signs the assessment, recounts and closes it, on both databases: the
// clocks are the engine's and run again on a recount, the timeline grows
// by one entry per change and the status rules hold.
func TestIncidentLifecycle(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dsn string) {
		f := newFixture(t, dsn)
		ctx := context.Background()
		who, ws := f.as(t, auth.RoleContributor)
		in, err := f.a.OpenIncident(ctx, who, ws, incidentForm(f, "FL 300\nGA 99"))
		if err != nil {
			t.Fatal(err)
		}
		v, err := f.a.Incident(ctx, who, ws, in.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !v.Clocks.Breach || dueOf(v.Clocks, "individuals") != "2027-01-19/written" || dueOf(v.Clocks, "hhs") != "2027-03-01/annual_log" {
			t.Errorf("clocks before assessment: breach %v, individuals %q, hhs %q", v.Clocks.Breach, dueOf(v.Clocks, "individuals"), dueOf(v.Clocks, "hhs"))
		}
		if err := f.a.ChooseIncidentPlaybook(ctx, who, ws, in.ID, "misdirected-statements"); err != nil {
			t.Fatal(err)
		}
		if err := f.a.TickIncidentItem(ctx, who, ws, in.ID, "contain.stop", true); err != nil {
			t.Fatal(err)
		}
		if err := f.a.TickIncidentItem(ctx, who, ws, in.ID, "contain.stop", true); !errors.Is(err, app.ErrConflict) {
			t.Errorf("ticking a ticked item: %v; want a conflict", err)
		}
		if err := f.a.TickIncidentItem(ctx, who, ws, in.ID, "nope.nope", true); !errors.Is(err, app.ErrMalformed) {
			t.Errorf("ticking an unknown item: %v; want malformed", err)
		}
		// A contributor works the incident but does not sign or move it on.
		form := app.AssessmentForm{Factors: map[string]app.Factor{
			"nature": {Risk: "not_low", Reason: "names, addresses and balances"}, "recipient": {Risk: "low", Reason: "other patients"},
			"acquired": {Risk: "not_low", Reason: "letters were opened"}, "mitigation": {Risk: "low", Reason: "40 returned"}},
			Conclusion: "Breach presumed.", SignedName: "Carla Officer"}
		if _, err := f.a.AssessIncident(ctx, who, ws, in.ID, form); !errors.Is(err, app.ErrForbidden) {
			t.Errorf("contributor signs: %v; want forbidden", err)
		}
		if _, err := f.a.SetIncidentStatus(ctx, who, ws, in.ID, app.IncidentContained, ""); !errors.Is(err, app.ErrForbidden) {
			t.Errorf("contributor moves status: %v; want forbidden", err)
		}
		co, cws := f.as(t, auth.RoleComplianceOfficer)
		if _, err := f.a.SetIncidentStatus(ctx, co, cws, in.ID, app.IncidentAssessed, ""); !errors.Is(err, app.ErrConflict) {
			t.Errorf("assessed without an assessment: %v; want a conflict", err)
		}
		low := form
		low.LowProbability = true
		if _, err := f.a.AssessIncident(ctx, co, cws, in.ID, low); !errors.Is(err, app.ErrInvalid) {
			t.Errorf("low probability with factors pointing the other way: %v; want invalid", err)
		}
		if _, err := f.a.AssessIncident(ctx, co, cws, in.ID, form); err != nil {
			t.Fatal(err)
		}
		// A recount past 500 re-runs every clock: HHS now with the
		// individual notices, and media in the State past 500.
		v, _ = f.a.Incident(ctx, co, cws, in.ID)
		edit := incidentForm(f, "FL 300\nFL 250\nGA 99")
		if _, err := f.a.UpdateIncident(ctx, who, ws, in.ID, v.Revision, edit); err != nil {
			t.Fatal(err)
		}
		if _, err := f.a.UpdateIncident(ctx, who, ws, in.ID, v.Revision, edit); !errors.Is(err, app.ErrConflict) {
			t.Errorf("a save from a stale revision: %v; want a conflict", err)
		}
		v, _ = f.a.Incident(ctx, co, cws, in.ID)
		if v.Individuals() != 649 || dueOf(v.Clocks, "hhs") != "2027-01-19/breach_portal" || dueOf(v.Clocks, "media") != "2027-01-19/media" {
			t.Errorf("after the recount: %d individuals, hhs %q, media %q", v.Individuals(), dueOf(v.Clocks, "hhs"), dueOf(v.Clocks, "media"))
		}
		for _, s := range []string{app.IncidentContained, app.IncidentAssessed, app.IncidentNotified} {
			if _, err := f.a.SetIncidentStatus(ctx, co, cws, in.ID, s, ""); err != nil {
				t.Fatalf("to %s: %v", s, err)
			}
		}
		if _, err := f.a.SetIncidentStatus(ctx, co, cws, in.ID, app.IncidentContained, ""); !errors.Is(err, app.ErrConflict) {
			t.Errorf("moving back: %v; want a conflict", err)
		}
		if _, err := f.a.SetIncidentStatus(ctx, co, cws, in.ID, app.IncidentClosed, ""); !errors.Is(err, app.ErrConflict) {
			t.Errorf("closing without corrective actions: %v; want a conflict", err)
		}
		if err := f.a.AddCorrectiveAction(ctx, who, ws, in.ID, "Check the address file before each print run", "Billing lead", "2027-01-31"); err != nil {
			t.Fatal(err)
		}
		if _, err := f.a.SetIncidentStatus(ctx, co, cws, in.ID, app.IncidentClosed, ""); !errors.Is(err, app.ErrConflict) {
			t.Errorf("closing with an open corrective action: %v; want a conflict", err)
		}
		if err := f.a.CompleteCorrectiveAction(ctx, who, ws, in.ID, 1); err != nil {
			t.Fatal(err)
		}
		if _, err := f.a.SetIncidentStatus(ctx, co, cws, in.ID, app.IncidentClosed, "Post-incident review held."); err != nil {
			t.Fatal(err)
		}
		if err := f.a.TickIncidentItem(ctx, who, ws, in.ID, "contain.vendor", true); !errors.Is(err, app.ErrConflict) {
			t.Errorf("a tick on a closed incident: %v; want a conflict", err)
		}
		v, _ = f.a.Incident(ctx, co, cws, in.ID)
		var kinds []string
		for _, ev := range v.Events {
			kinds = append(kinds, ev.Kind)
		}
		want := "opened playbook tick assessment recount status status status action action_done status"
		if got := strings.Join(kinds, " "); got != want {
			t.Errorf("timeline: %s\nwant      %s", got, want)
		}
		// The database refuses to change or remove a timeline entry.
		for _, q := range []string{`UPDATE incident_events SET kind = 'x'`, `UPDATE incident_events SET text = 'plain'`, `DELETE FROM incident_events`} {
			if _, err := f.st.DB().ExecContext(ctx, q); err == nil {
				t.Errorf("%s: allowed", q)
			}
		}
	})
}

// TestIncidentFormRefuses: bad input is refused by field, with nothing
// stored; another workspace's incident is not found.
func TestIncidentFormRefuses(t *testing.T) {
	f := newFixture(t, t.TempDir()+"/rcmguard.db")
	ctx := context.Background()
	who, ws := f.as(t, auth.RoleOwner)
	for name, tc := range map[string]struct {
		edit  func(*app.IncidentForm)
		field string
	}{
		"no title":           {func(x *app.IncidentForm) { x.Title = " " }, "title"},
		"future discovery":   {func(x *app.IncidentForm) { x.Discovered = "2026-12-01" }, "discovered"},
		"bad date":           {func(x *app.IncidentForm) { x.Discovered = "2026-02-30" }, "discovered"},
		"owner not a member": {func(x *app.IncidentForm) { x.OwnerID = 999 }, "owner"},
		"unknown system":     {func(x *app.IncidentForm) { x.Systems = []string{"mainframe"} }, "systems"},
		"bad State":          {func(x *app.IncidentForm) { x.Counts = []app.Count{{State: "XX", Individuals: 3}} }, "counts"},
		"client for a CE":    {func(x *app.IncidentForm) { x.Counts = []app.Count{{Client: "c1", State: "FL", Individuals: 3}} }, "counts"},
		"written delay no end": {func(x *app.IncidentForm) {
			x.Delay = &app.LawDelay{Statement: "2026-11-21", Written: true, Official: "Det. Smith, county police"}
		}, "delay"},
	} {
		form := incidentForm(f, "FL 3")
		tc.edit(&form)
		_, err := f.a.OpenIncident(ctx, who, ws, form)
		var errs app.Errors
		if !errors.As(err, &errs) || errs.ByField()[tc.field] == "" {
			t.Errorf("%s: %v; want a problem with %s", name, err, tc.field)
		}
	}
	if list, _ := f.a.Incidents(ctx, who, ws); len(list) != 0 {
		t.Errorf("%d incidents stored from refused forms", len(list))
	}
	if _, err := app.ParseCounts("FL 3\nnonsense\n"); err == nil || !strings.Contains(err.Error(), "Line 2") {
		t.Errorf("ParseCounts of a bad line: %v", err)
	}
	if _, err := f.a.Incident(ctx, who, ws, 12345); !errors.Is(err, app.ErrNotFound) {
		t.Errorf("unknown incident: %v; want not found", err)
	}
}

// TestIncidentEvidenceSealed: evidence is stored sealed (neither its
// content nor the timeline's text is in the database file in clear), its
// kind is sniffed, and reading it is audited.
func TestIncidentEvidenceSealed(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dsn string) {
		f := newFixture(t, dsn)
		ctx := context.Background()
		who, ws := f.as(t, auth.RoleContributor)
		in, err := f.a.OpenIncident(ctx, who, ws, incidentForm(f, "FL 3"))
		if err != nil {
			t.Fatal(err)
		}
		secret := "Patient Zelda Quux, account 55512345, returned envelope"
		file, err := f.a.AttachIncidentFile(ctx, who, ws, in.ID, "returned.txt", []byte(secret))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.a.AttachIncidentFile(ctx, who, ws, in.ID, "photo.png", []byte(secret)); !errors.Is(err, app.ErrUnsupported) {
			t.Errorf("text named .png: %v; want unsupported", err)
		}
		if _, err := f.a.AttachIncidentFile(ctx, who, ws, in.ID, "big.txt", make([]byte, app.MaxIncidentFile+1)); !errors.Is(err, app.ErrTooLarge) {
			t.Errorf("over the limit: %v; want too large", err)
		}
		if err := f.a.AddIncidentNote(ctx, who, ws, in.ID, "Called Zelda Quux"); err != nil {
			t.Fatal(err)
		}
		for _, q := range []string{`SELECT data FROM incident_files`, `SELECT text FROM incident_events`, `SELECT body FROM incidents`} {
			rows, err := f.st.DB().QueryContext(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			for rows.Next() {
				var v string
				rows.Scan(&v)
				if strings.Contains(v, "Zelda") || strings.Contains(v, "Jane Roe") || !strings.HasPrefix(v, "s1.") {
					t.Errorf("%s: a value is not sealed: %.40q", q, v)
				}
			}
			rows.Close()
		}
		aud, aws := f.as(t, auth.RoleAuditor)
		got, err := f.a.IncidentFile(ctx, aud, aws, in.ID, file.ID)
		if err != nil || string(got.Data) != secret || got.ContentType != "text/plain; charset=utf-8" {
			t.Fatalf("read back: %v %q %q", err, got.Data, got.ContentType)
		}
		if _, err := f.a.AttachIncidentFile(ctx, aud, aws, in.ID, "x.txt", []byte("x")); !errors.Is(err, app.ErrForbidden) {
			t.Errorf("auditor attaches: %v; want forbidden", err)
		}
		var n int
		f.st.DB().QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_log WHERE action = 'incident.file.read'`).Scan(&n)
		if n != 1 {
			t.Errorf("%d audit entries for the read; want 1", n)
		}
		// Key rotation reaches every sealed incident column.
		ids, err := f.st.SealedKeyIDs(ctx)
		if err != nil {
			t.Fatal(err)
		}
		total := 0
		for _, c := range ids {
			total += c
		}
		if total == 0 {
			t.Error("no sealed values counted")
		}
	})
}

// TestIncidentDocuments: the individual notice has every element of
// 164.404(c)(1) and (c)(2), each with its citation, and says which it
// cannot fill yet; the portal's fields come out as CSV that a spreadsheet
// does not run; the annual log lists the breach under 500 for its year.
func TestIncidentDocuments(t *testing.T) {
	f := newFixture(t, t.TempDir()+"/rcmguard.db")
	ctx := context.Background()
	who, ws := f.as(t, auth.RoleComplianceOfficer)
	form := incidentForm(f, "FL 30\nGA 9")
	form.Title = "=HYPERLINK(\"x\")"
	in, err := f.a.OpenIncident(ctx, who, ws, form)
	if err != nil {
		t.Fatal(err)
	}
	d, err := f.a.IncidentDocuments(ctx, who, ws, in.ID)
	if err != nil {
		t.Fatal(err)
	}
	var individual *app.NoticeDraft
	for i := range d.Notices {
		if d.Notices[i].To == "individuals" && strings.HasPrefix(d.Notices[i].Citation, "45 CFR") {
			individual = &d.Notices[i]
		}
	}
	if individual == nil {
		t.Fatalf("no notice to individuals drafted: %+v", d.Notices)
	}
	var cites, missing []string
	for _, s := range individual.Sections {
		cites = append(cites, s.Citation)
		if s.Missing {
			missing = append(missing, s.Citation)
		}
	}
	want := "45 CFR 164.404(c)(1)(A) 45 CFR 164.404(c)(1)(B) 45 CFR 164.404(c)(1)(C) 45 CFR 164.404(c)(1)(D) 45 CFR 164.404(c)(1)(E) 45 CFR 164.404(c)(2)"
	if got := strings.Join(cites, " "); got != want {
		t.Errorf("elements: %s\nwant      %s", got, want)
	}
	// No corrective action and no contact yet: (D) and (E) are to complete.
	if got := strings.Join(missing, " "); got != "45 CFR 164.404(c)(1)(D) 45 CFR 164.404(c)(1)(E)" {
		t.Errorf("missing: %s", got)
	}
	csv, err := f.a.ExportIncidentPortal(ctx, who, ws, in.ID, "csv")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(csv), "\n=") || strings.Contains(string(csv), ",=") || !strings.Contains(string(csv), "Approximate number of individuals affected,39") {
		t.Errorf("portal CSV:\n%s", csv)
	}
	if _, err := f.a.ExportIncidentPortal(ctx, who, ws, in.ID, "xml"); !errors.Is(err, app.ErrMalformed) {
		t.Errorf("xml: %v", err)
	}
	log, err := f.a.BreachLog(ctx, who, ws, 2026)
	if err != nil || len(log) != 1 || log[0].Individuals != 39 || log[0].Due != "2027-03-01" {
		t.Errorf("log 2026: %+v %v", log, err)
	}
	if log, _ := f.a.BreachLog(ctx, who, ws, 2025); len(log) != 0 {
		t.Errorf("log 2025: %+v", log)
	}
}

// TestIncidentTextMasksIdentifiers: an SSN or card number typed into an
// incident's free text (its description, a note, the assessment's
// reasons, a corrective action) is stored masked, as evidence is.
func TestIncidentTextMasksIdentifiers(t *testing.T) {
	f := newFixture(t, t.TempDir()+"/rcmguard.db")
	ctx := context.Background()
	who, ws := f.as(t, auth.RoleComplianceOfficer)
	form := incidentForm(f, "FL 3")
	form.Summary = "Statement for patient SSN 512-44-7821 went astray"
	in, err := f.a.OpenIncident(ctx, who, ws, form)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.a.AddIncidentNote(ctx, who, ws, in.ID, "Called about card 4111 1111 1111 1111"); err != nil {
		t.Fatal(err)
	}
	if err := f.a.AddCorrectiveAction(ctx, who, ws, in.ID, "Purge ssn: 512447821 from the share", "IT", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := f.a.AssessIncident(ctx, who, ws, in.ID, app.AssessmentForm{Factors: map[string]app.Factor{
		"nature": {Risk: "not_low", Reason: "SSN 512-44-7821 exposed"}, "recipient": {Risk: "not_low", Reason: "x"},
		"acquired": {Risk: "not_low", Reason: "x"}, "mitigation": {Risk: "not_low", Reason: "x"}},
		Conclusion: "Breach of SSN 512-44-7821.", SignedName: "C O"}); err != nil {
		t.Fatal(err)
	}
	v, err := f.a.Incident(ctx, who, ws, in.ID)
	if err != nil {
		t.Fatal(err)
	}
	all := v.Summary + v.Assessment.Conclusion + v.Assessment.Factors[0].Reason + v.Actions[0].Text
	for _, ev := range v.Events {
		all += ev.Text
	}
	for _, full := range []string{"512-44-7821", "512447821", "4111 1111 1111 1111"} {
		if strings.Contains(all, full) {
			t.Errorf("%s stored in full", full)
		}
	}
	if !strings.Contains(all, "***-**-7821") {
		t.Error("no masked SSN stored: the text was dropped rather than masked")
	}
}
