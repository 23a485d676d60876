package web

import (
	"bytes"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"rcmguard/examples"
	"rcmguard/internal/app"
	"rcmguard/internal/model"
)

const xss = `<script>alert(1)</script>"'><img src=x onerror=alert(1)>`

// unescaped reports whether the payload appears anywhere as markup.
func unescaped(body string) bool {
	return strings.Contains(body, "<script>alert(1)") || strings.Contains(body, "<img src=x onerror")
}

// upload posts a model file the way the import form does.
func (b *client) upload(path, name string, data []byte) (*http.Response, string) {
	b.e.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("csrf", b.csrf)
	fw, err := mw.CreateFormFile("model", name)
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
	return resp, string(body)
}

// TestXSSSweep stores the payload in every field a user can edit (through
// the forms, a YAML import and the risk decisions), reflects it through
// every query and error path, then renders every page and the report.
func TestXSSSweep(t *testing.T) {
	e := newTestEnv(t, filepath.Join(t.TempDir(), "rcmguard.db"))
	ws := e.ws["A"].ID
	b := e.signIn("A:owner")
	var bodies = map[string]string{}
	keep := func(what string, resp *http.Response, body string) {
		if resp.StatusCode >= 500 {
			t.Errorf("%s: status %d", what, resp.StatusCode)
		}
		// Downloads (YAML, JSON) are data, sent as attachments under nosniff;
		// only HTML is a page that could run the payload.
		if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
			if resp.Header.Get("Content-Disposition") == "" || resp.Header.Get("X-Content-Type-Options") != "nosniff" {
				t.Errorf("%s: %s sent inline or sniffable", what, ct)
			}
			return
		}
		bodies[what] = body
	}

	// Every name in the model, through a YAML import.
	data, err := examples.FS.ReadFile("practice.yaml")
	if err != nil {
		t.Fatal(err)
	}
	m, err := model.Load("practice.yaml", data)
	if err != nil {
		t.Fatal(err)
	}
	m.Organization.Name, m.Organization.SecurityOfficial = xss, xss
	m.Assessment.Assessor, m.Assessment.Scope = xss, xss
	m.Assessment.SignOff = &model.SignOff{Name: xss, Title: xss, Date: "2026-11-21"}
	m.Stages = append(m.Stages, model.CustomStage{ID: "s-xss", Title: xss, After: "patient_registration"})
	for i := range m.Systems {
		m.Systems[i].Name = xss + m.Systems[i].ID
	}
	for i := range m.Data {
		m.Data[i].Name = xss
	}
	for i := range m.Vendors {
		m.Vendors[i].Name = xss
		m.Vendors[i].Certifications = append(m.Vendors[i].Certifications, model.Certification{Name: xss})
		m.Vendors[i].Subcontractors = append(m.Vendors[i].Subcontractors, model.Subcontractor{Name: xss, Service: xss, BAA: "signed"})
	}
	for i := range m.Systems {
		// A valid host:port whose host is the payload.
		m.Systems[i].Endpoints = append(m.Systems[i].Endpoints, model.Endpoint{Protocol: "tls", Address: xss + ":443"})
	}
	for i := range m.Roles {
		m.Roles[i].Name = xss
	}
	for i := range m.Flows {
		m.Flows[i].Description = xss
		m.Flows[i].Endpoint = &model.Endpoint{Protocol: "tls", Address: xss + ":443"}
	}
	yamlText, err := app.MarshalModel(m)
	if err != nil {
		t.Fatal(err)
	}
	b.get(wsPath(ws, "/model"))
	resp, body := b.upload(wsPath(ws, "/model/import"), xss+".yaml", yamlText)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("import of the payload model: %d\n%s", resp.StatusCode, body)
	}
	// An invalid file whose errors quote the payload.
	b.get(wsPath(ws, "/model"))
	resp, body = b.upload(wsPath(ws, "/model/import"), "bad.yaml", []byte("version: 1\n\""+strings.ReplaceAll(xss, `"`, `\"`)+"\": 1\n"))
	keep("import errors", resp, body)
	if !strings.Contains(body, "alert(1)") {
		t.Error("the import error page does not quote the unknown key; the sweep would miss it")
	}

	// The forms.
	resp, body = b.get(wsPath(ws, "/model/organization"))
	keep("org form", resp, body)
	// Every input of the organisation form, a stage row among them.
	form := url.Values{"revision": {csrfRevision(body)}}
	for name := range readFormPage(t, body).names {
		if name != "revision" {
			form.Set(name, xss)
		}
	}
	for _, f := range []string{"id", "title", "after", "_remove"} {
		form.Set("stages.7."+f, xss)
	}
	if len(form) < 25 {
		t.Fatalf("the organisation form has only %d inputs", len(form))
	}
	resp, body = b.post(wsPath(ws, "/model/organization"), form)
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `name="assessment.sign_off.title" value="&lt;script&gt;alert(1)`) ||
		!strings.Contains(body, `name="stages.7.after"`) || !strings.Contains(body, `<option value="&lt;script&gt;alert(1)`) {
		t.Errorf("the organisation form with the payload: %d, or the payload is not shown back; the sweep is not reaching it", resp.StatusCode)
	}
	keep("org form rejected", resp, body)
	form.Set(addField, "stages")
	resp, body = b.post(wsPath(ws, "/model/organization"), form)
	keep("org form add stage", resp, body)
	b.get(wsPath(ws, "/model/flows/new"))
	flowForm := url.Values{"revision": {"1"}}
	for _, in := range []string{"id", "from", "to", "data", "channel", "encrypted", "min_tls", "auth", "automated", "stage",
		"frequency", "endpoint.protocol", "endpoint.address", "test_separated", "isa_credentials", "integrity_check", "description"} {
		flowForm.Set(in, xss)
	}
	resp, body = b.post(wsPath(ws, "/model/flows"), flowForm)
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `name="endpoint.address" value="&lt;script&gt;alert(1)`) ||
		strings.Count(body, `<option value="&lt;script&gt;alert(1)`) < 6 {
		t.Errorf("the flow form with the payload: %d, or the payload is not shown back in its choices; the sweep is not reaching them", resp.StatusCode)
	}
	keep("flow form rejected", resp, body)
	resp, body = b.get(wsPath(ws, "/model/flows/"+url.PathEscape(m.Flows[0].ID)))
	keep("flow form", resp, body)
	resp, body = b.post(wsPath(ws, "/model/flows/"+url.PathEscape(m.Flows[0].ID)), url.Values{"id": {m.Flows[0].ID},
		"from": {m.Flows[0].From}, "to": {m.Flows[0].To}, "data": m.Flows[0].Data, "channel": {string(m.Flows[0].Channel)},
		"description": {xss}, "revision": {csrfRevision(body)}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("saving a flow with the payload in its description: %d\n%s", resp.StatusCode, body)
	}

	// An assessment of the payload model, and decisions on its risks.
	b.get(wsPath(ws, "/assessments"))
	resp, _ = b.post(wsPath(ws, "/assessments"), nil)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("run assessment: %d", resp.StatusCode)
	}
	_, res, _, err := e.srv.app.Latest(t.Context(), ws)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range res.Risks {
		if i >= 3 {
			break
		}
		p := wsPath(ws, "/risks/"+url.PathEscape(r.ID))
		b.get(p)
		resp, body = b.post(p, url.Values{"status": {"in_progress"}, "justification": {xss}, "owner": {xss}, "due": {"2027-01-31"}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("decision with the payload: %d\n%s", resp.StatusCode, body)
		}
		resp, body = b.post(p, url.Values{"status": {xss}, "justification": {xss}, "owner": {xss}, "due": {xss}, "expires": {xss}})
		keep("decision rejected "+r.ID, resp, body)
	}
	b.get(wsPath(ws, "/assessments"))
	resp, _ = b.post(wsPath(ws, "/assessments"), nil)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("second run: %d", resp.StatusCode)
	}

	// Evidence: the payload as a file name and in the facts an uploaded
	// file carries, which the next run and the report show.
	b.get(wsPath(ws, "/evidence"))
	resp, body = b.uploadFile(wsPath(ws, "/evidence"), "file", xss+".jsonl", factsFile("share/"+xss+".csv"))
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("evidence with the payload: %d", resp.StatusCode)
	}
	resp, body = b.uploadFile(wsPath(ws, "/evidence"), "file", xss+".json", []byte(xss))
	keep("evidence rejected", resp, body)
	resp, body = b.get(wsPath(ws, "/evidence?uploaded="+url.QueryEscape(xss)))
	keep("evidence uploaded notice", resp, body)
	// A fact with the payload in its subject, its summary and an
	// attribute's name and value, for the evidence set's own page.
	q := `"` + strings.ReplaceAll(xss, `"`, `\"`) + `"`
	resp, body = b.uploadFile(wsPath(ws, "/evidence"), "file", "payload.jsonl",
		[]byte(`{"source":"probe","check":"tls.legacy-protocol","target":`+q+`,"severity":"high","summary":`+q+`,"attrs":{`+q+`:`+q+`}}`))
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("evidence with the payload in a fact's values: %d", resp.StatusCode)
	}
	payloadSets, err := e.st.EvidenceSets(t.Context(), ws)
	if err != nil || len(payloadSets) == 0 || payloadSets[0].FileName != "payload.jsonl" {
		t.Fatalf("the payload evidence set is not the newest: %v", err)
	}
	b.get(wsPath(ws, "/assessments"))
	if resp, _ = b.post(wsPath(ws, "/assessments"), nil); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("run with the evidence: %d", resp.StatusCode)
	}

	// Every page, every risk, the reflected inputs and the report; the
	// evidence set page is the payload set's.
	x := e.idsOf("A")
	x.set = itoa(payloadSets[0].ID)
	for _, rt := range e.srv.routes {
		if rt.method == http.MethodGet && rt.kind == workspace {
			resp, body := b.get(x.path(rt.path))
			keep(rt.path, resp, body)
		}
	}
	if n := strings.Count(bodies["/w/{ws}/evidence/{set}"], "&lt;script&gt;alert(1)"); n < 4 {
		t.Errorf("the evidence set page shows the payload (escaped) %d times; want it in the subject, the summary and an attribute's name and value", n)
	}
	_, res, _, _ = e.srv.app.Latest(t.Context(), ws)
	for _, r := range res.Risks {
		resp, body := b.get(wsPath(ws, "/risks/"+url.PathEscape(r.ID)))
		keep("risk "+r.ID, resp, body)
	}
	for _, q := range []string{"level", "status", "area", "owner", "q", "sort"} {
		resp, body := b.get(wsPath(ws, "/risks?"+q+"="+url.QueryEscape(xss)))
		keep("filter "+q, resp, body)
	}
	_, cur, _, _ := e.srv.app.CurrentModel(t.Context(), ws)
	for _, sec := range sections {
		resp, body := b.get(wsPath(ws, "/model/s/"+sec.Key))
		keep("section "+sec.Key, resp, body)
		list := sec.list(cur)
		for i := range list.Len() {
			id, _ := fieldByKey(list.Index(i), sec.IDKey)
			resp, body = b.get(wsPath(ws, "/model/s/"+sec.Key+"/"+url.PathEscape(id.String())))
			keep("section form "+sec.Key+"/"+id.String(), resp, body)
		}
	}
	b.get(wsPath(ws, "/model/s/systems/new"))
	resp, body = b.post(wsPath(ws, "/model/s/systems"), url.Values{"id": {xss}, "name": {xss}, "kind": {xss}, "notes": {xss}, "revision": {"0"},
		"endpoints.0.protocol": {xss}, "endpoints.0.address": {xss}, "endpoints.0._remove": {xss},
		"api.auth": {xss}, "api.tls": {xss}, "api.key_rotation": {xss}, "api.scoped_access": {xss}, "api.logged": {xss}, "api.third_party": {xss}})
	// The vendor is chosen from the model's: the refused value comes back as a choice.
	if !strings.Contains(body, `name="api.third_party"`) || !strings.Contains(body, `<option value="&lt;script&gt;alert(1)`) {
		t.Error("the refused system form does not show the payload in its API; the sweep is not reaching it")
	}
	keep("section form rejected", resp, body)
	b.get(wsPath(ws, "/model/s/policies/new"))
	resp, body = b.post(wsPath(ws, "/model/s/policies"), url.Values{"id": {xss}, "kind": {xss}, "exists": {xss}, "revision": {"0"}})
	keep("policy form rejected", resp, body)
	// The nested lists, refused and brought back by "Add another" with the
	// payload in every field of a row.
	for _, nested := range []struct {
		sec, id, list string
		fields        []string
	}{
		{"systems", cur.Systems[0].ID, "endpoints", []string{"protocol", "address"}},
		{"vendors", cur.Vendors[0].ID, "certifications", []string{"name", "date", "expires"}},
		{"vendors", cur.Vendors[0].ID, "subcontractors", []string{"name", "service", "baa", "offshore"}},
		{"roles", cur.Roles[0].ID, "access", []string{"system", "level", "shared_login", "mfa"}},
	} {
		p := wsPath(ws, "/model/s/"+nested.sec+"/"+url.PathEscape(nested.id))
		_, body := b.get(p)
		form := url.Values{"revision": {csrfRevision(body)}}
		for _, f := range nested.fields {
			form.Set(nested.list+".0."+f, xss)
			form.Set(nested.list+".7."+f, xss)
		}
		resp, body := b.post(p, form)
		if resp.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("%s with the payload in its %s: %d; want 422", p, nested.list, resp.StatusCode)
		}
		if !strings.Contains(body, `name="`+nested.list+`.7.`+nested.fields[0]+`" value="&lt;script&gt;alert(1)`) &&
			!strings.Contains(body, `<option value="&lt;script&gt;alert(1)`) {
			t.Errorf("%s: the refused %s row does not show the payload; the sweep is not reaching it", p, nested.list)
		}
		keep("nested rejected "+nested.list, resp, body)
		form.Set("_add", nested.list)
		resp, body = b.post(p, form)
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, `name="`+nested.list+`.8.`) {
			t.Errorf("%s: add another %s with the payload: %d, or no row 8", p, nested.list, resp.StatusCode)
		}
		keep("nested add "+nested.list, resp, body)
	}
	b.get(wsPath(ws, "/tokens"))
	resp, body = b.post(wsPath(ws, "/tokens"), url.Values{"name": {xss}, "days": {xss}})
	keep("token form rejected", resp, body)
	resp, body = b.post(wsPath(ws, "/tokens"), url.Values{"name": {xss}, "days": {"30"}})
	keep("token created", resp, body)
	resp, body = b.get(wsPath(ws, "/tokens"))
	keep("token list", resp, body)
	resp, body = b.get(wsPath(ws, "/assessments/diff?from="+x.a+"&to="+x.a))
	keep("diff", resp, body)
	resp, body = b.get(wsPath(ws, "/audit?before="+url.QueryEscape(xss)))
	keep("audit before", resp, body)
	anon := e.newBrowser()
	anon.get("/login")
	resp, body = anon.post("/login", url.Values{"email": {xss}, "password": {xss}})
	keep("login failure", resp, body)

	escapedSeen := 0
	for what, body := range bodies {
		if unescaped(body) {
			i := strings.Index(body, "alert(1)")
			t.Errorf("%s: unescaped payload near %q", what, body[max(0, i-80):min(len(body), i+40)])
		}
		if strings.Contains(body, "&lt;script&gt;alert(1)") || strings.Contains(body, "&lt;img src=x onerror") {
			escapedSeen++
		}
	}
	if escapedSeen < len(bodies)/2 {
		t.Errorf("the payload shows (escaped) on only %d of %d pages; the sweep is not reaching the fields", escapedSeen, len(bodies))
	}
	if html := string(e.download(b, x)); unescaped(html) || !strings.Contains(html, "alert(1)") {
		t.Error("the HTML report either lacks the payload or shows it unescaped")
	}
}

// csrfRevision reads the hidden revision field of a model form.
func csrfRevision(body string) string {
	_, after, ok := strings.Cut(body, `name="revision" value="`)
	if !ok {
		return ""
	}
	v, _, _ := strings.Cut(after, `"`)
	return v
}

func (e *testEnv) download(b *client, x ids) []byte {
	e.t.Helper()
	resp, err := b.c.Get(e.ts.URL + x.path("/w/{ws}/assessments/{a}/report.html"))
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		e.t.Fatalf("report download: %d", resp.StatusCode)
	}
	return data
}
