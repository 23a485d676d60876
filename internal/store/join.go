package store

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
)

// Hot paths read a row and the rows it points to in one query (a session
// with its user, a membership with its workspace) instead of one query
// each. scanJoined lets such a query reuse each table's own scan function,
// so a table's columns are converted, unsealed and checked in one place.

var errRecorded = errors.New("store: destinations recorded")

// recorder is a rowScanner that only records where a scan function wants
// its columns.
type recorder struct{ dest []any }

func (r *recorder) Scan(dest ...any) error {
	r.dest = dest
	return errRecorded
}

// replay is a rowScanner that hands a scan function values already scanned.
type replay []any

func (r replay) Scan(dest ...any) error {
	if len(dest) != len(r) {
		return fmt.Errorf("store: replay of %d columns into %d", len(r), len(dest))
	}
	for i, d := range dest {
		reflect.ValueOf(d).Elem().Set(reflect.ValueOf(r[i]).Elem())
	}
	return nil
}

// scanJoined scans one row whose columns are those of each scan function
// in turn: each function is run once to learn its destinations, the row is
// scanned into them all, and each is run again over its scanned values.
func scanJoined(row rowScanner, scans ...func(rowScanner) error) error {
	parts := make([][]any, len(scans))
	var all []any
	for i, scan := range scans {
		rec := &recorder{}
		if err := scan(rec); !errors.Is(err, errRecorded) {
			return fmt.Errorf("store: joined scan %d did not scan: %v", i, err)
		}
		parts[i] = rec.dest
		all = append(all, rec.dest...)
	}
	if err := row.Scan(all...); err != nil {
		return err
	}
	for i, scan := range scans {
		if err := scan(replay(parts[i])); err != nil {
			return err
		}
	}
	return nil
}

// qualify prefixes each column of a column list with a table alias.
func qualify(alias, cols string) string {
	fs := strings.Split(cols, ",")
	for i, f := range fs {
		fs[i] = alias + "." + strings.TrimSpace(f)
	}
	return strings.Join(fs, ", ")
}
