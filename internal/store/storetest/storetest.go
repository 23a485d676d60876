// Package storetest gives tests a real, empty database: a SQLite file in a
// temporary directory and, when TEST_PG_DSN is set, a PostgreSQL schema of
// their own. Under CI (CI=true) a missing TEST_PG_DSN fails the test rather
// than skipping PostgreSQL.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"rcmguard/internal/seal"
	"rcmguard/internal/store"
)

// Each runs fn once per available database, as subtests "sqlite" and
// "postgres", each with a fresh DSN.
func Each(t *testing.T, fn func(t *testing.T, dsn string)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) {
		fn(t, filepath.Join(t.TempDir(), "rcmguard.db"))
	})
	t.Run("postgres", func(t *testing.T) {
		fn(t, PostgresDSN(t))
	})
}

// PostgresDSN returns a DSN whose search_path is a new schema dropped when
// the test ends. It skips the test without TEST_PG_DSN, or fails under CI.
// Benchmarks use it too, hence testing.TB.
func PostgresDSN(t testing.TB) string {
	t.Helper()
	base := os.Getenv("TEST_PG_DSN")
	if base == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("TEST_PG_DSN is not set under CI: the PostgreSQL tests must run")
		}
		t.Skip("TEST_PG_DSN not set; PostgreSQL tests skipped")
	}
	var b [6]byte
	rand.Read(b[:])
	schema := "t_" + hex.EncodeToString(b[:])
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := admin.Exec(`CREATE SCHEMA ` + schema); err != nil {
		admin.Close()
		t.Fatalf("create test schema: %v", err)
	}
	t.Cleanup(func() {
		admin.Exec(`DROP SCHEMA ` + schema + ` CASCADE`)
		admin.Close()
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// Keyring returns a fresh keyring.
func Keyring(t testing.TB) *seal.Keyring {
	t.Helper()
	k, err := seal.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	return seal.NewKeyring(k)
}

// Open opens dsn with kr and closes it when the test ends.
func Open(t testing.TB, dsn string, kr *seal.Keyring) *store.Store {
	t.Helper()
	s, err := store.Open(context.Background(), dsn, store.WithKeyring(kr))
	if err != nil {
		t.Fatalf("store.Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}
