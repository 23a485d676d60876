package web

import (
	"bytes"
	"context"
	"html"
	"net/http"
	"net/url"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"rcmguard/internal/model"
	"rcmguard/internal/store/storetest"
)

// TestSectionFormsEditEveryNestedList walks the element type of every
// section: each list of structures in it, wherever it sits, must be an
// editable table in the form, and no yaml key may start with "_", which
// the rows' own fields (endpoints.0._remove) and the _add button use.
func TestSectionFormsEditEveryNestedList(t *testing.T) {
	var found []string
	var walk func(sec section, typ reflect.Type, prefix string, ins []formInput)
	walk = func(sec section, typ reflect.Type, prefix string, ins []formInput) {
		for i := range typ.NumField() {
			f := typ.Field(i)
			key := yamlKey(f)
			if key == "" || key == "-" {
				continue
			}
			if strings.HasPrefix(key, "_") {
				t.Errorf("%s: yaml key %q starts with _, which the form's own fields use", sec.Key, key)
			}
			switch ft := f.Type; {
			case ft.Kind() == reflect.Slice && ft.Elem().Kind() == reflect.Struct:
				found = append(found, sec.Key+"."+prefix+key)
				l := listByKey(ins, prefix+key)
				if l == nil {
					t.Errorf("%s: the list %s%s is not editable in the form", sec.Key, prefix, key)
					continue
				}
				if len(l.Cols) == 0 {
					t.Errorf("%s: the list %s%s has no columns", sec.Key, prefix, key)
				}
			case ft.Kind() == reflect.Struct && ft != dateType:
				walk(sec, ft, prefix+key+".", ins)
			}
		}
	}
	for _, sec := range sections {
		typ := sec.list(&model.Model{}).Type().Elem()
		walk(sec, typ, "", inputsOf(typ, "", "", nil, true))
	}
	for _, want := range []string{"systems.endpoints", "vendors.certifications", "vendors.subcontractors", "roles.access"} {
		if !slices.Contains(found, want) {
			t.Errorf("the walk did not find %s (found %v)", want, found)
		}
	}
}

// TestSectionNestedLists edits each section's lists of structures through
// HTTP as a browser without JavaScript would: change a field of an element,
// add one in the blank row, remove one; "Add another" brings the form back
// with one more blank row and saves nothing; a bad value comes back 422
// with its message beside the nested input, the rows as typed, and the
// stored model unchanged.
func TestSectionNestedLists(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dsn string) {
		e := newTestEnv(t, dsn)
		ctx := context.Background()
		ws := e.ws["A"].ID
		b := e.signIn("A:compliance_officer")
		stored := func() (int, []byte, *model.Model) {
			t.Helper()
			wm, m, _, err := e.srv.app.CurrentModel(ctx, ws)
			if err != nil {
				t.Fatal(err)
			}
			return wm.Revision, wm.YAML, m
		}
		// formOf reads a form page as a browser would post it.
		formOf := func(body string) url.Values {
			t.Helper()
			form := url.Values{"revision": {csrfRevision(body)}}
			for _, in := range parseInputs(t, body) {
				form.Add(in[0], in[1]) // a list of references posts one value per ticked box
			}
			return form
		}
		open := func(path string) (url.Values, string) {
			t.Helper()
			resp, body := b.get(path)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("GET %s: %d", path, resp.StatusCode)
			}
			return formOf(body), body
		}
		clone := func(v url.Values) url.Values {
			out := url.Values{}
			for k, vs := range v {
				out[k] = slices.Clone(vs)
			}
			return out
		}
		// rejected posts a bad form: 422, each message beside its input,
		// nothing stored.
		rejected := func(path string, form url.Values, want map[string]string) string {
			t.Helper()
			rev, yamlText, _ := stored()
			resp, body := b.post(path, form)
			if resp.StatusCode != http.StatusUnprocessableEntity {
				t.Fatalf("POST %s: %d; want 422\n%s", path, resp.StatusCode, body)
			}
			for key, msg := range want {
				if got := errorBeside(body, key); !strings.Contains(got, msg) {
					t.Errorf("beside %s: %q; want %q", key, got, msg)
				}
			}
			if r, y, _ := stored(); r != rev || !bytes.Equal(y, yamlText) {
				t.Errorf("POST %s was refused but the model changed (revision %d → %d)", path, rev, r)
			}
			return body
		}

		t.Run("systems", func(t *testing.T) {
			_, _, before := stored()
			i := slices.IndexFunc(before.Systems, func(s model.System) bool { return s.ID == "ch-portal" })
			if i < 0 || len(before.Systems[i].Endpoints) != 2 {
				t.Fatalf("the example lost ch-portal's two endpoints: %+v", before.Systems)
			}
			p := wsPath(ws, "/model/s/systems/ch-portal")
			form, body := open(p)
			for _, want := range []string{`<fieldset class="rows" id="l-endpoints"`, `<legend>Endpoints`,
				`<input id="f-endpoints.1.address" name="endpoints.1.address" value="portal.clearpath.example:443"`,
				`<label class="sr" for="f-endpoints.1.address">Endpoint 2: Address</label>`,
				`name="endpoints.0._remove" value="yes"`, `<input id="f-endpoints.2.address" name="endpoints.2.address" value=""`,
				`name="_add" value="endpoints"`, `aria-describedby="h-endpoints.address"`, `id="h-endpoints.address"`,
				`<script src="/static/rows.js?v=`} {
				if !strings.Contains(body, want) {
					t.Errorf("system form lacks %s", want)
				}
			}
			if strings.Contains(body, "YAML") {
				t.Error("the system form still mentions YAML")
			}
			if form.Get("endpoints.1.protocol") != "tls" || form.Get("endpoints.2.protocol") != "" {
				t.Fatalf("endpoint rows read back wrong: %v", form)
			}

			// Add another, without JavaScript: the typed row is kept, one
			// more blank row appears, nothing is saved.
			rev, yamlText, _ := stored()
			add := clone(form)
			add.Set("endpoints.2.address", "api.clearpath.example:443")
			add.Set("_add", "endpoints")
			resp, body := b.post(p, add)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("add another: %d\n%s", resp.StatusCode, body)
			}
			for _, want := range []string{`name="endpoints.2.address" value="api.clearpath.example:443"`,
				`<input id="f-endpoints.3.address" name="endpoints.3.address" value=""`} {
				if !strings.Contains(body, want) {
					t.Errorf("after add another, the form lacks %s", want)
				}
			}
			if r, y, _ := stored(); r != rev || !bytes.Equal(y, yamlText) {
				t.Error("add another saved the model")
			}
			added := formOf(body)
			if _, ok := added["endpoints.3.protocol"]; !ok || added.Get("endpoints.3.address") != "" {
				t.Fatalf("add another did not bring a blank row 3: %v", added)
			}

			// With the first endpoint removed, the second is saved first:
			// its error must still land beside the row it was typed in.
			bad := clone(form)
			bad.Set("endpoints.0._remove", "yes")
			bad.Set("endpoints.1.address", "portal.clearpath.example:99999")
			body = rejected(p, bad, map[string]string{"endpoints.1.address": `port "99999" is not a number from 1 to 65535`})
			if !strings.Contains(body, `name="endpoints.0._remove" value="yes" checked`) ||
				!strings.Contains(body, `value="portal.clearpath.example:99999"`) {
				t.Error("the refused form did not come back as typed")
			}
			bad = clone(form)
			bad.Set("endpoints.1.protocol", "gopher")
			body = rejected(p, bad, map[string]string{"endpoints.1.protocol": `unknown value "gopher"`})
			if !strings.Contains(body, `<option value="gopher" selected>`) {
				t.Error("the refused protocol is not shown as chosen")
			}
			// A partly filled new row is validated, not ignored.
			bad = clone(form)
			bad.Set("endpoints.2.address", "api.clearpath.example:443")
			rejected(p, bad, map[string]string{"endpoints.2.protocol": "This is required."})

			// Saved from the form "Add another" brought back: its second
			// blank row is ignored.
			ok := clone(added)
			ok.Set("endpoints.0._remove", "yes")
			ok.Set("endpoints.1.address", "portal.clearpath.example:8443")
			ok.Set("endpoints.2.protocol", "tls")
			if resp, body := b.post(p, ok); resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("valid endpoints: %d\n%s", resp.StatusCode, body)
			}
			_, _, after := stored()
			want := []model.Endpoint{{Protocol: "tls", Address: "portal.clearpath.example:8443"}, {Protocol: "tls", Address: "api.clearpath.example:443"}}
			if got := after.Systems[i].Endpoints; !reflect.DeepEqual(got, want) {
				t.Errorf("stored endpoints = %+v; want %+v", got, want)
			}
			after.Systems[i].Endpoints = before.Systems[i].Endpoints
			if !reflect.DeepEqual(after.Systems, before.Systems) {
				t.Errorf("saving the endpoints changed something else in the systems:\n%+v\n%+v", after.Systems[i], before.Systems[i])
			}
		})

		t.Run("vendors", func(t *testing.T) {
			_, _, before := stored()
			i := slices.IndexFunc(before.Vendors, func(v model.Vendor) bool { return v.ID == "v-ch" })
			if i < 0 || len(before.Vendors[i].Subcontractors) != 2 || len(before.Vendors[i].Certifications) != 0 {
				t.Fatalf("the example's v-ch changed: %+v", before.Vendors)
			}
			p := wsPath(ws, "/model/s/vendors/v-ch")
			form, body := open(p)
			for _, want := range []string{`id="l-certifications"`, `id="l-subcontractors"`,
				`<input id="f-certifications.0.name" name="certifications.0.name" value=""`,
				`<input id="f-subcontractors.1.name" name="subcontractors.1.name" value="ScanCo"`,
				`<label class="sr" for="f-subcontractors.1.baa">Subcontractor 2: BAA</label>`,
				`<label class="sr" for="f-certifications.0.date">Certification 1 (new): Date</label>`} {
				if !strings.Contains(body, want) {
					t.Errorf("vendor form lacks %s", want)
				}
			}
			bad := clone(form)
			bad.Set("certifications.0.name", "HITRUST r2")
			bad.Set("certifications.0.date", "2026-02-30")
			bad.Set("subcontractors.0.baa", "maybe")
			rejected(p, bad, map[string]string{"certifications.0.date": `invalid date "2026-02-30"`,
				"subcontractors.0.baa": `unknown value "maybe"`})

			ok := clone(form)
			ok.Set("certifications.0.name", "HITRUST r2")
			ok.Set("certifications.0.date", "2026-02-28")
			ok.Set("certifications.0.expires", "2028-02-28")
			ok.Set("subcontractors.0.service", "hosting and backups")
			ok.Set("subcontractors.1._remove", "yes")
			ok.Set("subcontractors.2.name", "PrintCo")
			ok.Set("subcontractors.2.baa", "signed")
			ok.Set("subcontractors.2.offshore", "no")
			if resp, body := b.post(p, ok); resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("valid vendor lists: %d\n%s", resp.StatusCode, body)
			}
			_, _, after := stored()
			got := after.Vendors[i]
			no := false
			wantSubs := []model.Subcontractor{{Name: "DataVault Hosting", Service: "hosting and backups", BAA: "signed"},
				{Name: "PrintCo", BAA: "signed", Offshore: &no}}
			wantCerts := []model.Certification{{Name: "HITRUST r2", Date: "2026-02-28", Expires: "2028-02-28"}}
			if !reflect.DeepEqual(got.Subcontractors, wantSubs) || !reflect.DeepEqual(got.Certifications, wantCerts) {
				t.Errorf("stored v-ch = %+v / %+v; want %+v / %+v", got.Certifications, got.Subcontractors, wantCerts, wantSubs)
			}
		})

		t.Run("roles", func(t *testing.T) {
			_, _, before := stored()
			i := slices.IndexFunc(before.Roles, func(r model.Role) bool { return r.ID == "front-desk" })
			if i < 0 || len(before.Roles[i].Access) != 4 {
				t.Fatalf("the example's front desk changed: %+v", before.Roles)
			}
			p := wsPath(ws, "/model/s/roles/front-desk")
			form, body := open(p)
			if !strings.Contains(body, `<label class="sr" for="f-access.2.shared_login">System access 3: Shared login</label>`) ||
				form.Get("access.2.shared_login") != "yes" || form.Get("access.2.mfa") != "no" {
				t.Errorf("access rows read back wrong: %v", form)
			}
			bad := clone(form)
			bad.Set("access.0.level", "superuser")
			bad.Set("access.1.system", "no-such-system")
			rejected(p, bad, map[string]string{"access.0.level": `unknown value "superuser"`,
				"access.1.system": `"no-such-system" is not the ID of any system`})

			ok := clone(form)
			ok.Set("access.0.level", "read")
			ok.Set("access.3._remove", "yes")
			ok.Set("access.4.system", "ch-portal")
			ok.Set("access.4.level", "read")
			ok.Set("access.4.mfa", "yes")
			if resp, body := b.post(p, ok); resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("valid access list: %d\n%s", resp.StatusCode, body)
			}
			_, _, after := stored()
			yes := true
			want := slices.Clone(before.Roles[i].Access[:3])
			want[0].Level = "read"
			want = append(want, model.Access{System: "ch-portal", Level: "read", MFA: &yes})
			if got := after.Roles[i].Access; !reflect.DeepEqual(got, want) {
				t.Errorf("stored access = %+v; want %+v", got, want)
			}

			// A new element with a list: the new form has one blank row.
			form, body = open(wsPath(ws, "/model/s/roles/new"))
			if !strings.Contains(body, `<select id="f-access.0.system" name="access.0.system"`) {
				t.Fatal("the new role form has no blank access row")
			}
			form.Set("id", "r-nested")
			form.Set("name", "Nested coder")
			form.Set("kind", "coder")
			form.Set("headcount", "1")
			form.Set("access.0.system", "ehr")
			body = rejected(wsPath(ws, "/model/s/roles"), form, map[string]string{"access.0.level": "This is required."})
			if !strings.Contains(body, `<select id="f-access.1.system" name="access.1.system"`) {
				t.Error("the refused new role has no blank row left to add another")
			}
			form.Set("access.0.level", "read")
			if resp, body := b.post(wsPath(ws, "/model/s/roles"), form); resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("new role with access: %d\n%s", resp.StatusCode, body)
			}
			_, _, after = stored()
			if r := after.Roles[len(after.Roles)-1]; r.ID != "r-nested" || !reflect.DeepEqual(r.Access, []model.Access{{System: "ehr", Level: "read"}}) {
				t.Errorf("new role = %+v", r)
			}
		})

		t.Run("malformed", func(t *testing.T) {
			p := wsPath(ws, "/model/s/systems/ch-portal")
			form, _ := open(p)
			for _, f := range []url.Values{{"endpoints.x.address": {"a:1"}}, {"endpoints.00.address": {"a:1"}},
				{"endpoints.100000.address": {"a:1"}}, {"_add": {"nonsense"}}} {
				bad := clone(form)
				for k, v := range f {
					bad[k] = v
				}
				if resp, _ := b.post(p, bad); resp.StatusCode != http.StatusBadRequest {
					t.Errorf("POST with %v: %d; want 400", f, resp.StatusCode)
				}
			}
		})
	})
}

var fieldErrorRE = regexp.MustCompile(`(?s)^<p class="field-error" id="e-[^"]+">(.*?)</p>`)

// errorBeside returns the message shown right after the input named key
// (before any other input), checking the input points to it.
func errorBeside(body, key string) string {
	i := strings.Index(body, `id="f-`+key+`"`)
	if i < 0 {
		return "(no input " + key + ")"
	}
	tag := body[i:]
	tag = tag[:strings.IndexByte(tag, '>')]
	if !strings.Contains(tag, `aria-invalid="true"`) || !strings.Contains(tag, " e-"+key+`"`) {
		return "(input " + key + " is not marked invalid and described by its error)"
	}
	rest := body[i+len(tag):]
	j := strings.Index(rest, `<p class="field-error" id="e-`+key+`">`)
	if j < 0 || strings.Contains(rest[:j], `id="f-`) {
		return "(no error beside " + key + ")"
	}
	m := fieldErrorRE.FindStringSubmatch(rest[j:])
	return html.UnescapeString(m[1])
}

// TestAccountsChoosePeople: a system's accounts name their person, and a
// person the clients served, by choosing among the model's people and
// clients by name, not by typing IDs.
func TestAccountsChoosePeople(t *testing.T) {
	e := newTestEnv(t, t.TempDir()+"/rcmguard.db")
	b := e.signIn("A:owner")
	_, body := b.get(wsPath(e.ws["A"].ID, "/model/s/systems/ehr"))
	sel := regexp.MustCompile(`(?s)<select[^>]*name="accounts\.0\.person"[^>]*>(.*?)</select>`).FindStringSubmatch(body)
	if sel == nil {
		t.Fatalf("the EHR's first account names its person by no select:\n%s", body)
	}
	if !strings.Contains(sel[1], ">Dana Ruiz<") || !strings.Contains(sel[1], `value="dana"`) {
		t.Errorf("the person select does not offer the model's people by name:\n%s", sel[1])
	}
}
