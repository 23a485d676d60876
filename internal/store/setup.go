package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// First-run setup: a server whose database has no account prints a
// one-time token on its console, and whoever holds it creates the first
// owner from the browser. Only the token's hash is stored, here, so that
// every server process on one PostgreSQL database accepts the token any of
// them printed.

// SetupToken is one first-run setup token, by its hash.
type SetupToken struct {
	Hash    string
	Created time.Time
	Expires time.Time
	Used    time.Time // zero until a setup used it, or another's use retired it
}

// The guided setup's answers are saved per section of its questionnaire,
// sealed like the model they become: they say where the PHI lives.
const fieldSetupAnswers = "setup_answers.answers"

// SetupAnswers is one section of a workspace's guided-setup answers.
type SetupAnswers struct {
	WorkspaceID int64
	Section     string
	Answers     []byte // JSON, as package app writes it
	UpdatedBy   int64
	Updated     time.Time
}

// setupAnswersCols are the columns a snapshot copies; setup tokens are
// not copied, as a restored database has its accounts.
const setupAnswersCols = `id, workspace_id, section, answers, updated_by, updated_at`

func setupV14(d dialect) []string {
	return []string{
		`CREATE TABLE setup_tokens (
			token_hash TEXT PRIMARY KEY,
			created_at TEXT NOT NULL,
			expires_at TEXT NOT NULL,
			used_at TEXT
		)`,
		d.ddl(`CREATE TABLE setup_answers (
			id {{pk}},
			workspace_id BIGINT NOT NULL REFERENCES workspaces (id),
			section TEXT NOT NULL,
			answers TEXT NOT NULL,
			updated_by BIGINT NOT NULL REFERENCES users (id),
			updated_at TEXT NOT NULL,
			UNIQUE (workspace_id, section)
		)`),
	}
}

// HasUsers reports whether any account exists: first-run setup is offered
// only while none does.
func (c *conn) HasUsers(ctx context.Context) (bool, error) {
	var n int
	if err := c.queryRow(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM users LIMIT 1) u`).Scan(&n); err != nil {
		return false, fmt.Errorf("store: any users: %w", err)
	}
	return n > 0, nil
}

// CreateSetupToken stores a setup token's hash.
func (t *Tx) CreateSetupToken(ctx context.Context, k SetupToken) error {
	_, err := t.exec(ctx, `INSERT INTO setup_tokens (token_hash, created_at, expires_at) VALUES (?, ?, ?)`,
		k.Hash, ts(k.Created), ts(k.Expires))
	if err != nil {
		return fmt.Errorf("store: create setup token: %w", conflict(err))
	}
	return nil
}

// SetupTokenByHash returns the setup token of a hash, whatever its state.
func (c *conn) SetupTokenByHash(ctx context.Context, hash string) (SetupToken, error) {
	var k SetupToken
	var created, expires string
	var used sql.NullString
	err := c.queryRow(ctx, `SELECT token_hash, created_at, expires_at, used_at FROM setup_tokens WHERE token_hash = ?`, hash).
		Scan(&k.Hash, &created, &expires, &used)
	if err != nil {
		return k, fmt.Errorf("store: setup token: %w", notFound(err))
	}
	if k.Created, err = parseTS(created); err != nil {
		return k, err
	}
	if k.Expires, err = parseTS(expires); err != nil {
		return k, err
	}
	k.Used, err = parseNTS(used)
	return k, err
}

// UseSetupToken marks the token of hash used and retires every other
// unused one, so that of two setups racing, with one token or with tokens
// two servers printed, one wins: the loser finds its token used
// (ErrConflict) and changes nothing.
func (t *Tx) UseSetupToken(ctx context.Context, hash string, now time.Time) error {
	err := mustAffect(t.exec(ctx, `UPDATE setup_tokens SET used_at = ? WHERE token_hash = ? AND used_at IS NULL`, ts(now), hash))
	if errors.Is(err, ErrNotFound) {
		err = ErrConflict
	}
	if err != nil {
		return fmt.Errorf("store: use setup token: %w", err)
	}
	if _, err := t.exec(ctx, `UPDATE setup_tokens SET used_at = ? WHERE used_at IS NULL`, ts(now)); err != nil {
		return fmt.Errorf("store: retire setup tokens: %w", err)
	}
	return nil
}

// SetupAnswersOf returns the saved sections of a workspace's guided setup.
func (c *conn) SetupAnswersOf(ctx context.Context, workspaceID int64) ([]SetupAnswers, error) {
	out, err := collect(ctx, c, func(row rowScanner) (SetupAnswers, error) {
		var a SetupAnswers
		var sealed, updated string
		if err := row.Scan(&a.WorkspaceID, &a.Section, &sealed, &a.UpdatedBy, &updated); err != nil {
			return a, err
		}
		var err error
		if a.Answers, err = c.open(fieldSetupAnswers, sealed); err != nil {
			return a, err
		}
		a.Updated, err = parseTS(updated)
		return a, err
	}, `SELECT workspace_id, section, answers, updated_by, updated_at FROM setup_answers WHERE workspace_id = ? ORDER BY section`, workspaceID)
	if err != nil {
		return nil, fmt.Errorf("store: setup answers of workspace %d: %w", workspaceID, err)
	}
	return out, nil
}

// PutSetupAnswers saves one section's answers, replacing what it held.
func (t *Tx) PutSetupAnswers(ctx context.Context, a SetupAnswers) error {
	sealed, err := t.seal(fieldSetupAnswers, a.Answers)
	if err != nil {
		return fmt.Errorf("store: save setup answers of workspace %d: %w", a.WorkspaceID, err)
	}
	_, err = t.exec(ctx, `INSERT INTO setup_answers (workspace_id, section, answers, updated_by, updated_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (workspace_id, section) DO UPDATE SET answers = excluded.answers, updated_by = excluded.updated_by,
		updated_at = excluded.updated_at`, a.WorkspaceID, a.Section, sealed, a.UpdatedBy, ts(a.Updated))
	if err != nil {
		return fmt.Errorf("store: save setup answers of workspace %d: %w", a.WorkspaceID, err)
	}
	return nil
}
