package auth

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"rcmguard/internal/audit"
	"rcmguard/internal/store"
	"rcmguard/internal/store/storetest"
)

var t0 = time.Date(2026, 4, 1, 8, 0, 0, 0, time.UTC)

const goodPassword = "violet kettles hum at dawn"

type env struct {
	svc *Service
	st  *store.Store
	log *audit.Log
}

func newEnv(t *testing.T, dsn string) *env {
	kr := storetest.Keyring(t)
	st := storetest.Open(t, dsn, kr)
	log := audit.New(kr)
	return &env{svc: New(st, log, Config{Params: cheap}), st: st, log: log}
}

func (e *env) addUser(t *testing.T, email, workspace string, role Role) (store.User, Enrollment) {
	t.Helper()
	u, enr, err := e.svc.CreateUser(context.Background(), NewUser{Email: email, Password: goodPassword, Workspace: workspace,
		Role: role, Actor: "test"}, t0)
	if err != nil {
		t.Fatalf("CreateUser: %v", err)
	}
	return u, enr
}

func code(t *testing.T, secret string, at time.Time) string {
	t.Helper()
	c, err := totp.GenerateCodeCustom(secret, at, totpOpts)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// signIn runs both steps and returns the full session token.
func (e *env) signIn(t *testing.T, email, secret string, now time.Time) string {
	t.Helper()
	ctx := context.Background()
	res, err := e.svc.Login(ctx, email, goodPassword, now)
	if err != nil {
		t.Fatalf("Login: %v", err)
	}
	tok, err := e.svc.VerifyTOTP(ctx, res.Token, code(t, secret, now), now)
	if err != nil {
		t.Fatalf("VerifyTOTP: %v", err)
	}
	return tok
}

func TestCreateUserAndEnrol(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		ctx := context.Background()
		u, enr := e.addUser(t, "Jane@Example.org", "Sunny Valley Clinic", RoleComplianceOfficer)
		uri, err := url.Parse(enr.URI)
		if err != nil || uri.Scheme != "otpauth" || uri.Host != "totp" || uri.Query().Get("secret") != enr.Secret ||
			uri.Query().Get("issuer") != "rcmguard" || !strings.Contains(uri.Path, "jane@example.org") {
			t.Fatalf("enrolment URI %q", enr.URI)
		}
		if len(enr.Secret) < 32 { // 160 bits in base32
			t.Fatalf("TOTP secret has %d base32 characters; want 32", len(enr.Secret))
		}
		w, err := e.st.WorkspaceByName(ctx, "Sunny Valley Clinic")
		if err != nil {
			t.Fatal(err)
		}
		m, err := e.st.Membership(ctx, w.ID, u.ID)
		if err != nil || m.Role != "compliance_officer" {
			t.Fatalf("membership = %+v, %v", m, err)
		}
		// A second user joins the existing workspace; an auditor gets an expiry.
		a, _ := e.addUser(t, "audit@firm.example", "Sunny Valley Clinic", RoleAuditor)
		if m, _ := e.st.Membership(ctx, w.ID, a.ID); !m.Expires.Equal(t0.Add(AuditorDefaultAccess)) {
			t.Fatalf("auditor expiry %v; want %v", m.Expires, t0.Add(AuditorDefaultAccess))
		}
		for name, in := range map[string]NewUser{
			"duplicate": {Email: "jane@example.org", Password: goodPassword, Workspace: "W", Role: RoleOwner},
			"weak":      {Email: "b@example.org", Password: "passwordpassword", Workspace: "W", Role: RoleOwner},
			"role":      {Email: "c@example.org", Password: goodPassword, Workspace: "W", Role: "admin"},
			"email":     {Email: "not-an-address", Password: goodPassword, Workspace: "W", Role: RoleOwner},
		} {
			if _, _, err := e.svc.CreateUser(ctx, in, t0); err == nil {
				t.Errorf("CreateUser %s: accepted", name)
			} else if strings.Contains(err.Error(), goodPassword) {
				t.Errorf("CreateUser %s: error quotes the password", name)
			}
		}
		if _, err := e.st.WorkspaceByName(ctx, "W"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("failed CreateUser left a workspace behind: %v", err)
		}
		if rep, err := e.log.Verify(ctx, e.st, nil); err != nil || rep.Entries != 3 {
			t.Fatalf("audit after user creation = %+v, %v; want 3 entries", rep, err)
		}
	})
}

func TestLoginMFAAndSessionLifecycle(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		ctx := context.Background()
		u, enr := e.addUser(t, "jane@example.org", "Clinic", RoleOwner)
		res, err := e.svc.Login(ctx, "JANE@example.org", goodPassword, t0)
		if err != nil || !res.NeedsEnrol || res.EnrolmentURI == "" {
			t.Fatalf("first Login = %+v, %v; want a session needing enrolment", res, err)
		}
		if _, err := e.svc.Authenticate(ctx, res.Token, t0); !errors.Is(err, ErrMFARequired) {
			t.Fatalf("password-only session: %v; want ErrMFARequired", err)
		}
		tok, err := e.svc.VerifyTOTP(ctx, res.Token, code(t, enr.Secret, t0), t0)
		if err != nil {
			t.Fatalf("VerifyTOTP: %v", err)
		}
		if tok == res.Token || len(tok) < 43 {
			t.Fatalf("session token not replaced with a fresh 256-bit token")
		}
		if _, err := e.svc.Authenticate(ctx, res.Token, t0); !errors.Is(err, ErrUnauthenticated) {
			t.Fatalf("pre-MFA token after MFA: %v; want ErrUnauthenticated", err)
		}
		if got, _ := e.st.User(ctx, u.ID); !got.MFAEnrolled {
			t.Fatal("first accepted code did not mark MFA enrolled")
		}
		// Idle timeout slides with activity; the absolute lifetime does not.
		now := t0
		for i := 0; i < 5; i++ {
			now = now.Add(14 * time.Minute)
			if _, err := e.svc.Authenticate(ctx, tok, now); err != nil {
				t.Fatalf("Authenticate after %v of activity: %v", now.Sub(t0), err)
			}
		}
		// The sign-in page tells an expired session from a missing one by
		// ErrSessionExpired, which still matches ErrUnauthenticated.
		if _, err := e.svc.Authenticate(ctx, tok, now.Add(15*time.Minute)); !errors.Is(err, ErrSessionExpired) || !errors.Is(err, ErrUnauthenticated) {
			t.Fatalf("after 15 idle minutes: %v; want ErrSessionExpired, an ErrUnauthenticated", err)
		}
		tok = e.signIn(t, "jane@example.org", enr.Secret, t0.Add(2*time.Hour))
		now = t0.Add(2 * time.Hour)
		for now.Before(t0.Add(14 * time.Hour)) {
			now = now.Add(10 * time.Minute)
			if _, err = e.svc.Authenticate(ctx, tok, now); err != nil {
				break
			}
		}
		if got := now.Sub(t0.Add(2 * time.Hour)); got > 12*time.Hour {
			t.Fatalf("active session lived %v; absolute lifetime is 12h", got)
		}
		if !errors.Is(err, ErrSessionExpired) {
			t.Fatalf("past the absolute lifetime: %v; want ErrSessionExpired", err)
		}
		// Logout ends the session server-side.
		tok = e.signIn(t, "jane@example.org", enr.Secret, t0.Add(20*time.Hour))
		if err := e.svc.Logout(ctx, tok, t0.Add(20*time.Hour)); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Authenticate(ctx, tok, t0.Add(20*time.Hour)); !errors.Is(err, ErrUnauthenticated) || errors.Is(err, ErrSessionExpired) {
			t.Fatalf("after logout: %v; want ErrUnauthenticated, not ErrSessionExpired", err)
		}
		// Disabling a user ends their sessions at once.
		tok = e.signIn(t, "jane@example.org", enr.Secret, t0.Add(21*time.Hour))
		err = e.st.InTx(ctx, func(tx *store.Tx) error {
			if _, _, err := tx.DisableUser(ctx, u.ID, t0.Add(21*time.Hour)); err != nil {
				return err
			}
			_, err := e.log.Append(ctx, tx, audit.Event{At: t0, Actor: "test", Action: "user.disable"})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Authenticate(ctx, tok, t0.Add(21*time.Hour)); !errors.Is(err, ErrUnauthenticated) {
			t.Fatalf("disabled user's session: %v; want ErrUnauthenticated", err)
		}
		if _, err := e.svc.Login(ctx, "jane@example.org", goodPassword, t0.Add(22*time.Hour)); !errors.Is(err, ErrInvalidCredentials) {
			t.Fatalf("disabled user login: %v; want ErrInvalidCredentials", err)
		}
		if _, err := e.log.Verify(ctx, e.st, nil); err != nil {
			t.Fatalf("audit chain: %v", err)
		}
	})
}

func TestTOTPReplayAndWindow(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		ctx := context.Background()
		_, enr := e.addUser(t, "jane@example.org", "Clinic", RoleOwner)
		now := t0.Add(time.Hour)
		c := code(t, enr.Secret, now)
		first, _ := e.svc.Login(ctx, "jane@example.org", goodPassword, now)
		if _, err := e.svc.VerifyTOTP(ctx, first.Token, c, now); err != nil {
			t.Fatalf("fresh code: %v", err)
		}
		second, _ := e.svc.Login(ctx, "jane@example.org", goodPassword, now.Add(5*time.Second))
		if _, err := e.svc.VerifyTOTP(ctx, second.Token, c, now.Add(5*time.Second)); !errors.Is(err, ErrInvalidCredentials) {
			t.Fatalf("replayed code: %v; want ErrInvalidCredentials", err)
		}
		// The previous step's code is older than the used one: refused too.
		if _, err := e.svc.VerifyTOTP(ctx, second.Token, code(t, enr.Secret, now.Add(-30*time.Second)), now); err == nil {
			t.Fatal("code of an earlier step accepted after a later one was used")
		}
		// Next step's code, one step early: accepted (clock drift).
		if _, err := e.svc.VerifyTOTP(ctx, second.Token, code(t, enr.Secret, now.Add(30*time.Second)), now); err != nil {
			t.Fatalf("code one step ahead: %v", err)
		}
		later := now.Add(10 * time.Minute)
		third, _ := e.svc.Login(ctx, "jane@example.org", goodPassword, later)
		for _, off := range []time.Duration{-90 * time.Second, 90 * time.Second} {
			if _, err := e.svc.VerifyTOTP(ctx, third.Token, code(t, enr.Secret, later.Add(off)), later); err == nil {
				t.Fatalf("code %v away accepted", off)
			}
		}
	})
}

func TestLockout(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		ctx := context.Background()
		u, enr := e.addUser(t, "jane@example.org", "Clinic", RoleOwner)
		now := t0
		var err error
		for i := 1; i <= LockoutThreshold; i++ {
			_, err = e.svc.Login(ctx, "jane@example.org", "wrong wrong wrong wrong", now)
			if !errors.Is(err, ErrInvalidCredentials) {
				t.Fatalf("wrong password #%d: %v", i, err)
			}
		}
		if !errors.Is(err, ErrLocked) {
			t.Fatalf("after %d failures: %v; want ErrLocked", LockoutThreshold, err)
		}
		if _, err := e.svc.Login(ctx, "jane@example.org", goodPassword, now.Add(59*time.Second)); !errors.Is(err, ErrLocked) {
			t.Fatalf("correct password while locked: %v; want ErrLocked", err)
		}
		// The lock doubles with each further failure.
		now = now.Add(time.Minute)
		if _, err := e.svc.Login(ctx, "jane@example.org", "still wrong still wrong", now); !errors.Is(err, ErrLocked) {
			t.Fatalf("6th failure: %v; want ErrLocked", err)
		}
		if got, _ := e.st.User(ctx, u.ID); !got.LockedUntil.Equal(now.Add(2*time.Minute)) || got.FailedAttempts != 6 {
			t.Fatalf("after 6 failures: locked until %v, %d failures", got.LockedUntil, got.FailedAttempts)
		}
		now = now.Add(2 * time.Minute)
		// Wrong TOTP codes count too; success resets the count.
		res, err := e.svc.Login(ctx, "jane@example.org", goodPassword, now)
		if err != nil {
			t.Fatalf("login after lock expired: %v", err)
		}
		if _, err := e.svc.VerifyTOTP(ctx, res.Token, "000000", now); !errors.Is(err, ErrLocked) {
			t.Fatalf("wrong code at 7 failures: %v; want ErrLocked", err)
		}
		now = now.Add(4 * time.Minute)
		res, _ = e.svc.Login(ctx, "jane@example.org", goodPassword, now)
		if _, err := e.svc.VerifyTOTP(ctx, res.Token, code(t, enr.Secret, now), now); err != nil {
			t.Fatalf("correct code after lock: %v", err)
		}
		if got, _ := e.st.User(ctx, u.ID); got.FailedAttempts != 0 || !got.LockedUntil.IsZero() {
			t.Fatalf("after success: %d failures, locked until %v; want reset", got.FailedAttempts, got.LockedUntil)
		}
		// 100 consecutive wrong passwords never get through and lock long before the 100th.
		lockedAt := 0
		for i := 1; i <= 100; i++ {
			_, err := e.svc.Login(ctx, "jane@example.org", "wrong wrong wrong wrong", now)
			if errors.Is(err, ErrLocked) && lockedAt == 0 {
				lockedAt = i
			}
		}
		if lockedAt == 0 || lockedAt > LockoutThreshold {
			t.Fatalf("locked at attempt %d; want by %d", lockedAt, LockoutThreshold)
		}
		// Unknown accounts fail the same way and are audited without the address.
		if _, err := e.svc.Login(ctx, "nobody@example.org", goodPassword, now); !errors.Is(err, ErrInvalidCredentials) || errors.Is(err, ErrLocked) {
			t.Fatalf("unknown account: %v", err)
		}
		rows, _ := e.st.AuditEntries(ctx, 0, 1000)
		last := rows[len(rows)-1]
		if last.Action != "auth.login.fail" || strings.Contains(last.Details, "nobody@") || !strings.Contains(last.Details, "n…@example.org") {
			t.Fatalf("unknown-account audit entry = %+v", last)
		}
	})
}

func TestRecoveryCodesSingleUse(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		ctx := context.Background()
		u, _ := e.addUser(t, "jane@example.org", "Clinic", RoleOwner)
		codes, err := e.svc.SetRecoveryCodes(ctx, u.ID, "user:1", t0)
		if err != nil || len(codes) != RecoveryCodeCount {
			t.Fatalf("SetRecoveryCodes = %d codes, %v", len(codes), err)
		}
		stored, _ := e.st.User(ctx, u.ID)
		for _, h := range stored.RecoveryCodes {
			for _, c := range codes {
				if strings.Contains(h, strings.ReplaceAll(c, "-", "")) {
					t.Fatal("recovery code stored in clear")
				}
			}
		}
		res, _ := e.svc.Login(ctx, "jane@example.org", goodPassword, t0)
		if _, err := e.svc.VerifyRecoveryCode(ctx, res.Token, strings.ToUpper(codes[3]), t0); err != nil {
			t.Fatalf("recovery code: %v", err)
		}
		res, _ = e.svc.Login(ctx, "jane@example.org", goodPassword, t0)
		if _, err := e.svc.VerifyRecoveryCode(ctx, res.Token, codes[3], t0); !errors.Is(err, ErrInvalidCredentials) {
			t.Fatalf("reused recovery code: %v; want ErrInvalidCredentials", err)
		}
		if got, _ := e.st.User(ctx, u.ID); len(got.RecoveryCodes) != RecoveryCodeCount-1 {
			t.Fatalf("%d codes left; want %d", len(got.RecoveryCodes), RecoveryCodeCount-1)
		}
	})
}

func TestAuthorizeAndTokens(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		ctx := context.Background()
		u, _ := e.addUser(t, "jane@example.org", "Clinic A", RoleContributor)
		e.addUser(t, "bob@example.org", "Clinic B", RoleOwner)
		a, _ := e.st.WorkspaceByName(ctx, "Clinic A")
		b, _ := e.st.WorkspaceByName(ctx, "Clinic B")
		p := Principal{User: u}
		if _, err := e.svc.Authorize(ctx, p, a.ID, ActModelEdit, t0); err != nil {
			t.Fatalf("contributor editing own workspace: %v", err)
		}
		if _, err := e.svc.Authorize(ctx, p, a.ID, ActRiskAccept, t0); !errors.Is(err, ErrForbidden) {
			t.Fatalf("contributor accepting a risk: %v; want ErrForbidden", err)
		}
		if _, err := e.svc.Authorize(ctx, p, b.ID, ActWorkspaceView, t0); !errors.Is(err, ErrForbidden) {
			t.Fatalf("reading another tenant: %v; want ErrForbidden", err)
		}
		secret, k, err := e.svc.CreateAPIToken(ctx, u.ID, a.ID, "ci", 24*time.Hour, "user:1", t0)
		if err != nil || !strings.HasPrefix(secret, apiTokenPrefix) || k.Hash == secret {
			t.Fatalf("CreateAPIToken = %q, %+v, %v", secret, k, err)
		}
		if _, _, err := e.svc.CreateAPIToken(ctx, u.ID, b.ID, "x", time.Hour, "user:1", t0); err == nil {
			t.Fatal("token issued for a workspace the user is not in")
		}
		tp, err := e.svc.AuthenticateToken(ctx, secret, t0.Add(time.Hour))
		if err != nil || tp.User.ID != u.ID || tp.TokenWorkspace != a.ID {
			t.Fatalf("AuthenticateToken = %+v, %v", tp, err)
		}
		if _, err := e.svc.AuthenticateToken(ctx, secret, t0.Add(24*time.Hour)); !errors.Is(err, ErrUnauthenticated) {
			t.Fatalf("expired token: %v; want ErrUnauthenticated", err)
		}
		if _, err := e.svc.AuthenticateToken(ctx, secret+"x", t0); !errors.Is(err, ErrUnauthenticated) {
			t.Fatalf("wrong token: %v; want ErrUnauthenticated", err)
		}
	})
}
