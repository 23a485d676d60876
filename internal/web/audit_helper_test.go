package web

import (
	"context"

	"rcmguard/internal/audit"
	"rcmguard/internal/store"
)

// audit appends an entry for a page's user in its workspace, for tests
// that change the store directly (every change of the server itself goes
// through internal/app, which writes its own entries).
func (s *Server) audit(ctx context.Context, tx *store.Tx, c *call, action audit.Action, object string, details map[string]any) error {
	_, err := s.log.Append(ctx, tx, audit.Event{At: s.now(), Actor: audit.UserActor(c.User.ID), WorkspaceID: c.WS.ID,
		Action: action, Object: object, Details: details})
	return err
}
