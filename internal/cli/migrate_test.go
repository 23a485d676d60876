package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestMigrateAddsVersionInPlace(t *testing.T) {
	data, err := os.ReadFile(practiceModel)
	if err != nil {
		t.Fatal(err)
	}
	without := strings.Replace(string(data), "version: 3\n", "", 1)
	path := filepath.Join(t.TempDir(), "ops.yaml")
	if err := os.WriteFile(path, []byte(without), 0o644); err != nil {
		t.Fatal(err)
	}
	st, out, errs := runCLI("migrate", path, "--in-place")
	if st != exitOK || !strings.Contains(out, path+": version 1 → 3,") || !strings.Contains(out, "added `version: 3`") {
		t.Fatalf("status %d, stdout %q, stderr %q", st, out, errs)
	}
	// Read as version 1, the example's systems that leave their idle
	// timeout out get the "none" version 1 meant; nothing else changes.
	got, _ := os.ReadFile(path)
	kept := strings.ReplaceAll(string(got), "    auto_logoff_minutes: 0\n", "")
	if kept != string(data) || !strings.Contains(string(got), "auto_logoff_minutes: 0") {
		t.Errorf("rewritten file differs from the example it was made from by more than the timeouts version 1 assumed:\n%s", got)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o644 {
		t.Errorf("mode %v; the rewrite kept 0644", fi.Mode().Perm())
	}
}

// TestMigrateCurrentFile: `rcmguard init` writes the current version, and
// migrating it changes nothing; without -o the model goes to standard
// output and the summary to standard error.
func TestMigrateCurrentFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ops.yaml")
	if st, _, errs := runCLI("init", "--template", "billing-company", path); st != exitOK {
		t.Fatalf("init: %d %s", st, errs)
	}
	before, _ := os.ReadFile(path)
	st, out, errs := runCLI("migrate", path)
	if st != exitOK || out != string(before) || !strings.Contains(errs, "already version 3; nothing to change") {
		t.Fatalf("status %d, stderr %q, stdout the file: %v", st, errs, out == string(before))
	}
	if st, out, _ := runCLI("migrate", path, "--in-place"); st != exitOK || !strings.Contains(out, "nothing to change") {
		t.Fatalf("in place: %d %q", st, out)
	}
	dest := filepath.Join(t.TempDir(), "copy.yaml")
	if st, _, errs := runCLI("migrate", path, "-o", dest); st != exitOK {
		t.Fatalf("-o: %d %s", st, errs)
	}
	if copied, _ := os.ReadFile(dest); string(copied) != string(before) {
		t.Error("-o did not write the model")
	}
}

// TestMigrateRefuses: bad usage and bad input exit 2 with the reason and
// write nothing.
func TestMigrateRefuses(t *testing.T) {
	dir := t.TempDir()
	data, err := os.ReadFile(practiceModel)
	if err != nil {
		t.Fatal(err)
	}
	newer := filepath.Join(dir, "newer.yaml")
	os.WriteFile(newer, []byte(strings.Replace(string(data), "version: 3", "version: 9", 1)), 0o600)
	invalid := filepath.Join(dir, "invalid.yaml")
	os.WriteFile(invalid, []byte(strings.Replace(strings.Replace(string(data), "version: 3\n", "", 1), "kind: provider_practice", "kind: hospital", 1)), 0o600)
	out := filepath.Join(dir, "out.yaml")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"migrate", newer, "-o", out}, "newer.yaml:5:10: version: unsupported version 9: this rcmguard reads model versions 1 to 3, so a newer rcmguard wrote this file; upgrade rcmguard to read it"},
		{[]string{"migrate", invalid, "-o", out}, `organization.kind: unknown value "hospital"`},
		{[]string{"migrate", invalid, "--in-place"}, "is not a valid model (1 problem); nothing was written"},
		{[]string{"migrate", filepath.Join(dir, "missing.yaml"), "-o", out}, "no such file"},
		{[]string{"migrate", practiceModel, "-o", out, "--in-place"}, "use -o OUT or --in-place, not both"},
		{[]string{"migrate"}, "want exactly one model file"},
	} {
		st, _, errs := runCLI(tc.args...)
		if st != exitInvalid || !strings.Contains(errs, tc.want) {
			t.Errorf("%v: status %d, stderr %q; want %d and %q", tc.args, st, errs, exitInvalid, tc.want)
		}
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("a refused migration wrote %s", out)
	}
	if got, _ := os.ReadFile(invalid); strings.Contains(string(got), "version: 3") {
		t.Error("the invalid file was rewritten")
	}
}
