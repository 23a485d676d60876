package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/user"
	"path/filepath"

	"rcmguard/internal/audit"
	"rcmguard/internal/seal"
	"rcmguard/internal/store"
)

// dataDir is the one place the default data directory is decided:
// $RCMGUARD_DATA_DIR, else $XDG_DATA_HOME/rcmguard, else
// ~/.local/share/rcmguard.
func dataDir() string {
	if d := os.Getenv("RCMGUARD_DATA_DIR"); d != "" {
		return d
	}
	if d := os.Getenv("XDG_DATA_HOME"); d != "" {
		return filepath.Join(d, "rcmguard")
	}
	if home, err := os.UserHomeDir(); err == nil {
		return filepath.Join(home, ".local", "share", "rcmguard")
	}
	return "rcmguard-data"
}

// defaultDB is the SQLite file used when --db is not given.
func defaultDB() string { return filepath.Join(dataDir(), "rcmguard.db") }

// dbFlags are the flags every command that touches the database shares.
type dbFlags struct {
	db      string
	keyFile string
	// insecureKey uses a key file that group or others may read, with a
	// warning on warn (the command's standard error).
	insecureKey bool
	warn        io.Writer
}

func addDBFlags(fs *flag.FlagSet) *dbFlags {
	f := &dbFlags{warn: fs.Output()}
	fs.StringVar(&f.db, "db", "", "database: a SQLite file path or a postgres:// URL (default $RCMGUARD_DATA_DIR/rcmguard.db, data dir ~/.local/share/rcmguard)")
	fs.StringVar(&f.keyFile, "key-file", "", "data key file (default: $RCMGUARD_KEY, then $RCMGUARD_KEY_FILE); it must be readable by its owner alone")
	fs.BoolVar(&f.insecureKey, "insecure-key-permissions", false, "use a key file that group or others may read or change (not recommended: fix it with chmod 600)")
	return f
}

// keyOptions are the options every key file the command reads is loaded
// with: refused when others may read it, unless --insecure-key-permissions.
func (f *dbFlags) keyOptions() []seal.LoadOption {
	if !f.insecureKey {
		return nil
	}
	return []seal.LoadOption{seal.AllowInsecurePermissions(func(pe *seal.PermissionError) {
		fmt.Fprintf(f.warn, "rcmguard: warning: using key file %s although group or others may read or change it (mode %04o), because of --insecure-key-permissions; fix it with: chmod 600 %s\n",
			pe.Path, pe.Mode.Perm(), pe.Path)
	})}
}

// keyError adds the way out to a refused key file.
func keyError(err error) error {
	var pe *seal.PermissionError
	if errors.As(err, &pe) {
		return fmt.Errorf("%w\n(--insecure-key-permissions uses it as it is; not recommended)", err)
	}
	return err
}

// dsn returns the database to use, honouring $RCMGUARD_DB before the default.
func (f *dbFlags) dsn() string {
	if f.db != "" {
		return f.db
	}
	if d := os.Getenv("RCMGUARD_DB"); d != "" {
		return d
	}
	return defaultDB()
}

func (f *dbFlags) keyring() (*seal.Keyring, error) {
	kr, err := seal.Load(f.keyFile, os.Getenv, f.keyOptions()...)
	if errors.Is(err, seal.ErrNoKey) {
		return nil, fmt.Errorf("%w\ncreate one with: rcmguard keys generate -o KEYFILE", err)
	}
	return kr, keyError(err)
}

// open loads the key and opens the database with it.
func (f *dbFlags) open(ctx context.Context) (*store.Store, *seal.Keyring, error) {
	kr, err := f.keyring()
	if err != nil {
		return nil, nil, err
	}
	st, err := store.Open(ctx, f.dsn(), store.WithKeyring(kr))
	if err != nil {
		return nil, nil, err
	}
	return st, kr, nil
}

// cliActor names the operator in audit entries: the OS account running the
// command, since the CLI has no signed-in rcmguard user.
func cliActor() audit.Actor {
	if u, err := user.Current(); err == nil {
		return audit.CLIActor(u.Username)
	}
	return audit.CLIActor("")
}

// newAuditLog is the one place the CLI builds its audit log.
func newAuditLog(kr *seal.Keyring) *audit.Log { return audit.New(kr) }

// writeFileAtomic writes data to path through a temporary file in the same
// directory, synced and renamed, so a crash never leaves half a file. With
// exclusive set it refuses to replace an existing file.
func writeFileAtomic(path string, data []byte, perm os.FileMode, exclusive bool) error {
	if exclusive {
		if _, err := os.Stat(path); err == nil {
			return fmt.Errorf("%s already exists; not overwriting it", path)
		}
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(perm); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
