package web

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"rcmguard/internal/app"
)

// TestAssessmentExports downloads every format from the assessment's page
// and from the API: each is linked from the page, sent as an attachment of
// its media type, opens back as what it claims to be, and is audited once.
func TestAssessmentExports(t *testing.T) {
	e := newTestEnv(t, filepath.Join(t.TempDir(), "rcmguard.db"))
	ctx := context.Background()
	x := e.idsOf("A")
	b := e.signIn("A:auditor")
	_, page := b.get(x.path("/w/{ws}/assessments/{a}"))
	tok := e.apiToken("A:compliance_officer", "A", time.Hour)
	for _, f := range app.ExportFormats {
		link := x.path("/w/{ws}/assessments/{a}/export/" + f.Name)
		if !strings.Contains(page, `href="`+link+`"`) {
			t.Errorf("the assessment page does not link %s (%s)", f.Title, link)
		}
		before := e.auditSeq()
		resp, body := b.get(link)
		checkExport(t, "page "+f.Name, f, resp, []byte(body))
		resp, apiBody := e.apiGet(tok, x.path("/api/v1/workspaces/{ws}/assessments/{a}/export/"+f.Name))
		checkExport(t, "api "+f.Name, f, resp, []byte(apiBody))
		rows, err := e.st.WorkspaceAuditEntries(ctx, e.ws["A"].ID, 0, 2)
		if err != nil {
			t.Fatal(err)
		}
		if e.auditSeq() != before+2 || len(rows) != 2 || rows[0].Action != "export.assessment" || rows[1].Action != "export.assessment" {
			t.Errorf("%s: the two downloads were not each audited as exports: %+v", f.Name, rows)
		}
	}
	if resp, _ := b.get(x.path("/w/{ws}/assessments/{a}/export/docx")); resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown format: %d; want 404", resp.StatusCode)
	}
	// A contributor may not export: the role check is the use case's.
	if resp, _ := e.signIn("A:contributor").get(x.path("/w/{ws}/assessments/{a}/export/pdf")); resp.StatusCode != http.StatusForbidden {
		t.Errorf("contributor export: %d; want 403", resp.StatusCode)
	}
}

func checkExport(t *testing.T, what string, f app.ExportFormat, resp *http.Response, body []byte) {
	t.Helper()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%s: %d %s", what, resp.StatusCode, body)
	}
	if ct := resp.Header.Get("Content-Type"); ct != f.ContentType {
		t.Errorf("%s: Content-Type %q; want %q", what, ct, f.ContentType)
	}
	if cd := resp.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, `attachment; filename="rcmguard-sra-w`) || !strings.HasSuffix(cd, "."+f.Ext+`"`) {
		t.Errorf("%s: Content-Disposition %q", what, cd)
	}
	switch f.Name {
	case "pdf":
		if !bytes.HasPrefix(body, []byte("%PDF-")) {
			t.Errorf("%s: not a PDF: %.20q", what, body)
		}
	case "xlsx":
		x, err := excelize.OpenReader(bytes.NewReader(body))
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		rows, err := x.GetRows("Register")
		if err != nil || len(rows) < 2 {
			t.Errorf("%s: Register sheet: %d rows, %v", what, len(rows), err)
		}
	case "csv":
		recs, err := csv.NewReader(bytes.NewReader(body)).ReadAll()
		if err != nil || len(recs) < 2 || recs[0][0] != "ID" {
			t.Errorf("%s: %d records, %v", what, len(recs), err)
		}
	case "oscal-ar", "oscal-poam", "json":
		var v map[string]any
		if err := json.Unmarshal(body, &v); err != nil {
			t.Errorf("%s: %v", what, err)
		}
		root := map[string]string{"oscal-ar": "assessment-results", "oscal-poam": "plan-of-action-and-milestones", "json": "schema"}[f.Name]
		if _, ok := v[root]; !ok {
			t.Errorf("%s: no %q at the top", what, root)
		}
	case "html":
		if !bytes.Contains(body, []byte("<html")) {
			t.Errorf("%s: not HTML", what)
		}
	}
}
