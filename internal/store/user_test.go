package store_test

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"rcmguard/internal/store"
	"rcmguard/internal/store/storetest"
)

// TestFailedAttemptsCountedInTheDatabase: 200 transactions counting a
// failure and extending the lock at once each add exactly one (the counts
// they get back are 1…200, each once), and the lock ends at the latest
// any of them asked for, whatever order they committed in.
func TestFailedAttemptsCountedInTheDatabase(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dsn string) {
		f := newFixture(t, dsn)
		ctx := context.Background()
		u := f.user(t, "jane@example.org")
		const n = 200
		counts := make([]int, n)
		errs := make([]error, n)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range n {
			// Locks asked in an order unrelated to commit order: 37 is
			// prime to n, so the minutes are 0…n-1 shuffled.
			until := t0.Add(time.Duration((i*37)%n) * time.Minute)
			wg.Go(func() {
				<-start
				errs[i] = f.write(t, "auth.login.fail", func(tx *store.Tx) error {
					c, err := tx.AddFailedAttempt(ctx, u.ID)
					if err != nil {
						return err
					}
					counts[i] = c
					_, err = tx.ExtendLock(ctx, u.ID, until)
					return err
				})
			})
		}
		close(start)
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Fatalf("failure %d: %v", i, err)
			}
		}
		slices.Sort(counts)
		for i, c := range counts {
			if c != i+1 {
				t.Fatalf("counts returned (sorted) start %v; want 1…%d, each once", counts[:min(n, 12)], n)
			}
		}
		got, err := f.s.User(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.FailedAttempts != n {
			t.Errorf("failed_attempts = %d after %d concurrent failures", got.FailedAttempts, n)
		}
		if want := t0.Add((n - 1) * time.Minute); !got.LockedUntil.Equal(want) {
			t.Errorf("locked until %v; want the latest lock asked for, %v", got.LockedUntil, want)
		}
	})
}

// TestLockOnlyMovesLater: ExtendLock sets a lock where there is none and
// lengthens one, but never shortens it; HoldLoginState reads what it left,
// and SetLoginState (a success, an administrator's reset) clears both.
func TestLockOnlyMovesLater(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dsn string) {
		f := newFixture(t, dsn)
		ctx := context.Background()
		u := f.user(t, "jane@example.org")
		step := func(until time.Time, want time.Time) {
			t.Helper()
			var got time.Time
			err := f.write(t, "auth.login.fail", func(tx *store.Tx) (err error) {
				got, err = tx.ExtendLock(ctx, u.ID, until)
				return err
			})
			if err != nil || !got.Equal(want) {
				t.Fatalf("ExtendLock(%v) = %v, %v; want %v", until, got, err, want)
			}
		}
		step(t0.Add(time.Minute), t0.Add(time.Minute))
		step(t0.Add(time.Hour), t0.Add(time.Hour))
		step(t0.Add(2*time.Minute), t0.Add(time.Hour))
		err := f.write(t, "auth.login.fail", func(tx *store.Tx) error {
			if _, err := tx.AddFailedAttempt(ctx, u.ID); err != nil {
				return err
			}
			st, err := tx.HoldLoginState(ctx, u.ID)
			if err != nil || st.FailedAttempts != 1 || !st.LockedUntil.Equal(t0.Add(time.Hour)) {
				t.Errorf("HoldLoginState = %+v, %v; want 1 failure, locked until %v", st, err, t0.Add(time.Hour))
			}
			return tx.SetLoginState(ctx, u.ID, 0, time.Time{})
		})
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := f.s.User(ctx, u.ID); got.FailedAttempts != 0 || !got.LockedUntil.IsZero() {
			t.Errorf("after SetLoginState(0, zero): %d failures, locked until %v", got.FailedAttempts, got.LockedUntil)
		}
		err = f.write(t, "auth.login.fail", func(tx *store.Tx) error {
			_, err := tx.HoldLoginState(ctx, 1<<40)
			return err
		})
		if !errors.Is(err, store.ErrNotFound) {
			t.Errorf("login state of a missing user: %v; want ErrNotFound", err)
		}
	})
}
