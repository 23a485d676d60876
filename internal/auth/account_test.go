package auth

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"rcmguard/internal/store/storetest"
)

func TestChangePasswordAndDisable(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		ctx := context.Background()
		u, enr := e.addUser(t, "jane@example.org", "Clinic", RoleOwner)
		keep := e.signIn(t, "jane@example.org", enr.Secret, t0)
		other := e.signIn(t, "jane@example.org", enr.Secret, t0.Add(time.Minute))
		const next = "seven quiet herons fishing"
		if err := e.svc.ChangePassword(ctx, u.ID, "not my password at all", next, SessionHash(keep), t0.Add(2*time.Minute)); !errors.Is(err, ErrInvalidCredentials) {
			t.Fatalf("wrong current password: %v; want ErrInvalidCredentials", err)
		}
		var pe *PolicyError
		if err := e.svc.ChangePassword(ctx, u.ID, goodPassword, "too short", SessionHash(keep), t0.Add(2*time.Minute)); !errors.As(err, &pe) {
			t.Fatalf("weak new password: %v; want *PolicyError", err)
		}
		if err := e.svc.ChangePassword(ctx, u.ID, goodPassword, next, SessionHash(keep), t0.Add(2*time.Minute)); err != nil {
			t.Fatalf("ChangePassword: %v", err)
		}
		if _, err := e.svc.Authenticate(ctx, keep, t0.Add(3*time.Minute)); err != nil {
			t.Fatalf("kept session: %v", err)
		}
		if _, err := e.svc.Authenticate(ctx, other, t0.Add(3*time.Minute)); !errors.Is(err, ErrUnauthenticated) {
			t.Fatalf("other session after password change: %v; want ErrUnauthenticated", err)
		}
		if _, err := e.svc.Login(ctx, "jane@example.org", goodPassword, t0.Add(4*time.Minute)); !errors.Is(err, ErrInvalidCredentials) {
			t.Fatalf("old password: %v; want ErrInvalidCredentials", err)
		}
		if _, err := e.svc.Login(ctx, "jane@example.org", next, t0.Add(4*time.Minute)); err != nil {
			t.Fatalf("new password: %v", err)
		}
		secret, _, err := e.svc.CreateAPIToken(ctx, u.ID, 1, "ci", time.Hour, "user:1", t0.Add(5*time.Minute))
		if err != nil {
			t.Fatal(err)
		}
		before := e.head(t)
		d, err := e.svc.DisableUser(ctx, u.ID, "user:9", t0.Add(6*time.Minute))
		if err != nil {
			t.Fatal(err)
		}
		// The kept session and the one the last Login began; the token.
		if d != (Disabled{Sessions: 2, Tokens: 1}) {
			t.Fatalf("DisableUser = %+v; want 2 sessions and 1 token ended", d)
		}
		rows, _ := e.st.AuditEntries(ctx, before, 10)
		if len(rows) != 2 || rows[0].Action != "token.revoke" || rows[0].WorkspaceID != 1 ||
			rows[1].Action != "user.disable" || !strings.Contains(rows[1].Details, `"tokens_revoked":1`) {
			t.Fatalf("audit of the disable: %+v", rows)
		}
		if _, err := e.svc.Authenticate(ctx, keep, t0.Add(6*time.Minute)); !errors.Is(err, ErrUnauthenticated) {
			t.Fatalf("session of a disabled user: %v", err)
		}
		if _, err := e.svc.AuthenticateToken(ctx, secret, t0.Add(6*time.Minute)); !errors.Is(err, ErrUnauthenticated) {
			t.Fatalf("token of a disabled user: %v", err)
		}
		if _, err := e.svc.Login(ctx, "jane@example.org", next, t0.Add(7*time.Minute)); !errors.Is(err, ErrInvalidCredentials) {
			t.Fatalf("sign-in of a disabled user: %v", err)
		}
		// Disabling again keeps the first time and still audits.
		if d, err := e.svc.DisableUser(ctx, u.ID, "user:9", t0.Add(8*time.Minute)); err != nil || d != (Disabled{Already: true}) {
			t.Fatalf("second DisableUser = %+v, %v", d, err)
		}
		if got, _ := e.st.User(ctx, u.ID); !got.Disabled.Equal(t0.Add(6 * time.Minute)) {
			t.Fatalf("disabled at %v after a second disable; want the first time", got.Disabled)
		}
		// Enabling lifts the disable only: the ended session stays ended.
		before = e.head(t)
		if ok, err := e.svc.EnableUser(ctx, u.ID, "cli:root", t0.Add(9*time.Minute)); err != nil || !ok {
			t.Fatalf("EnableUser = %v, %v", ok, err)
		}
		if _, err := e.svc.Authenticate(ctx, keep, t0.Add(9*time.Minute)); !errors.Is(err, ErrUnauthenticated) {
			t.Fatalf("session ended by the disable, after enable: %v", err)
		}
		if _, err := e.svc.AuthenticateToken(ctx, secret, t0.Add(9*time.Minute)); !errors.Is(err, ErrUnauthenticated) {
			t.Fatalf("token revoked by the disable, after enable: %v", err)
		}
		if _, err := e.svc.Login(ctx, "jane@example.org", next, t0.Add(10*time.Minute)); err != nil {
			t.Fatalf("sign-in after enable: %v", err)
		}
		if ok, err := e.svc.EnableUser(ctx, u.ID, "cli:root", t0.Add(11*time.Minute)); err != nil || ok {
			t.Fatalf("EnableUser of an enabled account = %v, %v; want false", ok, err)
		}
		if got := e.auditActions(t, before); strings.Join(got, ",") != "user.enable,auth.password.ok" {
			t.Fatalf("audit after enabling twice and signing in: %v", got)
		}
		if _, err := e.log.Verify(ctx, e.st, nil); err != nil {
			t.Fatalf("audit chain: %v", err)
		}
	})
}

func TestResetUser(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		ctx := context.Background()
		u, enr := e.addUser(t, "jane@example.org", "Sunny Valley Clinic", RoleOwner)
		sess := e.signIn(t, "jane@example.org", enr.Secret, t0)
		codes, err := e.svc.SetRecoveryCodes(ctx, u.ID, "user:1", t0)
		if err != nil {
			t.Fatal(err)
		}
		e.registerKey(t, u, sess, "Blue key", t0)
		// Lock the account out.
		for i := range LockoutThreshold + 1 {
			e.svc.Login(ctx, "jane@example.org", "not the password at all", t0.Add(time.Duration(i)*time.Second))
		}
		now := t0.Add(30 * time.Second)
		if got, _ := e.st.User(ctx, u.ID); !got.LockedUntil.After(now) {
			t.Fatalf("account not locked: %+v", got.LockedUntil)
		}

		// A refused password changes nothing.
		before, _ := e.st.User(ctx, u.ID)
		head := e.head(t)
		var pe *PolicyError
		for _, pw := range []string{"too short", "passwordpassword", "sunny valley clinic 1"} {
			if _, err := e.svc.ResetUser(ctx, Reset{UserID: u.ID, Password: pw, Actor: "cli:root"}, now); !errors.As(err, &pe) {
				t.Fatalf("ResetUser with %q: %v; want *PolicyError", pw, err)
			}
		}
		after, _ := e.st.User(ctx, u.ID)
		if after.PasswordHash != before.PasswordHash || after.TOTPSecret != before.TOTPSecret || !after.LockedUntil.Equal(before.LockedUntil) ||
			len(after.RecoveryCodes) != RecoveryCodeCount || e.head(t) != head {
			t.Fatal("a refused reset changed the account or the audit log")
		}
		if _, err := e.svc.Authenticate(ctx, sess, now); err != nil {
			t.Fatalf("session after a refused reset: %v", err)
		}

		const next = "seven quiet herons fishing"
		done, err := e.svc.ResetUser(ctx, Reset{UserID: u.ID, Password: next, Actor: "cli:root"}, now)
		if err != nil {
			t.Fatalf("ResetUser: %v", err)
		}
		if done.Enrollment == nil || done.Enrollment.Secret == enr.Secret || done.Sessions < 1 || done.SecurityKeys != 1 ||
			done.RecoveryCodes != RecoveryCodeCount {
			t.Fatalf("ResetUser = %+v", done)
		}
		if _, err := e.svc.Authenticate(ctx, sess, now); !errors.Is(err, ErrUnauthenticated) {
			t.Fatalf("session after reset: %v", err)
		}
		if got, _ := e.st.User(ctx, u.ID); got.FailedAttempts != 0 || !got.LockedUntil.IsZero() || got.MFAEnrolled ||
			len(got.RecoveryCodes) != 0 {
			t.Fatalf("account after reset: %d failures, locked until %v, enrolled %v, %d recovery codes",
				got.FailedAttempts, got.LockedUntil, got.MFAEnrolled, len(got.RecoveryCodes))
		}
		if _, err := e.svc.Login(ctx, "jane@example.org", goodPassword, now); !errors.Is(err, ErrInvalidCredentials) {
			t.Fatalf("old password after reset: %v", err)
		}
		res, err := e.svc.Login(ctx, "jane@example.org", next, now)
		if err != nil || !res.NeedsEnrol || res.EnrolmentURI != done.Enrollment.URI {
			t.Fatalf("Login after reset = %+v, %v; want enrolment of the new secret", res, err)
		}
		if _, err := e.svc.VerifyRecoveryCode(ctx, res.Token, codes[0], now); !errors.Is(err, ErrInvalidCredentials) {
			t.Fatalf("old recovery code after reset: %v", err)
		}
		if _, err := e.svc.BeginKeyLogin(ctx, testRP, res.Token, now); !errors.Is(err, ErrNoKeys) {
			t.Fatalf("security key after reset: %v; want ErrNoKeys", err)
		}
		if _, err := e.svc.VerifyTOTP(ctx, res.Token, code(t, enr.Secret, now), now); !errors.Is(err, ErrInvalidCredentials) {
			t.Fatalf("old TOTP secret after reset: %v", err)
		}
		sess, err = e.svc.VerifyTOTP(ctx, res.Token, code(t, done.Enrollment.Secret, now), now)
		if err != nil {
			t.Fatalf("new TOTP secret after reset: %v", err)
		}
		rows, _ := e.st.AuditEntries(ctx, head, 1)
		if len(rows) != 1 || rows[0].Action != "user.reset" || rows[0].Actor != "cli:root" ||
			!strings.Contains(rows[0].Details, `"mfa_reset":true`) || strings.Contains(rows[0].Details, next) ||
			strings.Contains(rows[0].Details, done.Enrollment.Secret) || strings.Contains(rows[0].Details, "jane@") {
			t.Fatalf("reset audit entry: %+v", rows)
		}

		// --keep-mfa: the password changes, the factors stay.
		e.registerKey(t, u, sess, "Green key", now)
		const third = "eleven amber lanterns drifting"
		kept, _ := e.st.User(ctx, u.ID)
		done, err = e.svc.ResetUser(ctx, Reset{UserID: u.ID, Password: third, KeepMFA: true, Actor: "cli:root"}, now.Add(time.Minute))
		if err != nil || done.Enrollment != nil || done.SecurityKeys != 0 {
			t.Fatalf("ResetUser keeping MFA = %+v, %v", done, err)
		}
		got, _ := e.st.User(ctx, u.ID)
		if got.TOTPSecret != kept.TOTPSecret || !got.MFAEnrolled {
			t.Fatal("reset keeping MFA changed the TOTP enrolment")
		}
		if keys, _ := e.svc.Keys(ctx, u.ID); len(keys) != 1 {
			t.Fatalf("reset keeping MFA left %d security keys; want 1", len(keys))
		}
		if res, err := e.svc.Login(ctx, "jane@example.org", third, now.Add(time.Minute)); err != nil || res.NeedsEnrol {
			t.Fatalf("Login after a reset keeping MFA = %+v, %v", res, err)
		}
		if _, err := e.log.Verify(ctx, e.st, nil); err != nil {
			t.Fatalf("audit chain: %v", err)
		}
	})
}
