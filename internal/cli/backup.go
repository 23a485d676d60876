package cli

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"rcmguard/internal/seal"
)

const backupUsage = "backup -o FILE [--db PATH|URL] [--key-file FILE]"

// runBackup writes a consistent online snapshot, encrypted under the data
// key. The server may keep running: SQLite is copied with VACUUM INTO,
// PostgreSQL inside one repeatable-read transaction.
func runBackup(e *env, args []string) int {
	fs := e.newFlagSet("backup", backupUsage)
	db := addDBFlags(fs)
	out := fs.String("o", "", "encrypted backup file to write (must not exist)")
	if ok, status := e.parseFlags(fs, args); !ok {
		return status
	}
	if *out == "" || fs.NArg() != 0 {
		e.errorf("backup", "need -o FILE\nUsage: rcmguard %s", backupUsage)
		return exitInvalid
	}
	if _, err := os.Stat(*out); err == nil {
		e.errorf("backup", "%s already exists; not overwriting it", *out)
		return exitInvalid
	}
	ctx := context.Background()
	st, kr, err := db.open(ctx)
	if err != nil {
		e.errorf("backup", "%v", err)
		return exitInvalid
	}
	defer st.Close()
	// The plaintext snapshot lives only in a private temporary directory
	// and is removed whatever happens.
	tmpDir, err := os.MkdirTemp(filepath.Dir(*out), ".rcmguard-backup-*")
	if err != nil {
		e.errorf("backup", "%v", err)
		return exitInvalid
	}
	defer os.RemoveAll(tmpDir)
	snap := filepath.Join(tmpDir, "snapshot.db")
	if err := st.Snapshot(ctx, snap); err != nil {
		e.errorf("backup", "%v", err)
		return exitInvalid
	}
	sum, err := encryptFile(snap, *out, kr, e)
	if err != nil {
		e.errorf("backup", "%v", err)
		return exitInvalid
	}
	fmt.Fprintf(e.stdout, "backup written: %s\nsha256: %s\nkey: %s\n", *out, sum, kr.Current().ID())
	return exitOK
}

// encryptFile encrypts src into dst (atomically, mode 0600) and returns the
// SHA-256 of the encrypted file, for the operator's records.
func encryptFile(src, dst string, kr *seal.Keyring, e *env) (string, error) {
	in, err := os.Open(src)
	if err != nil {
		return "", err
	}
	defer in.Close()
	tmp, err := os.CreateTemp(filepath.Dir(dst), "."+filepath.Base(dst)+".tmp*")
	if err != nil {
		return "", err
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	if err := tmp.Chmod(0o600); err != nil {
		return "", err
	}
	h := sha256.New()
	if err := seal.EncryptStream(io.MultiWriter(tmp, h), in, kr, "sqlite", e.now()); err != nil {
		return "", err
	}
	if err := tmp.Sync(); err != nil {
		return "", err
	}
	if err := tmp.Close(); err != nil {
		return "", err
	}
	if err := os.Rename(tmp.Name(), dst); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
