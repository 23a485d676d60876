package web

import (
	"time"

	"rcmguard/internal/app"
)

// maxModelUpload bounds a YAML import.
const maxModelUpload = app.MaxModelSize

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
