package web

import (
	"context"
	"time"

	"rcmguard/internal/app"
	"rcmguard/internal/audit"
	"rcmguard/internal/store"
)

// maxModelUpload bounds a YAML import.
const maxModelUpload = app.MaxModelSize

// audit appends an entry for the signed-in user in the current workspace,
// for the flows that write through the store themselves (invitations and
// adding a member) rather than through the application.
func (s *Server) audit(ctx context.Context, tx *store.Tx, c *call, action audit.Action, object string, details map[string]any) error {
	_, err := s.log.Append(ctx, tx, audit.Event{At: s.now(), Actor: audit.UserActor(c.User.ID), WorkspaceID: c.WS.ID,
		Action: action, Object: object, Details: details})
	return err
}

// today is the current date at midnight UTC, what due dates compare to.
func (s *Server) today() time.Time { return s.app.Today() }

// overdue reports whether a YYYY-MM-DD due date is before today.
func (s *Server) overdue(due string) bool {
	t, err := time.Parse(time.DateOnly, due)
	return err == nil && t.Before(s.today())
}

// parseFormDate reads a YYYY-MM-DD date typed in a form, the zero time
// for nothing typed.
func parseFormDate(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	return time.Parse(time.DateOnly, s)
}
