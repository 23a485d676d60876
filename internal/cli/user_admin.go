package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"

	"rcmguard/internal/auth"
	"rcmguard/internal/seal"
	"rcmguard/internal/store"
)

// userTarget parses the flags of a subcommand that acts on one account,
// opens the database and finds the account. When ok is false it has said
// why and status is the exit status. The caller closes st.
func (e *env) userTarget(fs *flag.FlagSet, db *dbFlags, usage string, args []string,
	check func() bool) (st *store.Store, kr *seal.Keyring, u store.User, status int, ok bool) {
	if ok, status := e.parseFlags(fs, args); !ok {
		return nil, nil, u, status, false
	}
	if fs.NArg() != 1 || (check != nil && !check()) {
		e.errorf("user", "need one EMAIL\nUsage: rcmguard %s", usage)
		return nil, nil, u, exitInvalid, false
	}
	ctx := context.Background()
	st, kr, err := db.open(ctx)
	if err != nil {
		e.errorf("user", "%v", err)
		return nil, nil, u, exitInvalid, false
	}
	email := fs.Arg(0)
	u, err = st.UserByEmail(ctx, email)
	if err != nil {
		st.Close()
		if errors.Is(err, store.ErrNotFound) {
			// The hint, as everywhere outside the account list: enough to
			// spot a typing slip, not the full address in logs and mail.
			e.errorf("user", "no account with the address %s", auth.EmailHint(email))
		} else {
			e.errorf("user", "%v", err)
		}
		return nil, nil, u, exitInvalid, false
	}
	return st, kr, u, exitOK, true
}

// runUserDisable offboards a person: the account is disabled and, in the
// same transaction, its sessions end and its API tokens are revoked.
func runUserDisable(e *env, args []string) int {
	fs := e.newFlagSet("user disable", userDisableUsage)
	db := addDBFlags(fs)
	st, kr, u, status, ok := e.userTarget(fs, db, userDisableUsage, args, nil)
	if !ok {
		return status
	}
	defer st.Close()
	svc := auth.New(st, newAuditLog(kr), auth.Config{})
	d, err := svc.DisableUser(context.Background(), u.ID, cliActor(), e.now())
	if err != nil {
		e.errorf("user", "%v", err)
		return exitInvalid
	}
	what := "disabled user %d (%s)"
	if d.Already {
		what = "user %d (%s) was already disabled"
	}
	fmt.Fprintf(e.stdout, what+": %s ended, %s revoked\n", u.ID, auth.EmailHint(u.Email),
		countOf(d.Sessions, "session"), countOf(d.Tokens, "API token"))
	return exitOK
}

// runUserEnable lifts a disable. Sessions and tokens the disable ended
// stay ended; the person signs in again.
func runUserEnable(e *env, args []string) int {
	fs := e.newFlagSet("user enable", userEnableUsage)
	db := addDBFlags(fs)
	st, kr, u, status, ok := e.userTarget(fs, db, userEnableUsage, args, nil)
	if !ok {
		return status
	}
	defer st.Close()
	svc := auth.New(st, newAuditLog(kr), auth.Config{})
	enabled, err := svc.EnableUser(context.Background(), u.ID, cliActor(), e.now())
	if err != nil {
		e.errorf("user", "%v", err)
		return exitInvalid
	}
	if !enabled {
		fmt.Fprintf(e.stdout, "user %d (%s) is not disabled; nothing changed\n", u.ID, auth.EmailHint(u.Email))
		return exitOK
	}
	fmt.Fprintf(e.stdout, "enabled user %d (%s); they can sign in again\n", u.ID, auth.EmailHint(u.Email))
	return exitOK
}

// runUserReset gives a person who forgot their password, or lost their
// authenticator, a way back in. The new password comes from a file, as for
// user add; unless --keep-mfa the new TOTP enrolment URI goes to standard
// output, also as user add does.
func runUserReset(e *env, args []string) int {
	fs := e.newFlagSet("user reset", userResetUsage)
	db := addDBFlags(fs)
	pwFile := fs.String("password-file", "", "file holding the new password (- for standard input)")
	keepMFA := fs.Bool("keep-mfa", false, "keep the authenticator app, recovery codes and security keys (a forgotten password only)")
	st, kr, u, status, ok := e.userTarget(fs, db, userResetUsage, args, func() bool { return *pwFile != "" })
	if !ok {
		return status
	}
	defer st.Close()
	pw, err := e.readPassword(*pwFile)
	if err != nil {
		e.errorf("user", "%v", err)
		return exitInvalid
	}
	svc := auth.New(st, newAuditLog(kr), auth.Config{})
	done, err := svc.ResetUser(context.Background(), auth.Reset{UserID: u.ID, Password: pw, KeepMFA: *keepMFA, Actor: cliActor()}, e.now())
	if err != nil {
		e.errorf("user", "%v; nothing was changed", err)
		return exitInvalid
	}
	if done.Enrollment != nil {
		fmt.Fprintln(e.stdout, done.Enrollment.URI)
	}
	fmt.Fprintf(e.stderr, "reset user %d (%s): new password set, lockout cleared, %s ended\n", u.ID, auth.EmailHint(u.Email),
		countOf(done.Sessions, "session"))
	if done.Enrollment != nil {
		fmt.Fprintf(e.stderr, "MFA reset: %s and %s removed.\n", countOf(int64(done.RecoveryCodes), "recovery code"),
			countOf(done.SecurityKeys, "security key"))
		fmt.Fprintln(e.stderr, "Add the otpauth URI above to an authenticator app; the first code entered at sign-in completes enrolment.")
	} else {
		fmt.Fprintln(e.stderr, "MFA kept: the authenticator app, recovery codes and security keys work as before.")
	}
	if !u.Disabled.IsZero() {
		fmt.Fprintf(e.stderr, "The account is still disabled; 'rcmguard user enable' lets it sign in.\n")
	}
	return exitOK
}

// countOf says "1 session", "2 sessions".
func countOf(n int64, noun string) string { return fmt.Sprintf("%d %s%s", n, noun, plural(int(n))) }
