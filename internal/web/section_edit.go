package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"strings"

	"rcmguard/internal/app"
	"rcmguard/internal/audit"
	"rcmguard/internal/auth"
	"rcmguard/internal/model"
	"rcmguard/internal/store"
)

type sectionRow struct {
	ID, Name, Kind string
	Question       string // for an answer: the catalog's question in plain language
	Link           string // a billing company's client: its workspace
}

type sectionListData struct {
	Sec  section
	Rows []sectionRow
}

type sectionFormData struct {
	Sec      section
	New      bool
	OrigID   string
	Revision int
	Inputs   []formInput
	General  []string
	Action   string       // where the form posts
	m        *model.Model // the model its references choose from
	HasLists bool         // the form has lists of structures, hence several submit buttons
	ReadOnly bool         // the viewer may read this part of the model, not change it
	Problems []fieldProblem
}

// sectionModel loads the model and the {section} of the URL.
func (s *Server) sectionModel(r *http.Request, c *call) (section, int, *model.Model, error) {
	sec, ok := sectionOf(r.PathValue("section"))
	if !ok {
		return sec, 0, nil, errNotFound
	}
	wm, m, ok, err := s.app.CurrentModel(r.Context(), c.WS.ID)
	if err != nil {
		return sec, 0, nil, err
	}
	if !ok {
		return sec, 0, nil, errNotFound
	}
	return sec, wm.Revision, m, nil
}

func (s *Server) sectionList(w http.ResponseWriter, r *http.Request, c *call) error {
	sec, _, m, err := s.sectionModel(r, c)
	if err != nil {
		return err
	}
	if err := s.app.RecordModelRead(r.Context(), c.actor(), c.scope(), sec.Key); err != nil {
		return err
	}
	list := sec.list(m)
	d := sectionListData{Sec: sec}
	var links map[string]string
	if sec.Key == "clients" {
		if links, err = s.clientLinks(r, c); err != nil {
			return err
		}
	}
	for i := range list.Len() {
		el := list.Index(i)
		row := sectionRow{}
		if f, ok := fieldByKey(el, sec.IDKey); ok {
			row.ID = f.String()
		}
		for _, k := range []string{"name", "title", "action", "answer"} {
			if f, ok := fieldByKey(el, k); ok && row.Name == "" {
				row.Name = f.String()
			}
		}
		if f, ok := fieldByKey(el, "kind"); ok {
			row.Kind = f.String()
		}
		row.Link = links[row.Name]
		if sec.Key == "answers" {
			if q, ok := app.QuestionOf(row.ID); ok {
				row.Question = q.Name + ": " + q.Text
			}
			row.Name = Label(row.Name)
		}
		d.Rows = append(d.Rows, row)
	}
	return s.render(w, http.StatusOK, "section", page{Title: sec.Title, Nav: "model", C: c, Data: d})
}

// clientLinks maps the names in a billing company's client list to the
// client workspaces under it that the user may open, so that the list
// leads to each client's own risk analysis.
func (s *Server) clientLinks(r *http.Request, c *call) (map[string]string, error) {
	if c.WS.Kind != store.KindBillingCompany {
		return nil, nil
	}
	ctx := r.Context()
	clients, err := s.st.ClientWorkspaces(ctx, c.WS.ID)
	if err != nil {
		return nil, err
	}
	links := map[string]string{}
	for _, cw := range clients {
		m, err := s.st.Membership(ctx, cw.ID, c.User.ID)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if auth.Allowed(m, auth.ActWorkspaceView, s.now()) == nil {
			links[cw.Name] = wsPath(cw.ID, "")
		}
	}
	return links, nil
}

func (s *Server) renderSection(w http.ResponseWriter, c *call, status int, d sectionFormData) error {
	title := "Add to " + d.Sec.Title
	d.Action = wsPath(c.WS.ID, "/model/s/"+d.Sec.Key)
	if !d.New {
		name := d.OrigID
		for _, in := range d.Inputs {
			if (in.Key == "name" || in.Key == "title") && strings.TrimSpace(in.Value) != "" {
				name = in.Value
				break
			}
		}
		if q, ok := app.QuestionOf(d.OrigID); ok && d.Sec.Key == "answers" {
			name = q.Name
		}
		title = d.Sec.Title + ": " + name
		d.Action += "/" + url.PathEscape(d.OrigID)
	}
	for _, in := range d.Inputs {
		if in.List != nil {
			in.List.prepare(d.Action)
			d.HasLists = true
		}
	}
	newRefChoices(d.m).apply(d.Inputs)
	d.Problems = problemsOf(d.Inputs)
	return s.render(w, status, "section_form", page{Title: title, Nav: "model", C: c, Data: d})
}

func (s *Server) sectionNewForm(w http.ResponseWriter, r *http.Request, c *call) error {
	sec, rev, m, err := s.sectionModel(r, c)
	if err != nil {
		return err
	}
	return s.renderSection(w, c, http.StatusOK, sectionFormData{Sec: sec, New: true, Revision: rev, m: m,
		Inputs: inputsOf(sec.list(m).Type().Elem(), "", "", nil, true)})
}

func (s *Server) sectionEditForm(w http.ResponseWriter, r *http.Request, c *call) error {
	sec, rev, m, err := s.sectionModel(r, c)
	if err != nil {
		return err
	}
	list := sec.list(m)
	i := sec.index(list, r.PathValue("id"))
	if i < 0 {
		return errNotFound
	}
	if err := s.app.RecordModelRead(r.Context(), c.actor(), c.scope(), sec.Key+"/"+r.PathValue("id")); err != nil {
		return err
	}
	ins := inputsOf(list.Type().Elem(), "", "", nil, true)
	readInputs(list.Index(i), ins)
	ro, err := canOn(c, "model.edit", modelPartObject(sec.Key))
	if err != nil {
		return err
	}
	return s.renderSection(w, c, http.StatusOK, sectionFormData{Sec: sec, OrigID: r.PathValue("id"), Revision: rev, Inputs: ins, m: m,
		ReadOnly: !ro})
}

func (s *Server) sectionCreate(w http.ResponseWriter, r *http.Request, c *call) error {
	return s.sectionSave(w, r, c, "")
}

func (s *Server) sectionUpdate(w http.ResponseWriter, r *http.Request, c *call) error {
	return s.sectionSave(w, r, c, r.PathValue("id"))
}

// sectionSave applies a form to a copy of the element (fields the form
// does not show are kept), validates the whole model with the YAML loader,
// and saves only a valid model. "Add another" (a list's key in _add) saves
// nothing: the form comes back as typed with one more blank row there.
func (s *Server) sectionSave(w http.ResponseWriter, r *http.Request, c *call, origID string) error {
	sec, _, m, err := s.sectionModel(r, c)
	if err != nil {
		return err
	}
	list := sec.list(m)
	i := list.Len()
	elem := reflect.New(list.Type().Elem()).Elem()
	if origID != "" {
		if i = sec.index(list, origID); i < 0 {
			return errNotFound
		}
		elem.Set(list.Index(i))
	}
	if err := r.ParseForm(); err != nil {
		return fmt.Errorf("%w: %w", errBadInput, err)
	}
	ins := inputsOf(elem.Type(), "", "", nil, true)
	readForm(r.PostForm, ins)
	if err := readPosted(r.PostForm, ins, elem); err != nil {
		return err
	}
	d := sectionFormData{Sec: sec, New: origID == "", OrigID: origID, Inputs: ins, m: m}
	d.Revision, _ = strconv.Atoi(r.PostForm.Get("revision"))
	if add := r.PostForm.Get(addField); add != "" {
		l := listByKey(ins, add)
		if l == nil {
			return fmt.Errorf("%w: no list %q to add to", errBadInput, add)
		}
		l.addBlank()
		return s.renderSection(w, c, http.StatusOK, d)
	}
	parsed := writeInputs(elem, ins)
	if i == list.Len() {
		list.Set(reflect.Append(list, elem))
	} else {
		list.Index(i).Set(elem)
	}
	id := ""
	if f, ok := fieldByKey(elem, sec.IDKey); ok {
		id = f.String()
	}
	verb := audit.Update
	if origID == "" {
		verb = audit.Create
	}
	return s.saveModelEdit(w, r, c, modelEdit{m: m, parsed: parsed,
		place:    func(el model.ErrorList) { d.General = placeErrors(el, fmt.Sprintf("%s[%d]", sec.Key, i), d.Inputs) },
		say:      func(msg string) { d.General = []string{msg} },
		render:   func(status int) error { return s.renderSection(w, c, status, d) },
		revision: d.Revision, part: modelPartObject(sec.Key), action: audit.ModelChange(sec.Key, verb),
		details: map[string]any{"element": id}, done: "/model/s/" + sec.Key})
}

// sectionDelete removes an element; the loader refuses when something
// still refers to it, and the page says what.
func (s *Server) sectionDelete(w http.ResponseWriter, r *http.Request, c *call) error {
	sec, rev, m, err := s.sectionModel(r, c)
	if err != nil {
		return err
	}
	list := sec.list(m)
	id := r.PathValue("id")
	i := sec.index(list, id)
	if i < 0 {
		return errNotFound
	}
	kept := reflect.AppendSlice(reflect.MakeSlice(list.Type(), 0, list.Len()-1), list.Slice(0, i))
	kept = reflect.AppendSlice(kept, list.Slice(i+1, list.Len()))
	orig := reflect.ValueOf(list.Interface())
	ins := inputsOf(list.Type().Elem(), "", "", nil, true)
	readInputs(list.Index(i), ins)
	d := sectionFormData{Sec: sec, OrigID: id, Revision: rev, Inputs: ins, m: m}
	list.Set(kept)
	return s.saveModelEdit(w, r, c, modelEdit{m: m, parsed: true,
		place: func(el model.ErrorList) {
			d.General = refusedDelete("It was not deleted, because:", el)
			list.Set(orig)
		},
		say:      func(msg string) { d.General = []string{msg} },
		render:   func(status int) error { return s.renderSection(w, c, status, d) },
		revision: rev, part: modelPartObject(sec.Key), action: audit.ModelChange(sec.Key, audit.Delete),
		details: map[string]any{"element": id}, done: "/model/s/" + sec.Key})
}
