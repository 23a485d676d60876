package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// Pages that show many assessments, or only the latest one, need the small
// columns of each and the result of one. A result of 10,000 risks is tens
// of megabytes and the sealed model must be decrypted to be read, so these
// queries leave both out and fetch a result on its own.

const assessmentHeadCols = `id, workspace_id, version, created_by, created_at, signed_off_by, signed_off_at`

func scanAssessmentHead(row rowScanner) (Assessment, error) {
	var a Assessment
	var createdBy, signedBy sql.NullInt64
	var created string
	var signed sql.NullString
	if err := row.Scan(&a.ID, &a.WorkspaceID, &a.Version, &createdBy, &created, &signedBy, &signed); err != nil {
		return a, err
	}
	a.CreatedBy, a.SignedOffBy = createdBy.Int64, signedBy.Int64
	var err error
	if a.Created, err = parseTS(created); err != nil {
		return a, err
	}
	a.SignedOff, err = parseNTS(signed)
	return a, err
}

var assessmentHeadsQuery = `SELECT ` + qualify("a", assessmentHeadCols) + `,
		COALESCE(cu.email, ''), COALESCE(su.email, '')
	FROM assessments a
	LEFT JOIN users cu ON cu.id = a.created_by
	LEFT JOIN users su ON su.id = a.signed_off_by
	WHERE a.workspace_id = ? ORDER BY a.version DESC`

func scanAssessmentHeadEmails(row rowScanner) (Assessment, error) {
	var a Assessment
	var by, signer string
	err := scanJoined(row,
		func(r rowScanner) (err error) { a, err = scanAssessmentHead(r); return err },
		func(r rowScanner) error { return r.Scan(&by, &signer) })
	a.CreatedByEmail, a.SignedOffByEmail = by, signer
	return a, err
}

// AssessmentHeads lists a workspace's assessments, newest version first,
// without their model and result (ModelYAML and ResultJSON are nil), with
// the addresses of who ran and who signed off each.
func (c *conn) AssessmentHeads(ctx context.Context, workspaceID int64) ([]Assessment, error) {
	out, err := collect(ctx, c, scanAssessmentHeadEmails, assessmentHeadsQuery, workspaceID)
	if err != nil {
		return nil, fmt.Errorf("store: assessments of workspace %d: %w", workspaceID, err)
	}
	return out, nil
}

// AssessmentResult returns the stored result of one assessment of the
// given workspace.
func (c *conn) AssessmentResult(ctx context.Context, workspaceID, id int64) ([]byte, error) {
	var result string
	err := c.queryRow(ctx, `SELECT result_json FROM assessments WHERE workspace_id = ? AND id = ?`,
		workspaceID, id).Scan(&result)
	if err != nil {
		return nil, fmt.Errorf("store: result of assessment %d: %w", id, notFound(err))
	}
	plain, err := c.openResult(result)
	if err != nil {
		return nil, fmt.Errorf("store: result of assessment %d: %w", id, err)
	}
	return plain, nil
}

// HasWorkspaceModel reports whether a workspace has a current model,
// without reading (and decrypting) it.
func (c *conn) HasWorkspaceModel(ctx context.Context, workspaceID int64) (bool, error) {
	var one int
	err := c.queryRow(ctx, `SELECT 1 FROM workspace_models WHERE workspace_id = ?`, workspaceID).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("store: model of workspace %d: %w", workspaceID, err)
	}
	return true, nil
}
