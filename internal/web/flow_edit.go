package web

import (
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"rcmguard/internal/audit"
	"rcmguard/internal/model"
	"rcmguard/internal/store"
)

// The flow form edits every field of a flow. Its inputs are built from the
// model's Flow type like the section forms' (section_fields.go), so each
// field is read, written and checked the same way there and here: a
// required field must be filled in, a tri-state field keeps "not stated"
// apart from "no", and the optional endpoint is absent when its fields are
// all left blank. The form lays the inputs out by hand, offering the
// model's systems, data assets and stages to choose from.

var flowType = reflect.TypeOf(model.Flow{})

// flowForm is the flow editor as typed.
type flowForm struct {
	New        bool
	OrigID     string
	Revision   int
	Inputs     []formInput
	General    []string
	Systems    []model.System
	DataAssets []model.Data
	Stages     []string // standard, then custom
	ReadOnly   bool     // the viewer may read the flows, not change them
	Problems   []fieldProblem
	// View are the inputs as the read-only view shows them, references
	// named.
	View []formInput
}

// flowLabels label the flow form's inputs; their hints are the model's
// descriptions.
var flowLabels = map[string]string{
	"id": "Flow ID", "from": "From system", "to": "To system", "data": "Data carried", "channel": "Channel",
	"encrypted": "Encrypted in transit", "min_tls": "Lowest TLS version accepted",
	"auth": "Authentication of the sender", "automated": "Automated", "stage": "Workflow stage",
	"frequency": "How often it runs", "endpoint": "Endpoint to probe", "endpoint.protocol": "Protocol",
	"endpoint.address": "Address", "test_separated": "EDI test and production kept apart",
	"isa_credentials": "Passwords in the ISA envelope", "integrity_check": "Integrity-protected",
	"description": "Description",
}

// flowHints replace a description of the model where the form says more.
var flowHints = map[string]string{
	"id":               "Stable identifier, such as f-claims-sftp.",
	"endpoint.address": "host:port, such as sftp.clearinghouse.example:22.",
}

func newFlowInputs() []formInput {
	ins := inputsOf(flowType, "", "", nil, true)
	var label func(ins []formInput)
	label = func(ins []formInput) {
		for i := range ins {
			if l, ok := flowLabels[ins[i].Key]; ok {
				ins[i].Label = l
			}
			if h, ok := flowHints[ins[i].Key]; ok {
				ins[i].Hint = h
			}
			label(ins[i].Fields)
		}
	}
	label(ins)
	return ins
}

// flowInput is one input of the flow form with the choices it offers.
type flowInput struct {
	formInput
	Choices []choice
}

type choice struct {
	Value, Text string
	Selected    bool
}

// In returns the input of a yaml path of the flow ("channel",
// "endpoint.address").
func (f flowForm) In(key string) flowInput {
	in := findInput(f.Inputs, key)
	if in == nil {
		panic("web: the flow form has no input " + key)
	}
	fi := flowInput{formInput: *in}
	add := func(v, text string) {
		fi.Choices = append(fi.Choices, choice{Value: v, Text: text, Selected: v == in.Value})
	}
	switch {
	case in.Kind == "tri":
		blank := "Not stated"
		if key == "encrypted" {
			blank = "As the channel implies"
		}
		add("", blank)
		add("yes", "Yes")
		add("no", "No")
	case key == "from" || key == "to":
		add("", "Choose…")
		for _, s := range f.Systems {
			name := s.Name
			if name == "" {
				name = s.ID
			}
			add(s.ID, name)
		}
	case key == "stage":
		add("", "Not stated")
		for _, st := range f.Stages {
			add(st, stageText(st))
		}
	case key == "min_tls":
		add("", "Not stated")
		for _, v := range model.TLSVersions {
			add(v, "TLS "+v)
		}
	case in.Kind == "select":
		if in.Required {
			add("", "Choose…")
		} else {
			add("", "Not stated")
		}
		for _, o := range in.Options {
			add(o, Label(o))
		}
	}
	if fi.Choices != nil && in.Kind != "tri" && in.Value != "" && !slices.ContainsFunc(fi.Choices, func(c choice) bool { return c.Selected }) {
		// A value posted by hand is shown, with the loader's message,
		// rather than silently replaced (a tri-state one is not stated).
		add(in.Value, in.Value)
	}
	return fi
}

func stageText(id string) string { return Label(id) }

// HasData reports whether the data asset id is ticked.
func (f flowForm) HasData(id string) bool {
	for _, d := range strings.Split(findInput(f.Inputs, "data").Value, ",") {
		if strings.TrimSpace(d) == id {
			return true
		}
	}
	return false
}

// findInput finds the input of a key, in optional blocks too.
func findInput(ins []formInput, key string) *formInput {
	for i := range ins {
		if ins[i].Key == key {
			return &ins[i]
		}
		if in := findInput(ins[i].Fields, key); in != nil {
			return in
		}
	}
	return nil
}

func triValue(s string) *bool {
	switch s {
	case "yes":
		t := true
		return &t
	case "no":
		f := false
		return &f
	}
	return nil
}

func flowFormOf(fl model.Flow) flowForm {
	f := flowForm{OrigID: fl.ID, Inputs: newFlowInputs()}
	readInputs(reflect.ValueOf(fl), f.Inputs)
	return f
}

func (s *Server) renderFlow(w http.ResponseWriter, c *call, status int, m *model.Model, f flowForm) error {
	f.Systems, f.DataAssets = m.Systems, m.Data
	f.Stages = append([]string{}, model.StandardStages...)
	for _, st := range m.Stages {
		f.Stages = append(f.Stages, st.ID)
	}
	title := "Edit flow " + f.OrigID
	switch {
	case f.New:
		title = "Add a flow"
	case f.ReadOnly:
		f.View = slices.Clone(f.Inputs)
		newRefChoices(m).apply(f.View)
		title = "Flow " + f.OrigID
	}
	f.Problems = problemsOf(f.Inputs)
	return s.render(w, status, "flow_form", page{Title: title, Nav: "model", C: c, Data: f})
}

func flowIndex(m *model.Model, id string) int {
	return slices.IndexFunc(m.Flows, func(f model.Flow) bool { return f.ID == id })
}

func (s *Server) flowNewForm(w http.ResponseWriter, r *http.Request, c *call) error {
	wm, m, ok, err := s.app.CurrentModel(r.Context(), c.WS.ID)
	if err != nil {
		return err
	}
	if !ok {
		http.Redirect(w, r, wsPath(c.WS.ID, "/model"), http.StatusSeeOther)
		return nil
	}
	return s.renderFlow(w, c, http.StatusOK, m, flowForm{New: true, Revision: wm.Revision, Inputs: newFlowInputs()})
}

// flowModel loads the model and finds the {flow} of the URL in it.
func (s *Server) flowModel(r *http.Request, c *call) (store.WorkspaceModel, *model.Model, int, error) {
	wm, m, ok, err := s.app.CurrentModel(r.Context(), c.WS.ID)
	if err != nil {
		return wm, nil, -1, err
	}
	i := -1
	if ok {
		i = flowIndex(m, r.PathValue("flow"))
	}
	if i < 0 {
		return wm, nil, -1, errNotFound
	}
	return wm, m, i, nil
}

func (s *Server) flowEditForm(w http.ResponseWriter, r *http.Request, c *call) error {
	wm, m, i, err := s.flowModel(r, c)
	if err != nil {
		return err
	}
	if err := s.app.RecordModelRead(r.Context(), c.actor(), c.scope(), "flows/"+m.Flows[i].ID); err != nil {
		return err
	}
	f := flowFormOf(m.Flows[i])
	f.Revision = wm.Revision
	canEdit, err := canOn(c, "model.edit", modelPartObject("flows"))
	if err != nil {
		return err
	}
	f.ReadOnly = !canEdit
	return s.renderFlow(w, c, http.StatusOK, m, f)
}

func (s *Server) flowCreate(w http.ResponseWriter, r *http.Request, c *call) error {
	return s.flowSave(w, r, c, "")
}

func (s *Server) flowUpdate(w http.ResponseWriter, r *http.Request, c *call) error {
	return s.flowSave(w, r, c, r.PathValue("flow"))
}

// flowSave applies the form to a copy of the flow and hands the model to
// the edit pipeline (model_edit.go).
func (s *Server) flowSave(w http.ResponseWriter, r *http.Request, c *call, origID string) error {
	_, m, ok, err := s.app.CurrentModel(r.Context(), c.WS.ID)
	if err != nil {
		return err
	}
	if !ok {
		return errNotFound
	}
	i := len(m.Flows)
	var fl model.Flow
	if origID != "" {
		if i = flowIndex(m, origID); i < 0 {
			return errNotFound
		}
		fl = m.Flows[i]
	}
	if err := r.ParseForm(); err != nil {
		return fmt.Errorf("%w: %w", errBadInput, err)
	}
	f := flowForm{New: origID == "", OrigID: origID, Inputs: newFlowInputs()}
	f.Revision, _ = strconv.Atoi(r.PostForm.Get("revision"))
	readForm(r.PostForm, f.Inputs)
	// The data carried are checkboxes, one value each, posted in the order
	// of the model's data assets; those the flow carried keep its order.
	findInput(f.Inputs, "data").Value = strings.Join(keepOrder(fl.Data, r.PostForm["data"]), ", ")
	parsed := writeInputs(reflect.ValueOf(&fl).Elem(), f.Inputs)
	if i == len(m.Flows) {
		m.Flows = append(m.Flows, fl)
	} else {
		m.Flows[i] = fl
	}
	// The loader reports a duplicate at its second occurrence, which may
	// be another flow; the form says it beside the ID it was typed in.
	if fl.ID != origID && countFlows(m, fl.ID) > 1 {
		findInput(f.Inputs, "id").Err = "Another flow already has this ID."
		parsed = false
	}
	verb := audit.Update
	if origID == "" {
		verb = audit.Create
	}
	return s.saveModelEdit(w, r, c, modelEdit{m: m, parsed: parsed,
		place:    func(el model.ErrorList) { f.General = placeErrors(el, fmt.Sprintf("flows[%d]", i), f.Inputs) },
		say:      func(msg string) { f.General = []string{msg} },
		render:   func(status int) error { return s.renderFlow(w, c, status, m, f) },
		revision: f.Revision, part: modelPartObject("flows"), action: audit.ModelChange("flow", verb),
		details: map[string]any{"flow": fl.ID}, done: "/model#flows"})
}

// keepOrder returns the posted values, those in old first and in its order.
func keepOrder(old, posted []string) []string {
	out := make([]string, 0, len(posted))
	for _, v := range old {
		if slices.Contains(posted, v) && !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	for _, v := range posted {
		if !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}

func countFlows(m *model.Model, id string) int {
	n := 0
	for _, f := range m.Flows {
		if f.ID == id {
			n++
		}
	}
	return n
}

// flowDelete removes a flow. Workflow steps that trigger it would dangle,
// so the loader's validation refuses the deletion and says which.
func (s *Server) flowDelete(w http.ResponseWriter, r *http.Request, c *call) error {
	wm, m, i, err := s.flowModel(r, c)
	if err != nil {
		return err
	}
	fl := m.Flows[i]
	m.Flows = slices.Delete(m.Flows, i, i+1)
	f := flowFormOf(fl)
	f.Revision = wm.Revision
	return s.saveModelEdit(w, r, c, modelEdit{m: m, parsed: true,
		place: func(el model.ErrorList) {
			f.General = refusedDelete("The flow was not deleted:", el)
			m.Flows = slices.Insert(m.Flows, i, fl)
		},
		say:      func(msg string) { f.General = []string{msg} },
		render:   func(status int) error { return s.renderFlow(w, c, status, m, f) },
		revision: wm.Revision, part: modelPartObject("flows"), action: audit.ModelChange("flow", audit.Delete),
		details: map[string]any{"flow": fl.ID}, done: "/model#flows"})
}
