package store

// trackingStatusCheck is the one vocabulary of risk decisions: the model's
// tracking statuses (model.TrackingStatus).
const trackingStatusCheck = `CHECK (status IN ('unchecked', 'in_discussion', 'accepted', 'in_progress', 'mitigated', 'false_positive'))`

// decisionStatusesV5 moves stored decisions to the model's vocabulary:
// open becomes unchecked and mitigating in_progress. The model has no
// "transferred"; such a decision goes back to in_discussion with a note in
// its justification, so someone decides it again. SQLite cannot change a
// CHECK constraint in place, so there the table is rebuilt.
func decisionStatusesV5(d dialect) []string {
	mapped := `CASE status WHEN 'open' THEN 'unchecked' WHEN 'mitigating' THEN 'in_progress'
		WHEN 'transferred' THEN 'in_discussion' ELSE status END`
	note := `CASE status WHEN 'transferred' THEN 'Marked "transferred" before decisions followed the model''s statuses; decide again. ' || justification
		ELSE justification END`
	if d == postgres {
		return []string{
			`ALTER TABLE risk_decisions DROP CONSTRAINT risk_decisions_status_check`,
			`UPDATE risk_decisions SET justification = ` + note + `, status = ` + mapped,
			`ALTER TABLE risk_decisions ADD CONSTRAINT risk_decisions_status_check ` + trackingStatusCheck,
		}
	}
	return []string{
		`CREATE TABLE risk_decisions_v5 (
			workspace_id BIGINT NOT NULL REFERENCES workspaces (id),
			risk_id TEXT NOT NULL,
			status TEXT NOT NULL ` + trackingStatusCheck + `,
			justification TEXT NOT NULL DEFAULT '',
			owner TEXT NOT NULL DEFAULT '',
			due_date TEXT,
			approver_id BIGINT REFERENCES users (id),
			expires_at TEXT,
			updated_by BIGINT NOT NULL REFERENCES users (id),
			updated_at TEXT NOT NULL,
			PRIMARY KEY (workspace_id, risk_id)
		)`,
		`INSERT INTO risk_decisions_v5 (` + decisionCols + `)
			SELECT workspace_id, risk_id, ` + mapped + `, ` + note + `, owner, due_date, approver_id, expires_at, updated_by, updated_at
			FROM risk_decisions`,
		`DROP TABLE risk_decisions`,
		`ALTER TABLE risk_decisions_v5 RENAME TO risk_decisions`,
	}
}
