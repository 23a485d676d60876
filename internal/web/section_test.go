package web

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"rcmguard/internal/model"
	"rcmguard/internal/store/storetest"
)

// TestSectionEditors edits systems, vendors and roles through the generic
// forms: nested blocks and tri-state answers save; loader errors land on
// their inputs; a referenced element cannot be deleted.
func TestSectionEditors(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dsn string) {
		e := newTestEnv(t, dsn)
		ctx := context.Background()
		ws := e.ws["A"].ID
		b := e.signIn("A:compliance_officer")
		current := func() *model.Model {
			_, m, _, err := e.srv.app.CurrentModel(ctx, ws)
			if err != nil {
				t.Fatal(err)
			}
			return m
		}
		m := current()
		sys := m.Systems[0]
		p := wsPath(ws, "/model/s/systems/"+url.PathEscape(sys.ID))
		_, body := b.get(p)
		for _, want := range []string{`name="backup.enabled"`, `name="internet_facing"`, `name="kind"`, `value="` + sys.Name + `"`} {
			if !strings.Contains(body, want) {
				t.Errorf("system form lacks %s", want)
			}
		}
		form := url.Values{"revision": {csrfRevision(body)}}
		// Re-post the form as shown, with a few changes.
		for _, in := range parseInputs(t, body) {
			form.Set(in[0], in[1])
		}
		form.Set("name", "")
		form.Set("kind", "abacus")
		form.Set("auto_logoff_minutes", "ten")
		resp, body := b.post(p, form)
		if resp.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("invalid system: %d", resp.StatusCode)
		}
		for _, k := range []string{"auto_logoff_minutes"} {
			if !strings.Contains(body, `id="e-`+k+`"`) {
				t.Errorf("no error beside %s:\n%s", k, body)
			}
		}
		form.Set("auto_logoff_minutes", "10")
		resp, body = b.post(p, form)
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `id="e-name"`) || !strings.Contains(body, `id="e-kind"`) {
			t.Errorf("loader errors not beside name and kind (%d):\n%s", resp.StatusCode, body)
		}
		if current().Systems[0].Name != sys.Name {
			t.Fatal("an invalid system was saved")
		}
		form.Set("name", "PracticeChart EHR (cloud)")
		form.Set("kind", string(sys.Kind))
		form.Set("backup.enabled", "yes")
		form.Set("backup.offsite", "no")
		form.Set("internet_facing", "")
		resp, body = b.post(p, form)
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("valid system: %d\n%s", resp.StatusCode, body)
		}
		got := current().Systems[0]
		if got.Name != "PracticeChart EHR (cloud)" || got.Backup.Enabled == nil || !*got.Backup.Enabled ||
			got.Backup.Offsite == nil || *got.Backup.Offsite || got.InternetFacing != nil || got.AutoLogoffMin == nil || *got.AutoLogoffMin != 10 {
			t.Errorf("saved system = %+v", got)
		}
		if len(got.Endpoints) != len(sys.Endpoints) || (sys.API == nil) != (got.API == nil) {
			t.Error("the endpoints or the API were lost by posting the form back")
		}

		// A new role, then deleting a system that flows still use.
		_, body = b.get(wsPath(ws, "/model/s/roles/new"))
		resp, body = b.post(wsPath(ws, "/model/s/roles"), url.Values{"revision": {csrfRevision(body)}, "id": {"r-temp"},
			"name": {"Temporary coder"}, "kind": {"coder"}, "headcount": {"2"}, "location": {"remote"}, "training.kind": {"generic"}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("new role: %d\n%s", resp.StatusCode, body)
		}
		if r := current().Roles; r[len(r)-1].ID != "r-temp" || r[len(r)-1].Training.Kind != "generic" {
			t.Errorf("new role not saved: %+v", r[len(r)-1])
		}
		used := current().Flows[0].From
		resp, body = b.post(wsPath(ws, "/model/s/systems/"+url.PathEscape(used)+"/delete"), nil)
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "not deleted") {
			t.Errorf("deleting a system flows use: %d; want 422 explaining why", resp.StatusCode)
		}
		b.get(wsPath(ws, "/model/s/roles"))
		if resp, _ = b.post(wsPath(ws, "/model/s/roles/r-temp/delete"), nil); resp.StatusCode != http.StatusSeeOther {
			t.Errorf("deleting an unused role: %d", resp.StatusCode)
		}
		if resp, _ = b.get(wsPath(ws, "/model/s/nonsense")); resp.StatusCode != http.StatusNotFound {
			t.Errorf("unknown section: %d; want 404", resp.StatusCode)
		}
	})
}

var (
	inputRE    = regexp.MustCompile(`<input id="f-[^"]*" name="([^"]+)" value="([^"]*)"`)
	selectRE   = regexp.MustCompile(`(?s)<select id="f-[^"]*" name="([^"]+)"[^>]*>(.*?)</select>`)
	selectedRE = regexp.MustCompile(`<option value="([^"]*)" selected>`)
	textareaRE = regexp.MustCompile(`(?s)<textarea id="f-[^"]*" name="([^"]+)"[^>]*>(.*?)</textarea>`)
	checkedRE  = regexp.MustCompile(`<input type="checkbox" id="f-[^"]*" name="([^"]+)" value="([^"]*)"[^>]* checked>`)
	templateRE = regexp.MustCompile(`(?s)<template\b.*?</template>`)
)

// parseInputs reads a section form back as a browser would submit it: the
// inputs, the chosen options, the ticked checkboxes, and nothing inside a
// <template> (the row rows.js copies).
func parseInputs(t *testing.T, body string) [][2]string {
	t.Helper()
	body = templateRE.ReplaceAllString(body, "")
	var out [][2]string
	for _, m := range checkedRE.FindAllStringSubmatch(body, -1) {
		out = append(out, [2]string{m[1], html.UnescapeString(m[2])})
	}
	for _, m := range inputRE.FindAllStringSubmatch(body, -1) {
		out = append(out, [2]string{m[1], html.UnescapeString(m[2])})
	}
	for _, m := range selectRE.FindAllStringSubmatch(body, -1) {
		v := ""
		if s := selectedRE.FindStringSubmatch(m[2]); s != nil {
			v = s[1]
		}
		out = append(out, [2]string{m[1], v})
	}
	for _, m := range textareaRE.FindAllStringSubmatch(body, -1) {
		out = append(out, [2]string{m[1], html.UnescapeString(m[2])})
	}
	if len(out) < 10 {
		t.Fatalf("only %d inputs found in the form", len(out))
	}
	return out
}
