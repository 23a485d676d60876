package web

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"

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

func (s *Server) modelPage(w http.ResponseWriter, r *http.Request, c *call, status int, d modelData) error {
	wm, m, ok, err := s.currentModel(r.Context(), c.WS.ID)
	if err != nil {
		return err
	}
	d.Has, d.WM, d.M = ok, wm, m
	if ok {
		d.UpdatedBy = s.userEmail(r.Context(), wm.UpdatedBy, map[int64]string{})
		if err := s.auditRead(r.Context(), c, "model"); err != nil {
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
		return s.modelPage(w, r, c, http.StatusRequestEntityTooLarge,
			modelData{ImportErr: fmt.Sprintf("The file is larger than the %d MiB limit for a model.", maxModelUpload>>20)})
	}
	data, err := io.ReadAll(io.LimitReader(file, maxModelUpload+1))
	if err != nil {
		return fmt.Errorf("web: read upload: %w", err)
	}
	if len(data) > maxModelUpload {
		return s.modelPage(w, r, c, http.StatusRequestEntityTooLarge,
			modelData{ImportErr: fmt.Sprintf("The file is larger than the %d MiB limit for a model.", maxModelUpload>>20)})
	}
	if _, err := model.Load(modelFile, data); err != nil {
		var el model.ErrorList
		if !errors.As(err, &el) {
			return err
		}
		return s.modelPage(w, r, c, modelStatus(err), modelData{Errors: el,
			ImportErr: "The file was not imported: fix these problems and upload it again. Nothing was changed."})
	}
	cur, err := s.st.WorkspaceModel(r.Context(), c.WS.ID)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	if err := s.saveModel(r.Context(), c, data, cur.Revision, "model.import", map[string]any{"bytes": len(data)}); err != nil {
		return err
	}
	http.Redirect(w, r, wsPath(c.WS.ID, "/model?imported=1"), http.StatusSeeOther)
	return nil
}

// modelExport downloads the current model as YAML; it is an export of the
// map of where PHI lives, so it is audited first.
func (s *Server) modelExport(w http.ResponseWriter, r *http.Request, c *call) error {
	wm, _, ok, err := s.currentModel(r.Context(), c.WS.ID)
	if err != nil {
		return err
	}
	if !ok {
		return errNotFound
	}
	ctx := r.Context()
	err = s.st.InTx(ctx, func(tx *store.Tx) error {
		return s.audit(ctx, tx, c, "export.model", fmt.Sprintf("workspace:%d/model", c.WS.ID), map[string]any{"revision": wm.Revision})
	})
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/yaml; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="rcmguard-model-w%d-r%d.yaml"`, c.WS.ID, wm.Revision))
	_, err = w.Write(wm.YAML)
	return err
}
