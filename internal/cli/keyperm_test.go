package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestKeyFilePermissionsRefused: every command that reads the data key
// (they share dbFlags.open and keyring; serve is left out only because a
// regression would leave it serving instead of failing) refuses a key file that group or others may read, from --key-file, from
// RCMGUARD_KEY_FILE and as keys rotate's new key file, saying which file,
// its mode and the chmod to run; --insecure-key-permissions uses it with a
// warning. Before the fix the file was used without a word.
func TestKeyFilePermissionsRefused(t *testing.T) {
	c := newStoreCLI(t, t.TempDir()+"/rcmguard.db")
	c.addUser("dana@example.org", "Riverbend", "owner")
	if err := os.Chmod(c.key, 0o644); err != nil {
		t.Fatal(err)
	}
	refused := func(what string, status int, errs string) {
		t.Helper()
		for _, want := range []string{c.key, "mode 0644", "chmod 600 " + c.key, "--insecure-key-permissions"} {
			if !strings.Contains(errs, want) {
				t.Errorf("%s: error lacks %q:\n%s", what, want, errs)
			}
		}
		if status != exitInvalid {
			t.Errorf("%s: exit %d; want %d", what, status, exitInvalid)
		}
	}
	for _, args := range [][]string{
		{"audit", "verify"},
		{"user", "list"},
		{"backup", "-o", filepath.Join(c.dir, "b.rcmg")},
		{"user", "add", "eli@example.org", "--workspace", "Riverbend", "--role", "auditor", "--password-file", "-"},
	} {
		status, _, errs := c.db(args...)
		refused(strings.Join(args[:2], " "), status, errs)
	}
	t.Setenv("RCMGUARD_KEY_FILE", c.key)
	status, _, errs := c.run("audit", "verify", "--db", c.dsn)
	refused("RCMGUARD_KEY_FILE", status, errs)
	t.Setenv("RCMGUARD_KEY_FILE", "")

	status, out, errs := c.db("audit", "verify", "--insecure-key-permissions")
	if status != exitOK || !strings.Contains(out, "intact") || !strings.Contains(errs, "warning") || !strings.Contains(errs, "chmod 600 "+c.key) {
		t.Fatalf("--insecure-key-permissions: %d %s %s", status, out, errs)
	}

	// keys rotate checks the new key file as well.
	os.Chmod(c.key, 0o600)
	next := filepath.Join(c.dir, "next.key")
	if st, _, errs := c.run("keys", "generate", "-o", next); st != exitOK {
		t.Fatal(errs)
	}
	os.Chmod(next, 0o640)
	status, _, errs = c.db("keys", "rotate", "--new-key-file", next)
	if status != exitInvalid || !strings.Contains(errs, next) || !strings.Contains(errs, "mode 0640") {
		t.Errorf("keys rotate with an open new key file: %d %s", status, errs)
	}
	if st, out := c.verify(); st != exitOK {
		t.Errorf("after the refused rotation: %d %s", st, out)
	}
}
