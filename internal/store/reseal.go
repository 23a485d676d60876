package store

import (
	"context"
	"fmt"

	"rcmguard/internal/seal"
)

// sealedColumn names one column whose values are sealed; the column name is
// also the AEAD associated data. Every sealed field must be listed here so
// that key rotation reaches it. A column that older versions wrote in clear
// (legacyClear) may still hold such values; rotation seals them.
type sealedColumn struct {
	table, key, column string
	legacyClear        bool
}

type sealedValue struct {
	id     int64
	sealed string
}

var sealedColumns = []sealedColumn{
	{"users", "id", "totp_secret", false},
	{"assessments", "id", "model_yaml", false},
	{"workspace_models", "workspace_id", "model_yaml", false},
	{"evidence_sets", "id", "facts", false},
	{"setup_answers", "id", "answers", false},
	{"assessments", "id", "result_json", true},
	{"incidents", "id", "body", false},
	{"incident_events", "id", "text", false},
	{"incident_files", "id", "data", false},
}

// Reseal opens every sealed value with the store's keyring and seals it again
// under next's current key; a result an older version stored in clear is
// sealed. It runs inside the caller's transaction, so a rotation either
// re-seals everything or nothing, and on SQLite it has the replaced values
// overwritten in the file. It returns how many values were re-sealed.
func (t *Tx) Reseal(ctx context.Context, next *seal.Keyring) (n int, err error) {
	if t.kr == nil {
		return 0, ErrNoKeyring
	}
	err = t.overwritingFreed(ctx, func() error {
		n, err = t.reseal(ctx, next)
		return err
	})
	return n, err
}

func (t *Tx) reseal(ctx context.Context, next *seal.Keyring) (int, error) {
	n := 0
	for _, col := range sealedColumns {
		field := col.table + "." + col.column
		vals, err := collect(ctx, &t.conn, func(row rowScanner) (v sealedValue, err error) {
			err = row.Scan(&v.id, &v.sealed)
			return v, err
		}, `SELECT `+col.key+`, `+col.column+` FROM `+col.table+` WHERE `+col.column+` <> '' ORDER BY `+col.key)
		if err != nil {
			return n, fmt.Errorf("store: reseal %s: %w", field, err)
		}
		for _, v := range vals {
			pt := []byte(v.sealed)
			if !col.legacyClear || isSealed(v.sealed) {
				if pt, err = t.kr.Open(field, v.sealed); err != nil {
					return n, fmt.Errorf("store: reseal %s of row %d: %w", field, v.id, err)
				}
			}
			s, err := next.Seal(field, pt)
			if err != nil {
				return n, fmt.Errorf("store: reseal %s of row %d: %w", field, v.id, err)
			}
			if _, err := t.exec(ctx, `UPDATE `+col.table+` SET `+col.column+` = ? WHERE `+col.key+` = ?`, s, v.id); err != nil {
				return n, fmt.Errorf("store: reseal %s of row %d: %w", field, v.id, err)
			}
			n++
		}
	}
	return n, nil
}

// SealedKeyIDs counts sealed values per key ID, to show what a rotation
// left. Values an older version wrote in clear need no key and are not
// counted.
func (c *conn) SealedKeyIDs(ctx context.Context) (map[string]int, error) {
	out := map[string]int{}
	for _, col := range sealedColumns {
		vals, err := collect(ctx, c, func(row rowScanner) (v string, err error) {
			err = row.Scan(&v)
			return v, err
		}, `SELECT `+col.column+` FROM `+col.table+` WHERE `+col.column+` <> ''`)
		if err != nil {
			return nil, fmt.Errorf("store: sealed key ids: %w", err)
		}
		for _, v := range vals {
			if col.legacyClear && !isSealed(v) {
				continue
			}
			id, err := seal.KeyID(v)
			if err != nil {
				id = "invalid"
			}
			out[id]++
		}
	}
	return out, nil
}
