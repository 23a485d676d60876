package app_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"rcmguard/internal/app"
	"rcmguard/internal/auth"
	"rcmguard/internal/model"
)

// TestImportRefusalKinds: a model refused by a limit against hostile files
// is ErrTooLarge (413 on the web), one refused for its content ErrInvalid
// (422); neither saves anything.
func TestImportRefusalKinds(t *testing.T) {
	f := newFixture(t, t.TempDir()+"/rcmguard.db")
	who, ws := f.as(t, auth.RoleOwner)
	ctx := context.Background()
	before, _, _, err := f.a.CurrentModel(ctx, f.ws)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		yaml string
		kind error
	}{
		{"too many nodes", "systems: [" + strings.Repeat("a,", model.MaxNodes) + "a]\n", app.ErrTooLarge},
		{"nested too deep", "organization: " + strings.Repeat("[", 70) + strings.Repeat("]", 70) + "\n", app.ErrInvalid},
		{"invalid", "version: 1\norganization: {}\n", app.ErrInvalid},
	} {
		_, err := f.a.ImportModel(ctx, who, ws, []byte(tc.yaml), app.AnyRevision)
		if !errors.Is(err, tc.kind) {
			t.Errorf("%s: error %v, want kind %v", tc.name, err, tc.kind)
		}
	}
	after, _, _, err := f.a.CurrentModel(ctx, f.ws)
	if err != nil {
		t.Fatal(err)
	}
	if after.Revision != before.Revision {
		t.Errorf("revision moved from %d to %d: a refused import saved something", before.Revision, after.Revision)
	}
}
