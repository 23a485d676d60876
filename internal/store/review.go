package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// RiskReview is a closure of a risk (mitigated, false positive) proposed by
// someone who may not close a risk alone, waiting for an owner or
// compliance officer: the risk keeps its decision, and stays in the
// register, until the review approves it, which writes the decision. A
// rejected review stays, with the reviewer's note, until the risk is
// decided or a closure is proposed again, so that the person who proposed
// it can read why. One review per risk; a new proposal replaces it.
type RiskReview struct {
	WorkspaceID   int64
	RiskID        string
	Status        string // the proposed status
	Justification string
	Owner         string
	Due           time.Time
	RequestedBy   int64
	Requested     time.Time
	State         string // ReviewPending or ReviewRejected
	ReviewedBy    int64
	Reviewed      time.Time
	Note          string // the reviewer's reason for a rejection
}

// The states of a review. An approved review is not kept: it became the
// risk's decision.
const (
	ReviewPending  = "pending"
	ReviewRejected = "rejected"
)

const reviewCols = `workspace_id, risk_id, status, justification, owner, due_date, requested_by, requested_at,
	state, reviewed_by, reviewed_at, note`

func riskReviewsV13(d dialect) []string {
	return []string{
		`CREATE TABLE risk_reviews (
			workspace_id BIGINT NOT NULL REFERENCES workspaces (id),
			risk_id TEXT NOT NULL,
			status TEXT NOT NULL CHECK (status IN ('mitigated', 'false_positive')),
			justification TEXT NOT NULL,
			owner TEXT NOT NULL DEFAULT '',
			due_date TEXT,
			requested_by BIGINT NOT NULL REFERENCES users (id),
			requested_at TEXT NOT NULL,
			state TEXT NOT NULL CHECK (state IN ('pending', 'rejected')),
			reviewed_by BIGINT REFERENCES users (id),
			reviewed_at TEXT,
			note TEXT NOT NULL DEFAULT '',
			PRIMARY KEY (workspace_id, risk_id)
		)`,
	}
}

func scanReview(row rowScanner) (RiskReview, error) {
	var r RiskReview
	var due, reviewed sql.NullString
	var reviewer sql.NullInt64
	var requested string
	if err := row.Scan(&r.WorkspaceID, &r.RiskID, &r.Status, &r.Justification, &r.Owner, &due, &r.RequestedBy,
		&requested, &r.State, &reviewer, &reviewed, &r.Note); err != nil {
		return r, err
	}
	r.ReviewedBy = reviewer.Int64
	var err error
	if r.Due, err = parseNTS(due); err != nil {
		return r, err
	}
	if r.Reviewed, err = parseNTS(reviewed); err != nil {
		return r, err
	}
	r.Requested, err = parseTS(requested)
	return r, err
}

// PutRiskReview proposes a closure of a risk, replacing any review of it,
// pending or rejected.
func (t *Tx) PutRiskReview(ctx context.Context, r RiskReview) error {
	_, err := t.exec(ctx, `INSERT INTO risk_reviews (`+reviewCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL, '')
		ON CONFLICT (workspace_id, risk_id) DO UPDATE SET status = excluded.status,
			justification = excluded.justification, owner = excluded.owner, due_date = excluded.due_date,
			requested_by = excluded.requested_by, requested_at = excluded.requested_at, state = excluded.state,
			reviewed_by = NULL, reviewed_at = NULL, note = ''`,
		r.WorkspaceID, r.RiskID, r.Status, r.Justification, r.Owner, nts(r.Due), r.RequestedBy, ts(r.Requested), ReviewPending)
	if err != nil {
		return fmt.Errorf("store: propose closure of risk %q: %w", r.RiskID, err)
	}
	return nil
}

// TakePendingRiskReview removes the pending review of a risk and returns
// it, for its approval to become the decision in the same transaction.
// ErrNotFound when there is none pending (another reviewer took it first).
func (t *Tx) TakePendingRiskReview(ctx context.Context, workspaceID int64, riskID string) (RiskReview, error) {
	t.wrote = true
	r, err := scanReview(t.ex.QueryRowContext(ctx, t.d.rebind(`DELETE FROM risk_reviews
		WHERE workspace_id = ? AND risk_id = ? AND state = ? RETURNING `+reviewCols), workspaceID, riskID, ReviewPending))
	if err != nil {
		return r, fmt.Errorf("store: take review of risk %q: %w", riskID, notFound(err))
	}
	return r, nil
}

// RejectRiskReview marks the pending review of a risk rejected, with the
// reviewer's note; ErrNotFound when there is none pending.
func (t *Tx) RejectRiskReview(ctx context.Context, workspaceID int64, riskID string, reviewer int64, at time.Time, note string) error {
	err := mustAffect(t.exec(ctx, `UPDATE risk_reviews SET state = ?, reviewed_by = ?, reviewed_at = ?, note = ?
		WHERE workspace_id = ? AND risk_id = ? AND state = ?`, ReviewRejected, reviewer, ts(at), note, workspaceID, riskID, ReviewPending))
	if err != nil {
		return fmt.Errorf("store: reject review of risk %q: %w", riskID, err)
	}
	return nil
}

// DeleteRiskReview drops the review of a risk, whatever its state: a
// decision taken since supersedes it.
func (t *Tx) DeleteRiskReview(ctx context.Context, workspaceID int64, riskID string) error {
	if _, err := t.exec(ctx, `DELETE FROM risk_reviews WHERE workspace_id = ? AND risk_id = ?`, workspaceID, riskID); err != nil {
		return fmt.Errorf("store: delete review of risk %q: %w", riskID, err)
	}
	return nil
}

// RiskReview returns the review of one risk of a workspace.
func (c *conn) RiskReview(ctx context.Context, workspaceID int64, riskID string) (RiskReview, error) {
	r, err := scanReview(c.queryRow(ctx, `SELECT `+reviewCols+` FROM risk_reviews WHERE workspace_id = ? AND risk_id = ?`,
		workspaceID, riskID))
	if err != nil {
		return r, fmt.Errorf("store: review of risk %q: %w", riskID, notFound(err))
	}
	return r, nil
}

// PendingRiskReviews lists a workspace's closures waiting for review,
// oldest first.
func (c *conn) PendingRiskReviews(ctx context.Context, workspaceID int64) ([]RiskReview, error) {
	out, err := collect(ctx, c, scanReview, `SELECT `+reviewCols+` FROM risk_reviews
		WHERE workspace_id = ? AND state = ? ORDER BY requested_at, risk_id`, workspaceID, ReviewPending)
	if err != nil {
		return nil, fmt.Errorf("store: pending reviews of workspace %d: %w", workspaceID, err)
	}
	return out, nil
}
