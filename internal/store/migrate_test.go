package store

import (
	"context"
	"path/filepath"
	"testing"
)

// TestUpgradeFromEachVersion stops at every older schema version, then opens
// normally: the remaining migrations must apply in order, one version each.
func TestUpgradeFromEachVersion(t *testing.T) {
	ctx := context.Background()
	for from := 0; from < len(migrations); from++ {
		dsn := filepath.Join(t.TempDir(), "db")
		s, err := openNoMigrate(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.migrateTo(ctx, from); err != nil {
			t.Fatalf("migrate to %d: %v", from, err)
		}
		if v, _ := s.SchemaVersionOf(ctx); v != from {
			t.Fatalf("stopped at %d, version is %d", from, v)
		}
		s.Close()
		s, err = Open(ctx, dsn)
		if err != nil {
			t.Fatalf("upgrade from %d: %v", from, err)
		}
		if v, _ := s.SchemaVersionOf(ctx); v != len(migrations) {
			t.Fatalf("upgrade from %d: version %d; want %d", from, v, len(migrations))
		}
		var n int
		if err := s.db.QueryRow(`SELECT COUNT(*) FROM sqlite_master WHERE type = 'trigger'`).Scan(&n); err != nil || n != 9 {
			// Four guards (guardsV2), three decision counters (decisionRevV8)
			// and the incident timeline's two (incidentsV17).
			t.Fatalf("upgrade from %d: %d triggers, %v; want 9", from, n, err)
		}
		s.Close()
	}
}

func TestRebind(t *testing.T) {
	for _, tc := range []struct {
		d      dialect
		in, ok string
	}{
		{sqlite, `a = ? AND b = ?`, `a = ? AND b = ?`},
		{postgres, `a = ? AND b = ?`, `a = $1 AND b = $2`},
		{postgres, `no params`, `no params`},
	} {
		if got := tc.d.rebind(tc.in); got != tc.ok {
			t.Errorf("rebind(%q) = %q; want %q", tc.in, got, tc.ok)
		}
	}
}
