package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"rcmguard/internal/app"
	"rcmguard/internal/auth"
	"rcmguard/internal/model"
	"rcmguard/internal/store"
)

// TestStatusOfKinds: one mapping from a failure's kind to its status, for
// the pages and the API, whatever wraps it.
func TestStatusOfKinds(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want int
	}{
		{app.ErrNotFound, http.StatusNotFound},
		{fmt.Errorf("x: %w", store.ErrNotFound), http.StatusNotFound},
		{&app.Error{Kind: app.ErrForbidden, Msg: "no", Err: auth.ErrForbidden}, http.StatusForbidden},
		{fmt.Errorf("x: %w", auth.ErrForbidden), http.StatusForbidden},
		{app.ErrMalformed, http.StatusBadRequest},
		{app.Errors{{Kind: app.ErrInvalid, Field: "name", Msg: "Name it."}}, http.StatusUnprocessableEntity},
		// A name taken is the person's to fix, not a conflict to retry.
		{&app.Error{Kind: app.ErrInvalid, Msg: "taken", Err: store.ErrConflict}, http.StatusUnprocessableEntity},
		{&app.Error{Kind: app.ErrInvalid, Err: model.ErrorList{}}, http.StatusUnprocessableEntity},
		{app.ErrNoModel, http.StatusConflict},
		{fmt.Errorf("x: %w", store.ErrImmutable), http.StatusConflict},
		{app.ModelTooLarge(), http.StatusRequestEntityTooLarge},
		{&app.Error{Kind: app.ErrUnsupported}, http.StatusUnsupportedMediaType},
		{errors.New("disk full"), http.StatusInternalServerError},
	} {
		if got := statusOf(tc.err); got != tc.want {
			t.Errorf("statusOf(%v) = %d; want %d", tc.err, got, tc.want)
		}
	}
}

// TestPagesSayWhatTheApplicationSays: a refusal the application explains
// is shown with its explanation, not only the generic message of its
// status.
func TestPagesSayWhatTheApplicationSays(t *testing.T) {
	e := newTestEnv(t, filepath.Join(t.TempDir(), "rcmguard.db"))
	x := e.idsOf("A")
	p := x.path("/w/{ws}/risks/{risk}")
	b := e.signIn("A:contributor")
	b.get(p)
	resp, body := b.post(p, url.Values{"status": {"accepted"}, "justification": {"VPN only"}, "expires": {"2027-06-30"}})
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "Only an owner or compliance officer may accept a risk.") {
		t.Errorf("a contributor accepting a risk: %d; want 403 saying who may", resp.StatusCode)
	}
}
