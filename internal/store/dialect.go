package store

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	sqlitedrv "modernc.org/sqlite"
)

type dialect int

const (
	sqlite dialect = iota
	postgres
)

// rebind rewrites '?' placeholders as $1, $2 … for PostgreSQL. Queries are
// our own literals and never contain '?' inside strings.
func (d dialect) rebind(q string) string {
	if d != postgres || !strings.Contains(q, "?") {
		return q
	}
	var b strings.Builder
	n := 0
	for _, r := range q {
		if r == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// isUnique reports whether err is a uniqueness violation.
func isUnique(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code == "23505"
	}
	var se *sqlitedrv.Error
	if errors.As(err, &se) {
		const constraintUnique, constraintPrimaryKey = 2067, 1555
		return se.Code() == constraintUnique || se.Code() == constraintPrimaryKey
	}
	return false
}

// conflict maps a uniqueness violation to ErrConflict and keeps other errors.
func conflict(err error) error {
	if isUnique(err) {
		return ErrConflict
	}
	return err
}

// Times are stored as fixed-width UTC text so that both databases compare
// them the same way (lexically equals chronologically) and the audit chain
// hashes exactly the bytes that are stored.
const timeLayout = "2006-01-02T15:04:05.000000000Z"

// FormatTime renders t the way the store keeps it.
func FormatTime(t time.Time) string { return t.UTC().Format(timeLayout) }

func ts(t time.Time) string { return FormatTime(t) }

// nts is ts for optional times: the zero time is NULL.
func nts(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return ts(t)
}

func parseTS(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	return time.Parse(timeLayout, s)
}

func parseNTS(s sql.NullString) (time.Time, error) {
	if !s.Valid {
		return time.Time{}, nil
	}
	return parseTS(s.String)
}

func nid(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// rowScanner is a *sql.Row or *sql.Rows.
type rowScanner interface{ Scan(dest ...any) error }

// collect runs a query and scans every row with scan: the one loop behind
// every list method.
func collect[T any](ctx context.Context, c *conn, scan func(rowScanner) (T, error), q string, args ...any) ([]T, error) {
	rows, err := c.query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}
