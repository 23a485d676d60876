package cli

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"rcmguard/internal/audit"
	"rcmguard/internal/seal"
	"rcmguard/internal/store"
)

const restoreUsage = "restore FILE [--db PATH|URL] [--key-file FILE]"

// runRestore replaces the database with a backup, but only after the backup
// has decrypted and authenticated, passed SQLite's integrity check, opened
// at this binary's schema, and its audit chain verified. Stop the server
// first: a SQLite database is swapped by renaming a file over it, and a
// PostgreSQL database is replaced in one transaction.
func runRestore(e *env, args []string) int {
	fs := e.newFlagSet("restore", restoreUsage)
	db := addDBFlags(fs)
	if ok, status := e.parseFlags(fs, args); !ok {
		return status
	}
	if fs.NArg() != 1 {
		e.errorf("restore", "need one backup FILE\nUsage: rcmguard %s", restoreUsage)
		return exitInvalid
	}
	kr, err := db.keyring()
	if err != nil {
		e.errorf("restore", "%v", err)
		return exitInvalid
	}
	dsn := db.dsn()
	// Decrypt beside the target so the final rename stays on one filesystem.
	dir := os.TempDir()
	if !store.IsPostgres(dsn) {
		dir = filepath.Dir(dsn)
		if err := os.MkdirAll(dir, 0o700); err != nil {
			e.errorf("restore", "%v", err)
			return exitInvalid
		}
	}
	tmpDir, err := os.MkdirTemp(dir, ".rcmguard-restore-*")
	if err != nil {
		e.errorf("restore", "%v", err)
		return exitInvalid
	}
	defer os.RemoveAll(tmpDir)
	snap := filepath.Join(tmpDir, "restore.db")
	entries, err := prepareRestore(fs.Arg(0), snap, kr, e)
	if err != nil {
		e.errorf("restore", "backup refused, nothing was changed: %v", err)
		return exitFailOn
	}
	ctx := context.Background()
	if store.IsPostgres(dsn) {
		err = restorePostgres(ctx, dsn, snap, kr)
	} else {
		var kept string
		if kept, err = store.ReplaceSQLiteFile(ctx, dsn, snap, e.now()); err == nil && kept != "" {
			fmt.Fprintf(e.stderr, "previous database kept as %s\n", kept)
		}
	}
	if err != nil {
		e.errorf("restore", "%v", err)
		return exitInvalid
	}
	if err := recordRestore(ctx, dsn, kr, fs.Arg(0), e); err != nil {
		e.errorf("restore", "restored, but recording the restore in the audit log failed: %v", err)
		return exitInvalid
	}
	fmt.Fprintf(e.stdout, "restored %s: audit chain of %d entries verified; everyone must sign in again\n", fs.Arg(0), entries)
	return exitOK
}

// prepareRestore decrypts the backup into snap and checks it thoroughly.
func prepareRestore(backup, snap string, kr *seal.Keyring, e *env) (int64, error) {
	in, err := os.Open(backup)
	if err != nil {
		return 0, err
	}
	defer in.Close()
	out, err := os.OpenFile(snap, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return 0, err
	}
	if _, err := seal.DecryptStream(out, in, kr); err != nil {
		out.Close()
		return 0, err
	}
	if err := out.Close(); err != nil {
		return 0, err
	}
	ctx := context.Background()
	st, err := store.Open(ctx, snap, store.WithKeyring(kr))
	if err != nil {
		return 0, err
	}
	defer st.Close()
	if err := st.IntegrityCheck(ctx); err != nil {
		return 0, err
	}
	rep, err := newAuditLog(kr).Verify(ctx, st, nil)
	if err != nil {
		return 0, err
	}
	ids, err := st.SealedKeyIDs(ctx)
	if err != nil {
		return 0, err
	}
	for id := range ids {
		if _, ok := kr.Key(id); !ok {
			return 0, fmt.Errorf("the backup holds data sealed with key %s, which is not in the key file", id)
		}
	}
	if err := st.ClearSessions(ctx); err != nil {
		return 0, err
	}
	// Closing the store checkpoints its WAL into the file about to be renamed.
	return rep.Entries, st.Close()
}

func restorePostgres(ctx context.Context, dsn, snap string, kr *seal.Keyring) error {
	src, err := store.Open(ctx, snap, store.WithKeyring(kr))
	if err != nil {
		return err
	}
	defer src.Close()
	dst, err := store.Open(ctx, dsn, store.WithKeyring(kr))
	if err != nil {
		return err
	}
	defer dst.Close()
	return dst.ReplaceFrom(ctx, src)
}

// recordRestore appends the restore itself to the restored chain.
func recordRestore(ctx context.Context, dsn string, kr *seal.Keyring, backup string, e *env) error {
	st, err := store.Open(ctx, dsn, store.WithKeyring(kr))
	if err != nil {
		return err
	}
	defer st.Close()
	return st.InTx(ctx, func(tx *store.Tx) error {
		_, err := newAuditLog(kr).Append(ctx, tx, audit.Event{At: e.now(), Actor: cliActor(), Action: audit.BackupRestore,
			Object: "database", Details: map[string]any{"backup": filepath.Base(backup)}})
		return err
	})
}
