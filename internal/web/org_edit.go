package web

import (
	"cmp"
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"rcmguard/internal/audit"
	"rcmguard/internal/model"
)

// The organisation form edits the top of the model: the organisation, the
// assessment (its date, assessor, scope, regulation, previous analysis and
// optional sign-off) and the custom workflow stages. Its inputs are built
// from the model's types like the section forms' (section_fields.go) and
// named by their yaml paths in the model: "organization.name",
// "assessment.sign_off.date", "stages.0.id".

// orgGroup is one part of the organisation form: the inputs of one
// top-level key of the model.
type orgGroup struct {
	Key, Label, Hint string
	Fieldset         bool // a block of fields in a fieldset; a list draws its own
	Inputs           []formInput
	lo, hi           int // the group's inputs in orgFormData.all
}

// orgFormData is the organisation form as typed, so a refused form comes
// back exactly as the user left it.
type orgFormData struct {
	Revision int
	Groups   []orgGroup
	General  []string
	Action   string
	ReadOnly bool // the viewer may read the organisation, not change it
	Problems []fieldProblem

	all []formInput // every input; the groups' Inputs share it
}

// orgGroups are the top-level keys of the model the form edits, with the
// legends of the blocks.
var orgGroups = []orgGroup{
	{Key: "organization", Label: "Organisation"},
	{Key: "assessment", Label: "Assessment"},
	{Key: "stages", Label: "Custom stages"},
}

func newOrgForm() *orgFormData {
	d := &orgFormData{}
	t := reflect.TypeOf(model.Model{})
	for _, g := range orgGroups {
		f, ok := modelField(t, g.Key)
		if !ok {
			panic("web: the model has no key " + g.Key)
		}
		var ins []formInput
		if f.Type.Kind() == reflect.Struct {
			ins = inputsOf(f.Type, g.Key+".", "", f.Index, true)
			g.Fieldset, g.Hint = true, f.Tag.Get("doc")
		} else {
			ins = fieldInputs(f, "", "", f.Index, true)
		}
		g.lo = len(d.all)
		d.all = append(d.all, ins...)
		g.hi = len(d.all)
		d.Groups = append(d.Groups, g)
	}
	for i := range d.Groups {
		d.Groups[i].Inputs = d.all[d.Groups[i].lo:d.Groups[i].hi]
	}
	return d
}

// modelField finds the field of the model whose yaml key is key.
func modelField(t reflect.Type, key string) (reflect.StructField, bool) {
	for i := range t.NumField() {
		if yamlKey(t.Field(i)) == key {
			return t.Field(i), true
		}
	}
	return reflect.StructField{}, false
}

func (s *Server) orgForm(w http.ResponseWriter, r *http.Request, c *call) error {
	wm, m, ok, err := s.app.CurrentModel(r.Context(), c.WS.ID)
	if err != nil {
		return err
	}
	if !ok {
		http.Redirect(w, r, wsPath(c.WS.ID, "/model"), http.StatusSeeOther)
		return nil
	}
	if err := s.app.RecordModelRead(r.Context(), c.actor(), c.scope(), "organization"); err != nil {
		return err
	}
	d := newOrgForm()
	d.Revision = wm.Revision
	readInputs(reflect.ValueOf(m).Elem(), d.all)
	canEdit, err := canOn(c, "model.edit", modelPartObject("organization"))
	if err != nil {
		return err
	}
	d.ReadOnly = !canEdit
	return s.renderOrg(w, c, http.StatusOK, d)
}

func (s *Server) renderOrg(w http.ResponseWriter, c *call, status int, d *orgFormData) error {
	d.Action = wsPath(c.WS.ID, "/model/organization")
	for _, in := range d.all {
		if in.List != nil {
			in.List.prepare(d.Action)
		}
	}
	// A custom stage follows a standard one or another custom stage, as
	// the form holds them.
	rc := newRefChoices(nil)
	if l := listByKey(d.all, "stages"); l != nil {
		for _, row := range l.Rows {
			var id, title string
			for _, in := range row.Inputs {
				switch in.Key[len(row.Prefix):] {
				case "id":
					id = strings.TrimSpace(in.Value)
				case "title":
					title = strings.TrimSpace(in.Value)
				}
			}
			if id != "" && !slices.Contains(rc.ids["stages"], id) {
				rc.ids["stages"] = append(rc.ids["stages"], id)
				rc.names["stages"][id] = cmp.Or(title, id)
			}
		}
	}
	rc.apply(d.all)
	d.Problems = problemsOf(d.all)
	title := "Organisation and assessment"
	if d.ReadOnly {
		title = "Organisation, assessment and stages"
	}
	return s.render(w, status, "org_form", page{Title: title, Nav: "model", C: c, Data: d})
}

// orgSubmit rewrites the organisation, the assessment and the stages,
// validates the whole model with the YAML loader and saves only when it is
// valid. "Add another" (_add=stages) saves nothing: the form comes back as
// typed with one more blank row.
func (s *Server) orgSubmit(w http.ResponseWriter, r *http.Request, c *call) error {
	_, m, ok, err := s.app.CurrentModel(r.Context(), c.WS.ID)
	if err != nil {
		return err
	}
	if !ok {
		return errNotFound
	}
	if err := r.ParseForm(); err != nil {
		return fmt.Errorf("%w: %w", errBadInput, err)
	}
	mv := reflect.ValueOf(m).Elem()
	d := newOrgForm()
	readForm(r.PostForm, d.all)
	if err := readPosted(r.PostForm, d.all, mv); err != nil {
		return err
	}
	d.Revision, _ = strconv.Atoi(r.PostForm.Get("revision"))
	if add := r.PostForm.Get(addField); add != "" {
		l := listByKey(d.all, add)
		if l == nil {
			return fmt.Errorf("%w: no list %q to add to", errBadInput, add)
		}
		l.addBlank()
		return s.renderOrg(w, c, http.StatusOK, d)
	}
	parsed := writeInputs(mv, d.all)
	return s.saveModelEdit(w, r, c, modelEdit{m: m, parsed: parsed,
		place:    func(el model.ErrorList) { d.General = placeErrors(el, "", d.all) },
		say:      func(msg string) { d.General = []string{msg} },
		render:   func(status int) error { return s.renderOrg(w, c, status, d) },
		revision: d.Revision, part: modelPartObject("organization"), action: audit.ModelOrganization, done: "/model"})
}

func formInt(s string) (int, error) {
	if s == "" {
		return 0, nil
	}
	return strconv.Atoi(s)
}
