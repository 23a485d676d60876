package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
)

// A billing company's portfolio shows every client's latest posture, and
// each workspace's history shows every assessment's counts. Both used to
// decode each assessment's whole result — 4 MB of JSON for 1,000 risks —
// so a portfolio of 400 clients decoded 1.6 GB per view. The few numbers
// those pages need are kept beside the assessment instead, written with
// it and read for many workspaces in one query.
//
// A summary holds counts, levels and dates only — nothing that names a
// system, a place or a person — so it is stored in clear. It is derived
// from the sealed result and never changes: a summary missing for an
// assessment stored before summaries existed is computed once from the
// result and added (PutAssessmentSummary), outside any audited
// transaction, as nothing anybody decided changes with it.

// AssessmentSummary is what lists of assessments show of one.
type AssessmentSummary struct {
	AssessmentID int64 `json:"-"`
	Risks        int   `json:"risks"`
	Open         int   `json:"open"`
	// Highest is the highest open level's slug ("" when none is open).
	Highest     string         `json:"highest"`
	OpenByLevel map[string]int `json:"open_by_level"`
	// AsOf is the date the assessment judged the workspace at.
	AsOf string `json:"as_of"`
	// OpenDue are the due dates (YYYY-MM-DD) of the plan's items still
	// at risk, sorted: the overdue ones on any day are a prefix.
	OpenDue []string `json:"open_due"`
}

func assessmentSummariesV16(d dialect) []string {
	return []string{
		`CREATE TABLE assessment_summaries (
			assessment_id BIGINT PRIMARY KEY REFERENCES assessments (id),
			summary TEXT NOT NULL
		)`,
	}
}

// PutAssessmentSummary stores the summary of an assessment created in the
// same transaction.
func (t *Tx) PutAssessmentSummary(ctx context.Context, s AssessmentSummary) error {
	return putSummary(ctx, t.ex, t.d, s, &t.wrote)
}

// PutAssessmentSummary adds the summary of an assessment stored without
// one; an existing summary stays as it is.
func (s *Store) PutAssessmentSummary(ctx context.Context, sum AssessmentSummary) error {
	var wrote bool
	return putSummary(ctx, s.db, s.d, sum, &wrote)
}

func putSummary(ctx context.Context, ex execer, d dialect, s AssessmentSummary, wrote *bool) error {
	data, err := json.Marshal(s)
	if err != nil {
		return fmt.Errorf("store: summary of assessment %d: %w", s.AssessmentID, err)
	}
	*wrote = true
	if _, err := ex.ExecContext(ctx, d.rebind(`INSERT INTO assessment_summaries (assessment_id, summary) VALUES (?, ?)
		ON CONFLICT (assessment_id) DO NOTHING`), s.AssessmentID, string(data)); err != nil {
		return fmt.Errorf("store: summary of assessment %d: %w", s.AssessmentID, err)
	}
	return nil
}

// AssessmentSummaries returns the stored summaries of the assessments ids
// by assessment ID; assessments without one are absent.
func (c *conn) AssessmentSummaries(ctx context.Context, ids []int64) (map[int64]AssessmentSummary, error) {
	out := map[int64]AssessmentSummary{}
	if len(ids) == 0 {
		return out, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	q := `SELECT assessment_id, summary FROM assessment_summaries WHERE assessment_id IN (?` +
		strings.Repeat(", ?", len(ids)-1) + `)`
	rows, err := c.query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("store: assessment summaries: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var data string
		if err := rows.Scan(&id, &data); err != nil {
			return nil, fmt.Errorf("store: assessment summaries: %w", err)
		}
		var s AssessmentSummary
		if err := json.Unmarshal([]byte(data), &s); err != nil {
			return nil, fmt.Errorf("store: summary of assessment %d: %w", id, err)
		}
		s.AssessmentID = id
		out[id] = s
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: assessment summaries: %w", err)
	}
	return out, nil
}

// ClientLatest is one client workspace of a billing company with its
// latest assessment (ID zero when none has run).
type ClientLatest struct {
	Workspace Workspace
	Latest    Assessment // without model and result
	// Member says the user asked about is a member of the client.
	Member bool
}

// ClientsLatest lists a billing company's clients by name, each with its
// latest assessment's head and whether userID is a member: in one query,
// where asking per client took two queries for each of hundreds.
func (c *conn) ClientsLatest(ctx context.Context, parentID, userID int64) ([]ClientLatest, error) {
	q := `SELECT ` + qualify("w", workspaceCols) + `,
			a.id, a.version, a.created_by, a.created_at, a.signed_off_by, a.signed_off_at,
			EXISTS (SELECT 1 FROM memberships m WHERE m.workspace_id = w.id AND m.user_id = ?)
		FROM workspaces w
		LEFT JOIN assessments a ON a.workspace_id = w.id
			AND a.version = (SELECT MAX(version) FROM assessments x WHERE x.workspace_id = w.id)
		WHERE w.parent_id = ? ORDER BY w.name`
	rows, err := c.query(ctx, q, userID, parentID)
	if err != nil {
		return nil, fmt.Errorf("store: clients of %d: %w", parentID, err)
	}
	defer rows.Close()
	var out []ClientLatest
	for rows.Next() {
		var cl ClientLatest
		var id, by, signedBy sql.NullInt64
		var version sql.NullInt64
		var created, signed sql.NullString
		err := scanJoined(rows,
			func(r rowScanner) (err error) { cl.Workspace, err = scanWorkspace(r); return err },
			func(r rowScanner) error {
				return r.Scan(&id, &version, &by, &created, &signedBy, &signed, &cl.Member)
			})
		if err != nil {
			return nil, fmt.Errorf("store: clients of %d: %w", parentID, err)
		}
		if id.Valid {
			a := &cl.Latest
			a.ID, a.WorkspaceID, a.Version, a.CreatedBy, a.SignedOffBy = id.Int64, cl.Workspace.ID, int(version.Int64), by.Int64, signedBy.Int64
			if a.Created, err = parseNTS(created); err != nil {
				return nil, err
			}
			if a.SignedOff, err = parseNTS(signed); err != nil {
				return nil, err
			}
		}
		out = append(out, cl)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: clients of %d: %w", parentID, err)
	}
	return out, nil
}
