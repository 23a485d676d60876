package auth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"rcmguard/internal/store"
	"rcmguard/internal/store/storetest"
)

// concurrentAttempts is how many attempts the race tests send at once.
const concurrentAttempts = 200

// race runs attempt n times at once and returns the errors, in no order.
func race(n int, attempt func() error) []error {
	var wg sync.WaitGroup
	start := make(chan struct{})
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			<-start
			errs[i] = attempt()
		})
	}
	close(start)
	wg.Wait()
	return errs
}

// auditCounts counts the audit entries by action and returns the
// failed_attempts each failure entry (action ending ".fail") recorded.
func auditCounts(t *testing.T, st *store.Store) (map[string]int, []int) {
	t.Helper()
	rows, err := st.AuditEntries(context.Background(), 0, 100000)
	if err != nil {
		t.Fatal(err)
	}
	counts := map[string]int{}
	var recorded []int
	for _, r := range rows {
		counts[r.Action]++
		var d struct {
			FailedAttempts int `json:"failed_attempts"`
		}
		if len(r.Action) > 5 && r.Action[len(r.Action)-5:] == ".fail" && json.Unmarshal([]byte(r.Details), &d) == nil && d.FailedAttempts > 0 {
			recorded = append(recorded, d.FailedAttempts)
		}
	}
	slices.Sort(recorded)
	return counts, recorded
}

// checkLockedOnce asserts what hundreds of concurrent failures must leave:
// every failure that was checked is counted once (the counter equals the
// failures audited, numbered 1…n without a gap or repeat), the account is
// locked for as long as its count asks, and no attempt was checked once the
// lock was on — so exactly LockoutThreshold were.
func checkLockedOnce(t *testing.T, e *env, userID int64, errs []error, action string, now time.Time) {
	t.Helper()
	for i, err := range errs {
		if !errors.Is(err, ErrInvalidCredentials) {
			t.Fatalf("attempt %d: %v; want ErrInvalidCredentials", i, err)
		}
	}
	u, err := e.st.User(context.Background(), userID)
	if err != nil {
		t.Fatal(err)
	}
	counts, recorded := auditCounts(t, e.st)
	failures := counts[action+".fail"]
	if u.FailedAttempts != failures {
		t.Errorf("failed_attempts = %d after %d audited failures; concurrent failures were lost", u.FailedAttempts, failures)
	}
	want := make([]int, failures)
	for i := range want {
		want[i] = i + 1
	}
	if !slices.Equal(recorded, want) {
		t.Errorf("failure counts recorded (sorted) %v; want each of 1…%d once", recorded[:min(len(recorded), 12)], failures)
	}
	if !now.Before(u.LockedUntil) {
		t.Fatalf("after %d concurrent failures the account is not locked (failed_attempts %d, locked until %v)",
			len(errs), u.FailedAttempts, u.LockedUntil)
	}
	if wantUntil := now.Add(lockoutFor(u.FailedAttempts)); !u.LockedUntil.Equal(wantUntil) {
		t.Errorf("locked until %v; want %v, the lock of %d failures", u.LockedUntil, wantUntil, u.FailedAttempts)
	}
	if failures != LockoutThreshold || counts[action+".locked"] != len(errs)-LockoutThreshold {
		t.Errorf("%d attempts checked and counted, %d refused as locked; want %d and %d: no attempt is checked once the account is locked",
			failures, counts[action+".locked"], LockoutThreshold, len(errs)-LockoutThreshold)
	}
}

// wrongCode returns a six-digit code valid at none of the steps around now.
func wrongCode(t *testing.T, secret string, now time.Time) string {
	t.Helper()
	valid := map[string]bool{}
	for _, d := range []time.Duration{-totpPeriod * time.Second, 0, totpPeriod * time.Second} {
		valid[code(t, secret, now.Add(d))] = true
	}
	for i := 0; ; i++ {
		if c := fmt.Sprintf("%06d", i); !valid[c] {
			return c
		}
	}
}

// TestConcurrentWrongCodesLockTheAccount: 200 wrong TOTP codes sent at once
// on one password-step session all fail, are each counted once, and lock
// the account; the code pages check nothing once it is locked. Before the
// counter moved in the database, 200 such codes left failed_attempts at 4
// and the account unlocked.
func TestConcurrentWrongCodesLockTheAccount(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		ctx := context.Background()
		u, enr := e.addUser(t, "jane@example.org", "Clinic", RoleOwner)
		now := t0.Add(time.Hour)
		res, err := e.svc.Login(ctx, "jane@example.org", goodPassword, now)
		if err != nil {
			t.Fatal(err)
		}
		bad := wrongCode(t, enr.Secret, now)
		errs := race(concurrentAttempts, func() error {
			_, err := e.svc.VerifyTOTP(ctx, res.Token, bad, now)
			return err
		})
		checkLockedOnce(t, e, u.ID, errs, "auth.mfa", now)
		if _, err := e.svc.VerifyTOTP(ctx, res.Token, code(t, enr.Secret, now), now); !errors.Is(err, ErrLocked) {
			t.Errorf("the right code while locked: %v; want ErrLocked", err)
		}
		if _, err := e.log.Verify(ctx, e.st, nil); err != nil {
			t.Errorf("audit chain after the race: %v", err)
		}
	})
}

// TestConcurrentWrongPasswordsLockTheAccount: the same for 200 wrong
// passwords at once (25 once moved the counter by one).
func TestConcurrentWrongPasswordsLockTheAccount(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		// Enough slots that no attempt waits out the gate: this test is
		// about the counter, TestHashingBounded about the gate.
		e.svc.cfg.HashGate = NewHashGate(16, time.Hour)
		ctx := context.Background()
		u, _ := e.addUser(t, "jane@example.org", "Clinic", RoleOwner)
		now := t0.Add(time.Hour)
		errs := race(concurrentAttempts, func() error {
			_, err := e.svc.Login(ctx, "jane@example.org", "wrong wrong wrong wrong", now)
			return err
		})
		checkLockedOnce(t, e, u.ID, errs, "auth.login", now)
		if _, err := e.svc.Login(ctx, "jane@example.org", goodPassword, now); !errors.Is(err, ErrLocked) {
			t.Errorf("the right password while locked: %v; want ErrLocked", err)
		}
	})
}

// TestHashingBounded: 50 sign-ins at once never run more password hashes
// at once than the gate has slots (each argon2id hash holds 64 MiB), and
// all of them still get through.
func TestHashingBounded(t *testing.T) {
	e := newEnv(t, filepath.Join(t.TempDir(), "rcmguard.db"))
	const slots = 2
	e.svc.cfg.HashGate = NewHashGate(slots, time.Hour)
	e.svc.cfg.Params = Params{Memory: 8 * 1024, Time: 1, Threads: 1}
	ctx := context.Background()
	for i := range 50 {
		e.addUser(t, fmt.Sprintf("user%02d@example.org", i), "Clinic", RoleOwner)
	}
	hashing.peak.Store(0)
	i := 0
	var mu sync.Mutex
	errs := race(50, func() error {
		mu.Lock()
		email := fmt.Sprintf("user%02d@example.org", i)
		i++
		mu.Unlock()
		_, err := e.svc.Login(ctx, email, goodPassword, t0)
		return err
	})
	for _, err := range errs {
		if err != nil {
			t.Fatalf("sign-in: %v", err)
		}
	}
	if p := hashing.peak.Load(); p > slots || p < 1 {
		t.Errorf("%d password hashes ran at once; the gate allows %d", p, slots)
	}
}

// TestBusyHashingRefused: with every slot taken for longer than the wait,
// a sign-in fails with ErrBusy, counts nothing and is not audited as a
// failure; once a slot frees it goes through.
func TestBusyHashingRefused(t *testing.T) {
	e := newEnv(t, filepath.Join(t.TempDir(), "rcmguard.db"))
	gate := NewHashGate(1, 0)
	e.svc.cfg.HashGate = gate
	ctx := context.Background()
	u, _ := e.addUser(t, "jane@example.org", "Clinic", RoleOwner)
	head, _ := auditCounts(t, e.st)
	release, err := gate.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, pw := range []string{goodPassword, "wrong wrong wrong wrong"} {
		if _, err := e.svc.Login(ctx, "jane@example.org", pw, t0); !errors.Is(err, ErrBusy) {
			t.Errorf("sign-in with every slot taken: %v; want ErrBusy", err)
		}
	}
	if _, err := e.svc.Login(ctx, "nobody@example.org", goodPassword, t0); !errors.Is(err, ErrBusy) {
		t.Errorf("unknown account with every slot taken: %v; want ErrBusy", err)
	}
	if err := e.svc.ChangePassword(ctx, u.ID, goodPassword, "a new violet kettle sings", "", t0); !errors.Is(err, ErrBusy) {
		t.Errorf("password change with every slot taken: %v; want ErrBusy", err)
	}
	if got, _ := e.st.User(ctx, u.ID); got.FailedAttempts != 0 {
		t.Errorf("busy refusals counted %d failures", got.FailedAttempts)
	}
	if after, _ := auditCounts(t, e.st); len(after) != len(head) || after["auth.login.fail"] != head["auth.login.fail"] {
		t.Errorf("busy refusals were audited: %v → %v", head, after)
	}
	release()
	if _, err := e.svc.Login(ctx, "jane@example.org", goodPassword, t0); err != nil {
		t.Errorf("sign-in once a slot is free: %v", err)
	}
}

// TestHashGateWaitsForASlot: a caller waits for a slot within the wait,
// and gives up with the context.
func TestHashGateWaitsForASlot(t *testing.T) {
	g := NewHashGate(1, time.Hour)
	release, err := g.Acquire(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan error)
	go func() {
		r, err := g.Acquire(context.Background())
		if err == nil {
			r()
		}
		got <- err
	}()
	release()
	if err := <-got; err != nil {
		t.Errorf("waiting caller: %v; want the freed slot", err)
	}
	release, _ = g.Acquire(context.Background())
	defer release()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := g.Acquire(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled caller: %v; want context.Canceled", err)
	}
}
