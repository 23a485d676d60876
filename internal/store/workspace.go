package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// Workspace kinds.
const (
	KindPractice       = "practice"
	KindBillingCompany = "billing_company"
)

// Workspace is one organisation under assessment. A billing company's client
// practices are workspaces whose ParentID is the billing company.
type Workspace struct {
	ID       int64
	Name     string
	Kind     string
	ParentID int64 // 0 when none
	Created  time.Time
	// DecisionsRev changes whenever any of the workspace's risk decisions
	// is added, changed or removed (decision_rev.go).
	DecisionsRev int64
}

const workspaceCols = `id, name, kind, parent_id, created_at, decisions_rev`

func scanWorkspace(row rowScanner) (Workspace, error) {
	var w Workspace
	var parent sql.NullInt64
	var created string
	if err := row.Scan(&w.ID, &w.Name, &w.Kind, &parent, &created, &w.DecisionsRev); err != nil {
		return w, err
	}
	w.ParentID = parent.Int64
	var err error
	w.Created, err = parseTS(created)
	return w, err
}

// CreateWorkspace inserts w and returns it with its ID.
func (t *Tx) CreateWorkspace(ctx context.Context, w Workspace) (Workspace, error) {
	if w.Kind == "" {
		w.Kind = KindPractice
	}
	if w.ParentID != 0 {
		parent, err := t.Workspace(ctx, w.ParentID)
		if err != nil {
			return w, fmt.Errorf("store: create workspace %q: parent: %w", w.Name, err)
		}
		if parent.Kind != KindBillingCompany {
			return w, fmt.Errorf("store: create workspace %q: parent is not a billing company: %w", w.Name, ErrConflict)
		}
	}
	id, err := t.insertID(ctx, `INSERT INTO workspaces (name, kind, parent_id, created_at) VALUES (?, ?, ?, ?)`,
		w.Name, w.Kind, nid(w.ParentID), ts(w.Created))
	if err != nil {
		return w, fmt.Errorf("store: create workspace %q: %w", w.Name, conflict(err))
	}
	w.ID = id
	return w, nil
}

// Workspace returns the workspace with the given ID.
func (c *conn) Workspace(ctx context.Context, id int64) (Workspace, error) {
	w, err := scanWorkspace(c.queryRow(ctx, `SELECT `+workspaceCols+` FROM workspaces WHERE id = ?`, id))
	if err != nil {
		return w, fmt.Errorf("store: workspace %d: %w", id, notFound(err))
	}
	return w, nil
}

// WorkspaceByName returns the workspace with the given unique name.
func (c *conn) WorkspaceByName(ctx context.Context, name string) (Workspace, error) {
	w, err := scanWorkspace(c.queryRow(ctx, `SELECT `+workspaceCols+` FROM workspaces WHERE name = ?`, name))
	if err != nil {
		return w, fmt.Errorf("store: workspace %q: %w", name, notFound(err))
	}
	return w, nil
}

// ClientWorkspaces lists a billing company's client workspaces by name.
func (c *conn) ClientWorkspaces(ctx context.Context, parentID int64) ([]Workspace, error) {
	out, err := collect(ctx, c, scanWorkspace, `SELECT `+workspaceCols+` FROM workspaces WHERE parent_id = ? ORDER BY name`, parentID)
	if err != nil {
		return nil, fmt.Errorf("store: client workspaces of %d: %w", parentID, err)
	}
	return out, nil
}
