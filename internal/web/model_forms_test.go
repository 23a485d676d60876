package web

import (
	"bytes"
	"context"
	"html"
	"net/http"
	"net/url"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"rcmguard/internal/model"
	"rcmguard/internal/store/storetest"
)

// formPage is a form page read as a browser would post it.
type formPage struct {
	values  url.Values          // what a browser posts: text, the chosen option, the ticked boxes
	names   map[string]string   // every control's name, ticked or not, and its kind: text, select, textarea, checkbox
	options map[string][]string // each select's options
}

var (
	controlRE = regexp.MustCompile(`<(input|select|textarea)\b([^>]*)>`)
	attrRE    = regexp.MustCompile(`\s([a-z-]+)(?:="([^"]*)")?`)
	optionRE  = regexp.MustCompile(`<option value="([^"]*)"\s*(selected)?>`)
	rowNumRE  = regexp.MustCompile(`\.[0-9]+\.`)
)

// readFormPage reads every named control of a page outside <template>
// (the row rows.js copies), but the CSRF token, which the client sends.
func readFormPage(t *testing.T, body string) formPage {
	t.Helper()
	body = templateRE.ReplaceAllString(body, "")
	p := formPage{values: url.Values{}, names: map[string]string{}, options: map[string][]string{}}
	for _, m := range controlRE.FindAllStringSubmatchIndex(body, -1) {
		attrs := map[string]string{}
		for _, a := range attrRE.FindAllStringSubmatch(body[m[4]:m[5]], -1) {
			attrs[a[1]] = html.UnescapeString(a[2])
		}
		name, ok := attrs["name"]
		if !ok || name == "csrf" {
			continue
		}
		rest := body[m[1]:]
		switch body[m[2]:m[3]] {
		case "input":
			if attrs["type"] == "checkbox" {
				p.names[name] = "checkbox"
				if _, on := attrs["checked"]; on {
					p.values.Add(name, attrs["value"])
				}
				continue
			}
			p.names[name] = "text"
			p.values.Set(name, attrs["value"])
		case "select":
			p.names[name] = "select"
			inner := rest[:strings.Index(rest, "</select>")]
			v, chosen := "", false
			for i, o := range optionRE.FindAllStringSubmatch(inner, -1) {
				val := html.UnescapeString(o[1])
				p.options[name] = append(p.options[name], val)
				if i == 0 || o[2] != "" && !chosen { // a browser posts the first option unless one is selected
					v, chosen = val, o[2] != ""
				}
			}
			p.values.Set(name, v)
		case "textarea":
			p.names[name] = "textarea"
			p.values.Set(name, html.UnescapeString(rest[:strings.Index(rest, "</textarea>")]))
		}
	}
	if len(p.names) < 3 {
		t.Fatalf("only %d controls found on the page", len(p.names))
	}
	return p
}

// leafPaths lists the yaml paths a form must offer for a type: every
// field, those of nested and optional blocks ("api.auth"), and the fields
// of a list of structures ("endpoints.address"). Each optional block must
// have a required field, or an empty block could not be told from none.
func leafPaths(t *testing.T, typ reflect.Type, prefix string) map[string]reflect.Type {
	out := map[string]reflect.Type{}
	for i := range typ.NumField() {
		f := typ.Field(i)
		key := yamlKey(f)
		if key == "" || key == "-" || !f.IsExported() {
			continue
		}
		ft := f.Type
		var inner reflect.Type
		switch {
		case ft == dateType:
		case ft.Kind() == reflect.Struct:
			inner = ft
		case ft.Kind() == reflect.Pointer && ft.Elem().Kind() == reflect.Struct:
			inner = ft.Elem()
			if !slices.ContainsFunc(reflect.VisibleFields(inner), func(f reflect.StructField) bool { return f.Tag.Get("req") == "true" }) {
				t.Errorf("%s%s: an optional block without a required field; a form cannot tell it empty from absent", prefix, key)
			}
		case ft.Kind() == reflect.Slice && ft.Elem().Kind() == reflect.Struct:
			inner = ft.Elem()
		}
		if inner == nil {
			out[prefix+key] = ft
			continue
		}
		for k, v := range leafPaths(t, inner, prefix+key+".") {
			out[k] = v
		}
	}
	return out
}

// TestModelFormsEditEveryField walks the model's types by reflection:
// every field of a flow, of the organisation, the assessment and its
// stages, and of each section's elements (a system's API included) must
// be a control of its form, named by its yaml path; every control must be
// such a field. A tri-state field offers "not stated", a plain yes/no is a
// checkbox, and an enumerated one offers each of its values. Every
// top-level key of the model is edited by one of these forms, or is
// listed here with where else it is edited.
func TestModelFormsEditEveryField(t *testing.T) {
	e := newTestEnv(t, filepath.Join(t.TempDir(), "rcmguard.db"))
	ws := e.ws["B"].ID // the billing company: clients and custom stages
	b := e.signIn("B:compliance_officer")
	modelType := reflect.TypeOf(model.Model{})

	forms := []struct {
		path  string
		paths map[string]reflect.Type
	}{
		{"/model/flows/new", leafPaths(t, reflect.TypeOf(model.Flow{}), "")},
		{"/model/organization", map[string]reflect.Type{}},
	}
	covered := []string{"flows", "version", "tracking"} // version is always 1; tracking is the risk decisions, on the risk pages
	for _, key := range []string{"organization", "assessment", "stages"} {
		f, ok := modelField(modelType, key)
		if !ok {
			t.Fatalf("the model has no %s", key)
		}
		inner := f.Type
		if inner.Kind() == reflect.Slice {
			inner = inner.Elem()
		}
		for k, v := range leafPaths(t, inner, key+".") {
			forms[1].paths[k] = v
		}
		covered = append(covered, key)
	}
	for _, sec := range sections {
		forms = append(forms, struct {
			path  string
			paths map[string]reflect.Type
		}{"/model/s/" + sec.Key + "/new", leafPaths(t, sec.list(&model.Model{}).Type().Elem(), "")})
		covered = append(covered, sec.Key)
	}
	for i := range modelType.NumField() {
		if k := yamlKey(modelType.Field(i)); k != "" && !slices.Contains(covered, k) {
			t.Errorf("the model's %s is edited by no form", k)
		}
	}

	triType := reflect.TypeOf((*bool)(nil))
	for _, form := range forms {
		resp, body := b.get(wsPath(ws, form.path))
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %d", form.path, resp.StatusCode)
		}
		p := readFormPage(t, body)
		shown := map[string]string{} // yaml path → the name of its control
		for name := range p.names {
			if name == "revision" || strings.HasSuffix(name, "."+removeField) {
				continue
			}
			path := rowNumRE.ReplaceAllString(name, ".")
			if _, ok := form.paths[path]; !ok {
				t.Errorf("%s: the control %q edits no field of the model", form.path, name)
			}
			shown[path] = name
		}
		if len(shown) < 4 {
			t.Fatalf("%s: only %d fields found", form.path, len(shown))
		}
		for path, typ := range form.paths {
			name, ok := shown[path]
			if !ok {
				t.Errorf("%s: %s is not editable in the form", form.path, path)
				continue
			}
			opts, kind := p.options[name], p.names[name]
			switch {
			case typ == triType:
				if kind != "select" || !reflect.DeepEqual(opts, []string{"", "yes", "no"}) {
					t.Errorf("%s: %s can be unknown, but its control is a %s offering %q", form.path, path, kind, opts)
				}
			case typ.Kind() == reflect.Bool:
				if kind != "checkbox" {
					t.Errorf("%s: %s is yes or no, but its control is a %s", form.path, path, kind)
				}
			case typ.Implements(enumType):
				for _, v := range reflect.Zero(typ).Interface().(enumer).Enum() {
					if kind != "select" || !slices.Contains(opts, v) {
						t.Errorf("%s: the %s %s does not offer %q (%q)", form.path, kind, path, v, opts)
					}
				}
			case path == "min_tls":
				if kind != "select" || !reflect.DeepEqual(opts, append([]string{""}, model.TLSVersions...)) {
					t.Errorf("%s: min_tls offers %q; want not stated and %q", form.path, opts, model.TLSVersions)
				}
			}
		}
	}
}

// errorNear returns the message shown right after the control whose id
// is id, in the paragraph errID, checking the control is marked invalid
// and described by it and no other control comes between.
func errorNear(body, id, errID string) string {
	i := strings.Index(body, `id="`+id+`"`)
	if i < 0 {
		return "(no control " + id + ")"
	}
	end := i + strings.IndexByte(body[i:], '>')
	tag := body[strings.LastIndexByte(body[:i], '<'):end]
	if !strings.Contains(tag, `aria-invalid="true"`) || !regexp.MustCompile(`aria-describedby="[^"]*\b`+regexp.QuoteMeta(errID)+`"`).MatchString(tag) {
		return "(control " + id + " is not marked invalid and described by its error)"
	}
	open := `<p class="field-error" id="` + errID + `">`
	rest := body[end:]
	j := strings.Index(rest, open)
	if j < 0 || controlRE.MatchString(rest[:j]) {
		return "(no error beside " + id + ")"
	}
	msg := rest[j+len(open):]
	return html.UnescapeString(msg[:strings.Index(msg, "</p>")])
}

// TestModelFormsOptionalFields edits, over HTTP as a browser without
// JavaScript would, the fields that could once only be imported: a flow's
// TLS version, frequency, endpoint and EDI answers, a system's API, a
// policy's yes/no, and the assessment and custom stages in the
// organisation form. Each optional block is set, changed and cleared; a
// form posted back as shown changes nothing; a bad value comes back 422
// beside its input, as typed, with the stored model unchanged.
func TestModelFormsOptionalFields(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dsn string) {
		e := newTestEnv(t, dsn)
		ctx := context.Background()
		b := e.signIn("A:compliance_officer")
		ws := e.ws["A"].ID
		stored := func(t *testing.T) (int, []byte, *model.Model) {
			t.Helper()
			wm, m, _, err := e.srv.app.CurrentModel(ctx, ws)
			if err != nil {
				t.Fatal(err)
			}
			return wm.Revision, wm.YAML, m
		}
		open := func(t *testing.T, path string) url.Values {
			t.Helper()
			resp, body := b.get(path)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("GET %s: %d", path, resp.StatusCode)
			}
			return readFormPage(t, body).values
		}
		with := func(form url.Values, kv ...string) url.Values {
			out := url.Values{}
			for k, vs := range form {
				out[k] = slices.Clone(vs)
			}
			for i := 0; i < len(kv); i += 2 {
				out.Set(kv[i], kv[i+1])
			}
			return out
		}
		saved := func(t *testing.T, path string, form url.Values) {
			t.Helper()
			rev, _, _ := stored(t)
			if resp, body := b.post(path, form); resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("POST %s: %d; want 303\n%s", path, resp.StatusCode, body)
			}
			if r, _, _ := stored(t); r != rev+1 {
				t.Fatalf("POST %s: revision %d; want %d", path, r, rev+1)
			}
		}
		// rejected posts a bad form: 422, each message beside its control
		// (ids as the form names them), what was typed shown, nothing
		// stored.
		rejected := func(t *testing.T, path string, form url.Values, idOf func(string) (string, string), want map[string]string, shown ...string) string {
			t.Helper()
			rev, yamlText, _ := stored(t)
			resp, body := b.post(path, form)
			if resp.StatusCode != http.StatusUnprocessableEntity {
				t.Fatalf("POST %s: %d; want 422\n%s", path, resp.StatusCode, body)
			}
			for key, msg := range want {
				id, errID := idOf(key)
				if got := errorNear(body, id, errID); !strings.Contains(got, msg) {
					t.Errorf("beside %s: %q; want %q", key, got, msg)
				}
			}
			for _, s := range shown {
				if !strings.Contains(body, s) {
					t.Errorf("the refused form does not show %s as typed", s)
				}
			}
			if r, y, _ := stored(t); r != rev || !bytes.Equal(y, yamlText) {
				t.Errorf("POST %s was refused but the model changed (revision %d → %d)", path, rev, r)
			}
			return body
		}
		// Every model form names an input f-KEY and its error e-KEY.
		ids := func(k string) (string, string) { return "f-" + k, "e-" + k }
		yes, no := true, false

		t.Run("flows", func(t *testing.T) {
			// Every flow posted back as shown is kept exactly.
			_, _, before := stored(t)
			for _, fl := range before.Flows {
				p := wsPath(ws, "/model/flows/"+url.PathEscape(fl.ID))
				saved(t, p, open(t, p))
			}
			_, _, after := stored(t)
			if !reflect.DeepEqual(after.Flows, before.Flows) {
				t.Fatalf("posting the flows back as shown changed them:\n%+v\n%+v", after.Flows, before.Flows)
			}
			i := flowIndex(before, "f-remits")
			if fl := before.Flows[i]; fl.Endpoint != nil || fl.MinTLS != "" || fl.Frequency != "" || fl.TestSeparated != nil {
				t.Fatalf("the example's f-remits changed: %+v", fl)
			}
			p := wsPath(ws, "/model/flows/f-remits")
			form := open(t, p)

			// Set.
			saved(t, p, with(form, "min_tls", "1.2", "frequency", "weekly", "endpoint.protocol", "ssh",
				"endpoint.address", "sftp.clearpath.example:22", "test_separated", "yes", "isa_credentials", "no",
				"integrity_check", "yes"))
			want := before.Flows[i]
			want.MinTLS, want.Frequency = "1.2", "weekly"
			want.Endpoint = &model.Endpoint{Protocol: "ssh", Address: "sftp.clearpath.example:22"}
			want.TestSeparated, want.ISACredentials, want.Integrity = &yes, &no, &yes
			_, _, m := stored(t)
			if got := m.Flows[i]; !reflect.DeepEqual(got, want) {
				t.Fatalf("set: stored %+v; want %+v", got, want)
			}
			form = open(t, p)
			if form.Get("endpoint.address") != "sftp.clearpath.example:22" || form.Get("min_tls") != "1.2" || form.Get("isa_credentials") != "no" {
				t.Errorf("the form does not read the set fields back: %v", form)
			}

			// Change.
			saved(t, p, with(form, "min_tls", "1.3", "endpoint.protocol", "tls", "endpoint.address", "edi.clearpath.example:443",
				"test_separated", "no", "isa_credentials", "", "frequency", "daily"))
			want.MinTLS, want.Frequency = "1.3", "daily"
			want.Endpoint = &model.Endpoint{Protocol: "tls", Address: "edi.clearpath.example:443"}
			want.TestSeparated, want.ISACredentials = &no, nil
			_, _, m = stored(t)
			if got := m.Flows[i]; !reflect.DeepEqual(got, want) {
				t.Fatalf("change: stored %+v; want %+v", got, want)
			}

			// Bad values, beside their inputs.
			form = open(t, p)
			rejected(t, p, with(form, "min_tls", "1.4", "frequency", "hourly"), ids, map[string]string{
				"min_tls": `unknown TLS version "1.4"`, "frequency": `unknown value "hourly"`},
				`<option value="1.4" selected>`, `<option value="hourly" selected>`)
			rejected(t, p, with(form, "endpoint.address", "edi.clearpath.example"), ids, map[string]string{
				"endpoint.address": `want host:port, got "edi.clearpath.example"`}, `value="edi.clearpath.example"`)
			rejected(t, p, with(form, "endpoint.protocol", ""), ids, map[string]string{"endpoint.protocol": "This is required."})
			rejected(t, p, with(form, "endpoint.protocol", "gopher", "endpoint.address", "edi.clearpath.example:99999"), ids,
				map[string]string{"endpoint.protocol": `unknown value "gopher"`, "endpoint.address": `port "99999"`})
			rejected(t, p, with(form, "from", "", "channel", ""), ids, map[string]string{"from": "This is required.", "channel": "This is required."})

			// Clear: every optional field of the flow, the endpoint with
			// it, while the required ones stay.
			clear := with(form)
			for k := range clear {
				top, _, _ := strings.Cut(k, ".") // a block's fields are required only in the block
				if k != "revision" && !findInput(newFlowInputs(), top).Required {
					clear.Set(k, "")
				}
			}
			saved(t, p, clear)
			_, _, m = stored(t)
			got := m.Flows[i]
			gv := reflect.ValueOf(got)
			for j := range flowType.NumField() {
				f := flowType.Field(j)
				if f.Tag.Get("req") != "true" && !gv.Field(j).IsZero() {
					t.Errorf("clear: %s is still %v", yamlKey(f), gv.Field(j))
				}
			}
			if got.ID != "f-remits" || got.From != want.From || got.To != want.To || !slices.Equal(got.Data, want.Data) || got.Channel != want.Channel {
				t.Errorf("clear: the required fields changed: %+v", got)
			}

			// A new flow with an endpoint.
			nf := open(t, wsPath(ws, "/model/flows/new"))
			nf = with(nf, "id", "f-new-edi", "from", "pm", "to", "ch-portal", "channel", "sftp", "endpoint.address", "sftp.clearpath.example:22")
			nf.Set("data", "claims")
			rejected(t, wsPath(ws, "/model/flows"), nf, ids, map[string]string{"endpoint.protocol": "This is required."})
			nf.Set("endpoint.protocol", "ssh")
			saved(t, wsPath(ws, "/model/flows"), nf)
			_, _, m = stored(t)
			if fl := m.Flows[flowIndex(m, "f-new-edi")]; fl.Endpoint == nil || *fl.Endpoint != (model.Endpoint{Protocol: "ssh", Address: "sftp.clearpath.example:22"}) {
				t.Errorf("new flow = %+v", fl)
			}
		})

		t.Run("system API", func(t *testing.T) {
			_, _, before := stored(t)
			pm := slices.IndexFunc(before.Systems, func(s model.System) bool { return s.ID == "pm" })
			ehr := slices.IndexFunc(before.Systems, func(s model.System) bool { return s.ID == "ehr" })
			if pm < 0 || ehr < 0 || before.Systems[pm].API == nil || before.Systems[pm].API.ThirdParty != "v-ch" || before.Systems[ehr].API != nil {
				t.Fatalf("the example's systems changed: %+v", before.Systems)
			}
			// Every system posted back as shown is kept exactly.
			for _, s := range before.Systems {
				p := wsPath(ws, "/model/s/systems/"+url.PathEscape(s.ID))
				saved(t, p, open(t, p))
			}
			if _, _, after := stored(t); !reflect.DeepEqual(after.Systems, before.Systems) {
				t.Fatal("posting the systems back as shown changed them")
			}

			p := wsPath(ws, "/model/s/systems/ehr")
			resp, body := b.get(p)
			for _, want := range []string{`<fieldset class="block" id="b-api" aria-describedby="h-api"`, `<legend>API <span class="meta">(optional)</span></legend>`,
				`Leave all of these blank for none.`, `<label for="f-api.auth">API: Auth</label>`, `<select id="f-api.tls" name="api.tls"`} {
				if resp.StatusCode != http.StatusOK || !strings.Contains(body, want) {
					t.Errorf("the system form lacks %s", want)
				}
			}
			form := readFormPage(t, body).values
			if form.Get("api.auth") != "" || form.Get("api.tls") != "" {
				t.Fatalf("a system without an API shows one: %v", form)
			}

			// Set.
			saved(t, p, with(form, "api.auth", "oauth", "api.tls", "yes", "api.key_rotation", "quarterly",
				"api.scoped_access", "no", "api.logged", "yes", "api.third_party", "v-pm"))
			want := before.Systems[ehr]
			want.API = &model.API{Auth: "oauth", TLS: &yes, KeyRotation: "quarterly", ScopedAccess: &no, Logged: &yes, ThirdParty: "v-pm"}
			_, _, m := stored(t)
			if got := m.Systems[ehr]; !reflect.DeepEqual(got, want) {
				t.Fatalf("set: stored %+v; want %+v", got.API, want.API)
			}

			// Change.
			form = open(t, p)
			saved(t, p, with(form, "api.tls", "no", "api.key_rotation", "", "api.third_party", ""))
			want.API = &model.API{Auth: "oauth", TLS: &no, ScopedAccess: &no, Logged: &yes}
			_, _, m = stored(t)
			if got := m.Systems[ehr]; !reflect.DeepEqual(got, want) {
				t.Fatalf("change: stored %+v; want %+v", got.API, want.API)
			}

			// Bad values, beside their inputs; a partly filled block is
			// validated, not dropped.
			form = open(t, p)
			rejected(t, p, with(form, "api.auth", ""), ids, map[string]string{"api.auth": "This is required."})
			rejected(t, p, with(form, "api.auth", "magic", "api.third_party", "v-nope"), ids, map[string]string{
				"api.auth": `unknown value "magic"`, "api.third_party": `"v-nope" is not the ID of any vendor`},
				`<option value="magic" selected>`, `value="v-nope"`)
			rejected(t, wsPath(ws, "/model/s/systems/ehr"), with(form, "api.auth", "", "api.tls", "", "api.scoped_access", "",
				"api.logged", "", "api.key_rotation", "weekly"), ids, map[string]string{"api.auth": "This is required."})

			// Clear: all blank, no API.
			saved(t, p, with(form, "api.auth", "", "api.tls", "", "api.scoped_access", "", "api.logged", ""))
			_, _, m = stored(t)
			if got := m.Systems[ehr]; got.API != nil || !reflect.DeepEqual(got, before.Systems[ehr]) {
				t.Errorf("clear: stored API %+v; want none and the system as it was", got.API)
			}
		})

		t.Run("policy checkbox", func(t *testing.T) {
			p := wsPath(ws, "/model/s/policies/p-sanctions")
			resp, body := b.get(p)
			if resp.StatusCode != http.StatusOK || !regexp.MustCompile(`<label class="check" for="f-exists">\s*<input type="checkbox" id="f-exists" name="exists" value="yes" aria-describedby="h-exists"\s+checked>\s*Exists</label>`).MatchString(body) {
				t.Fatalf("a policy's exists is not a ticked checkbox:\n%s", body)
			}
			form := readFormPage(t, body).values
			form.Del("exists") // unticked: the browser posts nothing
			saved(t, p, form)
			_, _, m := stored(t)
			i := slices.IndexFunc(m.Policies, func(p model.Policy) bool { return p.ID == "p-sanctions" })
			if m.Policies[i].Exists {
				t.Error("unticking exists kept it true")
			}
			saved(t, p, with(open(t, p), "exists", "yes"))
			if _, _, m = stored(t); !m.Policies[i].Exists {
				t.Error("ticking exists did not set it")
			}
		})

		t.Run("organisation", func(t *testing.T) {
			p := wsPath(ws, "/model/organization")
			_, _, before := stored(t)
			if before.Assessment.SignOff != nil || len(before.Stages) != 0 || before.Organization.IsBusinessAssociate != nil {
				t.Fatalf("the example's organisation changed: %+v %+v", before.Assessment, before.Stages)
			}
			top := func(m *model.Model) []any { return []any{m.Organization, m.Assessment, m.Stages} }
			form := open(t, p)
			saved(t, p, form)
			if _, _, after := stored(t); !reflect.DeepEqual(top(after), top(before)) {
				t.Fatal("posting the organisation form back as shown changed it")
			}

			// Set, with "Add another" first: it brings one more blank
			// row back, as typed, and saves nothing.
			set := with(open(t, p), "organization.business_associate", "yes", "assessment.regulation", "nprm-2025-proposed",
				"assessment.scope", "Billing only", "assessment.sign_off.name", "Dana Ruiz", "assessment.sign_off.title", "Practice Manager",
				"assessment.sign_off.date", "2026-11-25", "stages.0.id", "s-intake", "stages.0.title", "Intake calls",
				"stages.0.after", "patient_registration")
			rev, yamlText, _ := stored(t)
			resp, body := b.post(p, with(set, addField, "stages"))
			if resp.StatusCode != http.StatusOK || !strings.Contains(body, `name="stages.0.title" value="Intake calls"`) ||
				!strings.Contains(body, `<input id="f-stages.1.id" name="stages.1.id" value=""`) {
				t.Fatalf("add another stage: %d, or the typed row or a blank row 1 is missing\n%s", resp.StatusCode, body)
			}
			if r, y, _ := stored(t); r != rev || !bytes.Equal(y, yamlText) {
				t.Fatal("add another saved the model")
			}
			saved(t, p, readFormPage(t, body).values) // with its blank row 1, ignored
			_, _, m := stored(t)
			wantOrg, wantAsm := before.Organization, before.Assessment
			wantOrg.IsBusinessAssociate = &yes
			wantAsm.Regulation, wantAsm.Scope = "nprm-2025-proposed", "Billing only"
			wantAsm.SignOff = &model.SignOff{Name: "Dana Ruiz", Title: "Practice Manager", Date: "2026-11-25"}
			want := []any{wantOrg, wantAsm, []model.CustomStage{{ID: "s-intake", Title: "Intake calls", After: "patient_registration"}}}
			if got := top(m); !reflect.DeepEqual(got, want) {
				t.Fatalf("set: stored %+v; want %+v", got, want)
			}
			if !reflect.DeepEqual(m.Flows, before.Flows) || !reflect.DeepEqual(m.Systems, before.Systems) {
				t.Error("the organisation form changed something else")
			}

			// A flow may now use the custom stage; the stage cannot be
			// removed from under it.
			fp := wsPath(ws, "/model/flows/f-remits")
			saved(t, fp, with(open(t, fp), "stage", "s-intake"))
			form = open(t, p)
			body = rejected(t, p, with(form, "stages.0._remove", "yes"), ids, nil)
			if !strings.Contains(body, `unknown stage &#34;s-intake&#34;`) || !strings.Contains(body, `name="stages.0._remove" value="yes" checked`) {
				t.Error("removing a stage a flow uses: the page does not say why, or lost the ticked box")
			}

			// Change: the business associate back to not stated.
			saved(t, p, with(form, "organization.business_associate", "", "assessment.sign_off.title", "Owner", "stages.0.title", "Intake"))
			_, _, m = stored(t)
			if m.Organization.IsBusinessAssociate != nil || m.Assessment.SignOff.Title != "Owner" || m.Stages[0].Title != "Intake" {
				t.Fatalf("change: stored %+v %+v %+v", m.Organization, m.Assessment.SignOff, m.Stages)
			}

			// Bad values, beside their inputs.
			form = open(t, p)
			rejected(t, p, with(form, "assessment.date", "2026-13-01", "organization.workforce", "0", "assessment.regulation", "2031"),
				ids, map[string]string{"assessment.date": `invalid date "2026-13-01"`,
					"organization.workforce": "must be at least 1", "assessment.regulation": `unknown value "2031"`},
				`value="2026-13-01"`, `<option value="2031" selected>`)
			rejected(t, p, with(form, "assessment.sign_off.name", "", "assessment.sign_off.date", ""), ids, map[string]string{
				"assessment.sign_off.name": "This is required.", "assessment.sign_off.date": "This is required."}, `value="Owner"`)
			rejected(t, p, with(form, "stages.1.id", "edi_submission", "stages.1.title", "EDI again", "stages.2.id", "s-late",
				"stages.2.title", "Late", "stages.2.after", "nowhere"), ids, map[string]string{
				"stages.1.id": `"edi_submission" is a standard stage`, "stages.2.after": `unknown stage "nowhere"`})
			rejected(t, p, with(form, "stages.1.id", "s-intake", "stages.1.title", "Twice"), ids, map[string]string{
				"stages.1.id": `duplicate ID "s-intake"`})

			// Clear: the flow back to a standard stage, then the sign-off,
			// the stages and every optional field of the assessment.
			saved(t, fp, with(open(t, fp), "stage", "payment_posting_followup"))
			form = open(t, p)
			clear := with(form, "stages.0._remove", "yes")
			for k := range clear {
				if strings.HasPrefix(k, "assessment.") {
					clear.Set(k, "")
				}
			}
			saved(t, p, clear)
			_, _, m = stored(t)
			if !reflect.DeepEqual(m.Assessment, model.Assessment{}) || m.Stages != nil || !reflect.DeepEqual(m.Organization, before.Organization) {
				t.Errorf("clear: stored %+v %+v %+v", m.Organization, m.Assessment, m.Stages)
			}
		})
	})
}
