package web

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"rcmguard/internal/model"
)

// flowForm is the flow editor as typed. Tri-state fields ("", "yes", "no")
// keep "not stated" apart from "no", as the model does.
type flowForm struct {
	New              bool
	OrigID           string
	Revision         int
	ID, From, To     string
	Data             []string
	Channel, Auth    string
	Automated, Stage string
	Encrypted        string
	Description      string
	Errors           map[string]string
	General          []string
	Systems          []model.System
	DataAssets       []model.Data
	Channels, Auths  []string
	Stages           []string
}

func (f flowForm) HasData(id string) bool { return slices.Contains(f.Data, id) }

func triText(b *bool) string {
	switch {
	case b == nil:
		return ""
	case *b:
		return "yes"
	}
	return "no"
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
	return flowForm{ID: fl.ID, OrigID: fl.ID, From: fl.From, To: fl.To, Data: fl.Data, Channel: string(fl.Channel),
		Auth: string(fl.Auth), Automated: triText(fl.Automated), Stage: fl.Stage, Encrypted: triText(fl.Encrypted),
		Description: fl.Description}
}

func (s *Server) renderFlow(w http.ResponseWriter, c *call, status int, m *model.Model, f flowForm) error {
	f.Systems, f.DataAssets = m.Systems, m.Data
	f.Channels, f.Auths = model.Channel("").Enum(), model.AuthMethod("").Enum()
	f.Stages = append([]string{}, model.StandardStages...)
	for _, st := range m.Stages {
		f.Stages = append(f.Stages, st.ID)
	}
	title := "Edit flow " + f.OrigID
	if f.New {
		title = "Add a flow"
	}
	return s.render(w, status, "flow_form", page{Title: title, Nav: "model", C: c, Data: f})
}

func flowIndex(m *model.Model, id string) int {
	return slices.IndexFunc(m.Flows, func(f model.Flow) bool { return f.ID == id })
}

func (s *Server) flowNewForm(w http.ResponseWriter, r *http.Request, c *call) error {
	wm, m, ok, err := s.currentModel(r.Context(), c.WS.ID)
	if err != nil {
		return err
	}
	if !ok {
		http.Redirect(w, r, wsPath(c.WS.ID, "/model"), http.StatusSeeOther)
		return nil
	}
	return s.renderFlow(w, c, http.StatusOK, m, flowForm{New: true, Revision: wm.Revision})
}

func (s *Server) flowEditForm(w http.ResponseWriter, r *http.Request, c *call) error {
	wm, m, ok, err := s.currentModel(r.Context(), c.WS.ID)
	if err != nil {
		return err
	}
	i := -1
	if ok {
		i = flowIndex(m, r.PathValue("flow"))
	}
	if i < 0 {
		return errNotFound
	}
	if err := s.auditRead(r.Context(), c, "flows/"+m.Flows[i].ID); err != nil {
		return err
	}
	f := flowFormOf(m.Flows[i])
	f.Revision = wm.Revision
	return s.renderFlow(w, c, http.StatusOK, m, f)
}

func (s *Server) flowCreate(w http.ResponseWriter, r *http.Request, c *call) error {
	return s.flowSave(w, r, c, "")
}

func (s *Server) flowUpdate(w http.ResponseWriter, r *http.Request, c *call) error {
	return s.flowSave(w, r, c, r.PathValue("flow"))
}

// flowSave applies the form to a copy of the flow (keeping the fields the
// form does not show), validates the whole model with the YAML loader and
// saves it only when valid; errors are shown beside their fields.
func (s *Server) flowSave(w http.ResponseWriter, r *http.Request, c *call, origID string) error {
	wm, m, ok, err := s.currentModel(r.Context(), c.WS.ID)
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
	v := func(k string) string { return strings.TrimSpace(r.PostFormValue(k)) }
	if err := r.ParseForm(); err != nil {
		return fmt.Errorf("%w: %w", errBadInput, err)
	}
	f := flowForm{New: origID == "", OrigID: origID, ID: v("id"), From: v("from"), To: v("to"), Data: r.PostForm["data"],
		Channel: v("channel"), Auth: v("auth"), Automated: v("automated"), Stage: v("stage"), Encrypted: v("encrypted"),
		Description: v("description")}
	f.Revision, _ = strconv.Atoi(v("revision"))
	fl.ID, fl.From, fl.To, fl.Data = f.ID, f.From, f.To, f.Data
	fl.Channel, fl.Auth, fl.Stage, fl.Description = model.Channel(f.Channel), model.AuthMethod(f.Auth), f.Stage, f.Description
	fl.Automated, fl.Encrypted = triValue(f.Automated), triValue(f.Encrypted)
	if i == len(m.Flows) {
		m.Flows = append(m.Flows, fl)
	} else {
		m.Flows[i] = fl
	}
	f.Errors = map[string]string{}
	if f.ID != origID && slices.ContainsFunc(m.Flows, func(o model.Flow) bool { return o.ID == f.ID && o.ID != "" }) &&
		countFlows(m, f.ID) > 1 {
		f.Errors["id"] = "Another flow already has this ID."
	}
	yamlText, el, err := checkModel(m)
	if err != nil {
		return err
	}
	if len(el) > 0 || len(f.Errors) > 0 {
		fe, general := fieldErrors(el, fmt.Sprintf("flows[%d]", i))
		for k, msg := range fe {
			if _, ok := f.Errors[k]; !ok {
				f.Errors[k] = msg
			}
		}
		f.General = general
		return s.renderFlow(w, c, http.StatusUnprocessableEntity, m, f)
	}
	if f.Revision != wm.Revision {
		f.General = []string{"Someone else saved the model while you were editing. Reload the page to see their changes; yours were not saved."}
		return s.renderFlow(w, c, http.StatusConflict, m, f)
	}
	action := "model.flow.update"
	if origID == "" {
		action = "model.flow.create"
	}
	if err := s.saveModel(r.Context(), c, yamlText, wm.Revision, action, map[string]any{"flow": fl.ID}); err != nil {
		return err
	}
	http.Redirect(w, r, wsPath(c.WS.ID, "/model#flows"), http.StatusSeeOther)
	return nil
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
	wm, m, ok, err := s.currentModel(r.Context(), c.WS.ID)
	if err != nil {
		return err
	}
	i := -1
	if ok {
		i = flowIndex(m, r.PathValue("flow"))
	}
	if i < 0 {
		return errNotFound
	}
	fl := m.Flows[i]
	m.Flows = slices.Delete(m.Flows, i, i+1)
	yamlText, el, err := checkModel(m)
	if err != nil {
		return err
	}
	if len(el) > 0 {
		f := flowFormOf(fl)
		f.Revision = wm.Revision
		f.Errors = map[string]string{}
		f.General = []string{"The flow was not deleted:"}
		for _, e := range el {
			f.General = append(f.General, e.Path+": "+e.Msg)
		}
		m.Flows = slices.Insert(m.Flows, i, fl)
		return s.renderFlow(w, c, http.StatusUnprocessableEntity, m, f)
	}
	if err := s.saveModel(r.Context(), c, yamlText, wm.Revision, "model.flow.delete", map[string]any{"flow": fl.ID}); err != nil {
		return err
	}
	http.Redirect(w, r, wsPath(c.WS.ID, "/model#flows"), http.StatusSeeOther)
	return nil
}
