package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"
	"unicode"

	"rcmguard/internal/audit"
	"rcmguard/internal/store"
)

// runUserList prints the accounts with their MFA, lockout and disable
// state and their workspaces. The list is a read of account records, so
// it is recorded in the audit log (user.list) before anything is printed,
// as the server records views of the model: no entry, no output.
func runUserList(e *env, args []string) int {
	fs := e.newFlagSet("user list", userListUsage)
	db := addDBFlags(fs)
	workspace := fs.String("workspace", "", "list only this workspace's members, with their role in it")
	format := fs.String("format", "text", "output format: text (an aligned table) or json")
	if ok, status := e.parseFlags(fs, args); !ok {
		return status
	}
	if fs.NArg() != 0 {
		e.errorf("user", "unexpected argument %q\nUsage: rcmguard %s", fs.Arg(0), userListUsage)
		return exitInvalid
	}
	if *format != "text" && *format != "json" {
		e.errorf("user", "unknown --format %q (want text or json)", *format)
		return exitInvalid
	}
	ctx := context.Background()
	st, kr, err := db.open(ctx)
	if err != nil {
		e.errorf("user", "%v", err)
		return exitInvalid
	}
	defer st.Close()
	var wsID int64
	object := "users"
	if *workspace != "" {
		w, err := st.WorkspaceByName(ctx, *workspace)
		if errors.Is(err, store.ErrNotFound) {
			e.errorf("user", "no workspace named %q", *workspace)
			return exitInvalid
		}
		if err != nil {
			e.errorf("user", "%v", err)
			return exitInvalid
		}
		wsID, object = w.ID, fmt.Sprintf("workspace:%d/users", w.ID)
	}
	accounts, err := st.Accounts(ctx, wsID)
	if err != nil {
		e.errorf("user", "%v", err)
		return exitInvalid
	}
	now := e.now()
	log := newAuditLog(kr)
	err = st.InTx(ctx, func(tx *store.Tx) error {
		_, err := log.Append(ctx, tx, audit.Event{At: now, Actor: cliActor(), WorkspaceID: wsID, Action: audit.UserList,
			Object: object, Details: map[string]any{"accounts": len(accounts), "format": *format}})
		return err
	})
	if err != nil {
		e.errorf("user", "not listing: the read could not be recorded in the audit log: %v", err)
		return exitInvalid
	}
	if *format == "json" {
		err = writeAccountsJSON(e.stdout, accounts, now)
	} else {
		err = writeAccountsText(e.stdout, accounts, now)
	}
	if err != nil {
		e.errorf("user", "%v", err)
		return exitInvalid
	}
	return exitOK
}

// The JSON of user list, documented in docs/operations.md. Times are UTC,
// RFC 3339, to the second; null when not set.
type accountsJSON struct {
	Accounts []accountJSON `json:"accounts"`
}

type accountJSON struct {
	ID             int64           `json:"id"`
	Email          string          `json:"email"`
	Created        string          `json:"created"`
	MFAEnrolled    bool            `json:"mfa_enrolled"`
	SecurityKeys   int             `json:"security_keys"`
	RecoveryCodes  int             `json:"recovery_codes"`
	FailedAttempts int             `json:"failed_attempts"`
	LockedUntil    *string         `json:"locked_until"` // null unless locked now
	Disabled       *string         `json:"disabled"`
	LastSeen       *string         `json:"last_seen"`
	EmailVerified  *string         `json:"email_verified"` // null while the address is unproven
	Workspaces     []workspaceJSON `json:"workspaces"`
}

type workspaceJSON struct {
	ID      int64   `json:"id"`
	Name    string  `json:"name"`
	Role    string  `json:"role"`
	Expires *string `json:"expires"`
	Expired bool    `json:"expired"`
}

func jsonTime(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	s := t.UTC().Format(time.RFC3339)
	return &s
}

func writeAccountsJSON(w io.Writer, accounts []store.Account, now time.Time) error {
	out := accountsJSON{Accounts: []accountJSON{}}
	for _, a := range accounts {
		j := accountJSON{ID: a.ID, Email: a.Email, Created: a.Created.UTC().Format(time.RFC3339), MFAEnrolled: a.MFAEnrolled,
			SecurityKeys: a.SecurityKeys, RecoveryCodes: a.RecoveryCodes, FailedAttempts: a.FailedAttempts,
			Disabled: jsonTime(a.Disabled), LastSeen: jsonTime(a.LastSeen), EmailVerified: jsonTime(a.EmailVerified), Workspaces: []workspaceJSON{}}
		if now.Before(a.LockedUntil) {
			j.LockedUntil = jsonTime(a.LockedUntil)
		}
		for _, m := range a.Memberships {
			j.Workspaces = append(j.Workspaces, workspaceJSON{ID: m.WorkspaceID, Name: m.Workspace, Role: m.Role,
				Expires: jsonTime(m.Expires), Expired: !m.Expires.IsZero() && !now.Before(m.Expires)})
		}
		out.Accounts = append(out.Accounts, j)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(out)
}

// textTime shows a time to the minute, in UTC.
func textTime(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format("2006-01-02T15:04Z")
}

func writeAccountsText(w io.Writer, accounts []store.Account, now time.Time) error {
	if len(accounts) == 0 {
		_, err := fmt.Fprintln(w, "no accounts")
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tEMAIL\tVERIFIED\tCREATED\tMFA\tLOCKED UNTIL\tDISABLED\tLAST SEEN\tWORKSPACES")
	for _, a := range accounts {
		mfa := "no"
		if a.MFAEnrolled {
			mfa = "yes"
		}
		switch a.SecurityKeys {
		case 0:
		case 1:
			mfa += ", 1 key"
		default:
			mfa += fmt.Sprintf(", %d keys", a.SecurityKeys)
		}
		locked := "-"
		if now.Before(a.LockedUntil) {
			locked = textTime(a.LockedUntil)
		}
		var ws []string
		for _, m := range a.Memberships {
			s := printable(m.Workspace) + " (" + m.Role
			switch {
			case m.Expires.IsZero():
			case now.Before(m.Expires):
				s += " until " + m.Expires.UTC().Format("2006-01-02")
			default:
				s += " expired " + m.Expires.UTC().Format("2006-01-02")
			}
			ws = append(ws, s+")")
		}
		if len(ws) == 0 {
			ws = []string{"-"}
		}
		verified := "no"
		if !a.EmailVerified.IsZero() {
			verified = a.EmailVerified.UTC().Format("2006-01-02")
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", a.ID, printable(a.Email), verified, a.Created.UTC().Format("2006-01-02"),
			mfa, locked, textTime(a.Disabled), textTime(a.LastSeen), strings.Join(ws, "; "))
	}
	return tw.Flush()
}

// printable replaces control characters (a terminal escape in a workspace
// name, a tab that would break the table) with '?'.
func printable(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return '?'
		}
		return r
	}, s)
}
