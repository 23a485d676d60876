package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"rcmguard/internal/auth"
)

// Usage of each user subcommand; userUsage lists them all.
const (
	userAddUsage     = "user add EMAIL --workspace NAME --role ROLE --password-file FILE [--expires YYYY-MM-DD] [--db PATH|URL] [--key-file FILE]"
	userListUsage    = "user list [--workspace NAME] [--format text|json] [--db PATH|URL] [--key-file FILE]"
	userDisableUsage = "user disable EMAIL [--db PATH|URL] [--key-file FILE]"
	userEnableUsage  = "user enable EMAIL [--db PATH|URL] [--key-file FILE]"
	userResetUsage   = "user reset EMAIL --password-file FILE [--keep-mfa] [--db PATH|URL] [--key-file FILE]"
	userVerifyUsage  = "user verify EMAIL [--db PATH|URL] [--key-file FILE]"
)

const userUsage = userAddUsage + `
       rcmguard ` + userListUsage + `
       rcmguard ` + userDisableUsage + `
       rcmguard ` + userEnableUsage + `
       rcmguard ` + userResetUsage + `
       rcmguard ` + userVerifyUsage + `

  add      create an account and its membership of a workspace (you vouch
           for its e-mail address)
  list     list accounts: MFA, lockout, disabled, last seen, workspaces and roles
  disable  disable an account (a leaver): end its sessions, revoke its API tokens
  enable   lift a disable; ended sessions and revoked tokens stay ended
  reset    set a new password, clear the lockout, end the sessions and, unless
           --keep-mfa, reset MFA (a forgotten password, a lost authenticator)
  verify   vouch for an account's e-mail address, once you have confirmed
           that its holder reads that mailbox (an account made through a
           copied invitation link is unverified until then)`

// runUser dispatches the user subcommands.
func runUser(e *env, args []string) int {
	if len(args) == 0 {
		fmt.Fprintf(e.stderr, "Usage: rcmguard %s\n", userUsage)
		return exitInvalid
	}
	switch args[0] {
	case "add":
		return runUserAdd(e, args[1:])
	case "list":
		return runUserList(e, args[1:])
	case "disable":
		return runUserDisable(e, args[1:])
	case "enable":
		return runUserEnable(e, args[1:])
	case "reset":
		return runUserReset(e, args[1:])
	case "verify":
		return runUserVerify(e, args[1:])
	case "-h", "--help", "help":
		fmt.Fprintf(e.stdout, "Usage: rcmguard %s\n", userUsage)
		return exitOK
	}
	e.errorf("user", "unknown subcommand %q (want add, list, disable, enable, reset or verify)", args[0])
	return exitInvalid
}

// runUserAdd creates an account for automation and bootstrap. The password
// comes from a file (or "-" for standard input) so it never appears in the
// process list or shell history; the TOTP enrolment URI goes to standard
// output for the new user to scan.
func runUserAdd(e *env, args []string) int {
	fs := e.newFlagSet("user add", userAddUsage)
	db := addDBFlags(fs)
	workspace := fs.String("workspace", "", "workspace (organisation) name; created as a practice if missing")
	role := fs.String("role", "", "role: owner, compliance_officer, contributor or auditor")
	pwFile := fs.String("password-file", "", "file holding the initial password (- for standard input)")
	expires := fs.String("expires", "", "end of access, YYYY-MM-DD (auditors default to 90 days)")
	if ok, status := e.parseFlags(fs, args); !ok {
		return status
	}
	if fs.NArg() != 1 || *workspace == "" || *role == "" || *pwFile == "" {
		e.errorf("user", "need EMAIL, --workspace, --role and --password-file\nUsage: rcmguard %s", userAddUsage)
		return exitInvalid
	}
	r, err := auth.ParseRole(*role)
	if err != nil {
		e.errorf("user", "%v", err)
		return exitInvalid
	}
	var until time.Time
	if *expires != "" {
		if until, err = time.Parse("2006-01-02", *expires); err != nil {
			e.errorf("user", "--expires must be YYYY-MM-DD")
			return exitInvalid
		}
	}
	pw, err := e.readPassword(*pwFile)
	if err != nil {
		e.errorf("user", "%v", err)
		return exitInvalid
	}
	ctx := context.Background()
	st, kr, err := db.open(ctx)
	if err != nil {
		e.errorf("user", "%v", err)
		return exitInvalid
	}
	defer st.Close()
	svc := auth.New(st, newAuditLog(kr), auth.Config{})
	email := fs.Arg(0)
	u, enr, err := svc.CreateUser(ctx, auth.NewUser{Email: email, Password: pw, Workspace: *workspace, Role: r,
		Expires: until, Actor: cliActor()}, e.now())
	if err != nil {
		var pe *auth.PolicyError
		if errors.As(err, &pe) {
			e.errorf("user", "%v", pe)
		} else {
			e.errorf("user", "%v", err)
		}
		return exitInvalid
	}
	fmt.Fprintln(e.stdout, enr.URI)
	fmt.Fprintf(e.stderr, "created user %d (%s) as %s in workspace %q; its address counts as verified: you vouch for it\n",
		u.ID, auth.EmailHint(email), r, *workspace)
	fmt.Fprintln(e.stderr, "Add the otpauth URI above to an authenticator app; the first code entered at sign-in completes enrolment.")
	return exitOK
}

// readPassword reads a password file, dropping one trailing newline (as
// editors and echo add) but nothing else: the password is taken as written.
func (e *env) readPassword(path string) (string, error) {
	var b []byte
	var err error
	if path == "-" {
		b, err = io.ReadAll(io.LimitReader(e.stdin, 64<<10))
	} else {
		b, err = os.ReadFile(path)
	}
	if err != nil {
		return "", fmt.Errorf("read password file: %w", err)
	}
	s := strings.TrimSuffix(strings.TrimSuffix(string(b), "\n"), "\r")
	if s == "" {
		return "", errors.New("password file is empty")
	}
	return s, nil
}
