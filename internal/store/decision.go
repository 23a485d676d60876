package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// RiskDecision is the tracking state of one risk (by stable risk ID) in a
// workspace; it survives re-runs of the assessment.
type RiskDecision struct {
	WorkspaceID   int64
	RiskID        string
	Status        string // a model tracking status: unchecked, in_discussion, accepted, in_progress, mitigated, false_positive
	Justification string
	Owner         string
	Due           time.Time
	ApproverID    int64
	Expires       time.Time
	UpdatedBy     int64
	Updated       time.Time
}

const decisionCols = `workspace_id, risk_id, status, justification, owner, due_date, approver_id, expires_at, updated_by, updated_at`

func scanDecision(row rowScanner) (RiskDecision, error) {
	var d RiskDecision
	var due, exp sql.NullString
	var approver sql.NullInt64
	var updated string
	if err := row.Scan(&d.WorkspaceID, &d.RiskID, &d.Status, &d.Justification, &d.Owner, &due, &approver, &exp,
		&d.UpdatedBy, &updated); err != nil {
		return d, err
	}
	d.ApproverID = approver.Int64
	var err error
	if d.Due, err = parseNTS(due); err != nil {
		return d, err
	}
	if d.Expires, err = parseNTS(exp); err != nil {
		return d, err
	}
	d.Updated, err = parseTS(updated)
	return d, err
}

// PutRiskDecision creates or replaces the decision on a risk.
func (t *Tx) PutRiskDecision(ctx context.Context, d RiskDecision) error {
	_, err := t.exec(ctx, `INSERT INTO risk_decisions (`+decisionCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (workspace_id, risk_id) DO UPDATE SET status = excluded.status,
			justification = excluded.justification, owner = excluded.owner, due_date = excluded.due_date,
			approver_id = excluded.approver_id, expires_at = excluded.expires_at,
			updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
		d.WorkspaceID, d.RiskID, d.Status, d.Justification, d.Owner, nts(d.Due), nid(d.ApproverID), nts(d.Expires),
		d.UpdatedBy, ts(d.Updated))
	if err != nil {
		return fmt.Errorf("store: put decision on risk %q: %w", d.RiskID, err)
	}
	return nil
}

// RiskDecision returns the decision on one risk of a workspace.
func (c *conn) RiskDecision(ctx context.Context, workspaceID int64, riskID string) (RiskDecision, error) {
	d, err := scanDecision(c.queryRow(ctx, `SELECT `+decisionCols+` FROM risk_decisions
		WHERE workspace_id = ? AND risk_id = ?`, workspaceID, riskID))
	if err != nil {
		return d, fmt.Errorf("store: decision on risk %q: %w", riskID, notFound(err))
	}
	return d, nil
}

// RiskDecisions lists a workspace's decisions by risk ID.
func (c *conn) RiskDecisions(ctx context.Context, workspaceID int64) ([]RiskDecision, error) {
	out, err := collect(ctx, c, scanDecision, `SELECT `+decisionCols+` FROM risk_decisions WHERE workspace_id = ? ORDER BY risk_id`, workspaceID)
	if err != nil {
		return nil, fmt.Errorf("store: decisions of workspace %d: %w", workspaceID, err)
	}
	return out, nil
}
