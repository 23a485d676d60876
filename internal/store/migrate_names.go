package store

// workspaceNamesV11 drops the global uniqueness of workspace names: a
// billing company creating a client named like another tenant's was
// refused, which told it that tenant had a client of that name. Names stay
// unique where one party chooses them: among a billing company's clients,
// and among the workspaces without a parent, which only the operator
// creates (the CLI names them). SQLite cannot drop a column's UNIQUE, so
// there the table is rebuilt (migrateOne turns foreign keys off for it).
func workspaceNamesV11(d dialect) []string {
	indexes := []string{
		`CREATE UNIQUE INDEX workspaces_top_level_name ON workspaces (name) WHERE parent_id IS NULL`,
		`CREATE UNIQUE INDEX workspaces_client_name ON workspaces (parent_id, name) WHERE parent_id IS NOT NULL`,
	}
	if d == postgres {
		return append([]string{`ALTER TABLE workspaces DROP CONSTRAINT workspaces_name_key`}, indexes...)
	}
	return append([]string{
		`CREATE TABLE workspaces_v11 (
			id INTEGER PRIMARY KEY,
			name TEXT NOT NULL,
			kind TEXT NOT NULL CHECK (kind IN ('practice', 'billing_company')),
			parent_id BIGINT REFERENCES workspaces (id),
			created_at TEXT NOT NULL,
			decisions_rev BIGINT NOT NULL DEFAULT 0
		)`,
		`INSERT INTO workspaces_v11 (` + workspaceCols + `) SELECT ` + workspaceCols + ` FROM workspaces`,
		`DROP TABLE workspaces`,
		// The decision counters' triggers name workspaces in their bodies;
		// a modern rename would re-check them while no such table exists.
		`PRAGMA legacy_alter_table = ON`,
		`ALTER TABLE workspaces_v11 RENAME TO workspaces`,
		`PRAGMA legacy_alter_table = OFF`,
	}, indexes...)
}
