package cli

import (
	"context"
	"errors"
	"fmt"
	"os"

	"rcmguard/internal/audit"
	"rcmguard/internal/seal"
	"rcmguard/internal/store"
)

const keysUsage = `keys generate -o FILE
       rcmguard keys rotate --new-key-file FILE [--db PATH|URL] [--key-file FILE] [--insecure-key-permissions]`

// runKeys dispatches the keys subcommands.
func runKeys(e *env, args []string) int {
	if len(args) == 0 {
		fmt.Fprintf(e.stderr, "Usage: rcmguard %s\n", keysUsage)
		return exitInvalid
	}
	switch args[0] {
	case "generate":
		return runKeysGenerate(e, args[1:])
	case "rotate":
		return runKeysRotate(e, args[1:])
	case "-h", "--help", "help":
		fmt.Fprintf(e.stdout, "Usage: rcmguard %s\n", keysUsage)
		return exitOK
	}
	e.errorf("keys", "unknown subcommand %q (want generate or rotate)", args[0])
	return exitInvalid
}

// runKeysGenerate writes a new key file, readable by its owner only.
func runKeysGenerate(e *env, args []string) int {
	fs := e.newFlagSet("keys generate", keysUsage)
	out := fs.String("o", "", "key file to create (must not exist)")
	if ok, status := e.parseFlags(fs, args); !ok {
		return status
	}
	if *out == "" || fs.NArg() != 0 {
		e.errorf("keys", "need -o FILE")
		return exitInvalid
	}
	k, err := seal.GenerateKey()
	if err != nil {
		e.errorf("keys", "%v", err)
		return exitInvalid
	}
	if err := writeFileAtomic(*out, seal.FormatKeyFile(seal.NewKeyring(k)), 0o600, true); err != nil {
		e.errorf("keys", "%v", err)
		return exitInvalid
	}
	fmt.Fprintf(e.stdout, "key %s written to %s\n", k.ID(), *out)
	return exitOK
}

// runKeysRotate re-seals every sealed field and re-signs the audit chain
// under a new key, in one transaction, and records the rotation. When the
// new key file does not exist it is created with a fresh key first and the
// old keys after it, so backups made before the rotation stay readable.
func runKeysRotate(e *env, args []string) int {
	fs := e.newFlagSet("keys rotate", keysUsage)
	db := addDBFlags(fs)
	newFile := fs.String("new-key-file", "", "key file holding the new key (created with a fresh key if missing)")
	if ok, status := e.parseFlags(fs, args); !ok {
		return status
	}
	if *newFile == "" || fs.NArg() != 0 {
		e.errorf("keys", "need --new-key-file FILE\nUsage: rcmguard %s", keysUsage)
		return exitInvalid
	}
	ctx := context.Background()
	st, old, err := db.open(ctx)
	if err != nil {
		e.errorf("keys", "%v", err)
		return exitInvalid
	}
	defer st.Close()
	next, created, err := nextKeyring(*newFile, old, db.keyOptions()...)
	if err != nil {
		e.errorf("keys", "%v", err)
		return exitInvalid
	}
	if next.Current().ID() == old.Current().ID() {
		e.errorf("keys", "the new key file's first key is the current key; nothing to rotate")
		return exitInvalid
	}
	// The old chain must verify before it is re-signed: a rotation must
	// never launder a tampered log into a freshly signed one.
	if _, err := newAuditLog(old).Verify(ctx, st, nil); err != nil {
		e.errorf("keys", "audit log does not verify; refusing to re-sign it: %v", err)
		return exitFailOn
	}
	var n int
	err = st.InTx(ctx, func(tx *store.Tx) (err error) {
		if n, err = tx.Reseal(ctx, next); err != nil {
			return err
		}
		if err := newAuditLog(old).Resign(ctx, tx, next); err != nil {
			return err
		}
		_, err = newAuditLog(next).Append(ctx, tx, audit.Event{At: e.now(), Actor: cliActor(), Action: audit.KeysRotate,
			Object: "key:" + next.Current().ID(), Details: map[string]any{"previous_key": old.Current().ID(), "resealed": n}})
		return err
	})
	if err != nil {
		if created {
			os.Remove(*newFile)
		}
		e.errorf("keys", "rotation failed, nothing was changed: %v", err)
		return exitInvalid
	}
	fmt.Fprintf(e.stdout, "rotated to key %s: %d sealed values re-sealed, audit log re-signed\n", next.Current().ID(), n)
	fmt.Fprintf(e.stdout, "From now on use --key-file %s (or RCMGUARD_KEY_FILE); keep the old key only to read older backups.\n", *newFile)
	return exitOK
}

func nextKeyring(path string, old *seal.Keyring, opts ...seal.LoadOption) (kr *seal.Keyring, created bool, err error) {
	if _, err := os.Stat(path); err == nil {
		given, err := seal.LoadKeyFile(path, opts...)
		if err != nil {
			return nil, false, keyError(err)
		}
		return seal.NewKeyring(given.Current(), append(given.Keys()[1:], old.Keys()...)...), false, nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, false, err
	}
	k, err := seal.GenerateKey()
	if err != nil {
		return nil, false, err
	}
	kr = seal.NewKeyring(k, old.Keys()...)
	if err := writeFileAtomic(path, seal.FormatKeyFile(kr), 0o600, true); err != nil {
		return nil, false, err
	}
	return kr, true, nil
}
