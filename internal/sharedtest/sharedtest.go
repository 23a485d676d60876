// Package sharedtest finds the public sample data that lives beside the
// repository in ../shared/testdata (the development and CI layout). A user's
// clone has no such directory: tests that need it skip with a one-line hint
// instead of failing, unless RCMGUARD_REQUIRE_SHARED is set (as .ci/run sets
// it), in which case a missing sample is a failure so that CI never passes
// by skipping.
//
// Only tests import this package.
package sharedtest

import (
	"os"
	"path/filepath"
	"sync"
	"testing"
)

// RequireEnv names the environment variable that turns a missing sample
// into a test failure.
const RequireEnv = "RCMGUARD_REQUIRE_SHARED"

var root = sync.OnceValue(func() string {
	dir, err := os.Getwd()
	if err != nil {
		return ""
	}
	// Walk up to the module root (the directory holding go.mod); the shared
	// tree is its sibling.
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(filepath.Dir(dir), "shared", "testdata")
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
})

// Read returns the bytes of ../shared/testdata/<rel> when present, and nil
// otherwise, without skipping: for optional fuzz seeds.
func Read(rel string) []byte {
	r := root()
	if r == "" {
		return nil
	}
	b, err := os.ReadFile(filepath.Join(r, filepath.FromSlash(rel)))
	if err != nil {
		return nil
	}
	return b
}

// Path returns ../shared/testdata/<rel> beside the repository (a file or a
// directory), or skips the test — fails it under RCMGUARD_REQUIRE_SHARED —
// when it is absent.
func Path(t testing.TB, rel string) string {
	t.Helper()
	r := root()
	p := filepath.Join(r, filepath.FromSlash(rel))
	if r != "" {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	msg := "needs ../shared/testdata/" + rel + " beside the repository (public samples; CI has them)"
	if os.Getenv(RequireEnv) != "" {
		t.Fatalf("%s: missing and %s is set", msg, RequireEnv)
	}
	t.Skip(msg)
	return ""
}
