package web

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"rcmguard/internal/app"
	"rcmguard/internal/store"
)

// readEvidenceFixture returns a file written by an rcmguard command (see
// internal/evidencefile/testdata).
func readEvidenceFixture(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "evidencefile", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// factsFile is an evidence facts file with one fact per target.
func factsFile(targets ...string) []byte {
	var b bytes.Buffer
	for _, t := range targets {
		line, _ := json.Marshal(map[string]string{"source": "scan", "check": "phi.ssn", "target": t,
			"severity": "critical", "summary": "3 ssn finding(s) in " + t})
		b.Write(line)
		b.WriteByte('\n')
	}
	return b.Bytes()
}

// uploadFile posts a file in a multipart form field, as a file input does.
func (b *client) uploadFile(path, field, name string, data []byte) (*http.Response, string) {
	b.e.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("csrf", b.csrf)
	fw, err := mw.CreateFormFile(field, name)
	if err != nil {
		b.e.t.Fatal(err)
	}
	fw.Write(data)
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, b.e.ts.URL+path, &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	resp, err := b.c.Do(req)
	if err != nil {
		b.e.t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if m := csrfRE.FindSubmatch(body); m != nil {
		b.csrf = string(m[1])
	}
	return resp, string(body)
}

// newEvidenceSet stores a small evidence set in a tenant's workspace and
// returns its ID, for routes that act on one.
func (e *testEnv) newEvidenceSet(tenant string) string {
	e.t.Helper()
	who, sc := actAs(e.t, e.srv, e.users[tenant+":owner"].ID, e.ws[tenant].ID)
	set, err := e.srv.app.AddEvidence(context.Background(), who, sc, "matrix.jsonl", factsFile("share/matrix.csv"))
	if err != nil {
		e.t.Fatal(err)
	}
	return itoa(set.ID)
}

func (e *testEnv) lastAudit() store.AuditRow {
	e.t.Helper()
	h, err := e.st.AuditHead(context.Background())
	if err != nil {
		e.t.Fatal(err)
	}
	es, err := e.st.AuditEntries(context.Background(), h.Seq-1, 1)
	if err != nil || len(es) != 1 {
		e.t.Fatalf("audit entry %d: %v", h.Seq, err)
	}
	return es[0]
}

func TestEvidencePage(t *testing.T) {
	e := newTestEnv(t, filepath.Join(t.TempDir(), "rcmguard.db"))
	ctx := context.Background()
	ws := e.ws["A"].ID
	page := wsPath(ws, "/evidence")
	c := e.signIn("A:contributor")
	if _, body := c.get(page); !strings.Contains(body, "No evidence yet.") || !strings.Contains(body, `id="evidence-file"`) {
		t.Fatal("empty evidence page without the upload form")
	}

	// Refusals, each beside the file field, nothing stored.
	bin := append([]byte(`{"source":"scan"`), 0, 1, 2)
	for name, tc := range map[string]struct {
		field, file string
		data        []byte
		status      int
		msg         string
	}{
		"no file":  {"other", "x.json", []byte("{}"), http.StatusUnprocessableEntity, "Choose an evidence file"},
		"empty":    {"file", "empty.json", []byte("  \n"), http.StatusUnprocessableEntity, "The file is empty."},
		"binary":   {"file", "scan.bin", bin, http.StatusUnsupportedMediaType, "The file is not text."},
		"not ours": {"file", "aging.csv", []byte("name,ssn\nJane Roe,123-45-6789\n"), http.StatusUnprocessableEntity, "not rcmguard evidence"},
		"too big":  {"file", "huge.jsonl", bytes.Repeat([]byte{' '}, maxEvidenceUpload+1), http.StatusRequestEntityTooLarge, "32 MiB limit"},
	} {
		resp, body := c.uploadFile(page, tc.field, tc.file, tc.data)
		if resp.StatusCode != tc.status || !strings.Contains(body, `id="file-err"`) || !strings.Contains(body, tc.msg) {
			t.Errorf("%s: %d; want %d with %q beside the field", name, resp.StatusCode, tc.status, tc.msg)
		}
		if strings.Contains(body, "123-45-6789") {
			t.Errorf("%s: the refusal echoes the file's content", name)
		}
	}
	if sets, _ := e.st.EvidenceSets(ctx, ws); len(sets) != 0 {
		t.Fatalf("refused uploads stored %d sets", len(sets))
	}

	// Each format the CLI reads is accepted, and listed.
	scan := readEvidenceFixture(t, "scan.jsonl")
	uploads := []struct{ file, source string }{{"scan.jsonl", "PHI scan"}, {"edi.json", "EDI inspection"}, {"facts.jsonl", "Evidence facts file"}}
	for _, u := range uploads {
		resp, _ := c.uploadFile(page, "file", `C:\exports\`+u.file, readEvidenceFixture(t, u.file))
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("upload %s: %d", u.file, resp.StatusCode)
		}
		if a := e.lastAudit(); a.Action != "evidence.upload" || !strings.Contains(string(a.Details), u.file) {
			t.Errorf("upload of %s audited as %s %s", u.file, a.Action, a.Details)
		}
	}
	sets, err := e.st.EvidenceSets(ctx, ws)
	if err != nil || len(sets) != 3 {
		t.Fatalf("%d sets stored, %v; want 3", len(sets), err)
	}
	_, body := c.get(page)
	for _, u := range uploads {
		if !strings.Contains(body, ">"+u.file+"<") || !strings.Contains(body, u.source) {
			t.Errorf("the list lacks %s from %s", u.file, u.source)
		}
	}
	if !strings.Contains(body, e.users["A:contributor"].Email) || strings.Contains(body, `C:\exports`) {
		t.Error("the list lacks the uploader, or keeps the client's directory")
	}
	stored, _ := e.st.EvidenceFacts(ctx, ws)
	if bytes.Contains(scan, []byte("Jane")) || strings.Contains(body, "Jane") {
		t.Error("a name reached the evidence page")
	}

	// The next run uses every stored fact.
	a, err := e.runAssessment(ctx, ws, e.users["A:owner"].ID)
	if err != nil {
		t.Fatal(err)
	}
	res, err := app.DecodeResult(a)
	if err != nil {
		t.Fatal(err)
	}
	if res.Evidence.Facts != len(stored) || len(stored) == 0 || res.Evidence.BySource["edi"] == 0 || res.Evidence.BySource["scan"] == 0 {
		t.Errorf("assessment used %d facts (%v); want the %d stored", res.Evidence.Facts, res.Evidence.BySource, len(stored))
	}

	if _, body := c.get(wsPath(ws, "/assessments/"+itoa(a.ID))); !strings.Contains(body, `<dd id="evidence-used">`+itoa(int64(len(stored)))+" facts") {
		t.Error("the assessment page does not say how many facts the run used")
	}

	// An auditor reads the list but has no form and no delete buttons.
	au := e.signIn("A:auditor")
	if resp, body := au.get(page); resp.StatusCode != http.StatusOK || strings.Contains(body, `id="evidence-file"`) || strings.Contains(body, "/delete") {
		t.Errorf("auditor's evidence page: %d, offers changes", resp.StatusCode)
	}

	// Deleting a set takes its facts out of the next run.
	c.get(page)
	resp, _ := c.post(wsPath(ws, "/evidence/"+itoa(sets[0].ID)+"/delete"), nil)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("delete: %d", resp.StatusCode)
	}
	if a := e.lastAudit(); a.Action != "evidence.delete" || a.Object != "evidence:"+itoa(sets[0].ID) {
		t.Errorf("delete audited as %s %s", a.Action, a.Object)
	}
	if resp, _ := c.post(wsPath(ws, "/evidence/"+itoa(sets[0].ID)+"/delete"), nil); resp.StatusCode != http.StatusNotFound {
		t.Errorf("deleting it again: %d; want 404", resp.StatusCode)
	}
	left, _ := e.st.EvidenceFacts(ctx, ws)
	a, _ = e.runAssessment(ctx, ws, e.users["A:owner"].ID)
	if res, _ := app.DecodeResult(a); res.Evidence.Facts != len(left) || len(left) >= len(stored) {
		t.Errorf("after delete the run used %d facts; want %d (of %d before)", res.Evidence.Facts, len(left), len(stored))
	}
}
