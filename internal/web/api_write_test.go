package web

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"rcmguard/examples"
	"rcmguard/internal/app"
)

// apiDo calls the API with a bearer token and a body of content type ct.
func (e *testEnv) apiDo(token, method, path, ct string, body []byte) (*http.Response, []byte) {
	e.t.Helper()
	req, _ := http.NewRequest(method, e.ts.URL+path, bytes.NewReader(body))
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if ct != "" {
		req.Header.Set("Content-Type", ct)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

// apiWriteBody is a valid body for each write route, for the role table.
func (e *testEnv) apiWriteBody(route string) (ct string, body []byte) {
	e.t.Helper()
	switch route {
	case "PUT /api/v1/workspaces/{ws}/model":
		data, err := examples.FS.ReadFile("billing-company.yaml")
		if err != nil {
			e.t.Fatal(err)
		}
		return "application/yaml", data
	case "PUT /api/v1/workspaces/{ws}/risks/{risk}/decision":
		return "application/json", []byte(`{"status": "in_discussion", "owner": "IT"}`)
	case "POST /api/v1/workspaces/{ws}/evidence":
		return "application/x-ndjson", factsFile("share/role-table.csv")
	case "POST /api/v1/workspaces/{ws}/risks/{risk}/review":
		return "application/json", []byte(`{"approve": true}`)
	case "POST /api/v1/workspaces/{ws}/incidents":
		return "application/json", []byte(`{"title": "Clearinghouse breach", "severity": "high", "discovered": "2026-11-20",
			"clients": ["c-01"], "counts": [{"client": "c-01", "state": "OH", "individuals": 40}]}`)
	}
	return "", nil
}

func TestAPIWrites(t *testing.T) {
	e := newTestEnv(t, filepath.Join(t.TempDir(), "rcmguard.db"))
	ctx := context.Background()
	ws := e.ws["A"].ID
	x := e.idsOf("A")
	officer := e.apiToken("A:compliance_officer", "A", time.Hour)
	contributor := e.apiToken("A:contributor", "A", time.Hour)
	modelPath := x.path("/api/v1/workspaces/{ws}/model")

	// An invalid model: every problem with its place, nothing saved.
	before, _ := e.st.WorkspaceModel(ctx, ws)
	seq := e.auditSeq()
	bad := []byte("version: 1\norganization:\n  name: Riverbend\n  colour: blue\n")
	resp, body := e.apiDo(contributor, http.MethodPut, modelPath, "application/yaml", bad)
	var invalid apiModelInvalid
	if err := json.Unmarshal(body, &invalid); err != nil || resp.StatusCode != http.StatusUnprocessableEntity || len(invalid.Errors) == 0 {
		t.Fatalf("invalid model: %d %s", resp.StatusCode, body)
	}
	located := false
	for _, me := range invalid.Errors {
		located = located || (me.Line == 4 && me.Column > 0 && me.Message != "")
	}
	if !located {
		t.Errorf("no error points at line 4 (the unknown key): %s", body)
	}
	if after, _ := e.st.WorkspaceModel(ctx, ws); after.Revision != before.Revision || e.auditSeq() != seq {
		t.Errorf("an invalid model changed the workspace: revision %d -> %d", before.Revision, after.Revision)
	}
	if resp, _ := e.apiDo(contributor, http.MethodPut, modelPath, "application/x-www-form-urlencoded", []byte("a=b")); resp.StatusCode != http.StatusUnsupportedMediaType {
		t.Errorf("model as a form: %d; want 415", resp.StatusCode)
	}

	// A valid model is saved as the next revision, audited as an API import;
	// a client that edited an older revision is told so.
	good, _ := examples.FS.ReadFile("practice.yaml")
	resp, body = e.apiDo(contributor, http.MethodPut, modelPath+"?revision="+itoa(int64(before.Revision)), "application/yaml", good)
	var saved apiModelSaved
	if err := json.Unmarshal(body, &saved); err != nil || resp.StatusCode != http.StatusOK || saved.Revision != before.Revision+1 {
		t.Fatalf("valid model: %d %s", resp.StatusCode, body)
	}
	if a := e.lastAudit(); a.Action != "model.import" || !strings.Contains(a.Details, `"via":"api"`) || a.Actor != "user:"+itoa(e.users["A:contributor"].ID) {
		t.Errorf("model save audited as %s by %s: %s", a.Action, a.Actor, a.Details)
	}
	if resp, body := e.apiDo(contributor, http.MethodPut, modelPath+"?revision="+itoa(int64(before.Revision)), "application/yaml", good); resp.StatusCode != http.StatusConflict {
		t.Errorf("stale revision: %d %s; want 409", resp.StatusCode, body)
	}

	// Evidence, then a run that uses it.
	evPath := x.path("/api/v1/workspaces/{ws}/evidence")
	resp, body = e.apiDo(contributor, http.MethodPost, evPath+"?name=share-scan.jsonl", "application/x-ndjson", readEvidenceFixture(t, "scan.jsonl"))
	var set apiEvidenceSet
	if err := json.Unmarshal(body, &set); err != nil || resp.StatusCode != http.StatusCreated || set.Format != "scan" || set.Facts == 0 || set.FileName != "share-scan.jsonl" {
		t.Fatalf("evidence upload: %d %s", resp.StatusCode, body)
	}
	if a := e.lastAudit(); a.Action != "evidence.upload" || !strings.Contains(a.Details, `"via":"api"`) {
		t.Errorf("evidence upload audited as %s: %s", a.Action, a.Details)
	}
	for name, tc := range map[string]struct {
		ct     string
		data   []byte
		status int
	}{
		"not evidence": {"application/json", []byte(`{"hello": "world"}`), http.StatusUnprocessableEntity},
		"empty":        {"application/json", nil, http.StatusUnprocessableEntity},
		"binary":       {"application/octet-stream", []byte{'{', 0, 1}, http.StatusUnsupportedMediaType},
		"form":         {"multipart/form-data; boundary=x", []byte("--x--"), http.StatusUnsupportedMediaType},
		"too big":      {"application/json", bytes.Repeat([]byte{' '}, maxEvidenceUpload+1), http.StatusRequestEntityTooLarge},
	} {
		resp, body := e.apiDo(contributor, http.MethodPost, evPath, tc.ct, tc.data)
		var eb apiErrorBody
		if json.Unmarshal(body, &eb); resp.StatusCode != tc.status || eb.Error == "" {
			t.Errorf("evidence %s: %d %.200s; want %d with a message", name, resp.StatusCode, body, tc.status)
		}
	}
	runPath := x.path("/api/v1/workspaces/{ws}/assessments")
	if resp, _ := e.apiDo(contributor, http.MethodPost, runPath, "", nil); resp.StatusCode != http.StatusForbidden {
		t.Errorf("contributor running an assessment: %d; want 403", resp.StatusCode)
	}
	resp, body = e.apiDo(officer, http.MethodPost, runPath, "", nil)
	var run apiAssessmentJSON
	if err := json.Unmarshal(body, &run); err != nil || resp.StatusCode != http.StatusCreated || run.ID == 0 || run.Version < 2 || run.Summary.Risks == 0 {
		t.Fatalf("run: %d %s", resp.StatusCode, body)
	}
	a, err := e.st.Assessment(ctx, ws, run.ID)
	if err != nil {
		t.Fatal(err)
	}
	res, err := app.DecodeResult(a)
	stored, _ := e.st.EvidenceFacts(ctx, ws)
	if err != nil || res.Evidence.Facts != len(stored) || len(stored) < set.Facts {
		t.Errorf("the API run used %d facts, %v; want the %d stored (%d uploaded here)", res.Evidence.Facts, err, len(stored), set.Facts)
	}

	// Decisions, under the register's rules.
	riskID := res.Risks[0].ID
	decPath := x.path("/api/v1/workspaces/{ws}/risks/") + riskID + "/decision"
	for name, tc := range map[string]struct {
		token, body string
		status      int
		field       string
	}{
		"contributor accepting": {contributor, `{"status":"accepted","justification":"cost","expires":"2027-06-30"}`, http.StatusForbidden, ""},
		"unknown status":        {contributor, `{"status":"open"}`, http.StatusUnprocessableEntity, "status"},
		"mitigated, no reason":  {contributor, `{"status":"mitigated"}`, http.StatusUnprocessableEntity, "justification"},
		"accepted, no expiry":   {officer, `{"status":"accepted","justification":"VPN only"}`, http.StatusUnprocessableEntity, "expires"},
		"accepted, past expiry": {officer, `{"status":"accepted","justification":"VPN only","expires":"2026-01-01"}`, http.StatusUnprocessableEntity, "expires"},
		"bad due date":          {contributor, `{"status":"in_progress","due":"next week"}`, http.StatusUnprocessableEntity, "due"},
		"unknown field":         {contributor, `{"status":"in_progress","approver":"me"}`, http.StatusBadRequest, ""},
	} {
		resp, body := e.apiDo(tc.token, http.MethodPut, decPath, "application/json", []byte(tc.body))
		var fe apiFieldErrors
		json.Unmarshal(body, &fe)
		if resp.StatusCode != tc.status || (tc.field != "" && fe.Fields[tc.field] == "") {
			t.Errorf("%s: %d %s; want %d naming %q", name, resp.StatusCode, body, tc.status, tc.field)
		}
	}
	if _, err := e.st.RiskDecision(ctx, ws, riskID); err == nil {
		t.Error("a refused decision was stored")
	}
	if resp, _ := e.apiDo(contributor, http.MethodPut, x.path("/api/v1/workspaces/{ws}/risks/NOPE-01@x/decision"), "application/json", []byte(`{"status":"in_progress"}`)); resp.StatusCode != http.StatusNotFound {
		t.Errorf("decision on an unknown risk: %d; want 404", resp.StatusCode)
	}
	resp, body = e.apiDo(officer, http.MethodPut, decPath, "application/json",
		[]byte(`{"status":"accepted","justification":"VPN only","owner":"IT","expires":"2027-06-30"}`))
	var out apiDecisionOut
	if err := json.Unmarshal(body, &out); err != nil || resp.StatusCode != http.StatusOK || out.Approver != e.users["A:compliance_officer"].Email {
		t.Fatalf("acceptance: %d %s", resp.StatusCode, body)
	}
	d, err := e.st.RiskDecision(ctx, ws, riskID)
	if err != nil || d.Status != "accepted" || d.ApproverID != e.users["A:compliance_officer"].ID || app.FormatDate(d.Expires) != "2027-06-30" {
		t.Errorf("stored decision %+v, %v", d, err)
	}
	if a := e.lastAudit(); a.Action != "risk.decide" || a.Object != "risk:"+riskID || !strings.Contains(a.Details, `"via":"api"`) {
		t.Errorf("decision audited as %s %s %s", a.Action, a.Object, a.Details)
	}
	// Every model status can be set; "in_discussion" included.
	for _, st := range []string{"unchecked", "in_discussion", "in_progress"} {
		if resp, body := e.apiDo(contributor, http.MethodPut, decPath, "application/json", []byte(`{"status":"`+st+`"}`)); resp.StatusCode != http.StatusOK {
			t.Errorf("status %s: %d %s", st, resp.StatusCode, body)
		}
	}
	// Unknown methods on known paths are 405 with the methods allowed.
	if resp, _ := e.apiDo(officer, http.MethodDelete, modelPath, "", nil); resp.StatusCode != http.StatusMethodNotAllowed || resp.Header.Get("Allow") != "PUT" {
		t.Errorf("DELETE model: %d allow %q; want 405 allowing PUT", resp.StatusCode, resp.Header.Get("Allow"))
	}
	if resp, _ := e.apiDo(officer, http.MethodPost, "/api/v1/nothing", "", nil); resp.StatusCode != http.StatusNotFound {
		t.Errorf("POST to an unknown endpoint: %d; want 404", resp.StatusCode)
	}
}

func TestAPIPathMatches(t *testing.T) {
	for _, tc := range []struct {
		pattern, path string
		ok            bool
	}{
		{"/api/v1/workspaces/{ws}/model", "/api/v1/workspaces/3/model", true},
		{"/api/v1/workspaces/{ws}/model", "/api/v1/workspaces//model", false},
		{"/api/v1/workspaces/{ws}/model", "/api/v1/workspaces/3/model/x", false},
		{"/api/v1/workspaces", "/api/v1/workspaces/", true},
		{"/api/v1/workspaces", "/api/v1/other", false},
	} {
		if got := apiPathMatches(tc.pattern, tc.path); got != tc.ok {
			t.Errorf("apiPathMatches(%q, %q) = %v; want %v", tc.pattern, tc.path, got, tc.ok)
		}
	}
}
