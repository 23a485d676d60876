package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"rcmguard/internal/evidence"
	"rcmguard/internal/phiscan"
)

// Before migration 10, assessment results were stored in clear, and
// evidence sets kept the paths and upload names they were given, unmasked.
// The migration lets a signed-off assessment's result be sealed, and its
// Go step (sealLegacy, run in the migration's transaction) seals every
// result still in clear and masks what older evidence sets hold.

// migrationSealResults names migration 10; afterMigration finds its Go
// step by this name, which stays put if the migration is renumbered.
const migrationSealResults = "assessment results sealed at rest"

// afterMigration holds the Go steps that follow a migration's statements
// in the same transaction, by migration name.
var afterMigration = map[string]func(ctx context.Context, tx *sql.Tx, s *Store) error{
	migrationSealResults: sealLegacy,
}

// resultsSealedV10 lets a signed-off assessment's result change in one way
// only: to a sealed value. The database cannot see inside a sealed value,
// so it cannot check that the plaintext is the same; the store only ever
// writes one there by sealing the same result again (sealLegacy, Reseal),
// which changes its encoding, not its meaning, as re-sealing the model
// under a new key always did. Writing a result in clear, or any other
// change, stays refused.
func resultsSealedV10(d dialect) []string {
	if d == postgres {
		return []string{`CREATE OR REPLACE FUNCTION rcmguard_assessment_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
			BEGIN
				IF OLD.signed_off_at IS NOT NULL AND (TG_OP = 'DELETE'
					OR NEW.workspace_id IS DISTINCT FROM OLD.workspace_id
					OR NEW.version IS DISTINCT FROM OLD.version
					OR NEW.created_by IS DISTINCT FROM OLD.created_by
					OR NEW.created_at IS DISTINCT FROM OLD.created_at
					OR (NEW.result_json IS DISTINCT FROM OLD.result_json AND left(NEW.result_json, 3) <> 's1.')
					OR NEW.signed_off_by IS DISTINCT FROM OLD.signed_off_by
					OR NEW.signed_off_at IS DISTINCT FROM OLD.signed_off_at) THEN
					RAISE EXCEPTION 'assessment is signed off';
				END IF;
				IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
				RETURN NEW;
			END $$`}
	}
	return []string{
		`DROP TRIGGER assessments_immutable`,
		`CREATE TRIGGER assessments_immutable BEFORE UPDATE ON assessments
		WHEN OLD.signed_off_at IS NOT NULL AND (
			NEW.workspace_id IS NOT OLD.workspace_id OR NEW.version IS NOT OLD.version
			OR NEW.created_by IS NOT OLD.created_by OR NEW.created_at IS NOT OLD.created_at
			OR (NEW.result_json IS NOT OLD.result_json AND substr(NEW.result_json, 1, 3) <> 's1.')
			OR NEW.signed_off_by IS NOT OLD.signed_off_by OR NEW.signed_off_at IS NOT OLD.signed_off_at)
		BEGIN SELECT RAISE(ABORT, 'assessment is signed off'); END`,
	}
}

// sealLegacy seals the results stored in clear and masks the upload names
// and facts of the evidence sets stored before masking. Without a data key
// (a store opened only to copy rows) it masks the upload names, which need
// none, and leaves the rest to the next key rotation, which seals what it
// finds in clear (Reseal).
func sealLegacy(ctx context.Context, tx *sql.Tx, s *Store) error {
	t := &Tx{conn: conn{ex: tx, d: s.d, kr: s.kr}, tx: tx}
	return t.overwritingFreed(ctx, func() error { return t.replaceLegacy(ctx) })
}

// overwritingFreed runs fn with SQLite told to overwrite the space that
// deleted and replaced values leave (secure_delete), for the writes that
// replace a value in clear, or sealed under a retired key: otherwise the
// old bytes stay readable in the file's free pages. The setting is the
// connection's; it is put back after fn. PostgreSQL has no such setting:
// the old row versions stay in the table's files until VACUUM reuses their
// space, and VACUUM FULL rewrites the table without them (docs/operations.md).
func (t *Tx) overwritingFreed(ctx context.Context, fn func() error) error {
	if t.d != sqlite {
		return fn()
	}
	var was int
	if err := t.ex.QueryRowContext(ctx, `PRAGMA secure_delete`).Scan(&was); err != nil {
		return fmt.Errorf("store: secure delete: %w", err)
	}
	if _, err := t.ex.ExecContext(ctx, `PRAGMA secure_delete = 1`); err != nil {
		return fmt.Errorf("store: secure delete: %w", err)
	}
	err := fn()
	if _, rerr := t.ex.ExecContext(ctx, fmt.Sprintf(`PRAGMA secure_delete = %d`, was)); err == nil && rerr != nil {
		err = fmt.Errorf("store: secure delete: %w", rerr)
	}
	return err
}

func (t *Tx) replaceLegacy(ctx context.Context) error {
	if err := t.maskEvidenceNames(ctx); err != nil {
		return err
	}
	if t.kr == nil {
		return nil
	}
	if err := t.sealClearResults(ctx); err != nil {
		return err
	}
	return t.maskEvidenceFacts(ctx)
}

// sealClearResults seals every result stored in clear.
func (t *Tx) sealClearResults(ctx context.Context) error {
	vals, err := collect(ctx, &t.conn, func(row rowScanner) (v sealedValue, err error) {
		err = row.Scan(&v.id, &v.sealed)
		return v, err
	}, `SELECT id, result_json FROM assessments WHERE result_json <> '' ORDER BY id`)
	if err != nil {
		return fmt.Errorf("store: seal results: %w", err)
	}
	for _, v := range vals {
		if isSealed(v.sealed) {
			continue
		}
		sealed, err := t.sealResult([]byte(v.sealed))
		if err != nil {
			return fmt.Errorf("store: seal result of assessment %d: %w", v.id, err)
		}
		if _, err := t.exec(ctx, `UPDATE assessments SET result_json = ? WHERE id = ?`, sealed, v.id); err != nil {
			return fmt.Errorf("store: seal result of assessment %d: %w", v.id, err)
		}
	}
	return nil
}

// maskEvidenceNames masks the upload names stored before masking.
func (t *Tx) maskEvidenceNames(ctx context.Context) error {
	type named struct {
		id   int64
		name string
	}
	rows, err := collect(ctx, &t.conn, func(row rowScanner) (v named, err error) {
		err = row.Scan(&v.id, &v.name)
		return v, err
	}, `SELECT id, file_name FROM evidence_sets ORDER BY id`)
	if err != nil {
		return fmt.Errorf("store: mask evidence names: %w", err)
	}
	for _, r := range rows {
		if m := phiscan.MaskPath(r.name); m != r.name {
			if _, err := t.exec(ctx, `UPDATE evidence_sets SET file_name = ? WHERE id = ?`, m, r.id); err != nil {
				return fmt.Errorf("store: mask name of evidence set %d: %w", r.id, err)
			}
		}
	}
	return nil
}

// maskEvidenceFacts masks the facts of every evidence set, sealing again
// those that change.
func (t *Tx) maskEvidenceFacts(ctx context.Context) error {
	vals, err := collect(ctx, &t.conn, func(row rowScanner) (v sealedValue, err error) {
		err = row.Scan(&v.id, &v.sealed)
		return v, err
	}, `SELECT id, facts FROM evidence_sets ORDER BY id`)
	if err != nil {
		return fmt.Errorf("store: mask evidence facts: %w", err)
	}
	for _, v := range vals {
		plain, err := t.open(fieldEvidenceFacts, v.sealed)
		if err != nil {
			return fmt.Errorf("store: mask facts of evidence set %d: %w", v.id, err)
		}
		var facts []evidence.Fact
		if err := json.Unmarshal(plain, &facts); err != nil {
			return fmt.Errorf("store: mask facts of evidence set %d: %w", v.id, err)
		}
		masked, err := json.Marshal(phiscan.MaskFacts(facts))
		if err != nil {
			return fmt.Errorf("store: mask facts of evidence set %d: %w", v.id, err)
		}
		if string(masked) == string(plain) {
			continue
		}
		sealed, err := t.seal(fieldEvidenceFacts, masked)
		if err != nil {
			return fmt.Errorf("store: mask facts of evidence set %d: %w", v.id, err)
		}
		if _, err := t.exec(ctx, `UPDATE evidence_sets SET facts = ? WHERE id = ?`, sealed, v.id); err != nil {
			return fmt.Errorf("store: mask facts of evidence set %d: %w", v.id, err)
		}
	}
	return nil
}
