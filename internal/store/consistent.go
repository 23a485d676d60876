package store

import (
	"context"
	"database/sql"
	"fmt"
)

// Reader reads one consistent view of the database: what was committed
// when its first query ran, whatever other connections — other requests,
// other app servers — commit meanwhile.
type Reader struct{ conn }

// ReadConsistent runs fn with a Reader on one snapshot. Reads that must
// agree with each other across several queries (the audit chain's head,
// its checkpoints and its entries) need it: each query of a Store sees
// the latest commit, so a reader of the head and then of the checkpoints
// could see a checkpoint that another server committed in between.
// PostgreSQL gives a repeatable-read transaction; SQLite a read
// transaction, which in WAL mode holds its snapshot without blocking
// writers.
func (s *Store) ReadConsistent(ctx context.Context, fn func(r *Reader) error) error {
	opts := &sql.TxOptions{ReadOnly: true}
	if s.d == postgres {
		opts.Isolation = sql.LevelRepeatableRead
	}
	tx, err := s.db.BeginTx(ctx, opts)
	if err != nil {
		return fmt.Errorf("store: begin read: %w", err)
	}
	defer tx.Rollback()
	return fn(&Reader{conn{ex: tx, d: s.d, kr: s.kr}})
}
