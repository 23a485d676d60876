package app

import (
	"errors"
	"strings"
)

// The kinds of failure callers branch on. A use case returns one of them,
// wrapped, or an *Error of that kind with a message for the person; any
// other error is internal. The web maps each kind to one HTTP status, in
// one place, for the pages and the API alike.
var (
	// ErrNotFound: the thing does not exist, or not for this actor (a
	// workspace they are not a member of is not found, so IDs cannot be
	// probed).
	ErrNotFound = errors.New("app: not found")
	// ErrForbidden: the actor's role, expired access or assignments do not
	// allow this.
	ErrForbidden = errors.New("app: forbidden")
	// ErrInvalid: the input is well-formed but breaks a rule; the message
	// and fields say which.
	ErrInvalid = errors.New("app: invalid")
	// ErrConflict: the state changed since the actor looked, or does not
	// allow this now (a signed-off assessment, a model saved meanwhile).
	ErrConflict = errors.New("app: conflict")
	// ErrMalformed: the request holds what no form or client of ours
	// sends (a choice that was not offered, a field that does not parse).
	ErrMalformed = errors.New("app: malformed request")
	// ErrTooLarge: an upload over its limit.
	ErrTooLarge = errors.New("app: too large")
	// ErrUnsupported: an upload of a kind that is not accepted.
	ErrUnsupported = errors.New("app: unsupported")
)

// Error is a failure a person may read about. Msg is written for them and
// shown as it is; Err is the cause, which is logged and never shown. Field
// names the input Msg is about ("" when it is about the request as a
// whole), so that a form can show it beside that input.
type Error struct {
	Kind  error // one of the Err* kinds above
	Msg   string
	Field string
	Err   error
}

func (e *Error) Error() string {
	s := "app: " + e.Msg
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap makes errors.Is see both the kind and the cause.
func (e *Error) Unwrap() []error {
	var out []error
	for _, err := range []error{e.Kind, e.Err} {
		if err != nil {
			out = append(out, err)
		}
	}
	return out
}

// Errors is several problems with one request, each about its own field:
// a form refused as a whole. Its kind is that of its first problem.
type Errors []*Error

func (es Errors) Error() string {
	msgs := make([]string, len(es))
	for i, e := range es {
		msgs[i] = e.Field + ": " + e.Msg
	}
	return "app: " + strings.Join(msgs, "; ")
}

func (es Errors) Unwrap() []error {
	out := make([]error, len(es))
	for i, e := range es {
		out[i] = e
	}
	return out
}

// ByField returns the messages by field, the first for each, for a form.
func (es Errors) ByField() map[string]string {
	m := map[string]string{}
	for _, e := range es {
		if _, ok := m[e.Field]; !ok {
			m[e.Field] = e.Msg
		}
	}
	return m
}

// invalid is a user-readable refusal of one field's value.
func invalid(field, msg string) *Error { return &Error{Kind: ErrInvalid, Field: field, Msg: msg} }

// Message returns what a person may read about err: the message of the
// first *Error in it, or "" when it carries none (the caller then says
// something generic for its kind).
func Message(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Msg
	}
	return ""
}
