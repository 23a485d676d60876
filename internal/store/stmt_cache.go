package store

import (
	"context"
	"database/sql"
	"sync"
)

// The SQLite driver compiles a statement's SQL on every query; on the
// pages every user views all day (session, membership, assessment heads)
// compiling took as long as running. Reads outside transactions therefore
// go through prepared statements kept per query text. A *sql.Stmt is safe
// for concurrent use and prepares itself on each pooled connection once.
// PostgreSQL needs none of this: pgx keeps its own per-connection cache.

// stmtCacheMax bounds the cache; queries past it run unprepared. The
// store's SQL is a fixed set of texts, well below the bound.
const stmtCacheMax = 512

type stmtCache struct {
	db *sql.DB
	mu sync.Mutex
	m  map[string]*sql.Stmt
}

// stmt returns the prepared statement for q, preparing it the first time;
// nil when the cache is full.
func (c *stmtCache) stmt(ctx context.Context, q string) (*sql.Stmt, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if st, ok := c.m[q]; ok {
		return st, nil
	}
	if len(c.m) >= stmtCacheMax {
		return nil, nil
	}
	// Prepared without the request's context: the statement outlives it.
	st, err := c.db.PrepareContext(context.WithoutCancel(ctx), q)
	if err != nil {
		return nil, err
	}
	c.m[q] = st
	return st, nil
}

func (c *stmtCache) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for q, st := range c.m {
		st.Close()
		delete(c.m, q)
	}
}
