package app

import (
	"context"
	"errors"
	"fmt"

	"github.com/goccy/go-yaml"

	"rcmguard/internal/audit"
	"rcmguard/internal/auth"
	"rcmguard/internal/model"
	"rcmguard/internal/store"
)

// ModelFile is the name errors carry for a workspace's stored model.
const ModelFile = "model.yaml"

// MaxModelSize bounds a model's YAML: the billing-company example is about
// 40 KB, so 2 MiB leaves room for a thousand clients.
const MaxModelSize = 2 << 20

// AnyRevision, as a change's revision, saves over whatever revision is
// current: an import that replaces the model whatever it was.
const AnyRevision = -1

// msgModelConflict is what a person whose change lost the race is told,
// whether they edited a form or sent a file.
const msgModelConflict = "Someone else saved the model since you opened it, so yours was not saved. " +
	"Reload it to see their changes, then make yours again."

// CurrentModel returns a workspace's stored model, parsed; ok is false
// when none was saved yet.
func (a *App) CurrentModel(ctx context.Context, wsID int64) (wm store.WorkspaceModel, m *model.Model, ok bool, err error) {
	wm, err = a.st.WorkspaceModel(ctx, wsID)
	if errors.Is(err, store.ErrNotFound) {
		return wm, nil, false, nil
	}
	if err != nil {
		return wm, nil, false, err
	}
	// A model stored under an older format version is read, and shown
	// and edited, as it meant when written (model.LoadCurrent).
	wm.YAML, m, err = model.LoadCurrent(ModelFile, wm.YAML)
	if err != nil {
		return wm, nil, false, fmt.Errorf("app: stored model of workspace %d: %w", wsID, err)
	}
	return wm, m, true, nil
}

// MarshalModel writes a model as YAML. Comments of an imported file do not
// survive a form edit; the export says so at its top.
func MarshalModel(m *model.Model) ([]byte, error) {
	b, err := yaml.MarshalWithOptions(m, yaml.UseLiteralStyleIfMultiline(true))
	if err != nil {
		return nil, fmt.Errorf("app: write model: %w", err)
	}
	return b, nil
}

// CheckedModel is a model's YAML that passed the loader's validation: the
// only thing SaveModel stores, so that a form, an upload and the API
// accept exactly what `rcmguard validate` accepts.
type CheckedModel struct{ yaml []byte }

// CheckModel validates an edited model with the YAML loader. A model that
// is not valid yields its problems, each with its path, and no YAML.
func CheckModel(m *model.Model) (CheckedModel, model.ErrorList, error) {
	b, err := MarshalModel(m)
	if err != nil {
		return CheckedModel{}, nil, err
	}
	return CheckYAML(b)
}

// CheckYAML validates a model file as written, which is then stored as it
// is, comments and all.
func CheckYAML(data []byte) (CheckedModel, model.ErrorList, error) {
	if _, err := model.Load(ModelFile, data); err != nil {
		var el model.ErrorList
		if errors.As(err, &el) {
			return CheckedModel{}, el, nil
		}
		return CheckedModel{}, nil, err
	}
	return CheckedModel{yaml: data}, nil, nil
}

// ModelTooLarge is the refusal of a model file over MaxModelSize, for
// adapters that learn the size before reading the file.
func ModelTooLarge() *Error {
	return &Error{Kind: ErrTooLarge, Field: "model", Msg: fmt.Sprintf("The file is larger than the %d MiB limit for a model.", MaxModelSize>>20)}
}

// ModelChange is one change to a workspace's model.
type ModelChange struct {
	Model CheckedModel
	// Revision is the revision the change was made on; if someone saved
	// since, nothing is saved. AnyRevision replaces whatever is current.
	Revision int
	// Part is the assignable part of the model changed ("model:flows"),
	// store.ModelObject+store.AllObjects for the whole model.
	Part    string
	Action  audit.Action
	Details map[string]any
}

// SaveModel stores a checked model as the workspace's current one, with
// its audit entry, unless someone saved since the change's revision
// (ErrConflict, with a message that says so).
func (a *App) SaveModel(ctx context.Context, who Actor, ws Scope, ch ModelChange) (store.WorkspaceModel, error) {
	if err := a.Allowed(who, ws, auth.ActModelEdit, ch.Part); err != nil {
		return store.WorkspaceModel{}, err
	}
	if ch.Model.yaml == nil {
		return store.WorkspaceModel{}, errors.New("app: save model: the model was not checked")
	}
	base := ch.Revision
	if base == AnyRevision {
		cur, err := a.st.WorkspaceModel(ctx, ws.WS.ID)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return store.WorkspaceModel{}, err
		}
		base = cur.Revision
	}
	var saved store.WorkspaceModel
	err := a.st.InTx(ctx, func(tx *store.Tx) error {
		var err error
		saved, err = tx.PutWorkspaceModel(ctx, store.WorkspaceModel{WorkspaceID: ws.WS.ID, YAML: ch.Model.yaml,
			UpdatedBy: who.User.ID, Updated: a.now()}, base)
		if err != nil {
			return err
		}
		details := map[string]any{}
		for k, v := range ch.Details {
			details[k] = v
		}
		details["revision"] = saved.Revision
		return a.record(ctx, tx, who, ws, ch.Action, modelObject(ws), details)
	})
	if errors.Is(err, store.ErrConflict) {
		return saved, &Error{Kind: ErrConflict, Msg: msgModelConflict, Err: err}
	}
	return saved, err
}

// ImportModel makes a YAML file the workspace's model, as written, after
// the loader's validation; an invalid file saves nothing and the error
// holds every problem (a model.ErrorList) with its line and column.
// revision is the revision the file was made from, or AnyRevision.
func (a *App) ImportModel(ctx context.Context, who Actor, ws Scope, yamlText []byte, revision int) (store.WorkspaceModel, error) {
	part := store.ModelObject + store.AllObjects
	if err := a.Allowed(who, ws, auth.ActModelEdit, part); err != nil {
		return store.WorkspaceModel{}, err
	}
	if len(yamlText) > MaxModelSize {
		return store.WorkspaceModel{}, ModelTooLarge()
	}
	checked, el, err := CheckYAML(yamlText)
	if err != nil {
		return store.WorkspaceModel{}, err
	}
	if len(el) > 0 {
		kind := ErrInvalid
		if errors.Is(el, model.ErrTooLarge) {
			kind = ErrTooLarge // a limit against hostile files (model/limits.go)
		}
		return store.WorkspaceModel{}, &Error{Kind: kind, Field: "model",
			Msg: "The model was not imported: fix these problems and send it again. Nothing was changed.", Err: el}
	}
	return a.SaveModel(ctx, who, ws, ModelChange{Model: checked, Revision: revision, Part: part, Action: audit.ModelImport,
		Details: map[string]any{"bytes": len(yamlText)}})
}

// RecordModelRead records that someone looked at the model (view names
// which page): it is the map of where the organisation's PHI lives and how
// to reach it, so reading it is logged like reading any other sensitive
// record.
func (a *App) RecordModelRead(ctx context.Context, who Actor, ws Scope, view string) error {
	if err := a.Allowed(who, ws, auth.ActModelView, ""); err != nil {
		return err
	}
	return a.st.InTx(ctx, func(tx *store.Tx) error {
		return a.record(ctx, tx, who, ws, audit.ModelRead, modelObject(ws), map[string]any{"view": view})
	})
}

// ExportModel returns the current model's YAML for a download; it is an
// export of the map of where PHI lives, so it is audited first.
func (a *App) ExportModel(ctx context.Context, who Actor, ws Scope) (store.WorkspaceModel, error) {
	if err := a.Allowed(who, ws, auth.ActExport, ""); err != nil {
		return store.WorkspaceModel{}, err
	}
	wm, err := a.st.WorkspaceModel(ctx, ws.WS.ID)
	if err != nil {
		return wm, err
	}
	err = a.st.InTx(ctx, func(tx *store.Tx) error {
		return a.record(ctx, tx, who, ws, audit.ModelExport, modelObject(ws), map[string]any{"revision": wm.Revision})
	})
	return wm, err
}

func modelObject(ws Scope) string { return fmt.Sprintf("workspace:%d/model", ws.WS.ID) }
