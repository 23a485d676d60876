package web

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"rcmguard/internal/model"
)

// TestModelRefusalStatuses: a model refused for its size answers 413, one
// refused for its content 422, and a load that found every parse slot taken
// 503 (with Retry-After, set where the error is rendered).
func TestModelRefusalStatuses(t *testing.T) {
	_, tooLarge := model.Load("m.yaml", []byte("systems: ["+strings.Repeat("a,", model.MaxNodes)+"a]\n"))
	_, invalid := model.Load("m.yaml", []byte("organization: "+strings.Repeat("[", 70)+strings.Repeat("]", 70)+"\n"))
	for name, c := range map[string]struct {
		got, want int
	}{
		"too large": {modelStatus(tooLarge), http.StatusRequestEntityTooLarge},
		"invalid":   {modelStatus(invalid), http.StatusUnprocessableEntity},
		"busy":      {statusOf(fmt.Errorf("web: stored model: %w", model.ErrBusy)), http.StatusServiceUnavailable},
	} {
		if c.got != c.want {
			t.Errorf("%s: status %d, want %d", name, c.got, c.want)
		}
	}
}
