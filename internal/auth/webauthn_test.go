package auth

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"rcmguard/internal/auth/webauthntest"
	"rcmguard/internal/store"
	"rcmguard/internal/store/storetest"
)

var testRP = RelyingParty{ID: "rcmguard.example.org", Origin: "https://rcmguard.example.org"}

// auditActions returns the actions of the audit entries after seq.
func (e *env) auditActions(t *testing.T, after int64) []string {
	t.Helper()
	rows, err := e.st.AuditEntries(context.Background(), after, 1000)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, r := range rows {
		out = append(out, r.Action)
	}
	return out
}

func (e *env) head(t *testing.T) int64 {
	t.Helper()
	h, err := e.st.AuditHead(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return h.Seq
}

// registerKey adds a software key for a signed-in session.
func (e *env) registerKey(t *testing.T, u store.User, session, name string, now time.Time) (*webauthntest.Authenticator, store.WebAuthnCredential) {
	t.Helper()
	ctx := context.Background()
	key, err := webauthntest.New(testRP.Origin)
	if err != nil {
		t.Fatal(err)
	}
	opts, err := e.svc.BeginKeyRegistration(ctx, testRP, u, session, now)
	if err != nil {
		t.Fatalf("BeginKeyRegistration: %v", err)
	}
	resp, err := key.Create(opts)
	if err != nil {
		t.Fatal(err)
	}
	k, err := e.svc.FinishKeyRegistration(ctx, testRP, u, session, name, resp, now)
	if err != nil {
		t.Fatalf("FinishKeyRegistration: %v", err)
	}
	return key, k
}

// keySignIn runs the password step and answers the key challenge; it
// returns the new session token or the error of VerifyKey.
func (e *env) keySignIn(t *testing.T, key *webauthntest.Authenticator, now time.Time) (string, error) {
	t.Helper()
	ctx := context.Background()
	res, err := e.svc.Login(ctx, "jane@example.org", goodPassword, now)
	if err != nil {
		t.Fatalf("Login: %v", err)
	}
	opts, err := e.svc.BeginKeyLogin(ctx, testRP, res.Token, now)
	if err != nil {
		t.Fatalf("BeginKeyLogin: %v", err)
	}
	resp, err := key.Get(opts)
	if err != nil {
		t.Fatal(err)
	}
	return e.svc.VerifyKey(ctx, testRP, res.Token, resp, now)
}

func TestSecurityKeyRegistrationAndSignIn(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		ctx := context.Background()
		u, enr := e.addUser(t, "jane@example.org", "Clinic", RoleOwner)
		sess := e.signIn(t, "jane@example.org", enr.Secret, t0)

		before := e.head(t)
		key, k := e.registerKey(t, u, sess, "Blue key", t0.Add(time.Minute))
		if k.ID == 0 || k.Name != "Blue key" || string(k.CredentialID) != string(key.ID) || len(k.PublicKey) == 0 {
			t.Fatalf("stored key %+v", k)
		}
		if got := e.auditActions(t, before); strings.Join(got, ",") != "auth.webauthn.add" {
			t.Fatalf("audit after registration: %v", got)
		}

		// A second key of the same name is refused beside the field, and the
		// name rules apply.
		for _, name := range []string{"Blue key", "", strings.Repeat("x", 65), "tab\there"} {
			other, _ := webauthntest.New(testRP.Origin)
			opts, err := e.svc.BeginKeyRegistration(ctx, testRP, u, sess, t0.Add(2*time.Minute))
			if err != nil {
				t.Fatal(err)
			}
			resp, _ := other.Create(opts)
			var ne *KeyNameError
			if _, err := e.svc.FinishKeyRegistration(ctx, testRP, u, sess, name, resp, t0.Add(2*time.Minute)); !errors.As(err, &ne) {
				t.Errorf("key named %q: %v; want *KeyNameError", name, err)
			}
		}

		tok, err := e.keySignIn(t, key, t0.Add(3*time.Minute))
		if err != nil {
			t.Fatalf("sign-in with the key: %v", err)
		}
		if _, err := e.svc.Authenticate(ctx, tok, t0.Add(3*time.Minute)); err != nil {
			t.Fatalf("session after key sign-in: %v", err)
		}
		keys, _ := e.svc.Keys(ctx, u.ID)
		if len(keys) != 1 || keys[0].SignCount != 1 || !keys[0].LastUsed.Equal(t0.Add(3*time.Minute)) {
			t.Fatalf("key after use: %+v", keys)
		}

		before = e.head(t)
		if err := e.svc.RemoveKey(ctx, u.ID, k.ID, t0.Add(4*time.Minute)); err != nil {
			t.Fatalf("RemoveKey: %v", err)
		}
		if err := e.svc.RemoveKey(ctx, u.ID, k.ID, t0.Add(4*time.Minute)); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("removing it again: %v; want ErrNotFound", err)
		}
		if got := e.auditActions(t, before); strings.Join(got, ",") != "auth.webauthn.remove" {
			t.Fatalf("audit after removal: %v", got)
		}
		res, err := e.svc.Login(ctx, "jane@example.org", goodPassword, t0.Add(5*time.Minute))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.BeginKeyLogin(ctx, testRP, res.Token, t0.Add(5*time.Minute)); !errors.Is(err, ErrNoKeys) {
			t.Fatalf("key sign-in without keys: %v; want ErrNoKeys", err)
		}
		if _, err := e.log.Verify(ctx, e.st, nil); err != nil {
			t.Fatalf("audit chain: %v", err)
		}
	})
}

func TestSecurityKeyCeremoniesRefuseReplayAndForgery(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		ctx := context.Background()
		u, enr := e.addUser(t, "jane@example.org", "Clinic", RoleOwner)
		mallory, menr := e.addUser(t, "mallory@example.org", "Clinic", RoleContributor)
		sess := e.signIn(t, "jane@example.org", enr.Secret, t0)
		key, _ := e.registerKey(t, u, sess, "Blue key", t0.Add(time.Minute))

		// Registration: the answer to one session's challenge does not
		// register a key for another session, and a challenge works once.
		other, _ := webauthntest.New(testRP.Origin)
		opts, err := e.svc.BeginKeyRegistration(ctx, testRP, u, sess, t0.Add(2*time.Minute))
		if err != nil {
			t.Fatal(err)
		}
		resp, _ := other.Create(opts)
		msess := e.signIn(t, "mallory@example.org", menr.Secret, t0.Add(2*time.Minute))
		before := e.head(t)
		if _, err := e.svc.FinishKeyRegistration(ctx, testRP, mallory, msess, "Stolen", resp, t0.Add(2*time.Minute)); !errors.Is(err, ErrKeyRejected) {
			t.Fatalf("registration answered from another session: %v; want ErrKeyRejected", err)
		}
		if got := e.auditActions(t, before); strings.Join(got, ",") != "auth.webauthn.add.fail" {
			t.Fatalf("audit after a refused registration: %v", got)
		}
		if _, err := e.svc.FinishKeyRegistration(ctx, testRP, u, sess, "Green key", resp, t0.Add(2*time.Minute)); err != nil {
			t.Fatalf("registration answered from its own session: %v", err)
		}
		if _, err := e.svc.FinishKeyRegistration(ctx, testRP, u, sess, "Green key again", resp, t0.Add(2*time.Minute)); !errors.Is(err, ErrKeyRejected) {
			t.Fatalf("registration answer replayed: %v; want ErrKeyRejected", err)
		}

		// A phishing site's origin or RP ID, and an expired challenge, are refused.
		for name, tweak := range map[string]func(a *webauthntest.Authenticator){
			"wrong origin": func(a *webauthntest.Authenticator) { a.Origin = "https://rcmguard.example.org.evil.test" },
			"wrong rp id":  func(a *webauthntest.Authenticator) { a.RPID = "evil.test" },
		} {
			a, _ := webauthntest.New(testRP.Origin)
			tweak(a)
			opts, _ := e.svc.BeginKeyRegistration(ctx, testRP, u, sess, t0.Add(3*time.Minute))
			resp, _ := a.Create(opts)
			if _, err := e.svc.FinishKeyRegistration(ctx, testRP, u, sess, name, resp, t0.Add(3*time.Minute)); !errors.Is(err, ErrKeyRejected) {
				t.Errorf("registration with %s: %v; want ErrKeyRejected", name, err)
			}
		}
		late, _ := webauthntest.New(testRP.Origin)
		opts, _ = e.svc.BeginKeyRegistration(ctx, testRP, u, sess, t0.Add(4*time.Minute))
		resp, _ = late.Create(opts)
		if _, err := e.svc.FinishKeyRegistration(ctx, testRP, u, sess, "Late", resp, t0.Add(4*time.Minute+keyChallengeTTL)); !errors.Is(err, ErrKeyRejected) {
			t.Errorf("registration after the challenge expired: %v; want ErrKeyRejected", err)
		}

		// Sign-in: an assertion replayed to a new session's challenge, or
		// answered a second time, is refused and counted as a failure.
		now := t0.Add(10 * time.Minute)
		res, err := e.svc.Login(ctx, "jane@example.org", goodPassword, now)
		if err != nil {
			t.Fatal(err)
		}
		opts, err = e.svc.BeginKeyLogin(ctx, testRP, res.Token, now)
		if err != nil {
			t.Fatal(err)
		}
		assertion, _ := key.Get(opts)
		if _, err := e.svc.VerifyKey(ctx, testRP, res.Token, assertion, now); err != nil {
			t.Fatalf("first answer: %v", err)
		}
		res2, _ := e.svc.Login(ctx, "jane@example.org", goodPassword, now)
		if _, err := e.svc.VerifyKey(ctx, testRP, res2.Token, assertion, now); !errors.Is(err, ErrInvalidCredentials) {
			t.Fatalf("assertion replayed without a challenge: %v; want ErrInvalidCredentials", err)
		}
		if _, err := e.svc.BeginKeyLogin(ctx, testRP, res2.Token, now); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.VerifyKey(ctx, testRP, res2.Token, assertion, now); !errors.Is(err, ErrInvalidCredentials) {
			t.Fatalf("assertion replayed to a new challenge: %v; want ErrInvalidCredentials", err)
		}
		if u, _ := e.st.User(ctx, u.ID); u.FailedAttempts != 2 {
			t.Fatalf("failed attempts after two refused assertions: %d; want 2", u.FailedAttempts)
		}

		// A signature counter that goes back (a cloned key) is refused, and
		// the stored counter stays where it was.
		key.Counter -= 2
		if _, err := e.keySignIn(t, key, now.Add(time.Minute)); !errors.Is(err, ErrInvalidCredentials) {
			t.Fatalf("sign count regression: %v; want ErrInvalidCredentials", err)
		}
		keys, _ := e.svc.Keys(ctx, u.ID)
		if keys[0].SignCount != 1 {
			t.Fatalf("stored sign count after a regression: %d; want 1", keys[0].SignCount)
		}
		key.Counter += 5
		if _, err := e.keySignIn(t, key, now.Add(2*time.Minute)); err != nil {
			t.Fatalf("counter moving forward again: %v", err)
		}

		// Another user's key does not answer for this user, and a key cannot
		// be removed by someone else.
		mkey, mk := e.registerKey(t, mallory, msess, "Mallory's", now)
		if _, err := e.keySignIn(t, mkey, now.Add(3*time.Minute)); !errors.Is(err, ErrInvalidCredentials) {
			t.Fatalf("another user's key: %v; want ErrInvalidCredentials", err)
		}
		if err := e.svc.RemoveKey(ctx, u.ID, mk.ID, now); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("removing another user's key: %v; want ErrNotFound", err)
		}
		if _, err := e.log.Verify(ctx, e.st, nil); err != nil {
			t.Fatalf("audit chain: %v", err)
		}
	})
}

func TestEndOtherSessions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		ctx := context.Background()
		u, enr := e.addUser(t, "jane@example.org", "Clinic", RoleOwner)
		keep := e.signIn(t, "jane@example.org", enr.Secret, t0)
		other := e.signIn(t, "jane@example.org", enr.Secret, t0.Add(time.Minute))
		if _, err := e.svc.Login(ctx, "jane@example.org", goodPassword, t0.Add(2*time.Minute)); err != nil {
			t.Fatal(err)
		}
		live, err := e.svc.LiveSessions(ctx, u.ID, t0.Add(2*time.Minute))
		if err != nil || len(live) != 2 {
			t.Fatalf("live sessions: %d (%v); want 2 (the password-only one is not listed)", len(live), err)
		}
		n, err := e.svc.EndOtherSessions(ctx, u.ID, SessionHash(keep), t0.Add(3*time.Minute))
		if err != nil || n != 2 {
			t.Fatalf("EndOtherSessions = %d, %v; want 2", n, err)
		}
		if _, err := e.svc.Authenticate(ctx, keep, t0.Add(3*time.Minute)); err != nil {
			t.Fatalf("kept session: %v", err)
		}
		if _, err := e.svc.Authenticate(ctx, other, t0.Add(3*time.Minute)); !errors.Is(err, ErrUnauthenticated) {
			t.Fatalf("other session: %v; want ErrUnauthenticated", err)
		}
	})
}

// TestSecurityKeysSurviveBackupAndRestore checks that a snapshot carries
// the keys, and that restoring it drops pending challenges.
func TestSecurityKeysSurviveBackupAndRestore(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		ctx := context.Background()
		u, enr := e.addUser(t, "jane@example.org", "Clinic", RoleOwner)
		sess := e.signIn(t, "jane@example.org", enr.Secret, t0)
		_, k := e.registerKey(t, u, sess, "Blue key", t0.Add(time.Minute))
		if _, err := e.svc.BeginKeyRegistration(ctx, testRP, u, sess, t0.Add(2*time.Minute)); err != nil {
			t.Fatal(err)
		}
		path := t.TempDir() + "/snapshot.db"
		if err := e.st.Snapshot(ctx, path); err != nil {
			t.Fatalf("Snapshot: %v", err)
		}
		snap, err := store.Open(ctx, path, store.WithKeyring(e.st.Keyring()))
		if err != nil {
			t.Fatal(err)
		}
		defer snap.Close()
		if keys, err := snap.WebAuthnCredentials(ctx, u.ID); err != nil || len(keys) != 1 || string(keys[0].PublicKey) != string(k.PublicKey) {
			t.Fatalf("keys in the snapshot: %+v (%v)", keys, err)
		}
		// A restore replaces a SQLite file whole and then signs everyone
		// out; a PostgreSQL database is refilled from the snapshot.
		target := snap
		if e.st.Postgres() {
			if err := e.st.ReplaceFrom(ctx, snap); err != nil {
				t.Fatalf("ReplaceFrom: %v", err)
			}
			target = e.st
		} else if err := snap.ClearSessions(ctx); err != nil {
			t.Fatal(err)
		}
		if keys, err := target.WebAuthnCredentials(ctx, u.ID); err != nil || len(keys) != 1 || keys[0].ID != k.ID {
			t.Fatalf("keys after restore: %+v (%v)", keys, err)
		}
		if _, err := target.TakeWebAuthnChallenge(ctx, SessionHash(sess), purposeRegister, t0.Add(2*time.Minute)); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("pending challenge after restore: %v; want ErrNotFound", err)
		}
	})
}
