package cli

import (
	"bytes"
	"context"
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"rcmguard/internal/audit"
	"rcmguard/internal/seal"
	"rcmguard/internal/store"
	"rcmguard/internal/store/storetest"
)

const testPassword = "violet kettles hum at dawn"

// storeCLI runs commands against one database with one key file.
type storeCLI struct {
	t   *testing.T
	dir string
	dsn string
	key string
}

func newStoreCLI(t *testing.T, dsn string) *storeCLI {
	t.Setenv("RCMGUARD_KEY", "")
	t.Setenv("RCMGUARD_KEY_FILE", "")
	t.Setenv("RCMGUARD_DB", "")
	c := &storeCLI{t: t, dir: t.TempDir(), dsn: dsn}
	c.key = filepath.Join(c.dir, "rcmguard.key")
	if st, out, errs := c.run("keys", "generate", "-o", c.key); st != exitOK || !strings.Contains(out, "written") {
		t.Fatalf("keys generate: %d %s %s", st, out, errs)
	}
	if fi, err := os.Stat(c.key); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode: %v %v", fi.Mode(), err)
	}
	return c
}

func (c *storeCLI) run(args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	st := Main(args, strings.NewReader(testPassword+"\n"), &out, &errb)
	return st, out.String(), errb.String()
}

// db runs a command with --db and --key-file added.
func (c *storeCLI) db(args ...string) (int, string, string) {
	return c.run(append(args, "--db", c.dsn, "--key-file", c.key)...)
}

func (c *storeCLI) addUser(email, workspace, role string) string {
	c.t.Helper()
	st, out, errs := c.db("user", "add", email, "--workspace", workspace, "--role", role, "--password-file", "-")
	if st != exitOK {
		c.t.Fatalf("user add %s: status %d: %s", email, st, errs)
	}
	return strings.TrimSpace(out)
}

func (c *storeCLI) verify() (int, string) {
	st, out, errs := c.db("audit", "verify")
	return st, out + errs
}

func (c *storeCLI) open(key string) *store.Store {
	c.t.Helper()
	kr, err := seal.LoadKeyFile(key)
	if err != nil {
		c.t.Fatal(err)
	}
	return storetest.Open(c.t, c.dsn, kr)
}

func TestUserAddAndAuditVerify(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dsn string) {
		c := newStoreCLI(t, dsn)
		uri := c.addUser("Jane@Example.org", "Sunny Valley Clinic", "owner")
		u, err := url.Parse(uri)
		if err != nil || u.Scheme != "otpauth" || u.Query().Get("secret") == "" {
			t.Fatalf("user add printed %q; want an otpauth URI", uri)
		}
		if st, out := c.verify(); st != exitOK || !strings.Contains(out, "intact: 2 entries") {
			t.Fatalf("audit verify: %d %s", st, out)
		}
		if st, _, errs := c.db("user", "add", "bob@example.org", "--workspace", "W", "--role", "owner", "--password-file", "-", "--expires", "soon"); st != exitInvalid || strings.Contains(errs, testPassword) {
			t.Fatalf("bad --expires: %d %s", st, errs)
		}
		pw := filepath.Join(c.dir, "pw")
		os.WriteFile(pw, []byte("passwordpassword\n"), 0o600)
		if st, _, errs := c.db("user", "add", "bob@example.org", "--workspace", "W", "--role", "owner", "--password-file", pw); st != exitInvalid || !strings.Contains(errs, "common") {
			t.Fatalf("weak password: %d %s", st, errs)
		}
		if st, _, errs := c.run("user", "add", "bob@example.org", "--workspace", "W", "--role", "owner", "--password-file", "-", "--db", dsn); st != exitInvalid || !strings.Contains(errs, "keys generate") {
			t.Fatalf("no key: %d %s", st, errs)
		}
		// Tamper with the log: verify names the entry.
		st := c.open(c.key)
		drop := `DROP TRIGGER audit_log_no_update`
		if st.Postgres() {
			drop += ` ON audit_log`
		}
		if _, err := st.DB().Exec(drop); err != nil {
			t.Fatal(err)
		}
		if _, err := st.DB().Exec(`UPDATE audit_log SET details = '{}' WHERE seq = 2`); err != nil {
			t.Fatal(err)
		}
		if code, out := c.verify(); code != exitFailOn || !strings.Contains(out, "first bad entry 2") {
			t.Fatalf("audit verify after tampering: %d %s", code, out)
		}
	})
}

func TestBackupRestoreRoundTrip(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dsn string) {
		c := newStoreCLI(t, dsn)
		uri := c.addUser("jane@example.org", "Clinic", "owner")
		secret := mustQuery(t, uri, "secret")
		backup := filepath.Join(c.dir, "backup.rcmg")
		st, out, errs := c.db("backup", "-o", backup)
		if st != exitOK || !strings.Contains(out, "sha256: ") {
			t.Fatalf("backup: %d %s %s", st, out, errs)
		}
		raw, _ := os.ReadFile(backup)
		if bytes.Contains(raw, []byte(secret)) || bytes.Contains(raw, []byte("jane@example.org")) {
			t.Fatal("backup holds plaintext")
		}
		if st, _, _ := c.db("backup", "-o", backup); st != exitInvalid {
			t.Fatal("backup overwrote an existing file")
		}
		c.addUser("bob@example.org", "Clinic", "contributor")

		// A tampered backup is refused and changes nothing.
		bad := filepath.Join(c.dir, "bad.rcmg")
		tampered := bytes.Clone(raw)
		tampered[len(tampered)/2] ^= 0x20
		os.WriteFile(bad, tampered, 0o600)
		if st, _, errs := c.db("restore", bad); st != exitFailOn || !strings.Contains(errs, "nothing was changed") {
			t.Fatalf("restore of a tampered backup: %d %s", st, errs)
		}
		if _, err := c.open(c.key).UserByEmail(context.Background(), "bob@example.org"); err != nil {
			t.Fatalf("database changed by a refused restore: %v", err)
		}

		if st, out, errs := c.db("restore", backup); st != exitOK || !strings.Contains(out, "verified") {
			t.Fatalf("restore: %d %s %s", st, out, errs)
		}
		s := c.open(c.key)
		ctx := context.Background()
		if _, err := s.UserByEmail(ctx, "bob@example.org"); err == nil {
			t.Fatal("user added after the backup survived the restore")
		}
		if u, err := s.UserByEmail(ctx, "jane@example.org"); err != nil || u.TOTPSecret != secret {
			t.Fatalf("restored user = %+v, %v", u, err)
		}
		if code, out := c.verify(); code != exitOK || !strings.Contains(out, "intact: 3 entries") {
			t.Fatalf("verify after restore (2 entries + the restore): %d %s", code, out)
		}
		// New rows still get fresh IDs after a restore.
		c.addUser("carol@example.org", "Clinic", "auditor")
	})
}

// TestRestoreRefusesTamperedChain: a backup whose audit log was edited
// before it was taken decrypts fine but is refused.
func TestRestoreRefusesTamperedChain(t *testing.T) {
	dsn := filepath.Join(t.TempDir(), "rcmguard.db")
	c := newStoreCLI(t, dsn)
	c.addUser("jane@example.org", "Clinic", "owner")
	s := c.open(c.key)
	s.DB().Exec(`DROP TRIGGER audit_log_no_update`)
	if _, err := s.DB().Exec(`UPDATE audit_log SET actor = 'cli:someone-else' WHERE seq = 1`); err != nil {
		t.Fatal(err)
	}
	backup := filepath.Join(c.dir, "b.rcmg")
	if st, _, errs := c.db("backup", "-o", backup); st != exitOK {
		t.Fatalf("backup: %s", errs)
	}
	if st, _, errs := c.db("restore", backup); st != exitFailOn || !strings.Contains(errs, "entry 1") {
		t.Fatalf("restore of a backup with a broken chain: %d %s", st, errs)
	}
}

func TestSealedFieldsNotInDatabaseFiles(t *testing.T) {
	dsn := filepath.Join(t.TempDir(), "rcmguard.db")
	c := newStoreCLI(t, dsn)
	var secrets []string
	for _, email := range []string{"a@example.org", "b@example.org", "c@example.org"} {
		secrets = append(secrets, mustQuery(t, c.addUser(email, "Clinic", "contributor"), "secret"))
	}
	for _, f := range []string{dsn, dsn + "-wal"} {
		raw, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		for _, s := range secrets {
			if bytes.Contains(raw, []byte(s)) {
				t.Fatalf("TOTP secret found in clear in %s", filepath.Base(f))
			}
		}
	}
}

func TestKeysRotate(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dsn string) {
		c := newStoreCLI(t, dsn)
		secret := mustQuery(t, c.addUser("jane@example.org", "Clinic", "owner"), "secret")
		oldKey := c.key
		backup := filepath.Join(c.dir, "before.rcmg")
		if st, _, errs := c.db("backup", "-o", backup); st != exitOK {
			t.Fatalf("backup: %s", errs)
		}
		newKey := filepath.Join(c.dir, "new.key")
		st, out, errs := c.db("keys", "rotate", "--new-key-file", newKey)
		if st != exitOK || !strings.Contains(out, "1 sealed values re-sealed") {
			t.Fatalf("keys rotate: %d %s %s", st, out, errs)
		}
		next, err := seal.LoadKeyFile(newKey)
		if err != nil || len(next.Keys()) != 2 {
			t.Fatalf("new key file: %v, %d keys", err, len(next.Keys()))
		}
		// Only the new key is used now; the new key alone reads everything.
		onlyNew := filepath.Join(c.dir, "only-new.key")
		os.WriteFile(onlyNew, seal.FormatKeyFile(seal.NewKeyring(next.Current())), 0o600)
		s := c.open(onlyNew)
		ctx := context.Background()
		ids, err := s.SealedKeyIDs(ctx)
		if err != nil || len(ids) != 1 || ids[next.Current().ID()] != 1 {
			t.Fatalf("sealed key IDs after rotation = %v, %v", ids, err)
		}
		if u, err := s.UserByEmail(ctx, "jane@example.org"); err != nil || u.TOTPSecret != secret {
			t.Fatalf("user under the new key = %v", err)
		}
		rep, err := audit.New(seal.NewKeyring(next.Current())).Verify(ctx, s, nil)
		if err != nil || rep.Entries != 3 {
			t.Fatalf("audit under the new key alone = %+v, %v", rep, err)
		}
		rows, _ := s.AuditEntries(ctx, 2, 1)
		if len(rows) != 1 || rows[0].Action != "keys.rotate" {
			t.Fatalf("rotation not audited: %+v", rows)
		}
		// The old key alone no longer opens anything.
		if _, err := c.open(oldKey).UserByEmail(ctx, "jane@example.org"); !errors.Is(err, seal.ErrUnknownKey) {
			t.Fatalf("old key alone reading the TOTP secret: %v; want ErrUnknownKey", err)
		}
		// Backups made before the rotation restore with the new key file.
		c.key = newKey
		if st, out, errs := c.db("restore", backup); st != exitOK {
			t.Fatalf("restore of a pre-rotation backup: %d %s %s", st, out, errs)
		}
		// Rotating to the same key is refused.
		if st, _, _ := c.db("keys", "rotate", "--new-key-file", newKey); st != exitInvalid {
			t.Fatal("rotation to the current key accepted")
		}
	})
}

func mustQuery(t *testing.T, uri, key string) string {
	t.Helper()
	u, err := url.Parse(uri)
	if err != nil || u.Query().Get(key) == "" {
		t.Fatalf("URI %q lacks %s", uri, key)
	}
	return u.Query().Get(key)
}

func TestDefaultDatabaseLocation(t *testing.T) {
	t.Setenv("RCMGUARD_DATA_DIR", "/srv/rcmguard")
	if got := defaultDB(); got != "/srv/rcmguard/rcmguard.db" {
		t.Fatalf("defaultDB() = %q", got)
	}
	t.Setenv("RCMGUARD_DATA_DIR", "")
	t.Setenv("XDG_DATA_HOME", "/home/x/.data")
	if got := defaultDB(); got != "/home/x/.data/rcmguard/rcmguard.db" {
		t.Fatalf("defaultDB() with XDG_DATA_HOME = %q", got)
	}
	t.Setenv("RCMGUARD_DB", "postgres://db.internal/rcmguard")
	if got := (&dbFlags{}).dsn(); got != "postgres://db.internal/rcmguard" {
		t.Fatalf("dsn() with RCMGUARD_DB = %q", got)
	}
}
