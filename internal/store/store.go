// Package store persists rcmguard's accounts, workspaces, assessments, risk
// decisions and audit chain in SQLite (a file, the default) or PostgreSQL (a
// postgres:// URL). SQL is hand-written, one file per aggregate; placeholders
// are written as '?' and rewritten per dialect in one place (dialect.rebind).
//
// Writes happen only inside InTx. A transaction that changed anything must
// also have appended an audit entry, or InTx refuses to commit it: the audit
// log fails closed by construction.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	_ "modernc.org/sqlite"             // registers the "sqlite" driver

	"rcmguard/internal/seal"
)

var (
	// ErrNotFound means no row matched (including rows of another workspace).
	ErrNotFound = errors.New("not found")
	// ErrConflict means a uniqueness rule or a state rule refused the write.
	ErrConflict = errors.New("conflict")
	// ErrImmutable means the row may no longer change (a signed-off assessment).
	ErrImmutable = errors.New("immutable once signed off")
	// ErrUnaudited means a transaction changed state without an audit entry.
	ErrUnaudited = errors.New("store: state change without an audit entry refused")
	// ErrSchemaTooNew means the database was migrated by a newer rcmguard.
	ErrSchemaTooNew = errors.New("store: database schema is newer than this rcmguard; upgrade rcmguard")
	// ErrNoKeyring means a sealed field was touched without a keyring.
	ErrNoKeyring = errors.New("store: no data key configured")
)

// pgMaxConns is how many connections one rcmguard process opens to
// PostgreSQL at most; requests beyond it wait for a free connection.
const pgMaxConns = 24

// sqliteIdleConns is how many idle SQLite connections one process keeps.
const sqliteIdleConns = 32

// Store is the database handle shared by every request.
type Store struct {
	conn
	db  *sql.DB
	dsn string
}

// Option configures Open.
type Option func(*Store)

// WithKeyring sets the keyring that seals and opens sensitive fields.
func WithKeyring(kr *seal.Keyring) Option { return func(s *Store) { s.kr = kr } }

// IsPostgres reports whether dsn names a PostgreSQL database.
func IsPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// Open connects to dsn (a SQLite file path or a postgres:// URL) and brings
// the schema up to date.
func Open(ctx context.Context, dsn string, opts ...Option) (*Store, error) {
	s, err := openNoMigrate(ctx, dsn, opts...)
	if err != nil {
		return nil, err
	}
	if err := s.migrate(ctx); err != nil {
		s.db.Close()
		return nil, err
	}
	return s, nil
}

func openNoMigrate(ctx context.Context, dsn string, opts ...Option) (*Store, error) {
	s := &Store{dsn: dsn}
	for _, o := range opts {
		o(s)
	}
	var err error
	if IsPostgres(dsn) {
		s.d = postgres
		s.db, err = sql.Open("pgx", dsn)
		if err == nil {
			// Bound the pool below PostgreSQL's default max_connections
			// (100), leaving room for other app servers and tools: with
			// no bound, 200 concurrent requests opened a connection each
			// and the server refused the ones past its limit.
			s.db.SetMaxOpenConns(pgMaxConns)
			s.db.SetMaxIdleConns(pgMaxConns)
		}
	} else {
		s.d = sqlite
		if err := os.MkdirAll(filepath.Dir(dsn), 0o700); err != nil {
			return nil, fmt.Errorf("store: create data directory: %w", err)
		}
		// Create the file private to its owner; SQLite gives the -wal and
		// -shm files the same mode as the database file.
		f, err := os.OpenFile(dsn, os.O_RDONLY|os.O_CREATE, 0o600)
		if err != nil {
			return nil, fmt.Errorf("store: create database file: %w", err)
		}
		f.Close()
		s.db, err = sql.Open("sqlite", sqliteDSN(dsn))
		if err == nil {
			// Keep connections for a burst of concurrent views: the
			// default of two idle connections closed and reopened (with
			// every pragma) dozens a second under load. The number open
			// stays unbounded, so a writer waiting for SQLite's lock never
			// waits for a pool slot as well.
			s.db.SetMaxIdleConns(sqliteIdleConns)
			s.db.SetConnMaxIdleTime(5 * time.Minute)
			s.stmts = &stmtCache{db: s.db, m: map[string]*sql.Stmt{}}
		}
	}
	if err != nil {
		return nil, fmt.Errorf("store: open: %w", err)
	}
	if err := s.db.PingContext(ctx); err != nil {
		s.db.Close()
		return nil, fmt.Errorf("store: connect: %w", redact(err, dsn))
	}
	s.ex = s.db
	return s, nil
}

// sqliteDSN sets the pragmas every connection needs: WAL so readers do not
// block the writer, synchronous=FULL so an acknowledged audit entry survives
// power loss, a busy timeout so writers queue instead of failing, foreign
// keys, and BEGIN IMMEDIATE so write transactions (and so audit appends) are
// serialised from their first statement.
func sqliteDSN(path string) string {
	q := url.Values{}
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(FULL)")
	q.Add("_pragma", "busy_timeout(15000)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Set("_txlock", "immediate")
	return path + "?" + q.Encode()
}

// redact removes a password from connection errors that quote the URL.
func redact(err error, dsn string) error {
	u, perr := url.Parse(dsn)
	if perr != nil || u.User == nil {
		return err
	}
	if p, ok := u.User.Password(); ok && p != "" && strings.Contains(err.Error(), p) {
		return errors.New(strings.ReplaceAll(err.Error(), p, "xxxxx"))
	}
	return err
}

// Close releases the database.
func (s *Store) Close() error {
	if s.stmts != nil {
		s.stmts.close()
	}
	return s.db.Close()
}

// Postgres reports whether the store is on PostgreSQL.
func (s *Store) Postgres() bool { return s.d == postgres }

// Keyring returns the keyring the store seals with (nil when none).
func (s *Store) Keyring() *seal.Keyring { return s.kr }

// DB exposes the handle for maintenance (backup, integrity checks) and tests.
func (s *Store) DB() *sql.DB { return s.db }

// Tx is one write transaction. Methods that change state live on Tx only.
type Tx struct {
	conn
	tx      *sql.Tx
	wrote   bool
	audited bool
}

// InTx runs fn in a transaction and commits when fn returns nil and, if fn
// wrote anything, an audit entry was appended; otherwise it rolls back.
func (s *Store) InTx(ctx context.Context, fn func(tx *Tx) error) (err error) {
	sqlTx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: begin: %w", err)
	}
	tx := &Tx{conn: conn{ex: sqlTx, d: s.d, kr: s.kr}, tx: sqlTx}
	defer func() {
		if p := recover(); p != nil {
			sqlTx.Rollback()
			panic(p)
		}
	}()
	if err := fn(tx); err != nil {
		sqlTx.Rollback()
		return err
	}
	if tx.wrote && !tx.audited {
		sqlTx.Rollback()
		return ErrUnaudited
	}
	if err := sqlTx.Commit(); err != nil {
		return fmt.Errorf("store: commit: %w", err)
	}
	return nil
}

// execer is what both *sql.DB and *sql.Tx offer.
type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// conn carries the read methods shared by Store and Tx.
type conn struct {
	ex execer
	d  dialect
	kr *seal.Keyring
	// stmts prepares the reads of a SQLite Store (stmt_cache.go); nil in
	// transactions and on PostgreSQL.
	stmts *stmtCache
}

func (c *conn) query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	q = c.d.rebind(q)
	if c.stmts != nil {
		st, err := c.stmts.stmt(ctx, q)
		if err != nil {
			return nil, err
		}
		if st != nil {
			return st.QueryContext(ctx, args...)
		}
	}
	return c.ex.QueryContext(ctx, q, args...)
}

func (c *conn) queryRow(ctx context.Context, q string, args ...any) *sql.Row {
	q = c.d.rebind(q)
	if c.stmts != nil {
		// A failed prepare is left to the unprepared query, which reports
		// the same error through the row.
		if st, err := c.stmts.stmt(ctx, q); err == nil && st != nil {
			return st.QueryRowContext(ctx, args...)
		}
	}
	return c.ex.QueryRowContext(ctx, q, args...)
}

func (t *Tx) exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	t.wrote = true
	return t.ex.ExecContext(ctx, t.d.rebind(q), args...)
}

// insertID runs an INSERT … RETURNING id (both dialects support RETURNING).
func (t *Tx) insertID(ctx context.Context, q string, args ...any) (int64, error) {
	t.wrote = true
	var id int64
	err := t.ex.QueryRowContext(ctx, t.d.rebind(q+" RETURNING id"), args...).Scan(&id)
	return id, err
}

// mustAffect turns "no row changed" into ErrNotFound.
func mustAffect(res sql.Result, err error) error {
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return ErrNotFound
	}
	return nil
}

// notFound maps sql.ErrNoRows to ErrNotFound.
func notFound(err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound
	}
	return err
}

func (c *conn) seal(field string, plaintext []byte) (string, error) {
	if c.kr == nil {
		return "", ErrNoKeyring
	}
	return c.kr.Seal(field, plaintext)
}

func (c *conn) open(field, sealed string) ([]byte, error) {
	if sealed == "" {
		return nil, nil
	}
	if c.kr == nil {
		return nil, ErrNoKeyring
	}
	return c.kr.Open(field, sealed)
}

// Exec runs a statement in the transaction. It is for maintenance and tests
// that need SQL no aggregate offers; like every write it needs an audit entry
// before the transaction may commit.
func (t *Tx) Exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	res, err := t.exec(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("store: exec: %w", err)
	}
	return res, nil
}
