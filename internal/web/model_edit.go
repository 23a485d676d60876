package web

import (
	"errors"
	"net/http"

	"rcmguard/internal/app"
	"rcmguard/internal/audit"
	"rcmguard/internal/model"
	"rcmguard/internal/store"
)

// The model's forms (organisation, flows, the sections) and their deletes
// share one pipeline: the form is applied to a copy of the current model;
// the whole model is checked by the YAML loader (app.CheckModel), so the
// forms accept exactly what an imported file would; the loader's errors
// are placed beside the inputs they are about, the rest listed at the top;
// and only a valid model is saved, by the application, which refuses it
// when someone saved since the revision the form was opened on.

// modelEdit is one edit of the model by a form, made on m.
type modelEdit struct {
	m *model.Model
	// parsed is false when one of the form's own inputs did not even
	// parse (the input already says so); nothing is saved then either.
	parsed bool
	// place puts the loader's errors on the form; it is called only when
	// the edit is refused.
	place func(el model.ErrorList)
	// say shows a message about the edit as a whole (a conflict).
	say func(msg string)
	// render shows the form again with status.
	render func(status int) error

	revision int    // the revision the form was opened on
	part     string // the part of the model edited, for the permission check
	action   audit.Action
	details  map[string]any
	done     string // where the browser goes once saved
}

// saveModelEdit checks and saves an edit, or shows the form again with
// what stood in the way.
func (s *Server) saveModelEdit(w http.ResponseWriter, r *http.Request, c *call, e modelEdit) error {
	checked, el, err := app.CheckModel(e.m)
	if err != nil {
		return err
	}
	if len(el) > 0 || !e.parsed {
		e.place(el)
		return e.render(http.StatusUnprocessableEntity)
	}
	_, err = s.app.SaveModel(r.Context(), c.actor(), c.scope(), app.ModelChange{Model: checked, Revision: e.revision,
		Part: e.part, Action: e.action, Details: e.details})
	if errors.Is(err, app.ErrConflict) {
		e.say(app.Message(err))
		return e.render(http.StatusConflict)
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, wsPath(c.WS.ID, e.done), http.StatusSeeOther)
	return nil
}

// refusedDelete lists why a deletion was refused: the loader's errors about
// what still refers to the element, by path.
func refusedDelete(lead string, el model.ErrorList) []string {
	return append([]string{lead}, placeErrors(el, "", nil)...)
}

// modelPart is the assignable object of one part of the model.
func modelPartObject(part string) string { return store.ModelObject + part }
