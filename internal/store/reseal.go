package store

import (
	"context"
	"fmt"

	"rcmguard/internal/seal"
)

// sealedColumn names one column whose values are sealed; the column name is
// also the AEAD associated data. Every sealed field must be listed here so
// that key rotation reaches it.
type sealedColumn struct {
	table, key, column string
}

type sealedValue struct {
	id     int64
	sealed string
}

var sealedColumns = []sealedColumn{
	{"users", "id", "totp_secret"},
	{"assessments", "id", "model_yaml"},
	{"workspace_models", "workspace_id", "model_yaml"},
	{"evidence_sets", "id", "facts"},
}

// Reseal opens every sealed value with the store's keyring and seals it again
// under next's current key. It runs inside the caller's transaction, so a
// rotation either re-seals everything or nothing. It returns how many
// values were re-sealed.
func (t *Tx) Reseal(ctx context.Context, next *seal.Keyring) (int, error) {
	if t.kr == nil {
		return 0, ErrNoKeyring
	}
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
			pt, err := t.kr.Open(field, v.sealed)
			if err != nil {
				return n, fmt.Errorf("store: reseal %s of row %d: %w", field, v.id, err)
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

// SealedKeyIDs counts sealed values per key ID, to show what a rotation left.
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
			id, err := seal.KeyID(v)
			if err != nil {
				id = "invalid"
			}
			out[id]++
		}
	}
	return out, nil
}
