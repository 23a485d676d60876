package storetest

import (
	"testing"

	"rcmguard/internal/store"
)

// TamperAudit changes the stored audit chain as an attacker with write
// access to the database could: it drops the append-only guards, then runs
// each statement (plain SQL valid on both databases) outside any
// transaction of the application.
func TamperAudit(t testing.TB, s *store.Store, stmts ...string) {
	t.Helper()
	drop := []string{`DROP TRIGGER IF EXISTS audit_log_no_update`, `DROP TRIGGER IF EXISTS audit_log_no_delete`}
	if s.Postgres() {
		drop = []string{`DROP TRIGGER IF EXISTS audit_log_no_update ON audit_log`}
	}
	for _, q := range append(drop, stmts...) {
		if _, err := s.DB().Exec(q); err != nil {
			t.Fatalf("tamper: %s: %v", q, err)
		}
	}
}
