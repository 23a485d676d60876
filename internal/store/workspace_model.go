package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// The sealed column's name doubles as the AEAD associated data, so a value
// copied from assessments.model_yaml does not open here, and vice versa.
const fieldWorkspaceModel = "workspace_models.model_yaml"

// WorkspaceModel is the current model of a workspace: the YAML the web
// editors change and the next assessment runs on. It is sealed at rest like
// an assessment's copy. Revision starts at 1 and grows with every save.
type WorkspaceModel struct {
	WorkspaceID int64
	YAML        []byte
	Revision    int
	UpdatedBy   int64
	Updated     time.Time
}

const workspaceModelCols = `workspace_id, model_yaml, revision, updated_by, updated_at`

func (c *conn) scanWorkspaceModel(row rowScanner) (WorkspaceModel, error) {
	var m WorkspaceModel
	var sealed, updated string
	var by sql.NullInt64
	if err := row.Scan(&m.WorkspaceID, &sealed, &m.Revision, &by, &updated); err != nil {
		return m, err
	}
	m.UpdatedBy = by.Int64
	var err error
	if m.YAML, err = c.open(fieldWorkspaceModel, sealed); err != nil {
		return m, err
	}
	m.Updated, err = parseTS(updated)
	return m, err
}

// WorkspaceModel returns the current model of a workspace (ErrNotFound when
// none was saved yet).
func (c *conn) WorkspaceModel(ctx context.Context, workspaceID int64) (WorkspaceModel, error) {
	m, err := c.scanWorkspaceModel(c.queryRow(ctx, `SELECT `+workspaceModelCols+` FROM workspace_models
		WHERE workspace_id = ?`, workspaceID))
	if err != nil {
		return m, fmt.Errorf("store: model of workspace %d: %w", workspaceID, notFound(err))
	}
	return m, nil
}

// WorkspaceModelRevision returns the revision of a workspace's current
// model (ErrNotFound when none was saved yet) without reading the model:
// what is derived from a model can be kept by (workspace, revision).
func (c *conn) WorkspaceModelRevision(ctx context.Context, workspaceID int64) (int, error) {
	var rev int
	err := c.queryRow(ctx, `SELECT revision FROM workspace_models WHERE workspace_id = ?`, workspaceID).Scan(&rev)
	if err != nil {
		return 0, fmt.Errorf("store: model revision of workspace %d: %w", workspaceID, notFound(err))
	}
	return rev, nil
}

// PutWorkspaceModel saves a new current model. baseRevision is the revision
// the caller edited (0 for the first save); when someone else saved in
// between, it fails with ErrConflict and changes nothing. It returns the
// stored model with its new revision.
func (t *Tx) PutWorkspaceModel(ctx context.Context, m WorkspaceModel, baseRevision int) (WorkspaceModel, error) {
	sealed, err := t.seal(fieldWorkspaceModel, m.YAML)
	if err != nil {
		return m, fmt.Errorf("store: save model of workspace %d: %w", m.WorkspaceID, err)
	}
	m.Revision = baseRevision + 1
	if baseRevision == 0 {
		_, err = t.exec(ctx, `INSERT INTO workspace_models (`+workspaceModelCols+`) VALUES (?, ?, ?, ?, ?)`,
			m.WorkspaceID, sealed, m.Revision, nid(m.UpdatedBy), ts(m.Updated))
		err = conflict(err)
	} else {
		err = mustAffect(t.exec(ctx, `UPDATE workspace_models SET model_yaml = ?, revision = ?, updated_by = ?, updated_at = ?
			WHERE workspace_id = ? AND revision = ?`, sealed, m.Revision, nid(m.UpdatedBy), ts(m.Updated), m.WorkspaceID, baseRevision))
		if errors.Is(err, ErrNotFound) {
			err = ErrConflict
		}
	}
	if err != nil {
		return m, fmt.Errorf("store: save model of workspace %d: %w", m.WorkspaceID, err)
	}
	return m, nil
}
