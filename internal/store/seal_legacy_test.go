package store

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"rcmguard/internal/evidence"
	"rcmguard/internal/seal"
)

// TestMigrationSealsLegacyValues writes what an older rcmguard stored (a
// signed-off and an open assessment with their results in clear, an
// evidence set named after a patient whose facts name files after
// patients), then upgrades: every result is sealed and reads the same, the
// signed-off one stays signed off, and the evidence set is masked, on
// SQLite (whose file must then hold none of it) and PostgreSQL.
func TestMigrationSealsLegacyValues(t *testing.T) {
	for name, dsn := range map[string]func(t *testing.T) string{
		"sqlite":   func(t *testing.T) string { return filepath.Join(t.TempDir(), "db") },
		"postgres": pgSchemaDSN,
	} {
		t.Run(name, func(t *testing.T) {
			dsn := dsn(t)
			ctx := context.Background()
			k, _ := seal.GenerateKey()
			kr := seal.NewKeyring(k)
			s := openBefore(t, dsn, migrationSealResults, WithKeyring(kr))
			const marker = "MARKER-legacy-result-2c9e"
			// Results run to megabytes: this one spills onto overflow pages,
			// which the upgrade frees.
			signed := `{"risks":[{"title":"` + marker + ` signed"}],"pad":"` + strings.Repeat(marker, 2000) + `"}`
			open := `{"risks":[{"title":"` + marker + ` open"}]}`
			model, _ := kr.Seal(fieldModelYAML, []byte("m"))
			facts, _ := json.Marshal([]evidence.Fact{{Source: evidence.SourceScan, Check: "phi.ssn",
				Target: "/share/Doe 512-44-7821.csv", Severity: evidence.SeverityHigh, Summary: "1 ssn finding(s) in csv"}})
			sealedFacts, _ := kr.Seal(fieldEvidenceFacts, facts)
			var ws int64
			if err := s.db.QueryRow(`INSERT INTO workspaces (name, kind, created_at) VALUES ('W', 'practice', '2026-03-01T09:00:00.000000000Z') RETURNING id`).Scan(&ws); err != nil {
				t.Fatal(err)
			}
			const at = "2026-03-01T09:00:00.000000000Z"
			for _, q := range []struct {
				sql  string
				args []any
			}{
				{`INSERT INTO assessments (workspace_id, version, created_at, model_yaml, result_json, signed_off_at) VALUES (?, 1, ?, ?, ?, ?)`, []any{ws, at, model, signed, at}},
				{`INSERT INTO assessments (workspace_id, version, created_at, model_yaml, result_json) VALUES (?, 2, ?, ?, ?)`, []any{ws, at, model, open}},
				{`INSERT INTO evidence_sets (workspace_id, format, file_name, fact_count, facts, uploaded_at) VALUES (?, 'scan', ?, 1, ?, ?)`,
					[]any{ws, "scan of Doe 512-44-7821.jsonl", sealedFacts, at}},
			} {
				if _, err := s.db.Exec(s.d.rebind(q.sql), q.args...); err != nil {
					t.Fatal(err)
				}
			}
			s.Close()

			s, err := Open(ctx, dsn, WithKeyring(kr))
			if err != nil {
				t.Fatalf("upgrade: %v", err)
			}
			list, err := s.Assessments(ctx, ws)
			if err != nil || len(list) != 2 || string(list[0].ResultJSON) != open || string(list[1].ResultJSON) != signed || list[1].SignedOff.IsZero() {
				t.Fatalf("after the upgrade: %+v, %v; want both results as they were, one signed off", list, err)
			}
			var raw []string
			rows, _ := s.db.Query(`SELECT result_json FROM assessments UNION ALL SELECT file_name FROM evidence_sets UNION ALL SELECT facts FROM evidence_sets`)
			for rows.Next() {
				var v string
				rows.Scan(&v)
				raw = append(raw, v)
			}
			rows.Close()
			if len(raw) != 4 || !isSealed(raw[0]) || !isSealed(raw[1]) || raw[2] != "scan of Doe ***-**-7821.jsonl" {
				t.Errorf("stored after the upgrade: %.60q; want the results sealed and the name masked", raw)
			}
			if len(raw) == 4 {
				plain, err := kr.Open(fieldEvidenceFacts, raw[3])
				if err != nil || !bytes.Contains(plain, []byte("/share/Doe ***-**-7821.csv")) {
					t.Errorf("stored facts after the upgrade: %s, %v; want the target masked", plain, err)
				}
			}
			s.Close()
			if name != "sqlite" {
				return
			}
			for _, p := range []string{dsn, dsn + "-wal"} {
				data, err := os.ReadFile(p)
				if err != nil && !os.IsNotExist(err) {
					t.Fatal(err)
				}
				for _, leak := range []string{marker, "512-44-7821"} {
					if bytes.Contains(data, []byte(leak)) {
						t.Errorf("%s still holds %q after the upgrade", p, leak)
					}
				}
			}
		})
	}
}

// pgSchemaDSN returns a DSN for a schema of its own on TEST_PG_DSN, dropped
// when the test ends (storetest does this for the external tests; it
// cannot be imported here).
func pgSchemaDSN(t *testing.T) string {
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
		t.Fatal(err)
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
