package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"rcmguard/internal/evidence"
	"rcmguard/internal/phiscan"
)

// The sealed column's name is the AEAD associated data, as for models.
const fieldEvidenceFacts = "evidence_sets.facts"

// EvidenceSet is one uploaded evidence file of a workspace: the facts an
// evidence engine (scan, edi, probe, or a facts file) observed. The facts
// are sealed at rest. Neither they nor the upload's name hold a full
// identifier: the store masks both (phiscan.MaskPath, phiscan.MaskFacts)
// as they come in, whoever sends them, and again as they are read, for
// sets stored before masking.
type EvidenceSet struct {
	ID          int64
	WorkspaceID int64
	Format      string // the evidencefile format name: scan, edi, probe, facts
	FileName    string
	FactCount   int
	Facts       []evidence.Fact // filled only by EvidenceSetFacts and CreateEvidenceSet
	UploadedBy  int64
	Uploaded    time.Time
}

const evidenceListCols = `id, workspace_id, format, file_name, fact_count, uploaded_by, uploaded_at`

// evidenceCols is every column, in the order a backup copies them.
const evidenceCols = `id, workspace_id, format, file_name, fact_count, facts, uploaded_by, uploaded_at`

func scanEvidenceSet(row rowScanner) (EvidenceSet, error) {
	var e EvidenceSet
	var by sql.NullInt64
	var uploaded string
	if err := row.Scan(&e.ID, &e.WorkspaceID, &e.Format, &e.FileName, &e.FactCount, &by, &uploaded); err != nil {
		return e, err
	}
	e.UploadedBy = by.Int64
	e.FileName = phiscan.MaskPath(e.FileName)
	var err error
	e.Uploaded, err = parseTS(uploaded)
	return e, err
}

// CreateEvidenceSet stores an uploaded evidence file's facts.
func (t *Tx) CreateEvidenceSet(ctx context.Context, e EvidenceSet) (EvidenceSet, error) {
	if e.Facts == nil {
		e.Facts = []evidence.Fact{}
	}
	e.FileName = phiscan.MaskPath(e.FileName)
	e.Facts = phiscan.MaskFacts(e.Facts)
	plain, err := json.Marshal(e.Facts)
	if err != nil {
		return e, fmt.Errorf("store: create evidence set in workspace %d: %w", e.WorkspaceID, err)
	}
	sealed, err := t.seal(fieldEvidenceFacts, plain)
	if err != nil {
		return e, fmt.Errorf("store: create evidence set in workspace %d: %w", e.WorkspaceID, err)
	}
	e.FactCount = len(e.Facts)
	e.ID, err = t.insertID(ctx, `INSERT INTO evidence_sets (workspace_id, format, file_name, fact_count, facts, uploaded_by, uploaded_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, e.WorkspaceID, e.Format, e.FileName, e.FactCount, sealed, nid(e.UploadedBy), ts(e.Uploaded))
	if err != nil {
		return e, fmt.Errorf("store: create evidence set in workspace %d: %w", e.WorkspaceID, err)
	}
	return e, nil
}

// EvidenceSets lists a workspace's evidence sets, newest first, without
// their facts.
func (c *conn) EvidenceSets(ctx context.Context, workspaceID int64) ([]EvidenceSet, error) {
	out, err := collect(ctx, c, scanEvidenceSet, `SELECT `+evidenceListCols+` FROM evidence_sets
		WHERE workspace_id = ? ORDER BY uploaded_at DESC, id DESC`, workspaceID)
	if err != nil {
		return nil, fmt.Errorf("store: evidence sets of workspace %d: %w", workspaceID, err)
	}
	return out, nil
}

// EvidenceSet returns one evidence set of a workspace, without its facts.
func (c *conn) EvidenceSet(ctx context.Context, workspaceID, id int64) (EvidenceSet, error) {
	e, err := scanEvidenceSet(c.queryRow(ctx, `SELECT `+evidenceListCols+` FROM evidence_sets
		WHERE workspace_id = ? AND id = ?`, workspaceID, id))
	if err != nil {
		return e, fmt.Errorf("store: evidence set %d: %w", id, notFound(err))
	}
	return e, nil
}

// EvidenceSetFacts returns one evidence set of a workspace with its facts
// opened, in evidence.Sort order (ErrNotFound when the workspace has no
// such set).
func (c *conn) EvidenceSetFacts(ctx context.Context, workspaceID, id int64) (EvidenceSet, error) {
	var e EvidenceSet
	var by sql.NullInt64
	var uploaded, sealed string
	err := c.queryRow(ctx, `SELECT id, workspace_id, format, file_name, fact_count, facts, uploaded_by, uploaded_at
		FROM evidence_sets WHERE workspace_id = ? AND id = ?`, workspaceID, id).
		Scan(&e.ID, &e.WorkspaceID, &e.Format, &e.FileName, &e.FactCount, &sealed, &by, &uploaded)
	if err != nil {
		return e, fmt.Errorf("store: evidence set %d: %w", id, notFound(err))
	}
	e.UploadedBy = by.Int64
	e.FileName = phiscan.MaskPath(e.FileName)
	if e.Uploaded, err = parseTS(uploaded); err != nil {
		return e, fmt.Errorf("store: evidence set %d: %w", id, err)
	}
	plain, err := c.open(fieldEvidenceFacts, sealed)
	if err != nil {
		return e, fmt.Errorf("store: evidence set %d: %w", id, err)
	}
	e.Facts = []evidence.Fact{}
	if err := json.Unmarshal(plain, &e.Facts); err != nil {
		return e, fmt.Errorf("store: evidence set %d: %w", id, err)
	}
	evidence.Sort(phiscan.MaskFacts(e.Facts))
	return e, nil
}

// EvidenceFacts returns every fact stored for a workspace, from all its
// evidence sets, in evidence.Sort order: what an assessment runs on.
func (c *conn) EvidenceFacts(ctx context.Context, workspaceID int64) ([]evidence.Fact, error) {
	sealed, err := collect(ctx, c, func(row rowScanner) (v sealedValue, err error) {
		err = row.Scan(&v.id, &v.sealed)
		return v, err
	}, `SELECT id, facts FROM evidence_sets WHERE workspace_id = ? ORDER BY id`, workspaceID)
	if err != nil {
		return nil, fmt.Errorf("store: evidence of workspace %d: %w", workspaceID, err)
	}
	var all []evidence.Fact
	for _, v := range sealed {
		plain, err := c.open(fieldEvidenceFacts, v.sealed)
		if err != nil {
			return nil, fmt.Errorf("store: evidence set %d: %w", v.id, err)
		}
		var facts []evidence.Fact
		if err := json.Unmarshal(plain, &facts); err != nil {
			return nil, fmt.Errorf("store: evidence set %d: %w", v.id, err)
		}
		all = append(all, facts...)
	}
	evidence.Sort(phiscan.MaskFacts(all))
	return all, nil
}

// DeleteEvidenceSet removes an evidence set of a workspace (ErrNotFound
// when the workspace has no such set).
func (t *Tx) DeleteEvidenceSet(ctx context.Context, workspaceID, id int64) error {
	err := mustAffect(t.exec(ctx, `DELETE FROM evidence_sets WHERE workspace_id = ? AND id = ?`, workspaceID, id))
	if err != nil {
		return fmt.Errorf("store: delete evidence set %d: %w", id, err)
	}
	return nil
}

// evidenceSetsV6 keeps the evidence uploaded to a workspace: one row per
// uploaded file, its facts sealed as one JSON document. The listing
// columns (source, file name, count) stay in clear so the list page opens
// nothing.
func evidenceSetsV6(d dialect) []string {
	return []string{
		d.ddl(`CREATE TABLE evidence_sets (
			id {{pk}},
			workspace_id BIGINT NOT NULL REFERENCES workspaces (id),
			format TEXT NOT NULL,
			file_name TEXT NOT NULL,
			fact_count INTEGER NOT NULL,
			facts TEXT NOT NULL,
			uploaded_by BIGINT REFERENCES users (id),
			uploaded_at TEXT NOT NULL
		)`),
		`CREATE INDEX evidence_sets_workspace ON evidence_sets (workspace_id)`,
	}
}
