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

var sealedColumns = []sealedColumn{
	{"users", "id", "totp_secret"},
	{"assessments", "id", "model_yaml"},
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
		type val struct {
			id     int64
			sealed string
		}
		rows, err := t.query(ctx, `SELECT `+col.key+`, `+col.column+` FROM `+col.table+` WHERE `+col.column+` <> '' ORDER BY `+col.key)
		if err != nil {
			return n, fmt.Errorf("store: reseal %s: %w", field, err)
		}
		var vals []val
		for rows.Next() {
			var v val
			if err := rows.Scan(&v.id, &v.sealed); err != nil {
				rows.Close()
				return n, fmt.Errorf("store: reseal %s: %w", field, err)
			}
			vals = append(vals, v)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
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
		rows, err := c.query(ctx, `SELECT `+col.column+` FROM `+col.table+` WHERE `+col.column+` <> ''`)
		if err != nil {
			return nil, fmt.Errorf("store: sealed key ids: %w", err)
		}
		for rows.Next() {
			var s string
			if err := rows.Scan(&s); err != nil {
				rows.Close()
				return nil, fmt.Errorf("store: sealed key ids: %w", err)
			}
			id, err := seal.KeyID(s)
			if err != nil {
				id = "invalid"
			}
			out[id]++
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("store: sealed key ids: %w", err)
		}
	}
	return out, nil
}
