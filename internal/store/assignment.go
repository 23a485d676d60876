package store

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// Assignment gives a contributor one piece of work: a part of the model
// ("model:systems", or "model:*" for the whole model and its YAML import)
// or a risk ("risk:EDI-02@f-claims", or "risk:*" for every risk).
// Contributors change only what is assigned to them; other roles are not
// limited by assignments (package auth says which actions are scoped).
type Assignment struct {
	WorkspaceID int64
	UserID      int64
	Object      string
	CreatedBy   int64
	Created     time.Time
}

// Object prefixes and the wildcard that covers every object of a kind.
const (
	ModelObject = "model:"
	RiskObject  = "risk:"
	AllObjects  = "*"
)

const assignmentCols = `workspace_id, user_id, object, created_by, created_at`

func scanAssignment(row rowScanner) (Assignment, error) {
	var a Assignment
	var created string
	if err := row.Scan(&a.WorkspaceID, &a.UserID, &a.Object, &a.CreatedBy, &created); err != nil {
		return a, err
	}
	var err error
	a.Created, err = parseTS(created)
	return a, err
}

func assignmentsV9(d dialect) []string {
	return []string{
		`CREATE TABLE assignments (
			workspace_id BIGINT NOT NULL REFERENCES workspaces (id),
			user_id BIGINT NOT NULL REFERENCES users (id),
			object TEXT NOT NULL CHECK (object LIKE 'model:%' OR object LIKE 'risk:%'),
			created_by BIGINT NOT NULL REFERENCES users (id),
			created_at TEXT NOT NULL,
			PRIMARY KEY (workspace_id, user_id, object)
		)`,
		`CREATE INDEX assignments_object ON assignments (workspace_id, object)`,
	}
}

func checkObject(object string) error {
	kind, name, ok := strings.Cut(object, ":")
	if !ok || (kind+":" != ModelObject && kind+":" != RiskObject) || name == "" || len(object) > 300 {
		return fmt.Errorf("store: assignment object %q: %w", object, ErrConflict)
	}
	return nil
}

// UserAssignments lists the objects assigned to a user in a workspace.
func (c *conn) UserAssignments(ctx context.Context, workspaceID, userID int64) ([]string, error) {
	rows, err := collect(ctx, c, scanAssignment, `SELECT `+assignmentCols+` FROM assignments
		WHERE workspace_id = ? AND user_id = ? ORDER BY object`, workspaceID, userID)
	if err != nil {
		return nil, fmt.Errorf("store: assignments of user %d: %w", userID, err)
	}
	out := make([]string, len(rows))
	for i, a := range rows {
		out[i] = a.Object
	}
	return out, nil
}

// WorkspaceAssignments lists every assignment of a workspace, by user and
// object.
func (c *conn) WorkspaceAssignments(ctx context.Context, workspaceID int64) ([]Assignment, error) {
	out, err := collect(ctx, c, scanAssignment, `SELECT `+assignmentCols+` FROM assignments
		WHERE workspace_id = ? ORDER BY user_id, object`, workspaceID)
	if err != nil {
		return nil, fmt.Errorf("store: assignments of workspace %d: %w", workspaceID, err)
	}
	return out, nil
}

// ObjectAssignees lists the users an object is assigned to by name (not
// through a wildcard).
func (c *conn) ObjectAssignees(ctx context.Context, workspaceID int64, object string) ([]int64, error) {
	rows, err := collect(ctx, c, scanAssignment, `SELECT `+assignmentCols+` FROM assignments
		WHERE workspace_id = ? AND object = ? ORDER BY user_id`, workspaceID, object)
	if err != nil {
		return nil, fmt.Errorf("store: assignees of %s: %w", object, err)
	}
	out := make([]int64, len(rows))
	for i, a := range rows {
		out[i] = a.UserID
	}
	return out, nil
}

// SetUserAssignments replaces a user's assignments whose object starts with
// prefix (ModelObject or RiskObject) by objects.
func (t *Tx) SetUserAssignments(ctx context.Context, workspaceID, userID int64, prefix string, objects []string, by int64, at time.Time) error {
	if _, err := t.exec(ctx, `DELETE FROM assignments WHERE workspace_id = ? AND user_id = ? AND object LIKE ?`,
		workspaceID, userID, prefix+"%"); err != nil {
		return fmt.Errorf("store: clear assignments: %w", err)
	}
	for _, o := range objects {
		if !strings.HasPrefix(o, prefix) {
			return fmt.Errorf("store: assignment %q is not a %s object: %w", o, prefix, ErrConflict)
		}
		if err := t.Assign(ctx, Assignment{WorkspaceID: workspaceID, UserID: userID, Object: o, CreatedBy: by, Created: at}); err != nil {
			return err
		}
	}
	return nil
}

// Assign adds one assignment; assigning twice is not an error.
func (t *Tx) Assign(ctx context.Context, a Assignment) error {
	if err := checkObject(a.Object); err != nil {
		return err
	}
	_, err := t.exec(ctx, `INSERT INTO assignments (`+assignmentCols+`) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (workspace_id, user_id, object) DO NOTHING`,
		a.WorkspaceID, a.UserID, a.Object, a.CreatedBy, ts(a.Created))
	if err != nil {
		return fmt.Errorf("store: assign %s: %w", a.Object, conflict(err))
	}
	return nil
}

// SetObjectAssignees replaces who an object is assigned to by name.
func (t *Tx) SetObjectAssignees(ctx context.Context, workspaceID int64, object string, users []int64, by int64, at time.Time) error {
	if err := checkObject(object); err != nil {
		return err
	}
	if _, err := t.exec(ctx, `DELETE FROM assignments WHERE workspace_id = ? AND object = ?`, workspaceID, object); err != nil {
		return fmt.Errorf("store: clear assignees of %s: %w", object, err)
	}
	for _, u := range users {
		if err := t.Assign(ctx, Assignment{WorkspaceID: workspaceID, UserID: u, Object: object, CreatedBy: by, Created: at}); err != nil {
			return err
		}
	}
	return nil
}

// Unassign removes one assignment; removing one that is not there is not
// an error.
func (t *Tx) Unassign(ctx context.Context, a Assignment) error {
	if _, err := t.exec(ctx, `DELETE FROM assignments WHERE workspace_id = ? AND user_id = ? AND object = ?`,
		a.WorkspaceID, a.UserID, a.Object); err != nil {
		return fmt.Errorf("store: unassign %s: %w", a.Object, err)
	}
	return nil
}
