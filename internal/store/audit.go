package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// AuditRow is one stored audit entry. Hashing and signing are package
// audit's business; the store only keeps the rows.
type AuditRow struct {
	Seq         int64
	At          string // stored time text, hashed as is
	Actor       string
	WorkspaceID int64 // 0: not about one workspace
	Action      string
	Object      string
	Details     string
	PrevHash    string
	Hash        string
}

// Time reads the entry's stored time.
func (r AuditRow) Time() (time.Time, error) { return parseTS(r.At) }

// AuditSeal is a signed (seq, hash) pair: the chain head, or a checkpoint.
type AuditSeal struct {
	Seq       int64
	Hash      string
	At        string
	KeyID     string
	Signature string
}

const auditCols = `seq, at, actor, workspace_id, action, object, details, prev_hash, hash`

func scanAudit(row rowScanner) (AuditRow, error) {
	var r AuditRow
	var ws sql.NullInt64
	err := row.Scan(&r.Seq, &r.At, &r.Actor, &ws, &r.Action, &r.Object, &r.Details, &r.PrevHash, &r.Hash)
	r.WorkspaceID = ws.Int64
	return r, err
}

// LockAuditHead reads the chain head and holds it until the transaction
// ends. On PostgreSQL the row lock serialises appenders; on SQLite the write
// transaction (BEGIN IMMEDIATE) already holds the database's write lock.
func (t *Tx) LockAuditHead(ctx context.Context) (AuditSeal, error) {
	q := `SELECT seq, hash, key_id, signature FROM audit_head WHERE id = 1`
	if t.d == postgres {
		q += ` FOR UPDATE`
	}
	var h AuditSeal
	if err := t.queryRow(ctx, q).Scan(&h.Seq, &h.Hash, &h.KeyID, &h.Signature); err != nil {
		return h, fmt.Errorf("store: lock audit head: %w", err)
	}
	return h, nil
}

// AppendAudit stores an entry, moves the head to it and, when cp is not
// nil, records a checkpoint. It marks the transaction as audited.
func (t *Tx) AppendAudit(ctx context.Context, r AuditRow, head AuditSeal, cp *AuditSeal) error {
	if _, err := t.ex.ExecContext(ctx, t.d.rebind(`INSERT INTO audit_log (`+auditCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`),
		r.Seq, r.At, r.Actor, nid(r.WorkspaceID), r.Action, r.Object, r.Details, r.PrevHash, r.Hash); err != nil {
		return fmt.Errorf("store: append audit entry %d: %w", r.Seq, err)
	}
	if err := t.putAuditHead(ctx, head); err != nil {
		return err
	}
	if cp != nil {
		if _, err := t.ex.ExecContext(ctx, t.d.rebind(`INSERT INTO audit_checkpoints (seq, hash, at, key_id, signature)
			VALUES (?, ?, ?, ?, ?)`), cp.Seq, cp.Hash, cp.At, cp.KeyID, cp.Signature); err != nil {
			return fmt.Errorf("store: audit checkpoint %d: %w", cp.Seq, err)
		}
	}
	t.audited = true
	return nil
}

// Audited reports whether an audit entry was appended in this transaction
// already. Until then, what the transaction reads of the chain is what was
// committed before it, which package audit may remember as verified.
func (t *Tx) Audited() bool { return t.audited }

func (t *Tx) putAuditHead(ctx context.Context, h AuditSeal) error {
	err := mustAffect(t.ex.ExecContext(ctx, t.d.rebind(`UPDATE audit_head SET seq = ?, hash = ?, key_id = ?, signature = ? WHERE id = 1`),
		h.Seq, h.Hash, h.KeyID, h.Signature))
	if err != nil {
		return fmt.Errorf("store: move audit head: %w", err)
	}
	return nil
}

// ResignAudit replaces the signatures of the head and of every checkpoint
// (after a key rotation); sign returns the new key ID and signature.
func (t *Tx) ResignAudit(ctx context.Context, sign func(kind string, s AuditSeal) (keyID, sig string, err error)) error {
	cps, err := t.AuditCheckpoints(ctx)
	if err != nil {
		return err
	}
	for _, cp := range cps {
		if cp.KeyID, cp.Signature, err = sign("checkpoint", cp); err != nil {
			return err
		}
		if _, err := t.ex.ExecContext(ctx, t.d.rebind(`UPDATE audit_checkpoints SET key_id = ?, signature = ? WHERE seq = ?`),
			cp.KeyID, cp.Signature, cp.Seq); err != nil {
			return fmt.Errorf("store: re-sign audit checkpoint %d: %w", cp.Seq, err)
		}
	}
	h, err := t.AuditHead(ctx)
	if err != nil || h.Seq == 0 {
		return err
	}
	if h.KeyID, h.Signature, err = sign("head", h); err != nil {
		return err
	}
	return t.putAuditHead(ctx, h)
}

// AuditHead returns the chain head (Seq 0 for an empty chain).
func (c *conn) AuditHead(ctx context.Context) (AuditSeal, error) {
	var h AuditSeal
	err := c.queryRow(ctx, `SELECT seq, hash, key_id, signature FROM audit_head WHERE id = 1`).
		Scan(&h.Seq, &h.Hash, &h.KeyID, &h.Signature)
	if err != nil {
		return h, fmt.Errorf("store: audit head: %w", notFound(err))
	}
	return h, nil
}

// AuditEntries returns up to limit entries with seq > after, in seq order.
func (c *conn) AuditEntries(ctx context.Context, after int64, limit int) ([]AuditRow, error) {
	return c.auditRows(ctx, `SELECT `+auditCols+` FROM audit_log WHERE seq > ? ORDER BY seq LIMIT ?`, after, limit)
}

// WorkspaceAuditEntries returns up to limit entries of one workspace with
// seq < before (0: from the newest), newest first, for the audit log view.
func (c *conn) WorkspaceAuditEntries(ctx context.Context, workspaceID, before int64, limit int) ([]AuditRow, error) {
	return c.FilteredAuditEntries(ctx, AuditFilter{WorkspaceID: workspaceID, Before: before}, limit)
}

// AuditFilter selects a workspace's audit entries. Empty fields select
// everything; From and To bound the stored time text (FormatTime), which
// sorts as the times do: From inclusive, To exclusive.
type AuditFilter struct {
	WorkspaceID int64
	Actor       string
	Action      string
	From, To    string
	Before      int64 // seq to continue before; 0: from the newest
}

// FilteredAuditEntries returns up to limit entries of one workspace that
// match f, newest first. Filtering happens in the query so that a page is
// full and "older entries" continues across the whole filtered log.
func (c *conn) FilteredAuditEntries(ctx context.Context, f AuditFilter, limit int) ([]AuditRow, error) {
	before := f.Before
	if before <= 0 {
		before = 1<<63 - 1
	}
	q := `SELECT ` + auditCols + ` FROM audit_log WHERE workspace_id = ? AND seq < ?`
	args := []any{f.WorkspaceID, before}
	for _, c := range []struct{ cond, v string }{
		{` AND actor = ?`, f.Actor}, {` AND action = ?`, f.Action}, {` AND at >= ?`, f.From}, {` AND at < ?`, f.To},
	} {
		if c.v != "" {
			q += c.cond
			args = append(args, c.v)
		}
	}
	return c.auditRows(ctx, q+` ORDER BY seq DESC LIMIT ?`, append(args, limit)...)
}

// AuditVocabulary returns who appears as an actor in a workspace's audit
// entries and which actions they record, each sorted: the choices of the
// log's filters.
func (c *conn) AuditVocabulary(ctx context.Context, workspaceID int64) (actors, actions []string, err error) {
	scan := func(row rowScanner) (s string, err error) { err = row.Scan(&s); return s, err }
	if actors, err = collect(ctx, c, scan, `SELECT DISTINCT actor FROM audit_log WHERE workspace_id = ? ORDER BY actor`, workspaceID); err != nil {
		return nil, nil, fmt.Errorf("store: audit actors: %w", err)
	}
	if actions, err = collect(ctx, c, scan, `SELECT DISTINCT action FROM audit_log WHERE workspace_id = ? ORDER BY action`, workspaceID); err != nil {
		return nil, nil, fmt.Errorf("store: audit actions: %w", err)
	}
	return actors, actions, nil
}

func (c *conn) auditRows(ctx context.Context, q string, args ...any) ([]AuditRow, error) {
	out, err := collect(ctx, c, scanAudit, q, args...)
	if err != nil {
		return nil, fmt.Errorf("store: audit entries: %w", err)
	}
	return out, nil
}

// AuditCheckpointsAfter returns the checkpoints with seq > after, in seq
// order: the few an append's check of the recent chain needs.
func (c *conn) AuditCheckpointsAfter(ctx context.Context, after int64) ([]AuditSeal, error) {
	out, err := collect(ctx, c, scanSeal, `SELECT seq, hash, at, key_id, signature FROM audit_checkpoints WHERE seq > ? ORDER BY seq`, after)
	if err != nil {
		return nil, fmt.Errorf("store: audit checkpoints after %d: %w", after, err)
	}
	return out, nil
}

// LastAuditCheckpoint returns the checkpoint with the highest seq
// (ErrNotFound when there is none).
func (c *conn) LastAuditCheckpoint(ctx context.Context) (AuditSeal, error) {
	s, err := scanSeal(c.queryRow(ctx, `SELECT seq, hash, at, key_id, signature FROM audit_checkpoints ORDER BY seq DESC LIMIT 1`))
	if err != nil {
		return s, fmt.Errorf("store: last audit checkpoint: %w", notFound(err))
	}
	return s, nil
}

func scanSeal(row rowScanner) (s AuditSeal, err error) {
	err = row.Scan(&s.Seq, &s.Hash, &s.At, &s.KeyID, &s.Signature)
	return s, err
}

// AuditCheckpoints returns every checkpoint in seq order.
func (c *conn) AuditCheckpoints(ctx context.Context) ([]AuditSeal, error) {
	out, err := collect(ctx, c, scanSeal, `SELECT seq, hash, at, key_id, signature FROM audit_checkpoints ORDER BY seq`)
	if err != nil {
		return nil, fmt.Errorf("store: audit checkpoints: %w", err)
	}
	return out, nil
}
