package web

import (
	"net/http"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"rcmguard/internal/model"
)

// TestModelReadOnlyViews: an auditor (who reads the model but may not
// change it) opens every element of every section, the organisation and a
// flow, and reads each as a list of labelled values, references by name:
// no form that posts, no input. An editor gets the form.
func TestModelReadOnlyViews(t *testing.T) {
	e := newTestEnv(t, filepath.Join(t.TempDir(), "rcmguard.db"))
	ws := e.ws["A"].ID
	_, m, _, err := e.srv.app.CurrentModel(t.Context(), ws)
	if err != nil {
		t.Fatal(err)
	}
	aud := e.signIn("A:auditor")
	readOnly := func(p string) string {
		t.Helper()
		resp, body := aud.get(p)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s as auditor: %d", p, resp.StatusCode)
		}
		if !strings.Contains(body, `id="read-only"`) || strings.Contains(body, `<form method="post" action="`+p) ||
			strings.Contains(body, `<select`) || strings.Contains(body, `<textarea`) {
			t.Errorf("GET %s as auditor is not a read-only view", p)
		}
		return body
	}
	n := 0
	for _, sec := range sections {
		list := sec.list(m)
		for i := range list.Len() {
			id, _ := fieldByKey(list.Index(i), sec.IDKey)
			readOnly(wsPath(ws, "/model/s/"+sec.Key+"/"+url.PathEscape(id.String())))
			n++
		}
	}
	if n < 20 {
		t.Fatalf("only %d elements viewed", n)
	}
	// A system's vendor is named, not given by its ID.
	var sys model.System
	for _, s := range m.Systems {
		if s.Vendor != "" {
			sys = s
			break
		}
	}
	vendor := ""
	for _, v := range m.Vendors {
		if v.ID == sys.Vendor {
			vendor = v.Name
		}
	}
	body := readOnly(wsPath(ws, "/model/s/systems/"+url.PathEscape(sys.ID)))
	if !strings.Contains(body, "<dt>Vendor</dt><dd>"+vendor+"</dd>") {
		t.Errorf("the view of %s does not name its vendor %q", sys.ID, vendor)
	}
	readOnly(wsPath(ws, "/model/organization"))
	f := m.Flows[0]
	body = readOnly(wsPath(ws, "/model/flows/"+url.PathEscape(f.ID)))
	for _, s := range m.Systems {
		if s.ID == f.From && !strings.Contains(body, "<dt>From system</dt><dd>"+s.Name+"</dd>") {
			t.Errorf("the view of flow %s does not name its sender %q", f.ID, s.Name)
		}
	}
	// The auditor reaches them by links.
	_, body = aud.get(wsPath(ws, "/model/s/systems"))
	if !strings.Contains(body, `href="`+wsPath(ws, "/model/s/systems/"+url.PathEscape(sys.ID))+`"`) {
		t.Error("the systems list does not link to each system for an auditor")
	}
	// An editor gets the form.
	co := e.signIn("A:compliance_officer")
	_, body = co.get(wsPath(ws, "/model/s/systems/"+url.PathEscape(sys.ID)))
	if strings.Contains(body, `id="read-only"`) || !strings.Contains(body, `id="save-element"`) {
		t.Error("a compliance officer does not get the system form")
	}
	// Still no change for the auditor.
	if resp, _ := aud.post(wsPath(ws, "/model/s/systems/"+url.PathEscape(sys.ID)), url.Values{"id": {sys.ID}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("an auditor's POST: %d; want 403", resp.StatusCode)
	}
}

var summaryLinkRE = regexp.MustCompile(`<li><a href="#([^"]+)">([^<]+)</a></li>`)

// TestModelFormErrorSummary: a refused form lists its problems at the top,
// each linking to the control it concerns, which says its error through
// aria-describedby; references are chosen from the model by name.
func TestModelFormErrorSummary(t *testing.T) {
	e := newTestEnv(t, filepath.Join(t.TempDir(), "rcmguard.db"))
	ws := e.ws["A"].ID
	b := e.signIn("A:compliance_officer")
	p := wsPath(ws, "/model/s/roles")
	_, body := b.get(p + "/new")
	if !strings.Contains(body, `<select id="f-access.0.system" name="access.0.system"`) {
		t.Fatal("the role form does not offer the systems to choose from")
	}
	if !strings.Contains(body, `class="save-bar"`) {
		t.Error("the form has no save bar")
	}
	form := url.Values{"csrf": {b.csrf}, "revision": {csrfRevision(body)}, "name": {"Coders"}, "headcount": {"many"},
		"access.0.system": {"pm"}}
	resp, body := b.post(p, form)
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("bad role: %d", resp.StatusCode)
	}
	_, summary, ok := strings.Cut(body, `id="error-summary"`)
	if !ok {
		t.Fatalf("no error summary:\n%s", body)
	}
	summary, _, _ = strings.Cut(summary, "</div>")
	links := summaryLinkRE.FindAllStringSubmatch(summary, -1)
	want := map[string]bool{"f-id": false, "f-kind": false, "f-headcount": false, "f-access.0.level": false}
	for _, l := range links {
		target := l[1]
		if _, ok := want[target]; ok {
			want[target] = true
		}
		if !strings.Contains(body, `id="`+target+`"`) {
			t.Errorf("the summary links to #%s, which is not on the page", target)
		}
		key := strings.TrimPrefix(target, "f-")
		if !regexp.MustCompile(`id="` + regexp.QuoteMeta(target) + `"[^>]*aria-describedby="[^"]*e-` + regexp.QuoteMeta(key) + `"`).MatchString(body) {
			t.Errorf("#%s does not describe itself by its error e-%s", target, key)
		}
	}
	for target, seen := range want {
		if !seen {
			t.Errorf("the summary does not link to #%s; it has %q", target, links)
		}
	}
}
