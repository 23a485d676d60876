package web

import (
	"errors"
	"net/http"

	"rcmguard/internal/app"
)

// The guided setup's pages: pick a template, answer the questionnaire
// section by section (each saved on its own, so it can be left and taken
// up again), review the data flows the answers describe, build the model
// and run the first assessment. The use cases are package app's
// (setup_answers.go); these pages show them.

// guideData is what the guide's pages show.
type guideData struct {
	G       app.Guide
	Sec     app.GuideSection
	Next    string
	Values  map[string][]string
	Errors  map[string]string
	Summary []string // the errors in question order, for the summary at the top
	Err     string
	Built   bool
}

// SectionNo is the section's place in the questionnaire, from 1.
func (d guideData) SectionNo() int {
	for i, sec := range d.G.Sections {
		if sec.ID == d.Sec.ID {
			return i + 1
		}
	}
	return 0
}

// Has reports whether a question's answer includes v (for radios and
// check boxes).
func (d guideData) Has(id, v string) bool {
	for _, x := range d.Values[id] {
		if x == v {
			return true
		}
	}
	return false
}

// Value is a question's single answer as typed, "" for "I don't know".
func (d guideData) Value(id string) string {
	if vs := d.Values[id]; len(vs) > 0 && vs[0] != app.DontKnow {
		return vs[0]
	}
	return ""
}

// guide is the guide's front page: the templates, or the progress through
// the sections and, once all are done, the review and the build.
func (s *Server) guide(w http.ResponseWriter, r *http.Request, c *call) error {
	return s.renderGuide(w, r, c, http.StatusOK, "")
}

func (s *Server) renderGuide(w http.ResponseWriter, r *http.Request, c *call, status int, msg string) error {
	g, err := s.app.Guide(r.Context(), c.actor(), c.scope())
	if err != nil {
		return err
	}
	return s.render(w, status, "setup_guide", page{Title: "Guided setup", Nav: "model", C: c,
		Data: guideData{G: g, Err: msg, Built: r.URL.Query().Get("built") == "1"}})
}

// guideTemplate chooses the template and opens the first section.
func (s *Server) guideTemplate(w http.ResponseWriter, r *http.Request, c *call) error {
	err := s.app.ChooseTemplate(r.Context(), c.actor(), c.scope(), r.PostFormValue("template"))
	if errors.Is(err, app.ErrInvalid) {
		return s.renderGuide(w, r, c, statusOf(err), app.Message(err))
	}
	if err != nil {
		return err
	}
	g, err := s.app.Guide(r.Context(), c.actor(), c.scope())
	if err != nil {
		return err
	}
	http.Redirect(w, r, wsPath(c.WS.ID, "/setup/"+g.Sections[0].ID), http.StatusSeeOther)
	return nil
}

func (s *Server) guideSection(w http.ResponseWriter, r *http.Request, c *call) error {
	g, err := s.app.Guide(r.Context(), c.actor(), c.scope())
	if err != nil {
		return err
	}
	if !g.Chosen {
		http.Redirect(w, r, wsPath(c.WS.ID, "/setup"), http.StatusSeeOther)
		return nil
	}
	return s.renderGuideSection(w, c, g, r.PathValue("step"), http.StatusOK, nil, nil)
}

func (s *Server) renderGuideSection(w http.ResponseWriter, c *call, g app.Guide, id string, status int, values map[string][]string, errs app.Errors) error {
	sec, next, ok := g.Section(id)
	if !ok {
		return errNotFound
	}
	if values == nil {
		values = g.Values[id]
	}
	d := guideData{G: g, Sec: sec, Next: next, Values: values, Errors: errs.ByField()}
	for _, e := range errs {
		d.Summary = append(d.Summary, e.Msg)
	}
	return s.render(w, status, "setup_section", page{Title: sec.Title + " · Guided setup", Nav: "model", C: c, Data: d})
}

// guideSave saves a section and goes on to the next one (or back to the
// front page after the last). A bad answer saves nothing and shows the
// form again with what was typed and each error beside its question.
func (s *Server) guideSave(w http.ResponseWriter, r *http.Request, c *call) error {
	id := r.PathValue("step")
	if err := r.ParseForm(); err != nil {
		return errBadInput
	}
	err := s.app.SaveGuideSection(r.Context(), c.actor(), c.scope(), id, r.PostForm)
	var errs app.Errors
	if errors.As(err, &errs) {
		g, gerr := s.app.Guide(r.Context(), c.actor(), c.scope())
		if gerr != nil {
			return gerr
		}
		return s.renderGuideSection(w, c, g, id, http.StatusUnprocessableEntity, r.PostForm, errs)
	}
	if err != nil {
		return err
	}
	g, err := s.app.Guide(r.Context(), c.actor(), c.scope())
	if err != nil {
		return err
	}
	_, next, _ := g.Section(id)
	// The next section not done yet, else the front page with the review.
	target := "/setup"
	for i, sec := range g.Sections {
		if sec.ID == next {
			for _, later := range g.Sections[i:] {
				if !g.Done[later.ID] {
					target = "/setup/" + later.ID
					break
				}
			}
			break
		}
	}
	http.Redirect(w, r, wsPath(c.WS.ID, target), http.StatusSeeOther)
	return nil
}

// guideBuild saves the model the answers describe; the front page then
// offers the first assessment.
func (s *Server) guideBuild(w http.ResponseWriter, r *http.Request, c *call) error {
	_, err := s.app.BuildModelFromGuide(r.Context(), c.actor(), c.scope())
	if errors.Is(err, app.ErrConflict) || errors.Is(err, app.ErrInvalid) {
		return s.renderGuide(w, r, c, statusOf(err), app.Message(err))
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, wsPath(c.WS.ID, "/setup?built=1"), http.StatusSeeOther)
	return nil
}

func init() { views = append(views, "setup_guide", "setup_section") }
