package web

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"

	"rcmguard/internal/app"
	"rcmguard/internal/model"
	"rcmguard/internal/store"
)

func escapeRiskID(id string) string { return url.PathEscape(id) }

type modelData struct {
	Has       bool
	WM        store.WorkspaceModel
	M         *model.Model
	UpdatedBy string
	Errors    model.ErrorList // from a failed import
	ImportErr string
	Imported  bool
}

// SystemName names a system of the model by its ID, for the flows table.
func (d modelData) SystemName(id string) string {
	for _, s := range d.M.Systems {
		if s.ID == id && s.Name != "" {
			return s.Name
		}
	}
	return id
}

// DataName names a data asset of the model by its ID.
func (d modelData) DataName(id string) string {
	for _, a := range d.M.Data {
		if a.ID == id && a.Name != "" {
			return a.Name
		}
	}
	return id
}

func (s *Server) modelPage(w http.ResponseWriter, r *http.Request, c *call, status int, d modelData) error {
	wm, m, ok, err := s.app.CurrentModel(r.Context(), c.WS.ID)
	if err != nil {
		return err
	}
	d.Has, d.WM, d.M = ok, wm, m
	if ok {
		d.UpdatedBy = s.userEmail(r.Context(), wm.UpdatedBy, map[int64]string{})
		if err := s.app.RecordModelRead(r.Context(), c.actor(), c.scope(), "model"); err != nil {
			return err
		}
	}
	return s.render(w, status, "model", page{Title: "Model", Nav: "model", C: c, Data: d})
}

func (s *Server) modelView(w http.ResponseWriter, r *http.Request, c *call) error {
	return s.modelPage(w, r, c, http.StatusOK, modelData{Imported: r.URL.Query().Get("imported") == "1"})
}

// modelImport replaces the model with an uploaded YAML file. The file is
// bounded in size and validated by the same loader as the CLI; when it has
// any error, nothing is saved and every error is listed with line:column.
func (s *Server) modelImport(w http.ResponseWriter, r *http.Request, c *call) error {
	file, hdr, err := r.FormFile("model")
	if err != nil {
		return s.modelPage(w, r, c, http.StatusUnprocessableEntity, modelData{ImportErr: "Choose a YAML model file to upload."})
	}
	defer file.Close()
	if hdr.Size > maxModelUpload {
		err = app.ModelTooLarge()
	} else {
		data, rerr := io.ReadAll(io.LimitReader(file, maxModelUpload+1))
		if rerr != nil {
			return fmt.Errorf("web: read upload: %w", rerr)
		}
		_, err = s.app.ImportModel(r.Context(), c.actor(), c.scope(), data, app.AnyRevision)
	}
	if msg := app.Message(err); msg != "" {
		var el model.ErrorList
		errors.As(err, &el)
		return s.modelPage(w, r, c, statusOf(err), modelData{ImportErr: msg, Errors: el})
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, wsPath(c.WS.ID, "/model?imported=1"), http.StatusSeeOther)
	return nil
}

// modelExport downloads the current model as YAML, audited by the
// application first.
func (s *Server) modelExport(w http.ResponseWriter, r *http.Request, c *call) error {
	wm, err := s.app.ExportModel(r.Context(), c.actor(), c.scope())
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/yaml; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="rcmguard-model-w%d-r%d.yaml"`, c.WS.ID, wm.Revision))
	_, err = w.Write(wm.YAML)
	return err
}
