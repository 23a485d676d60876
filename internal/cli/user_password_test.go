package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestUserPasswordRefusalSaysWhy: user add and user reset refuse a weak
// password with the reason, and create or change nothing.
func TestUserPasswordRefusalSaysWhy(t *testing.T) {
	c := newStoreCLI(t, filepath.Join(t.TempDir(), "rcmguard.db"))
	c.addUser("jane@example.org", "Sunny Valley Clinic", "owner")
	for _, tc := range []struct {
		args   []string
		pw     string
		reason string
	}{
		{[]string{"user", "add", "bob@example.org", "--workspace", "Sunny Valley Clinic", "--role", "contributor"},
			"qwertyuiopasdfgh", "a keyboard pattern"},
		{[]string{"user", "add", "bob@example.org", "--workspace", "Sunny Valley Clinic", "--role", "contributor"},
			"bob@example.orgbob@example.org", "contains your e-mail address"},
		{[]string{"user", "reset", "jane@example.org"}, "Summer2026Summer2026!", "a common season/year pattern"},
		{[]string{"user", "reset", "jane@example.org"}, "aaaaaaaaaaaaaab", "a repeated word"},
	} {
		file := filepath.Join(c.dir, "new.pw")
		if err := os.WriteFile(file, []byte(tc.pw+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		st, out, errs := c.db(append(tc.args, "--password-file", file)...)
		if st != exitInvalid || out != "" || !strings.Contains(errs, tc.reason) || strings.Contains(errs, tc.pw) {
			t.Errorf("%s with %q: status %d, stdout %q, stderr %q; want 2 and the reason %q without the password",
				tc.args[1], tc.pw, st, out, errs, tc.reason)
		}
	}
	if st, out, _ := c.db("user", "list"); st != exitOK || !strings.Contains(out, "jane@example.org") || strings.Contains(out, "bob@") {
		t.Errorf("user list after refused passwords: %d %q; want no account for bob", st, out)
	}
}
