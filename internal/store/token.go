package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// APIToken lets automation act as a user in one workspace. Only the hash of
// the token is stored.
type APIToken struct {
	ID          int64
	Hash        string
	UserID      int64
	WorkspaceID int64
	Name        string
	Created     time.Time
	LastUsed    time.Time
	Expires     time.Time
}

const tokenCols = `id, token_hash, user_id, workspace_id, name, created_at, last_used_at, expires_at`

func scanToken(row rowScanner) (APIToken, error) {
	var k APIToken
	var created, expires string
	var used sql.NullString
	if err := row.Scan(&k.ID, &k.Hash, &k.UserID, &k.WorkspaceID, &k.Name, &created, &used, &expires); err != nil {
		return k, err
	}
	var err error
	if k.Created, err = parseTS(created); err != nil {
		return k, err
	}
	if k.LastUsed, err = parseNTS(used); err != nil {
		return k, err
	}
	k.Expires, err = parseTS(expires)
	return k, err
}

// CreateAPIToken stores a token and returns it with its ID.
func (t *Tx) CreateAPIToken(ctx context.Context, k APIToken) (APIToken, error) {
	id, err := t.insertID(ctx, `INSERT INTO api_tokens (token_hash, user_id, workspace_id, name, created_at, last_used_at, expires_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, k.Hash, k.UserID, k.WorkspaceID, k.Name, ts(k.Created), nts(k.LastUsed), ts(k.Expires))
	if err != nil {
		return k, fmt.Errorf("store: create api token %q: %w", k.Name, conflict(err))
	}
	k.ID = id
	return k, nil
}

// APITokenByHash returns the token whose secret hashes to hash.
func (c *conn) APITokenByHash(ctx context.Context, hash string) (APIToken, error) {
	k, err := scanToken(c.queryRow(ctx, `SELECT `+tokenCols+` FROM api_tokens WHERE token_hash = ?`, hash))
	if err != nil {
		return k, fmt.Errorf("store: api token: %w", notFound(err))
	}
	return k, nil
}

// APITokens lists a workspace's tokens by name.
func (c *conn) APITokens(ctx context.Context, workspaceID int64) ([]APIToken, error) {
	out, err := collect(ctx, c, scanToken, `SELECT `+tokenCols+` FROM api_tokens WHERE workspace_id = ? ORDER BY name, id`, workspaceID)
	if err != nil {
		return nil, fmt.Errorf("store: api tokens of workspace %d: %w", workspaceID, err)
	}
	return out, nil
}

// DeleteAPIToken revokes a token of the given workspace.
func (t *Tx) DeleteAPIToken(ctx context.Context, workspaceID, id int64) error {
	if err := mustAffect(t.exec(ctx, `DELETE FROM api_tokens WHERE workspace_id = ? AND id = ?`, workspaceID, id)); err != nil {
		return fmt.Errorf("store: delete api token %d: %w", id, err)
	}
	return nil
}

// TouchAPIToken records a token's last use (not audited, like TouchSession).
func (s *Store) TouchAPIToken(ctx context.Context, id int64, at time.Time) error {
	if _, err := s.db.ExecContext(ctx, s.d.rebind(`UPDATE api_tokens SET last_used_at = ? WHERE id = ?`), ts(at), id); err != nil {
		return fmt.Errorf("store: touch api token %d: %w", id, err)
	}
	return nil
}
