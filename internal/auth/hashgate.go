package auth

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync/atomic"
	"time"
)

// ErrBusy means every password-hashing slot stayed taken for the whole
// wait: the caller should answer "try again shortly" (HTTP 429 with
// Retry-After), not count it as a failed attempt.
var ErrBusy = errors.New("auth: too many passwords are being checked at once; try again in a moment")

// BusyRetryAfter is how long a caller refused with ErrBusy should wait,
// for a Retry-After header.
const BusyRetryAfter = 2 * time.Second

// HashGate bounds how many password hashes are computed at once. Each
// argon2id computation holds Params.Memory (64 MiB by default) for its
// duration; without a bound, 40 concurrent sign-ins took a server from
// 214 MB to 2.7 GB. With about one slot per CPU the hashes run as fast as
// the machine allows anyway, and memory stays at slots × Params.Memory.
type HashGate struct {
	slots chan struct{}
	wait  time.Duration
}

// NewHashGate returns a gate of slots concurrent hashes (at least one);
// a caller waits up to wait for a slot, then gets ErrBusy.
func NewHashGate(slots int, wait time.Duration) *HashGate {
	return &HashGate{slots: make(chan struct{}, max(slots, 1)), wait: max(wait, 0)}
}

// processGate is the gate every Service shares unless its Config names
// another: the memory it protects is the process's.
var processGate = NewHashGate(runtime.NumCPU(), BusyRetryAfter)

// Acquire takes a slot, waiting up to the gate's wait, and returns the
// function that gives it back. It fails with ErrBusy when no slot freed in
// time, or with the context's error.
func (g *HashGate) Acquire(ctx context.Context) (release func(), err error) {
	select {
	case g.slots <- struct{}{}:
		return g.release, nil
	default:
	}
	if g.wait == 0 {
		return nil, ErrBusy
	}
	timer := time.NewTimer(g.wait)
	defer timer.Stop()
	select {
	case g.slots <- struct{}{}:
		return g.release, nil
	case <-timer.C:
		return nil, ErrBusy
	case <-ctx.Done():
		return nil, fmt.Errorf("auth: waiting to check a password: %w", ctx.Err())
	}
}

func (g *HashGate) release() { <-g.slots }

// hashing counts the argon2id computations running in the process and the
// most that ever ran at once, so tests can hold the gate to its bound.
var hashing struct {
	running, peak atomic.Int64
}

func hashStarted() {
	n := hashing.running.Add(1)
	for {
		p := hashing.peak.Load()
		if n <= p || hashing.peak.CompareAndSwap(p, n) {
			return
		}
	}
}

func hashDone() { hashing.running.Add(-1) }
