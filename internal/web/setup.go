package web

import (
	"errors"
	"net/http"

	"rcmguard/internal/app"
	"rcmguard/internal/store"
)

// The first-run setup page: on a server whose database has no account,
// whoever holds the token `rcmguard serve` printed on its console creates
// the first owner and workspace (package app, setup.go). Once an account
// exists the page is gone: 404, like any unknown address.

// setupData is the first-run setup form.
type setupData struct {
	Email, Workspace, Kind string
	Errors                 map[string]string
}

func (s *Server) setupForm(w http.ResponseWriter, r *http.Request, c *call) error {
	open, err := s.app.SetupOpen(r.Context())
	if err != nil {
		return err
	}
	if !open {
		return errNotFound
	}
	return s.render(w, http.StatusOK, "setup", page{Title: "First-run setup", C: c, Data: setupData{Kind: store.KindPractice}})
}

// setupSubmit creates the first owner and workspace, then goes on to the
// mandatory TOTP enrolment as an invited person's new account does. A
// wrong token answers 401, which the sign-in throttle counts (throttle.go).
func (s *Server) setupSubmit(w http.ResponseWriter, r *http.Request, c *call) error {
	d := setupData{Email: r.PostFormValue("email"), Workspace: r.PostFormValue("workspace"), Kind: r.PostFormValue("kind"),
		Errors: map[string]string{}}
	pw, confirm := r.PostFormValue("password"), r.PostFormValue("confirm")
	if pw != confirm {
		d.Errors["confirm"] = "The two passwords are not the same."
		return s.render(w, http.StatusUnprocessableEntity, "setup", page{Title: "First-run setup", C: c, Data: d})
	}
	res, err := s.app.CompleteSetup(r.Context(), app.FirstRun{Token: r.PostFormValue("token"), Email: d.Email, Password: pw,
		Workspace: d.Workspace, Kind: d.Kind})
	var errs app.Errors
	switch {
	case errors.Is(err, app.ErrSetupDone):
		return errNotFound
	case errors.Is(err, app.ErrSetupToken):
		s.logger.Warn("web: first-run setup token refused", "err", err)
		d.Errors["token"] = app.Message(err)
		return s.render(w, http.StatusUnauthorized, "setup", page{Title: "First-run setup", C: c, Data: d})
	case errors.As(err, &errs):
		d.Errors = errs.ByField()
		return s.render(w, http.StatusUnprocessableEntity, "setup", page{Title: "First-run setup", C: c, Data: d})
	case err != nil:
		return err
	}
	s.setCookie(w, sessionCookie, res.SessionToken)
	s.clearCookie(w, preCookie)
	http.Redirect(w, r, "/login/enrol", http.StatusSeeOther)
	return nil
}

// newWorkspaceData is the form of a new top-level workspace.
type newWorkspaceData struct {
	Name, Kind string
	Errors     map[string]string
}

// workspaceNewForm offers an owner of an organisation's workspace a new
// workspace (app.CreateWorkspace says who may).
func (s *Server) workspaceNewForm(w http.ResponseWriter, r *http.Request, c *call) error {
	ok, err := s.app.CanCreateWorkspaces(r.Context(), c.User)
	if err != nil {
		return err
	}
	if !ok {
		return app.ErrNoWorkspaceCreate
	}
	return s.render(w, http.StatusOK, "setup_workspace", page{Title: "New workspace", C: c, Data: newWorkspaceData{Kind: store.KindPractice}})
}

// workspaceCreate makes the workspace and opens its guided setup.
func (s *Server) workspaceCreate(w http.ResponseWriter, r *http.Request, c *call) error {
	d := newWorkspaceData{Name: r.PostFormValue("name"), Kind: r.PostFormValue("kind")}
	ws, err := s.app.CreateWorkspace(r.Context(), c.actor(), d.Name, d.Kind)
	var errs app.Errors
	if errors.As(err, &errs) {
		d.Errors = errs.ByField()
		return s.render(w, statusOf(err), "setup_workspace", page{Title: "New workspace", C: c, Data: d})
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, wsPath(ws.ID, "/setup"), http.StatusSeeOther)
	return nil
}

func init() { views = append(views, "setup", "setup_workspace") }
