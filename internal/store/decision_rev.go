package store

// Pages that join a workspace's risks with its decisions (the register)
// cache the join and must know when any decision changed. Reading every
// decision on every view to find out cost as much as the view itself once
// a workspace had thousands. The database keeps a counter instead:
// workspaces.decisions_rev moves on every insert, update or delete of a
// decision, whatever code path makes it (triggers, so none can forget),
// and is read with the workspace at no extra query.
//
// Lock order stays the same for every writer: the trigger takes the
// workspace row when the decision is written, before the audit append
// takes the audit head, and decisions are only written that way.

func decisionRevV8(d dialect) []string {
	stmts := []string{`ALTER TABLE workspaces ADD COLUMN decisions_rev BIGINT NOT NULL DEFAULT 0`}
	if d == postgres {
		return append(stmts,
			`CREATE FUNCTION rcmguard_decisions_rev() RETURNS trigger LANGUAGE plpgsql AS $$
			BEGIN
				IF TG_OP = 'DELETE' THEN
					UPDATE workspaces SET decisions_rev = decisions_rev + 1 WHERE id = OLD.workspace_id;
					RETURN OLD;
				END IF;
				UPDATE workspaces SET decisions_rev = decisions_rev + 1 WHERE id = NEW.workspace_id;
				IF TG_OP = 'UPDATE' AND NEW.workspace_id IS DISTINCT FROM OLD.workspace_id THEN
					UPDATE workspaces SET decisions_rev = decisions_rev + 1 WHERE id = OLD.workspace_id;
				END IF;
				RETURN NEW;
			END $$`,
			`CREATE TRIGGER risk_decisions_rev AFTER INSERT OR UPDATE OR DELETE ON risk_decisions
			FOR EACH ROW EXECUTE FUNCTION rcmguard_decisions_rev()`,
		)
	}
	return append(stmts,
		`CREATE TRIGGER risk_decisions_rev_insert AFTER INSERT ON risk_decisions
		BEGIN UPDATE workspaces SET decisions_rev = decisions_rev + 1 WHERE id = NEW.workspace_id; END`,
		`CREATE TRIGGER risk_decisions_rev_update AFTER UPDATE ON risk_decisions
		BEGIN
			UPDATE workspaces SET decisions_rev = decisions_rev + 1 WHERE id = NEW.workspace_id;
			UPDATE workspaces SET decisions_rev = decisions_rev + 1 WHERE id = OLD.workspace_id AND OLD.workspace_id IS NOT NEW.workspace_id;
		END`,
		`CREATE TRIGGER risk_decisions_rev_delete AFTER DELETE ON risk_decisions
		BEGIN UPDATE workspaces SET decisions_rev = decisions_rev + 1 WHERE id = OLD.workspace_id; END`,
	)
}
