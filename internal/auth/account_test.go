package auth

import (
	"context"
	"errors"
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
		if err := e.svc.DisableUser(ctx, u.ID, "user:9", t0.Add(6*time.Minute)); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Authenticate(ctx, keep, t0.Add(6*time.Minute)); !errors.Is(err, ErrUnauthenticated) {
			t.Fatalf("session of a disabled user: %v", err)
		}
		if _, err := e.svc.AuthenticateToken(ctx, secret, t0.Add(6*time.Minute)); !errors.Is(err, ErrUnauthenticated) {
			t.Fatalf("token of a disabled user: %v", err)
		}
		if _, err := e.log.Verify(ctx, e.st, nil); err != nil {
			t.Fatalf("audit chain: %v", err)
		}
	})
}
