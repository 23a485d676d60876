package seal

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// TestKeyFilePermissions: a key file that group or others may read or
// write is refused, naming the file, its mode and the chmod that fixes it,
// unless the caller allows it, and then only after a warning. Before the
// fix any readable file was used without a word.
func TestKeyFilePermissions(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("mode bits do not describe access on Windows")
	}
	data := FormatKeyFile(NewKeyring(mustKey(t)))
	dir := t.TempDir()
	for _, tc := range []struct {
		mode os.FileMode
		ok   bool
	}{{0o600, true}, {0o400, true}, {0o640, false}, {0o604, false}, {0o644, false}, {0o620, false}, {0o660, false}, {0o666, false}} {
		path := filepath.Join(dir, "key-"+tc.mode.String())
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(path, tc.mode); err != nil {
			t.Fatal(err)
		}
		_, err := LoadKeyFile(path)
		if tc.ok {
			if err != nil {
				t.Errorf("mode %04o: %v; want it loaded", tc.mode, err)
			}
			continue
		}
		var pe *PermissionError
		if !errors.As(err, &pe) || pe.Path != path || pe.Mode.Perm() != tc.mode {
			t.Fatalf("mode %04o: %v; want a PermissionError", tc.mode, err)
		}
		msg := err.Error()
		if !strings.Contains(msg, path) || !strings.Contains(msg, "chmod 600 "+path) || !strings.Contains(msg, "mode 0"+octal(tc.mode)) {
			t.Errorf("mode %04o: message %q lacks the file, its mode or the chmod", tc.mode, msg)
		}
		// Through Load too, from the flag and from the environment.
		if _, err := Load(path, func(string) string { return "" }); !errors.As(err, &pe) {
			t.Errorf("Load(%04o): %v", tc.mode, err)
		}
		env := map[string]string{"RCMGUARD_KEY_FILE": path}
		if _, err := Load("", func(k string) string { return env[k] }); !errors.As(err, &pe) {
			t.Errorf("Load from RCMGUARD_KEY_FILE (%04o): %v", tc.mode, err)
		}
		var warned []*PermissionError
		kr, err := Load(path, func(string) string { return "" }, AllowInsecurePermissions(func(p *PermissionError) { warned = append(warned, p) }))
		if err != nil || kr == nil || len(warned) != 1 || warned[0].Path != path {
			t.Errorf("allowed insecure %04o: %v, warnings %v", tc.mode, err, warned)
		}
	}
	// A symbolic link is judged by the file it points to.
	target := filepath.Join(dir, "key-target")
	os.WriteFile(target, data, 0o600)
	os.Chmod(target, 0o644)
	link := filepath.Join(dir, "key-link")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	var pe *PermissionError
	if _, err := LoadKeyFile(link); !errors.As(err, &pe) {
		t.Errorf("link to a 0644 key file: %v; want a PermissionError", err)
	}
}

func octal(m os.FileMode) string {
	const digits = "01234567"
	p := uint32(m.Perm())
	return string([]byte{digits[p>>6&7], digits[p>>3&7], digits[p&7]})
}

func TestKeyFileTooLarge(t *testing.T) {
	path := filepath.Join(t.TempDir(), "key")
	if err := os.WriteFile(path, []byte(strings.Repeat("#\n", maxKeyFile)), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadKeyFile(path); err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Fatalf("huge key file: %v", err)
	}
}
