package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// eachDialect runs fn on a fresh SQLite file and, when TEST_PG_DSN is set,
// on a PostgreSQL schema of its own (package storetest cannot be used from
// inside package store).
// openBefore opens the database at dsn migrated up to, not including, the
// migration of that name, for a test of what the migration does to rows
// written under the schema before it. The store is closed when the test ends.
func openBefore(t *testing.T, dsn, name string, opts ...Option) *Store {
	t.Helper()
	before := slices.IndexFunc(migrations, func(m migration) bool { return m.name == name })
	if before < 0 {
		t.Fatalf("no migration named %q", name)
	}
	ctx := context.Background()
	s, err := openNoMigrate(ctx, dsn, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if err := s.migrateTo(ctx, before); err != nil {
		t.Fatal(err)
	}
	return s
}

func eachDialect(t *testing.T, fn func(t *testing.T, dsn string)) {
	t.Run("sqlite", func(t *testing.T) { fn(t, filepath.Join(t.TempDir(), "db")) })
	t.Run("postgres", func(t *testing.T) {
		base := os.Getenv("TEST_PG_DSN")
		if base == "" {
			if os.Getenv("CI") == "true" {
				t.Fatal("TEST_PG_DSN is not set under CI")
			}
			t.Skip("TEST_PG_DSN not set; PostgreSQL tests skipped")
		}
		admin, err := sql.Open("pgx", base)
		if err != nil {
			t.Fatal(err)
		}
		defer admin.Close()
		b := make([]byte, 6)
		rand.Read(b)
		schema := "m_" + hex.EncodeToString(b)
		if _, err := admin.Exec(`CREATE SCHEMA ` + schema); err != nil {
			t.Fatal(err)
		}
		defer admin.Exec(`DROP SCHEMA ` + schema + ` CASCADE`)
		u, err := url.Parse(base)
		if err != nil {
			t.Fatal(err)
		}
		q := u.Query()
		q.Set("search_path", schema)
		u.RawQuery = q.Encode()
		fn(t, u.String())
	})
}

// TestDecisionStatusesMigration writes decisions in the old vocabulary
// under the schema before the change, migrates, and checks each became the
// model's status, and that the database now refuses the old words.
func TestDecisionStatusesMigration(t *testing.T) {
	eachDialect(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		s := openBefore(t, dsn, "risk decision statuses follow the model's tracking statuses")
		exec := func(q string, args ...any) {
			t.Helper()
			if _, err := s.db.ExecContext(ctx, s.d.rebind(q), args...); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		exec(`INSERT INTO workspaces (name, kind, created_at) VALUES ('W', 'practice', 'x')`)
		exec(`INSERT INTO users (email, password_hash, created_at) VALUES ('u@example.org', 'h', 'x')`)
		old := map[string]string{"R-open": "open", "R-mitigating": "mitigating", "R-mitigated": "mitigated",
			"R-accepted": "accepted", "R-transferred": "transferred", "R-fp": "false_positive"}
		for id, st := range old {
			exec(`INSERT INTO risk_decisions (workspace_id, risk_id, status, justification, updated_by, updated_at)
				VALUES (1, ?, ?, 'insurer carries it', 1, 'x')`, id, st)
		}
		if err := s.migrate(ctx); err != nil {
			t.Fatalf("migrate: %v", err)
		}
		want := map[string]string{"R-open": "unchecked", "R-mitigating": "in_progress", "R-mitigated": "mitigated",
			"R-accepted": "accepted", "R-transferred": "in_discussion", "R-fp": "false_positive"}
		for id, st := range want {
			var got, just string
			if err := s.db.QueryRowContext(ctx, s.d.rebind(`SELECT status, justification FROM risk_decisions WHERE risk_id = ?`), id).Scan(&got, &just); err != nil {
				t.Fatalf("%s: %v", id, err)
			}
			if got != st {
				t.Errorf("%s: status %q; want %q", id, got, st)
			}
			if transferred := id == "R-transferred"; transferred != (just != "insurer carries it") {
				t.Errorf("%s: justification %q", id, just)
			}
		}
		var n int
		if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM risk_decisions`).Scan(&n); err != nil || n != len(want) {
			t.Fatalf("%d decisions after migration, %v; want %d", n, err, len(want))
		}
		for _, bad := range []string{"open", "mitigating", "transferred", "bogus"} {
			_, err := s.db.ExecContext(ctx, s.d.rebind(`INSERT INTO risk_decisions (workspace_id, risk_id, status, updated_by, updated_at)
				VALUES (1, ?, ?, 1, 'x')`), "R-new-"+bad, bad)
			if err == nil {
				t.Errorf("status %q accepted after the migration", bad)
			}
		}
		for _, good := range []string{"unchecked", "in_discussion", "in_progress"} {
			exec(`INSERT INTO risk_decisions (workspace_id, risk_id, status, updated_by, updated_at) VALUES (1, ?, ?, 1, 'x')`, "R-new-"+good, good)
		}
		if s.d == sqlite {
			// The rebuilt table keeps its foreign keys.
			var fk int
			if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM pragma_foreign_key_list('risk_decisions')`).Scan(&fk); err != nil || fk != 3 {
				t.Errorf("risk_decisions has %d foreign keys, %v; want 3", fk, err)
			}
			var res sql.NullString
			if err := s.db.QueryRowContext(ctx, `PRAGMA foreign_key_check`).Scan(&res); err != sql.ErrNoRows {
				t.Errorf("foreign key check: %v %v", res, err)
			}
		}
	})
}
