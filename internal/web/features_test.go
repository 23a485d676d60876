package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"rcmguard/internal/app"
	"rcmguard/internal/store"
	"rcmguard/internal/store/storetest"
)

// TestModelEditorsValidateLikeTheLoader edits the organisation and a flow
// through the forms: errors land beside their fields, keep the input, and
// save nothing; a valid edit saves a new revision.
func TestModelEditorsValidateLikeTheLoader(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dsn string) {
		e := newTestEnv(t, dsn)
		ctx := context.Background()
		ws := e.ws["A"].ID
		b := e.signIn("A:contributor")
		rev := func() int {
			wm, err := e.st.WorkspaceModel(ctx, ws)
			if err != nil {
				t.Fatal(err)
			}
			return wm.Revision
		}
		start := rev()

		// org names the organisation form's inputs by their path in the model.
		org := func(rev string, kv ...string) url.Values {
			v := url.Values{"revision": {rev}}
			for i := 0; i < len(kv); i += 2 {
				v.Set("organization."+kv[i], kv[i+1])
			}
			return v
		}
		_, body := b.get(wsPath(ws, "/model/organization"))
		resp, body := b.post(wsPath(ws, "/model/organization"), org(csrfRevision(body),
			"name", "", "kind", "hospital", "workforce", "twelve", "patients_per_year", "6800",
			"claims_per_month", "1900", "avg_reimbursement", "118.40", "security_official", "Dana Ruiz"))
		if resp.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("invalid organisation: %d; want 422", resp.StatusCode)
		}
		if got := errorBeside(body, "organization.workforce"); got != "Enter a whole number." || !strings.Contains(body, `value="twelve"`) {
			t.Errorf("the workforce error is not beside its field (%q), or the input was lost:\n%s", got, body)
		}
		resp, body = b.post(wsPath(ws, "/model/organization"), org(itoa(int64(start)),
			"name", "", "kind", "hospital", "workforce", "12", "patients_per_year", "6800",
			"claims_per_month", "1900", "avg_reimbursement", "118.40", "security_official", "Dana Ruiz"))
		if resp.StatusCode != http.StatusUnprocessableEntity || errorBeside(body, "organization.name") != "This is required." ||
			!strings.Contains(errorBeside(body, "organization.kind"), `unknown value "hospital"`) || !strings.Contains(body, `value="Dana Ruiz"`) {
			t.Errorf("errors on name and kind not shown beside the fields (status %d):\n%s", resp.StatusCode, body)
		}
		if rev() != start {
			t.Fatal("an invalid organisation was saved")
		}
		resp, _ = b.post(wsPath(ws, "/model/organization"), org(itoa(int64(start)),
			"name", "Riverbend Family Medicine LLC", "kind", "provider_practice", "workforce", "14",
			"patients_per_year", "6800", "claims_per_month", "1900", "avg_reimbursement", "118.40"))
		if resp.StatusCode != http.StatusSeeOther || rev() != start+1 {
			t.Fatalf("valid organisation: %d, revision %d; want 303 and revision %d", resp.StatusCode, rev(), start+1)
		}
		// A form based on an old revision does not overwrite the new one.
		resp, _ = b.post(wsPath(ws, "/model/organization"), org(itoa(int64(start)),
			"name", "Stale", "kind", "provider_practice", "workforce", "1", "patients_per_year", "1",
			"claims_per_month", "1", "avg_reimbursement", "1"))
		if resp.StatusCode != http.StatusConflict || rev() != start+1 {
			t.Fatalf("stale organisation form: %d; want 409 and nothing saved", resp.StatusCode)
		}

		// Flows: add one referring to an unknown system, then a valid one,
		// edit it, delete it.
		_, body = b.get(wsPath(ws, "/model/flows/new"))
		r := itoa(int64(start + 1))
		resp, body = b.post(wsPath(ws, "/model/flows"), url.Values{"revision": {r}, "id": {"f-new"}, "from": {"nowhere"},
			"to": {"ehr"}, "data": {"claims"}, "channel": {"sftp"}})
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `id="e-from"`) {
			t.Fatalf("flow from an unknown system: %d; want 422 with the error beside 'from'\n%s", resp.StatusCode, body)
		}
		resp, body = b.post(wsPath(ws, "/model/flows"), url.Values{"revision": {r}, "id": {"f-new"}, "from": {"pm"},
			"to": {"ehr"}, "data": {"claims"}, "channel": {"carrier_pigeon"}})
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `id="e-channel"`) {
			t.Fatalf("flow with an unknown channel: %d; want 422 with the error beside 'channel'\n%s", resp.StatusCode, body)
		}
		if rev() != start+1 {
			t.Fatal("an invalid flow was saved")
		}
		resp, body = b.post(wsPath(ws, "/model/flows"), url.Values{"revision": {r}, "id": {"f-new"}, "from": {"pm"},
			"to": {"ehr"}, "data": {"claims", "remits"}, "channel": {"sftp"}, "auth": {"key"}, "automated": {"yes"},
			"stage": {"edi_submission"}, "encrypted": {"yes"}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("valid new flow: %d\n%s", resp.StatusCode, body)
		}
		_, m, _, err := e.srv.app.CurrentModel(ctx, ws)
		if err != nil {
			t.Fatal(err)
		}
		fl := m.Flows[flowIndex(m, "f-new")]
		if fl.From != "pm" || len(fl.Data) != 2 || fl.Automated == nil || !*fl.Automated || fl.Encrypted == nil || !*fl.Encrypted || fl.Stage != "edi_submission" {
			t.Errorf("stored flow = %+v", fl)
		}
		_, body = b.get(wsPath(ws, "/model/flows/f-new"))
		resp, _ = b.post(wsPath(ws, "/model/flows/f-new"), url.Values{"revision": {csrfRevision(body)}, "id": {"f-new"},
			"from": {"pm"}, "to": {"ehr"}, "data": {"claims"}, "channel": {"https_api"}, "auth": {"oauth"}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("edit flow: %d", resp.StatusCode)
		}
		_, m, _, _ = e.srv.app.CurrentModel(ctx, ws)
		if fl := m.Flows[flowIndex(m, "f-new")]; fl.Channel != "https_api" || fl.Automated != nil {
			t.Errorf("edited flow = %+v; want channel https_api and automated unset", fl)
		}
		b.get(wsPath(ws, "/model"))
		if resp, _ = b.post(wsPath(ws, "/model/flows/f-new/delete"), nil); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("delete flow: %d", resp.StatusCode)
		}
		_, m, _, _ = e.srv.app.CurrentModel(ctx, ws)
		if flowIndex(m, "f-new") >= 0 {
			t.Error("deleted flow is still in the model")
		}
		// A flow a workflow step triggers cannot be deleted from under it.
		resp, body = b.post(wsPath(ws, "/model/flows/f-appeals-fax/delete"), nil)
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "not deleted") {
			t.Errorf("deleting a referenced flow: %d; want 422 explaining why", resp.StatusCode)
		}
	})
}

// TestImportShowsLineAndColumn uploads an invalid model: every error is
// listed with its place and nothing is saved.
func TestImportShowsLineAndColumn(t *testing.T) {
	e := newTestEnv(t, t.TempDir()+"/rcmguard.db")
	ws := e.ws["A"].ID
	b := e.signIn("A:owner")
	before, _ := e.st.WorkspaceModel(context.Background(), ws)
	b.get(wsPath(ws, "/model"))
	bad := "version: 1\norganization:\n  name: X\n  kind: hospital\n  colour: blue\n"
	resp, body := b.upload(wsPath(ws, "/model/import"), "bad.yaml", []byte(bad))
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("invalid import: %d; want 422", resp.StatusCode)
	}
	for _, want := range []string{"line 5:3", "organization.colour", "line 3:7", "workforce", "Nothing was changed"} {
		if !strings.Contains(body, want) {
			t.Errorf("import error page lacks %q", want)
		}
	}
	after, _ := e.st.WorkspaceModel(context.Background(), ws)
	if after.Revision != before.Revision {
		t.Error("an invalid import was saved")
	}
	for _, n := range []int{maxModelUpload + 1, maxUploadBody + 1} {
		big := strings.Repeat("#", n)
		if resp, _ := b.upload(wsPath(ws, "/model/import"), "big.yaml", []byte(big)); resp.StatusCode != http.StatusRequestEntityTooLarge {
			t.Errorf("import of %d bytes: %d; want 413", n, resp.StatusCode)
		}
	}
	resp, _ = b.post(wsPath(ws, "/model/organization"), url.Values{"name": {strings.Repeat("x", maxFormBody)}})
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("oversized form: %d; want 413", resp.StatusCode)
	}
}

// TestDecisionsAppliedAtNextRun: decisions are stored, acceptance needs the
// right role and an expiry, and the next assessment carries them.
func TestDecisionsAppliedAtNextRun(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dsn string) {
		e := newTestEnv(t, dsn)
		ctx := context.Background()
		ws := e.ws["A"].ID
		_, res, _, err := e.srv.app.Latest(ctx, ws)
		if err != nil {
			t.Fatal(err)
		}
		r1, r2 := res.Risks[0].ID, res.Risks[1].ID
		p1, p2 := wsPath(ws, "/risks/"+url.PathEscape(r1)), wsPath(ws, "/risks/"+url.PathEscape(r2))

		c := e.signIn("A:contributor")
		c.get(p1)
		if resp, _ := c.post(p1, url.Values{"status": {"accepted"}, "justification": {"cost"}, "expires": {"2027-06-30"}}); resp.StatusCode != http.StatusForbidden {
			t.Errorf("contributor accepting a risk: %d; want 403", resp.StatusCode)
		}
		resp, body := c.post(p1, url.Values{"status": {"mitigated"}, "owner": {"IT"}})
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `id="justification-err"`) || !strings.Contains(body, `value="IT"`) {
			t.Errorf("mitigated without justification: %d; want 422 beside the field, input kept", resp.StatusCode)
		}
		if resp, _ := c.post(p1, url.Values{"status": {"in_progress"}, "owner": {"Northgate IT"}, "due": {"2026-12-15"}}); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("contributor moving a risk along: %d", resp.StatusCode)
		}

		o := e.signIn("A:compliance_officer")
		o.get(p2)
		resp, body = o.post(p2, url.Values{"status": {"accepted"}, "justification": {"Compensating control: VPN only"}})
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `id="expires-err"`) {
			t.Errorf("acceptance without expiry: %d; want 422 beside the expiry", resp.StatusCode)
		}
		resp, body = o.post(p2, url.Values{"status": {"accepted"}, "justification": {"Compensating control: VPN only"}, "expires": {"2026-01-01"}})
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "after today") {
			t.Errorf("acceptance expiring in the past: %d; want 422", resp.StatusCode)
		}
		if resp, _ := o.post(p2, url.Values{"status": {"accepted"}, "justification": {"Compensating control: VPN only"}, "expires": {"2027-06-30"}}); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("compliance officer accepting: %d", resp.StatusCode)
		}
		d, err := e.st.RiskDecision(ctx, ws, r2)
		if err != nil || d.ApproverID != e.users["A:compliance_officer"].ID || app.FormatDate(d.Expires) != "2027-06-30" {
			t.Fatalf("stored acceptance = %+v, %v; want the officer as approver and the expiry", d, err)
		}

		a, err := e.runAssessment(ctx, ws, e.users["A:owner"].ID)
		if err != nil {
			t.Fatal(err)
		}
		next, err := app.DecodeResult(a)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range next.Risks {
			switch r.ID {
			case r1:
				if r.Status != "in_progress" || r.Tracking == nil || r.Tracking.Owner != "Northgate IT" || r.Tracking.Due != "2026-12-15" {
					t.Errorf("%s after the run: status %s tracking %+v", r1, r.Status, r.Tracking)
				}
			case r2:
				if r.Status != "accepted" || r.Open() || r.Tracking == nil || r.Tracking.Approver != e.users["A:compliance_officer"].Email {
					t.Errorf("%s after the run: status %s open %v tracking %+v", r2, r.Status, r.Open(), r.Tracking)
				}
			}
		}
		if !strings.Contains(string(a.ModelYAML), r2) {
			t.Error("the stored snapshot of the model lacks the merged decision")
		}
	})
}

// TestSignOffDiffAndAuditedDownloads signs an assessment off (then it can no
// longer change), compares two runs, and checks downloads are audited.
func TestSignOffDiffAndAuditedDownloads(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dsn string) {
		e := newTestEnv(t, dsn)
		ctx := context.Background()
		ws := e.ws["A"].ID
		b := e.signIn("A:owner")
		first, _, _, _ := e.srv.app.Latest(ctx, ws)
		ap := wsPath(ws, "/assessments/"+itoa(first.ID))
		b.get(ap)
		if resp, _ := b.post(ap+"/signoff", nil); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("sign off: %d", resp.StatusCode)
		}
		if resp, _ := b.post(ap+"/signoff", nil); resp.StatusCode != http.StatusConflict {
			t.Errorf("second sign-off: %d; want 409", resp.StatusCode)
		}
		err := e.st.InTx(ctx, func(tx *store.Tx) error {
			if err := tx.SetAssessmentResult(ctx, ws, first.ID, []byte("{}")); err != nil {
				return err
			}
			return e.srv.audit(ctx, tx, &call{User: store.User{ID: 1}, WS: store.Workspace{ID: ws}}, "test", "", nil)
		})
		if err == nil {
			t.Error("a signed-off assessment accepted a new result")
		}
		_, body := b.get(wsPath(ws, ""))
		if !strings.Contains(body, "Signed off by "+e.users["A:owner"].Email) {
			t.Error("the dashboard does not say who signed the latest assessment off")
		}

		// Send the claims over plain FTP so that new risks appear, then compare.
		_, m, _, _ := e.srv.app.CurrentModel(ctx, ws)
		fl := m.Flows[flowIndex(m, "f-claims-sftp")]
		_, body = b.get(wsPath(ws, "/model/flows/f-claims-sftp"))
		resp, body := b.post(wsPath(ws, "/model/flows/f-claims-sftp"), url.Values{"revision": {csrfRevision(body)},
			"id": {fl.ID}, "from": {fl.From}, "to": {fl.To}, "data": fl.Data, "channel": {"ftp"}, "auth": {"shared_password"}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("edit f-claims-sftp: %d\n%s", resp.StatusCode, body)
		}
		second, err := e.runAssessment(ctx, ws, e.users["A:owner"].ID)
		if err != nil {
			t.Fatal(err)
		}
		_, body = b.get(wsPath(ws, "/assessments/diff?from="+itoa(first.ID)+"&to="+itoa(second.ID)))
		newPart, _, _ := strings.Cut(body, "Resolved risks")
		if !strings.Contains(newPart, "@f-claims-sftp") {
			t.Errorf("diff does not list new risks on the flow moved to FTP:\n%s", body)
		}

		before := e.auditSeq()
		for _, p := range []string{ap + "/report.html", ap + "/result.json", wsPath(ws, "/model/export")} {
			resp, _ := b.get(p)
			if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Disposition") == "" {
				t.Errorf("GET %s: %d %q", p, resp.StatusCode, resp.Header.Get("Content-Disposition"))
			}
		}
		rows, err := e.st.WorkspaceAuditEntries(ctx, ws, 0, 3)
		if err != nil {
			t.Fatal(err)
		}
		if e.auditSeq() != before+3 || len(rows) != 3 || rows[0].Action != "export.model" || rows[2].Action != "export.assessment" {
			t.Errorf("downloads were not each audited as exports: %+v", rows)
		}
		_, body = b.get(wsPath(ws, "/audit"))
		if !strings.Contains(body, "Exported the model") {
			t.Error("the audit log view does not show the export")
		}
	})
}

// TestPortfolioAndOverdue shows a billing company its clients' posture;
// a practice has no portfolio.
func TestPortfolioAndOverdue(t *testing.T) {
	e := newTestEnv(t, t.TempDir()+"/rcmguard.db")
	ctx := context.Background()
	b := e.signIn("B:auditor")
	_, body := b.get(wsPath(e.ws["B"].ID, "/portfolio"))
	_, res, _, _ := e.srv.app.Latest(ctx, e.ws["C"].ID)
	if !strings.Contains(body, "Tenant B client") || !strings.Contains(body, "v1, "+res.AsOf) {
		t.Errorf("portfolio does not show the client's latest assessment:\n%s", body)
	}
	a := e.signIn("A:owner")
	if resp, _ := a.get(wsPath(e.ws["A"].ID, "/portfolio")); resp.StatusCode != http.StatusNotFound {
		t.Errorf("a practice's portfolio: %d; want 404", resp.StatusCode)
	}
	// Overdue: a plan item due before today.
	e.clock.advance(400 * 24 * time.Hour)
	a = e.signIn("A:owner")
	_, body = a.get(wsPath(e.ws["A"].ID, ""))
	if !strings.Contains(body, `class="overdue">due `) {
		t.Errorf("no overdue plan items a year after the run:\n%s", body)
	}
}

// TestModelReadsAreAudited: the model maps where PHI lives, so looking at
// it leaves an audit entry, as exports do.
func TestModelReadsAreAudited(t *testing.T) {
	e := newTestEnv(t, t.TempDir()+"/rcmguard.db")
	ws := e.ws["A"].ID
	b := e.signIn("A:auditor")
	for _, p := range []string{"/model", "/model/s/systems"} {
		before := e.auditSeq()
		if resp, _ := b.get(wsPath(ws, p)); resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %d", p, resp.StatusCode)
		}
		rows, err := e.st.WorkspaceAuditEntries(context.Background(), ws, 0, 1)
		if err != nil {
			t.Fatal(err)
		}
		if e.auditSeq() != before+1 || rows[0].Action != "model.read" || rows[0].Actor != "user:"+itoa(e.users["A:auditor"].ID) {
			t.Errorf("GET %s: audit %+v; want one model.read by the auditor", p, rows)
		}
	}
}
