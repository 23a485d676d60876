package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"rcmguard/internal/seal"
)

const (
	fieldModelYAML  = "assessments.model_yaml"
	fieldResultJSON = "assessments.result_json"
)

// Assessment is one versioned run of the risk analysis in a workspace. The
// model it ran on and its result (which names the systems, locations and
// files where PHI lives) are sealed at rest. Once signed off it never
// changes.
type Assessment struct {
	ID          int64
	WorkspaceID int64
	Version     int
	CreatedBy   int64
	Created     time.Time
	ModelYAML   []byte
	ResultJSON  []byte
	SignedOffBy int64
	SignedOff   time.Time // zero until signed off
	// CreatedByEmail and SignedOffByEmail are the addresses of those
	// users, filled by AssessmentHeads only ("" when none or deleted).
	CreatedByEmail, SignedOffByEmail string
}

const assessmentCols = `id, workspace_id, version, created_by, created_at, model_yaml, result_json, signed_off_by, signed_off_at`

func (c *conn) scanAssessment(row rowScanner) (Assessment, error) {
	var a Assessment
	var createdBy, signedBy sql.NullInt64
	var created, sealed, result string
	var signed sql.NullString
	if err := row.Scan(&a.ID, &a.WorkspaceID, &a.Version, &createdBy, &created, &sealed, &result, &signedBy, &signed); err != nil {
		return a, err
	}
	a.CreatedBy, a.SignedOffBy = createdBy.Int64, signedBy.Int64
	var err error
	if a.ModelYAML, err = c.open(fieldModelYAML, sealed); err != nil {
		return a, err
	}
	if a.ResultJSON, err = c.openResult(result); err != nil {
		return a, err
	}
	if a.Created, err = parseTS(created); err != nil {
		return a, err
	}
	a.SignedOff, err = parseNTS(signed)
	return a, err
}

// CreateAssessment stores a new assessment as the workspace's next version.
func (t *Tx) CreateAssessment(ctx context.Context, a Assessment) (Assessment, error) {
	sealed, err := t.seal(fieldModelYAML, a.ModelYAML)
	if err != nil {
		return a, fmt.Errorf("store: create assessment in workspace %d: %w", a.WorkspaceID, err)
	}
	result, err := t.sealResult(a.ResultJSON)
	if err != nil {
		return a, fmt.Errorf("store: create assessment in workspace %d: %w", a.WorkspaceID, err)
	}
	if err := t.queryRow(ctx, `SELECT COALESCE(MAX(version), 0) + 1 FROM assessments WHERE workspace_id = ?`,
		a.WorkspaceID).Scan(&a.Version); err != nil {
		return a, fmt.Errorf("store: create assessment in workspace %d: %w", a.WorkspaceID, err)
	}
	a.ID, err = t.insertID(ctx, `INSERT INTO assessments (workspace_id, version, created_by, created_at, model_yaml, result_json)
		VALUES (?, ?, ?, ?, ?, ?)`, a.WorkspaceID, a.Version, nid(a.CreatedBy), ts(a.Created), sealed, result)
	if err != nil {
		return a, fmt.Errorf("store: create assessment in workspace %d: %w", a.WorkspaceID, conflict(err))
	}
	a.SignedOffBy, a.SignedOff = 0, time.Time{}
	return a, nil
}

// Assessment returns an assessment of the given workspace.
func (c *conn) Assessment(ctx context.Context, workspaceID, id int64) (Assessment, error) {
	a, err := c.scanAssessment(c.queryRow(ctx, `SELECT `+assessmentCols+` FROM assessments
		WHERE workspace_id = ? AND id = ?`, workspaceID, id))
	if err != nil {
		return a, fmt.Errorf("store: assessment %d: %w", id, notFound(err))
	}
	return a, nil
}

// Assessments lists a workspace's assessments, newest version first.
func (c *conn) Assessments(ctx context.Context, workspaceID int64) ([]Assessment, error) {
	out, err := collect(ctx, c, c.scanAssessment, `SELECT `+assessmentCols+` FROM assessments WHERE workspace_id = ? ORDER BY version DESC`, workspaceID)
	if err != nil {
		return nil, fmt.Errorf("store: assessments of workspace %d: %w", workspaceID, err)
	}
	return out, nil
}

// SetAssessmentResult stores the result of an assessment not yet signed off.
func (t *Tx) SetAssessmentResult(ctx context.Context, workspaceID, id int64, result []byte) error {
	sealed, err := t.sealResult(result)
	if err != nil {
		return fmt.Errorf("store: set result of assessment %d: %w", id, err)
	}
	err = t.unsigned(ctx, workspaceID, id, `UPDATE assessments SET result_json = ?
		WHERE workspace_id = ? AND id = ? AND signed_off_at IS NULL`, sealed, workspaceID, id)
	if err != nil {
		return fmt.Errorf("store: set result of assessment %d: %w", id, err)
	}
	return nil
}

// SignOffAssessment freezes an assessment.
func (t *Tx) SignOffAssessment(ctx context.Context, workspaceID, id, by int64, at time.Time) error {
	err := t.unsigned(ctx, workspaceID, id, `UPDATE assessments SET signed_off_by = ?, signed_off_at = ?
		WHERE workspace_id = ? AND id = ? AND signed_off_at IS NULL`, by, ts(at), workspaceID, id)
	if err != nil {
		return fmt.Errorf("store: sign off assessment %d: %w", id, err)
	}
	return nil
}

// unsigned runs an update guarded by "signed_off_at IS NULL" and tells a
// missing assessment (ErrNotFound) from a signed-off one (ErrImmutable).
func (t *Tx) unsigned(ctx context.Context, workspaceID, id int64, q string, args ...any) error {
	err := mustAffect(t.exec(ctx, q, args...))
	if !errors.Is(err, ErrNotFound) {
		return err
	}
	if _, gerr := t.Assessment(ctx, workspaceID, id); gerr != nil {
		return ErrNotFound
	}
	return ErrImmutable
}

// sealResult seals a result for the result_json column; an empty result
// (an assessment not yet run) stays empty.
func (c *conn) sealResult(result []byte) (string, error) {
	if len(result) == 0 {
		return "", nil
	}
	return c.seal(fieldResultJSON, result)
}

// openResult opens a stored result. A result stored in clear by an
// rcmguard before results were sealed still reads; migration 10 or the
// next key rotation seals it (resultsSealedV10, Reseal).
func (c *conn) openResult(stored string) ([]byte, error) {
	switch {
	case stored == "":
		return nil, nil
	case !isSealed(stored):
		return []byte(stored), nil
	}
	return c.open(fieldResultJSON, stored)
}

// isSealed tells a sealed value from one stored in clear: a result in
// clear is a JSON object, a sealed value starts with its format prefix.
func isSealed(v string) bool {
	_, err := seal.KeyID(v)
	return err == nil
}
