package cli

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"rcmguard/internal/audit"
	"rcmguard/internal/auth"
	"rcmguard/internal/auth/webauthntest"
	"rcmguard/internal/seal"
	"rcmguard/internal/store"
	"rcmguard/internal/store/storetest"
)

var testRP = auth.RelyingParty{ID: "rcmguard.example.org", Origin: "https://rcmguard.example.org"}

// accounts is the auth service over the database the commands use, to
// sign in and check what the commands changed as the server would.
type accounts struct {
	t   *testing.T
	st  *store.Store
	svc *auth.Service
	now time.Time // moves on 31 s per sign-in: a TOTP code is accepted once
}

func (c *storeCLI) accounts() *accounts {
	c.t.Helper()
	kr, err := seal.LoadKeyFile(c.key)
	if err != nil {
		c.t.Fatal(err)
	}
	st := storetest.Open(c.t, c.dsn, kr)
	return &accounts{t: c.t, st: st, svc: auth.New(st, audit.New(kr), auth.Config{}), now: time.Now()}
}

func (a *accounts) user(email string) store.User {
	a.t.Helper()
	u, err := a.st.UserByEmail(context.Background(), email)
	if err != nil {
		a.t.Fatal(err)
	}
	return u
}

// signIn signs in with password and a TOTP code of secret and returns the
// session token, or the error of the step that failed.
func (a *accounts) signIn(email, password, secret string) (string, error) {
	a.t.Helper()
	ctx := context.Background()
	a.now = a.now.Add(31 * time.Second)
	res, err := a.svc.Login(ctx, email, password, a.now)
	if err != nil {
		return "", err
	}
	code, err := totp.GenerateCode(secret, a.now)
	if err != nil {
		a.t.Fatal(err)
	}
	return a.svc.VerifyTOTP(ctx, res.Token, code, a.now)
}

func (a *accounts) mustSignIn(email, secret string) string {
	a.t.Helper()
	tok, err := a.signIn(email, testPassword, secret)
	if err != nil {
		a.t.Fatalf("sign-in of %s: %v", email, err)
	}
	return tok
}

// addKey registers a software security key for a signed-in session.
func (a *accounts) addKey(email, session string) *webauthntest.Authenticator {
	a.t.Helper()
	ctx := context.Background()
	key, err := webauthntest.New(testRP.Origin)
	if err != nil {
		a.t.Fatal(err)
	}
	u := a.user(email)
	opts, err := a.svc.BeginKeyRegistration(ctx, testRP, u, session, a.now)
	if err != nil {
		a.t.Fatal(err)
	}
	resp, err := key.Create(opts)
	if err != nil {
		a.t.Fatal(err)
	}
	if _, err := a.svc.FinishKeyRegistration(ctx, testRP, u, session, "Blue key", resp, a.now); err != nil {
		a.t.Fatal(err)
	}
	return key
}

// lastAudit returns the newest n audit entries, oldest first.
func (a *accounts) lastAudit(n int) []store.AuditRow {
	a.t.Helper()
	ctx := context.Background()
	h, err := a.st.AuditHead(ctx)
	if err != nil {
		a.t.Fatal(err)
	}
	rows, err := a.st.AuditEntries(ctx, h.Seq-int64(n), n)
	if err != nil {
		a.t.Fatal(err)
	}
	return rows
}

func (a *accounts) head() int64 {
	a.t.Helper()
	h, err := a.st.AuditHead(context.Background())
	if err != nil {
		a.t.Fatal(err)
	}
	return h.Seq
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func TestUserUsageListsSubcommands(t *testing.T) {
	var out, errb strings.Builder
	if st := Main([]string{"user"}, strings.NewReader(""), &out, &errb); st != exitInvalid {
		t.Fatalf("user without a subcommand: status %d", st)
	}
	for _, sub := range []string{"user add", "user list", "user disable", "user enable", "user reset", "user verify", "--keep-mfa", "--format text|json"} {
		if !strings.Contains(errb.String(), sub) {
			t.Errorf("usage lacks %q:\n%s", sub, errb.String())
		}
	}
	out.Reset()
	if st := Main([]string{"user", "-h"}, strings.NewReader(""), &out, &errb); st != exitOK || !strings.Contains(out.String(), "user reset") {
		t.Fatalf("user -h: %d %s", st, out.String())
	}
	errb.Reset()
	if st := Main([]string{"user", "delete", "a@example.org"}, strings.NewReader(""), &out, &errb); st != exitInvalid ||
		!strings.Contains(errb.String(), "want add, list, disable, enable, reset or verify") {
		t.Fatalf("unknown subcommand: %d %s", st, errb.String())
	}
}

func TestUserList(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dsn string) {
		c := newStoreCLI(t, dsn)
		janeSecret := mustQuery(t, c.addUser("jane@example.org", "Sunny Valley Clinic", "owner"), "secret")
		if st, _, errs := c.db("user", "add", "aud@firm.example", "--workspace", "Sunny Valley Clinic", "--role", "auditor",
			"--password-file", "-", "--expires", "2020-01-31"); st != exitOK {
			t.Fatalf("user add auditor: %s", errs)
		}
		c.addUser("bob@example.org", "Other Practice", "contributor")
		a := c.accounts()
		ctx := context.Background()
		// jane: enrolled, signed in, one security key; bob: locked out;
		// the auditor: disabled, access expired.
		session := a.mustSignIn("jane@example.org", janeSecret)
		signedIn := a.now
		a.addKey("jane@example.org", session)
		if _, err := a.svc.SetRecoveryCodes(ctx, a.user("jane@example.org").ID, "test", a.now); err != nil {
			t.Fatal(err)
		}
		for range auth.LockoutThreshold {
			a.svc.Login(ctx, "bob@example.org", "not bob's password at all", time.Now())
		}
		if _, err := a.svc.DisableUser(ctx, a.user("aud@firm.example").ID, "test", time.Now()); err != nil {
			t.Fatal(err)
		}

		before := a.head()
		st, out, errs := c.db("user", "list")
		if st != exitOK {
			t.Fatalf("user list: %d %s", st, errs)
		}
		lines := strings.Split(strings.TrimSpace(out), "\n")
		if len(lines) != 4 || strings.Join(strings.Fields(lines[0]), " ") != "ID EMAIL VERIFIED CREATED MFA LOCKED UNTIL DISABLED LAST SEEN WORKSPACES" {
			t.Fatalf("user list:\n%s", out)
		}
		// Cut each row at the header's columns: the table is aligned.
		cols := []string{"ID", "EMAIL", "VERIFIED", "CREATED", "MFA", "LOCKED UNTIL", "DISABLED", "LAST SEEN", "WORKSPACES"}
		rows := map[string]map[string]string{}
		for _, l := range lines[1:] {
			cells := map[string]string{}
			for i, name := range cols {
				start, end := strings.Index(lines[0], name), len(l)
				if i+1 < len(cols) {
					end = strings.Index(lines[0], cols[i+1])
				}
				if start > len(l) || end > len(l) || (start > 0 && l[start-1] != ' ') {
					t.Fatalf("row not aligned with the header:\n%s", out)
				}
				cells[name] = strings.TrimSpace(l[start:end])
			}
			rows[cells["EMAIL"]] = cells
		}
		bob, aud := a.user("bob@example.org"), a.user("aud@firm.example")
		if bob.LockedUntil.IsZero() || aud.Disabled.IsZero() {
			t.Fatal("bob is not locked out, or the auditor not disabled")
		}
		for email, want := range map[string]map[string]string{
			"jane@example.org": {"ID": itoa(a.user("jane@example.org").ID), "MFA": "yes, 1 key", "LOCKED UNTIL": "-", "DISABLED": "-",
				"LAST SEEN": signedIn.UTC().Format("2006-01-02T15:04Z"), "WORKSPACES": "Sunny Valley Clinic (owner)"},
			"bob@example.org": {"MFA": "no", "LOCKED UNTIL": bob.LockedUntil.UTC().Format("2006-01-02T15:04Z"), "DISABLED": "-",
				"LAST SEEN": "-", "WORKSPACES": "Other Practice (contributor)"},
			"aud@firm.example": {"MFA": "no", "LOCKED UNTIL": "-", "DISABLED": aud.Disabled.UTC().Format("2006-01-02T15:04Z"),
				"LAST SEEN": "-", "WORKSPACES": "Sunny Valley Clinic (auditor expired 2020-01-31)"},
		} {
			for col, w := range want {
				if got := rows[email][col]; got != w {
					t.Errorf("%s %s = %q; want %q", email, col, got, w)
				}
			}
			if _, err := time.Parse("2006-01-02", rows[email]["CREATED"]); err != nil {
				t.Errorf("%s CREATED = %q", email, rows[email]["CREATED"])
			}
			// user add vouches for the address: verified when created.
			if rows[email]["VERIFIED"] != rows[email]["CREATED"] {
				t.Errorf("%s VERIFIED = %q; want the day it was added, %q", email, rows[email]["VERIFIED"], rows[email]["CREATED"])
			}
		}
		entries := a.lastAudit(1)
		if entries[0].Seq != before+1 || entries[0].Action != "user.list" || !strings.HasPrefix(entries[0].Actor, "cli") ||
			entries[0].Object != "users" || entries[0].WorkspaceID != 0 || !strings.Contains(entries[0].Details, `"accounts":3`) {
			t.Fatalf("user list audit entry: %+v", entries[0])
		}

		st, out, errs = c.db("user", "list", "--format", "json")
		if st != exitOK {
			t.Fatalf("user list --format json: %d %s", st, errs)
		}
		var doc struct {
			Accounts []struct {
				ID             int64   `json:"id"`
				Email          string  `json:"email"`
				Created        string  `json:"created"`
				MFAEnrolled    bool    `json:"mfa_enrolled"`
				SecurityKeys   int     `json:"security_keys"`
				RecoveryCodes  int     `json:"recovery_codes"`
				FailedAttempts int     `json:"failed_attempts"`
				LockedUntil    *string `json:"locked_until"`
				Disabled       *string `json:"disabled"`
				LastSeen       *string `json:"last_seen"`
				EmailVerified  *string `json:"email_verified"`
				Workspaces     []struct {
					ID      int64   `json:"id"`
					Name    string  `json:"name"`
					Role    string  `json:"role"`
					Expires *string `json:"expires"`
					Expired bool    `json:"expired"`
				} `json:"workspaces"`
			} `json:"accounts"`
		}
		dec := json.NewDecoder(strings.NewReader(out))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&doc); err != nil || len(doc.Accounts) != 3 {
			t.Fatalf("user list JSON: %v\n%s", err, out)
		}
		audJ, bobJ, jane := doc.Accounts[0], doc.Accounts[1], doc.Accounts[2]
		if jane.Email != "jane@example.org" || !jane.MFAEnrolled || jane.SecurityKeys != 1 || jane.RecoveryCodes != auth.RecoveryCodeCount ||
			jane.LockedUntil != nil || jane.Disabled != nil || len(jane.Workspaces) != 1 ||
			jane.Workspaces[0].Name != "Sunny Valley Clinic" || jane.Workspaces[0].Role != "owner" || jane.Workspaces[0].Expires != nil {
			t.Errorf("jane in JSON: %+v", jane)
		}
		if jane.EmailVerified == nil || !strings.HasPrefix(*jane.EmailVerified, jane.Created[:10]) {
			t.Errorf("jane's email_verified = %v; want the day she was added (user add vouches)", jane.EmailVerified)
		}
		if _, err := time.Parse(time.RFC3339, jane.Created); err != nil || jane.ID != a.user("jane@example.org").ID {
			t.Errorf("jane's id and created: %d %q", jane.ID, jane.Created)
		}
		if bobJ.MFAEnrolled || bobJ.LockedUntil == nil || *bobJ.LockedUntil != bob.LockedUntil.UTC().Format(time.RFC3339) ||
			bobJ.FailedAttempts != auth.LockoutThreshold || bobJ.LastSeen != nil || bobJ.Disabled != nil {
			t.Errorf("bob in JSON: %+v", bobJ)
		}
		if audJ.Disabled == nil || *audJ.Disabled != aud.Disabled.UTC().Format(time.RFC3339) || len(audJ.Workspaces) != 1 ||
			audJ.Workspaces[0].Role != "auditor" || audJ.Workspaces[0].Expires == nil ||
			*audJ.Workspaces[0].Expires != "2020-01-31T00:00:00Z" || !audJ.Workspaces[0].Expired {
			t.Errorf("auditor in JSON: %+v", audJ)
		}
		if jane.LastSeen == nil || *jane.LastSeen != signedIn.UTC().Format(time.RFC3339) {
			t.Errorf("jane's last_seen = %v; want %s", jane.LastSeen, signedIn.UTC().Format(time.RFC3339))
		}
		if strings.Contains(out, janeSecret) || strings.Contains(out, "argon2") {
			t.Fatal("user list printed a secret or a password hash")
		}

		// One workspace: its members only, with their role there.
		st, out, errs = c.db("user", "list", "--workspace", "Other Practice", "--format", "json")
		if st != exitOK {
			t.Fatalf("user list --workspace: %d %s", st, errs)
		}
		doc.Accounts = nil
		if err := json.Unmarshal([]byte(out), &doc); err != nil || len(doc.Accounts) != 1 || doc.Accounts[0].Email != "bob@example.org" {
			t.Fatalf("user list --workspace 'Other Practice': %v\n%s", err, out)
		}
		other, _ := a.st.WorkspaceByName(ctx, "Other Practice")
		entries = a.lastAudit(1)
		if entries[0].Action != "user.list" || entries[0].WorkspaceID != other.ID || entries[0].Object != "workspace:"+itoa(other.ID)+"/users" ||
			!strings.Contains(entries[0].Details, `"accounts":1`) || !strings.Contains(entries[0].Details, `"format":"json"`) {
			t.Fatalf("user list --workspace audit entry: %+v", entries[0])
		}

		head := a.head()
		for name, args := range map[string][]string{
			"bad format":        {"user", "list", "--format", "xml"},
			"unknown workspace": {"user", "list", "--workspace", "Nowhere"},
			"argument":          {"user", "list", "jane@example.org"},
			"unknown flag":      {"user", "list", "--role", "owner"},
		} {
			if st, out, _ := c.db(args...); st != exitInvalid || out != "" {
				t.Errorf("%s: status %d, output %q; want 2 and nothing", name, st, out)
			}
		}
		if a.head() != head {
			t.Error("refused list commands wrote to the audit log")
		}
		if st, out := c.verify(); st != exitOK {
			t.Fatalf("audit verify: %s", out)
		}
	})
}

func TestUserDisableEnable(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dsn string) {
		c := newStoreCLI(t, dsn)
		secret := mustQuery(t, c.addUser("jane@example.org", "Clinic", "owner"), "secret")
		c.addUser("bob@example.org", "Clinic", "contributor")
		a := c.accounts()
		ctx := context.Background()
		jane := a.user("jane@example.org")
		session := a.mustSignIn("jane@example.org", secret)
		ws, _ := a.st.WorkspaceByName(ctx, "Clinic")
		token, _, err := a.svc.CreateAPIToken(ctx, jane.ID, ws.ID, "ci", time.Hour, "test", time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := a.svc.Authenticate(ctx, session, time.Now()); err != nil {
			t.Fatalf("session before disable: %v", err)
		}

		st, out, errs := c.db("user", "disable", "jane@example.org")
		if st != exitOK || !strings.Contains(out, "1 session ended, 1 API token revoked") {
			t.Fatalf("user disable: %d %q %s", st, out, errs)
		}
		if strings.Contains(out+errs, "jane@example.org") {
			t.Errorf("user disable printed the full address: %s%s", out, errs)
		}
		if _, err := a.svc.Authenticate(ctx, session, time.Now()); !errors.Is(err, auth.ErrUnauthenticated) {
			t.Fatalf("session after disable: %v; want ErrUnauthenticated", err)
		}
		if _, err := a.svc.AuthenticateToken(ctx, token, time.Now()); !errors.Is(err, auth.ErrUnauthenticated) {
			t.Fatalf("API token after disable: %v; want ErrUnauthenticated", err)
		}
		if _, err := a.signIn("jane@example.org", testPassword, secret); !errors.Is(err, auth.ErrInvalidCredentials) {
			t.Fatalf("sign-in after disable: %v; want ErrInvalidCredentials", err)
		}
		rows := a.lastAudit(3) // the disable's two entries, then the refused sign-in
		if rows[0].Action != "token.revoke" || rows[0].WorkspaceID != ws.ID || rows[1].Action != "user.disable" ||
			rows[1].Object != "user:"+itoa(jane.ID) || !strings.HasPrefix(rows[1].Actor, "cli") ||
			!strings.Contains(rows[1].Details, `"sessions_ended":1`) || !strings.Contains(rows[1].Details, `"tokens_revoked":1`) ||
			strings.Contains(rows[1].Details, "jane@") {
			t.Fatalf("audit of the disable: %+v", rows[:2])
		}
		if got := a.user("jane@example.org"); got.Disabled.IsZero() {
			t.Fatal("account not marked disabled")
		}
		// Others are untouched.
		if !a.user("bob@example.org").Disabled.IsZero() {
			t.Fatal("disable touched another account")
		}

		st, out, errs = c.db("user", "enable", "jane@example.org")
		if st != exitOK || !strings.Contains(out, "enabled user") {
			t.Fatalf("user enable: %d %q %s", st, out, errs)
		}
		if rows := a.lastAudit(1); rows[0].Action != "user.enable" || !strings.HasPrefix(rows[0].Actor, "cli") {
			t.Fatalf("audit of the enable: %+v", rows)
		}
		if _, err := a.svc.Authenticate(ctx, session, time.Now()); !errors.Is(err, auth.ErrUnauthenticated) {
			t.Fatalf("session ended by the disable, after enable: %v", err)
		}
		if _, err := a.svc.AuthenticateToken(ctx, token, time.Now()); !errors.Is(err, auth.ErrUnauthenticated) {
			t.Fatalf("token revoked by the disable, after enable: %v", err)
		}
		again := a.mustSignIn("jane@example.org", secret)
		if p, err := a.svc.Authenticate(ctx, again, a.now); err != nil || p.User.ID != jane.ID {
			t.Fatalf("new session after enable: %v", err)
		}
		head := a.head()
		if st, out, _ := c.db("user", "enable", "jane@example.org"); st != exitOK || !strings.Contains(out, "not disabled; nothing changed") {
			t.Fatalf("enable of an enabled account: %d %q", st, out)
		}
		if a.head() != head {
			t.Fatal("enable of an enabled account wrote to the audit log")
		}

		for _, sub := range []string{"disable", "enable"} {
			st, out, errs := c.db("user", sub, "nobody@example.org")
			if st != exitInvalid || out != "" || !strings.Contains(errs, "no account with the address n…@example.org") ||
				strings.Contains(errs, "nobody@") {
				t.Errorf("user %s of an unknown address: %d %q %q", sub, st, out, errs)
			}
			if st, _, errs := c.db("user", sub); st != exitInvalid || !strings.Contains(errs, "Usage: rcmguard user "+sub) {
				t.Errorf("user %s without EMAIL: %d %s", sub, st, errs)
			}
			if st, _, _ := c.db("user", sub, "a@example.org", "b@example.org"); st != exitInvalid {
				t.Errorf("user %s with two addresses: %d", sub, st)
			}
			if st, _, errs := c.db("user", sub, "jane@example.org", "--now"); st != exitInvalid || !strings.Contains(errs, "Usage:") {
				t.Errorf("user %s with an unknown flag: %d %s", sub, st, errs)
			}
		}
		if st, out := c.verify(); st != exitOK {
			t.Fatalf("audit verify: %s", out)
		}
	})
}

func TestUserReset(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dsn string) {
		c := newStoreCLI(t, dsn)
		secret := mustQuery(t, c.addUser("jane@example.org", "Clinic", "owner"), "secret")
		a := c.accounts()
		ctx := context.Background()
		jane := a.user("jane@example.org")
		session := a.mustSignIn("jane@example.org", secret)
		codes, err := a.svc.SetRecoveryCodes(ctx, jane.ID, "test", a.now)
		if err != nil {
			t.Fatal(err)
		}
		a.addKey("jane@example.org", session)
		// Lock the account out: the reset lifts it.
		for range auth.LockoutThreshold {
			a.svc.Login(ctx, "jane@example.org", "not the password at all", time.Now())
		}
		if got := a.user("jane@example.org"); !time.Now().Before(got.LockedUntil) {
			t.Fatal("account not locked out")
		}

		// A weak password, a missing file, no file: refused, nothing changed.
		weak := filepath.Join(c.dir, "weak.pw")
		os.WriteFile(weak, []byte("passwordpassword\n"), 0o600)
		before, head := a.user("jane@example.org"), a.head()
		for name, args := range map[string][]string{
			"weak password":   {"user", "reset", "jane@example.org", "--password-file", weak},
			"short password":  {"user", "reset", "jane@example.org", "--password-file", "-"},
			"missing file":    {"user", "reset", "jane@example.org", "--password-file", filepath.Join(c.dir, "none")},
			"no file":         {"user", "reset", "jane@example.org"},
			"unknown address": {"user", "reset", "nobody@example.org", "--password-file", weak},
			"unknown flag":    {"user", "reset", "jane@example.org", "--password-file", weak, "--keep-totp"},
		} {
			var st int
			var out, errs string
			if name == "short password" {
				var o, e strings.Builder
				st = Main(append(args, "--db", c.dsn, "--key-file", c.key), strings.NewReader("too short\n"), &o, &e)
				out, errs = o.String(), e.String()
			} else {
				st, out, errs = c.db(args...)
			}
			if st != exitInvalid || out != "" {
				t.Errorf("%s: status %d, stdout %q; want 2 and nothing", name, st, out)
			}
			switch name {
			case "weak password":
				if !strings.Contains(errs, "common") || !strings.Contains(errs, "nothing was changed") {
					t.Errorf("weak password: %s", errs)
				}
			case "unknown address":
				if !strings.Contains(errs, "no account with the address n…@example.org") {
					t.Errorf("unknown address: %s", errs)
				}
			}
		}
		after := a.user("jane@example.org")
		if after.PasswordHash != before.PasswordHash || after.TOTPSecret != before.TOTPSecret || !after.MFAEnrolled ||
			len(after.RecoveryCodes) != auth.RecoveryCodeCount || !after.LockedUntil.Equal(before.LockedUntil) || a.head() != head {
			t.Fatal("a refused reset changed the account or the audit log")
		}
		if _, err := a.svc.Authenticate(ctx, session, time.Now()); err != nil {
			t.Fatalf("session after a refused reset: %v", err)
		}

		const next = "seven quiet herons fishing"
		pw := filepath.Join(c.dir, "new.pw")
		os.WriteFile(pw, []byte(next+"\n"), 0o600)
		st, out, errs := c.db("user", "reset", "jane@example.org", "--password-file", pw)
		if st != exitOK {
			t.Fatalf("user reset: %d %s", st, errs)
		}
		uri := strings.TrimSpace(out)
		newSecret := mustQuery(t, uri, "secret")
		if !strings.HasPrefix(uri, "otpauth://totp/") || strings.Count(out, "\n") != 1 || newSecret == secret {
			t.Fatalf("user reset printed %q; want one new otpauth URI", out)
		}
		if strings.Contains(errs, next) || strings.Contains(errs, newSecret) || strings.Contains(errs, "jane@example.org") ||
			!strings.Contains(errs, "10 recovery codes and 1 security key removed") {
			t.Fatalf("user reset stderr: %s", errs)
		}

		rows := a.lastAudit(1)
		if rows[0].Action != "user.reset" || !strings.HasPrefix(rows[0].Actor, "cli") || !strings.Contains(rows[0].Details, `"mfa_reset":true`) ||
			strings.Contains(rows[0].Details, next) || strings.Contains(rows[0].Details, newSecret) || strings.Contains(rows[0].Details, "jane@") {
			t.Fatalf("audit of the reset: %+v", rows[0])
		}
		if got := a.user("jane@example.org"); got.MFAEnrolled || len(got.RecoveryCodes) != 0 || got.FailedAttempts != 0 ||
			!got.LockedUntil.IsZero() {
			t.Fatalf("after reset: enrolled %v, %d recovery codes, %d failures, locked until %v",
				got.MFAEnrolled, len(got.RecoveryCodes), got.FailedAttempts, got.LockedUntil)
		}
		if _, err := a.svc.Authenticate(ctx, session, time.Now()); !errors.Is(err, auth.ErrUnauthenticated) {
			t.Fatalf("session after reset: %v; want ErrUnauthenticated", err)
		}
		if _, err := a.svc.Login(ctx, "jane@example.org", testPassword, time.Now()); !errors.Is(err, auth.ErrInvalidCredentials) {
			t.Fatalf("old password after reset: %v; want ErrInvalidCredentials", err)
		}
		res, err := a.svc.Login(ctx, "jane@example.org", next, time.Now())
		if err != nil || !res.NeedsEnrol || res.EnrolmentURI != uri {
			t.Fatalf("sign-in after reset = %+v, %v; want enrolment of the printed URI (and no lockout)", res, err)
		}
		if keys, err := a.st.WebAuthnCredentials(ctx, jane.ID); err != nil || len(keys) != 0 {
			t.Fatalf("security keys after reset: %d, %v", len(keys), err)
		}
		if _, err := a.svc.BeginKeyLogin(ctx, testRP, res.Token, time.Now()); !errors.Is(err, auth.ErrNoKeys) {
			t.Fatalf("security key sign-in after reset: %v; want ErrNoKeys", err)
		}
		if _, err := a.svc.VerifyRecoveryCode(ctx, res.Token, codes[0], time.Now()); !errors.Is(err, auth.ErrInvalidCredentials) {
			t.Fatalf("old recovery code after reset: %v", err)
		}
		a.now = time.Now()
		session, err = a.signIn("jane@example.org", next, newSecret)
		if err != nil {
			t.Fatalf("sign-in with the new password and authenticator: %v", err)
		}

		// --keep-mfa: a forgotten password only.
		const third = "eleven amber lanterns drifting"
		os.WriteFile(pw, []byte(third+"\n"), 0o600)
		st, out, errs = c.db("user", "reset", "jane@example.org", "--password-file", pw, "--keep-mfa")
		if st != exitOK || out != "" || !strings.Contains(errs, "MFA kept") {
			t.Fatalf("user reset --keep-mfa: %d %q %s", st, out, errs)
		}
		if _, err := a.svc.Authenticate(ctx, session, time.Now()); !errors.Is(err, auth.ErrUnauthenticated) {
			t.Fatalf("session after reset --keep-mfa: %v", err)
		}
		if got := a.user("jane@example.org"); got.TOTPSecret != newSecret || !got.MFAEnrolled {
			t.Fatal("reset --keep-mfa changed the authenticator")
		}
		if rows := a.lastAudit(1); rows[0].Action != "user.reset" || !strings.Contains(rows[0].Details, `"mfa_reset":false`) {
			t.Fatalf("audit of the reset --keep-mfa: %+v", rows[0])
		}
		if _, err := a.signIn("jane@example.org", third, newSecret); err != nil {
			t.Fatalf("sign-in after reset --keep-mfa: %v", err)
		}
		if st, out := c.verify(); st != exitOK {
			t.Fatalf("audit verify: %s", out)
		}
	})
}
