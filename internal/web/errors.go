package web

import (
	"errors"
	"net/http"

	"rcmguard/internal/app"
	"rcmguard/internal/audit"
	"rcmguard/internal/auth"
	"rcmguard/internal/model"
	"rcmguard/internal/store"
)

// The kinds of failure a handler returns, as the application names them;
// anything else is an internal error.
var (
	errNotFound  = app.ErrNotFound
	errForbidden = app.ErrForbidden
	errBadInput  = app.ErrMalformed
)

// busyRetryAfter is the Retry-After of a 503: model.Load gives up after
// waiting five seconds for a parse slot.
const busyRetryAfter = "5"

// statusOf maps an error to the HTTP status of its kind: the one place
// that does, for the pages and the API alike.
func statusOf(err error) int {
	switch {
	case errors.Is(err, app.ErrNotFound), errors.Is(err, store.ErrNotFound):
		return http.StatusNotFound
	case errors.Is(err, app.ErrForbidden), errors.Is(err, auth.ErrForbidden):
		return http.StatusForbidden
	case errors.Is(err, app.ErrMalformed):
		return http.StatusBadRequest
	case errors.Is(err, app.ErrInvalid):
		return http.StatusUnprocessableEntity
	case errors.Is(err, app.ErrTooLarge):
		return http.StatusRequestEntityTooLarge
	case errors.Is(err, app.ErrUnsupported):
		return http.StatusUnsupportedMediaType
	case errors.Is(err, app.ErrConflict), errors.Is(err, store.ErrConflict), errors.Is(err, store.ErrImmutable):
		return http.StatusConflict
	case errors.Is(err, auth.ErrBusy):
		return http.StatusTooManyRequests
	case errors.Is(err, audit.ErrChainBroken), errors.Is(err, model.ErrBusy):
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

// actor is the signed-in user of a page as the application knows them.
func (c *call) actor() app.Actor { return app.Actor{User: c.User, Via: app.ViaWeb} }

// scope is the workspace of a page as the route's policy entered it.
func (c *call) scope() app.Scope { return app.Scope{WS: c.WS, Member: c.Member, Assigned: c.Assigned} }
