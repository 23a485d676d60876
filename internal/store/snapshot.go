package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// copiedTable is one table a snapshot carries, in an order that satisfies
// foreign keys. Sessions are left out on purpose: a restore signs everyone
// out rather than reviving sessions that were ended after the backup.
type copiedTable struct {
	name, cols, order string
}

var copiedTables = []copiedTable{
	{"workspaces", workspaceCols, "id"},
	{"users", userCols + ", email_verified_at", "id"},
	{"webauthn_credentials", webAuthnCols, "id"},
	{"memberships", membershipCols, "user_id, workspace_id"},
	{"api_tokens", tokenCols, "id"},
	{"invitations", invitationCols, "id"},
	{"assignments", assignmentCols, "workspace_id, user_id, object"},
	{"assessments", assessmentCols, "id"},
	{"assessment_summaries", "assessment_id, summary", "assessment_id"},
	{"risk_decisions", decisionCols, "workspace_id, risk_id"},
	{"risk_reviews", reviewCols, "workspace_id, risk_id"},
	{"workspace_models", workspaceModelCols, "workspace_id"},
	{"evidence_sets", evidenceCols, "id"},
	{"setup_answers", setupAnswersCols, "id"},
	{"incidents", incidentCols, "id"},
	{"incident_events", incidentEventCols, "id"},
	{"incident_files", incidentFileCols, "id"},
	{"audit_log", auditCols, "seq"},
	{"audit_head", "id, seq, hash, key_id, signature", "id"},
	{"audit_checkpoints", "seq, hash, at, key_id, signature", "seq"},
	{"saved_views", savedViewCols, "id"},
	{"assessment_status", assessmentStatusCols, "assessment_id"},
}

// identityTables have generated IDs whose PostgreSQL sequence must move past
// the copied rows.
var identityTables = []string{"workspaces", "users", "api_tokens", "assessments", "webauthn_credentials", "evidence_sets", "invitations",
	"setup_answers", "saved_views", "incidents", "incident_events", "incident_files"}

// Snapshot writes a transactionally consistent copy of the database to path
// as a SQLite file, whatever the source database. SQLite uses VACUUM INTO,
// which also drops deleted content; PostgreSQL is read in one
// repeatable-read transaction and copied table by table.
func (s *Store) Snapshot(ctx context.Context, path string) error {
	if _, err := os.Stat(path); err == nil {
		return fmt.Errorf("store: snapshot: %s already exists", path)
	}
	if s.d == sqlite {
		if _, err := s.db.ExecContext(ctx, `VACUUM INTO ?`, path); err != nil {
			return fmt.Errorf("store: snapshot: %w", err)
		}
		return nil
	}
	dst, err := Open(ctx, path)
	if err != nil {
		return fmt.Errorf("store: snapshot: %w", err)
	}
	defer dst.Close()
	src, err := s.db.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
	if err != nil {
		return fmt.Errorf("store: snapshot: begin: %w", err)
	}
	defer src.Rollback()
	if err := copyInto(ctx, src, s.d, dst); err != nil {
		return fmt.Errorf("store: snapshot: %w", err)
	}
	return nil
}

// ReplaceFrom replaces every row of s with the rows of src in one
// transaction: all or nothing. Restore uses it for PostgreSQL targets.
func (s *Store) ReplaceFrom(ctx context.Context, src *Store) error {
	tx, err := src.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: replace: begin: %w", err)
	}
	defer tx.Rollback()
	if err := copyInto(ctx, tx, src.d, s); err != nil {
		return fmt.Errorf("store: replace: %w", err)
	}
	return nil
}

func copyInto(ctx context.Context, src *sql.Tx, srcD dialect, dst *Store) error {
	tx, err := dst.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback()
	if dst.d == postgres {
		names := []string{"sessions", "webauthn_challenges"}
		for _, t := range copiedTables {
			names = append(names, t.name)
		}
		if _, err := tx.ExecContext(ctx, `TRUNCATE `+strings.Join(names, ", ")); err != nil {
			return fmt.Errorf("clear: %w", err)
		}
	} else {
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions`); err != nil {
			return fmt.Errorf("clear: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM webauthn_challenges`); err != nil {
			return fmt.Errorf("clear: %w", err)
		}
		for i := len(copiedTables) - 1; i >= 0; i-- {
			if _, err := tx.ExecContext(ctx, `DELETE FROM `+copiedTables[i].name); err != nil {
				return fmt.Errorf("clear %s: %w", copiedTables[i].name, err)
			}
		}
	}
	for _, t := range copiedTables {
		if err := copyTable(ctx, src, srcD, tx, dst.d, t); err != nil {
			return fmt.Errorf("copy %s: %w", t.name, err)
		}
	}
	if dst.d == postgres {
		for _, name := range identityTables {
			if _, err := tx.ExecContext(ctx, `SELECT setval(pg_get_serial_sequence('`+name+`', 'id'),
				COALESCE((SELECT MAX(id) FROM `+name+`), 0) + 1, false)`); err != nil {
				return fmt.Errorf("reset %s ids: %w", name, err)
			}
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

func copyTable(ctx context.Context, src *sql.Tx, srcD dialect, dst *sql.Tx, dstD dialect, t copiedTable) error {
	rows, err := src.QueryContext(ctx, `SELECT `+t.cols+` FROM `+t.name+` ORDER BY `+t.order)
	if err != nil {
		return err
	}
	defer rows.Close()
	ncol := len(strings.Split(t.cols, ","))
	ins := dstD.rebind(`INSERT INTO ` + t.name + ` (` + t.cols + `) VALUES (?` + strings.Repeat(", ?", ncol-1) + `)`)
	stmt, err := dst.PrepareContext(ctx, ins)
	if err != nil {
		return err
	}
	defer stmt.Close()
	vals := make([]any, ncol)
	ptrs := make([]any, ncol)
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		for i, v := range vals {
			// Drivers may hand text back as bytes; store it as text.
			if b, ok := v.([]byte); ok {
				vals[i] = string(b)
			}
		}
		if _, err := stmt.ExecContext(ctx, vals...); err != nil {
			return err
		}
	}
	return rows.Err()
}

// IntegrityCheck runs SQLite's integrity check (a no-op on PostgreSQL).
func (s *Store) IntegrityCheck(ctx context.Context) error {
	if s.d != sqlite {
		return nil
	}
	var res string
	if err := s.db.QueryRowContext(ctx, `PRAGMA integrity_check`).Scan(&res); err != nil {
		return fmt.Errorf("store: integrity check: %w", err)
	}
	if res != "ok" {
		return fmt.Errorf("store: integrity check: %s", res)
	}
	return nil
}

// ClearSessions ends every session (a restore signs everyone out), and
// drops the security key challenges those sessions had pending.
func (s *Store) ClearSessions(ctx context.Context) error {
	if _, err := s.db.ExecContext(ctx, `DELETE FROM sessions`); err != nil {
		return fmt.Errorf("store: clear sessions: %w", err)
	}
	if _, err := s.db.ExecContext(ctx, `DELETE FROM webauthn_challenges`); err != nil {
		return fmt.Errorf("store: clear sessions: %w", err)
	}
	return nil
}

// ReplaceSQLiteFile atomically replaces the SQLite database at target with
// the SQLite file at snapshot, keeping the previous database beside it as
// target.pre-restore-TIME. No rcmguard process may have target open.
func ReplaceSQLiteFile(ctx context.Context, target, snapshot string, now time.Time) (kept string, err error) {
	if _, err := os.Stat(target); err == nil {
		// Fold the old WAL into the old file so the kept copy is whole and
		// no stale WAL can be applied to the new file.
		old, err := openNoMigrate(ctx, target)
		if err != nil {
			return "", fmt.Errorf("store: restore: open current database: %w", err)
		}
		_, cerr := old.db.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`)
		old.Close()
		if cerr != nil {
			return "", fmt.Errorf("store: restore: checkpoint current database: %w", cerr)
		}
		kept = target + ".pre-restore-" + now.UTC().Format("20060102T150405Z")
		if err := os.Link(target, kept); err != nil {
			return "", fmt.Errorf("store: restore: keep current database: %w", err)
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return "", fmt.Errorf("store: restore: %w", err)
	}
	for _, suffix := range []string{"-wal", "-shm"} {
		if err := os.Remove(target + suffix); err != nil && !errors.Is(err, os.ErrNotExist) {
			return kept, fmt.Errorf("store: restore: %w", err)
		}
	}
	if err := os.Rename(snapshot, target); err != nil {
		return kept, fmt.Errorf("store: restore: %w", err)
	}
	if d, err := os.Open(filepath.Dir(target)); err == nil {
		d.Sync() // make the rename durable; best effort on filesystems without directory sync
		d.Close()
	}
	return kept, nil
}
