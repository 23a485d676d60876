package audit

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"rcmguard/internal/store"
	"rcmguard/internal/store/storetest"
)

// TestChainSharedByProcesses: two app servers (each its own Log and its
// own connections to the database) append at once while a third process
// verifies the whole chain over and over, as the periodic check and
// `audit verify` do while servers run. The chain never forks — every
// entry follows the one before it, whoever wrote it — and no verify
// reports a break that is not there. Before verification read one
// snapshot, a checkpoint committed between its reading of the head and of
// the checkpoints looked like a truncated log.
func TestChainSharedByProcesses(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		kr := storetest.Keyring(t)
		const every = 3 // a checkpoint every few entries: many chances to race
		var logs []*Log
		var stores []*store.Store
		for range 3 {
			stores = append(stores, storetest.Open(t, dsn, kr))
			logs = append(logs, New(kr, CheckpointEvery(every)))
		}
		const writers, each = 4, 30
		var wg sync.WaitGroup
		var done atomic.Bool
		var appended atomic.Int64
		for w := range writers {
			p := w % 2 // writers alternate between the two servers
			wg.Go(func() {
				for i := range each {
					err := stores[p].InTx(ctx, func(tx *store.Tx) error {
						_, err := logs[p].Append(ctx, tx, Event{At: t0.Add(time.Duration(i) * time.Second),
							Actor: UserActor(int64(w + 1)), Action: "risk.update", Object: fmt.Sprintf("risk:R-%d-%d", w, i)})
						return err
					})
					if err != nil {
						t.Errorf("server %d, writer %d: %v", p, w, err)
						return
					}
					appended.Add(1)
				}
			})
		}
		var checks atomic.Int64
		verr := make(chan error, 1)
		go func() {
			defer close(verr)
			for !done.Load() {
				if _, err := logs[2].Verify(ctx, stores[2], nil); err != nil {
					verr <- err
					return
				}
				checks.Add(1)
			}
		}()
		wg.Wait()
		done.Store(true)
		if err := <-verr; err != nil {
			t.Fatalf("verify while two servers append (after %d clean checks): %v", checks.Load(), err)
		}
		rep, err := logs[2].Verify(ctx, stores[2], nil)
		if err != nil {
			t.Fatal(err)
		}
		if rep.Entries != appended.Load() || rep.Entries != writers*each {
			t.Fatalf("chain holds %d entries; %d were acknowledged", rep.Entries, appended.Load())
		}
		// Each server's guard follows the other's appends: both still append.
		for p := range 2 {
			err := stores[p].InTx(ctx, func(tx *store.Tx) error {
				_, err := logs[p].Append(ctx, tx, Event{At: t0, Actor: "test", Action: "risk.update"})
				return err
			})
			if errors.Is(err, ErrChainBroken) || err != nil {
				t.Fatalf("server %d after the other's appends: %v", p, err)
			}
		}
	})
}
