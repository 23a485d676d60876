package store

import (
	"context"
	"database/sql"
	"errors"
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
	if err = conflict(err); errors.Is(err, ErrConflict) {
		// Names are unique among one billing company's clients and among
		// top-level workspaces only: the message can name the scope
		// without saying anything about another tenant.
		scope := "a top-level workspace"
		if w.ParentID != 0 {
			scope = "a client of this billing company"
		}
		return w, fmt.Errorf("store: create workspace %q: %s already has this name: %w", w.Name, scope, err)
	}
	if err != nil {
		return w, fmt.Errorf("store: create workspace %q: %w", w.Name, err)
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

// ErrAmbiguousName means several billing companies have a client of the
// name asked for.
var ErrAmbiguousName = errors.New("several billing companies have a client of this name")

// WorkspaceByName returns the top-level workspace of that name, else the
// one client workspace of that name (ErrAmbiguousName when there are
// several: client names are unique within a billing company only).
func (c *conn) WorkspaceByName(ctx context.Context, name string) (Workspace, error) {
	ws, err := collect(ctx, c, scanWorkspace, `SELECT `+workspaceCols+` FROM workspaces WHERE name = ?
		ORDER BY parent_id IS NOT NULL, id LIMIT 2`, name)
	switch {
	case err != nil:
		return Workspace{}, fmt.Errorf("store: workspace %q: %w", name, err)
	case len(ws) == 0:
		return Workspace{}, fmt.Errorf("store: workspace %q: %w", name, ErrNotFound)
	case ws[0].ParentID == 0 || len(ws) == 1:
		return ws[0], nil
	}
	return Workspace{}, fmt.Errorf("store: workspace %q: %w", name, ErrAmbiguousName)
}

// ClientWorkspaces lists a billing company's client workspaces by name.
func (c *conn) ClientWorkspaces(ctx context.Context, parentID int64) ([]Workspace, error) {
	out, err := collect(ctx, c, scanWorkspace, `SELECT `+workspaceCols+` FROM workspaces WHERE parent_id = ? ORDER BY name`, parentID)
	if err != nil {
		return nil, fmt.Errorf("store: client workspaces of %d: %w", parentID, err)
	}
	return out, nil
}
