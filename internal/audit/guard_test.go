package audit

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"rcmguard/internal/store"
	"rcmguard/internal/store/storetest"
)

func appendOne(ctx context.Context, s *store.Store, l *Log, action Action) error {
	return s.InTx(ctx, func(tx *store.Tx) error {
		_, err := l.Append(ctx, tx, Event{At: t0, Actor: "test", Action: action})
		return err
	})
}

// tailAttacks are committed changes to a chain of 25 entries (checkpoints
// every 10). fresh is the entry at which the next Append of a process that
// verified nothing before (a CLI command) must refuse; checked, the same
// for a Log that verified the whole chain before the change (the server),
// 0 where the change lies behind the head that Log verified, so that its
// next full Check, not the append, finds it.
var tailAttacks = []struct {
	name           string
	stmts          []string
	fresh, checked int64
}{
	// The attack of issue 8: cut the tail, point the head at the new last
	// entry. The head's signature no longer matches.
	{"truncate the tail and rewrite the head", []string{
		`DELETE FROM audit_log WHERE seq > 22`,
		`UPDATE audit_head SET seq = 22, hash = (SELECT hash FROM audit_log WHERE seq = 22)`,
	}, 22, 23},
	{"edit an entry", []string{`UPDATE audit_log SET actor = 'user:0' WHERE seq = 23`}, 23, 0},
	{"delete an entry", []string{`DELETE FROM audit_log WHERE seq = 24`}, 24, 0},
	{"delete the last entry", []string{`DELETE FROM audit_log WHERE seq = 25`}, 25, 25},
	{"edit the last entry", []string{`UPDATE audit_log SET object = 'risk:R-0' WHERE seq = 25`}, 25, 25},
	{"insert an entry beyond the head", []string{
		`INSERT INTO audit_log (seq, at, actor, action, object, details, prev_hash, hash)
		 SELECT 26, at, actor, action, object, details, hash, hash FROM audit_log WHERE seq = 25`,
	}, 26, 26},
	{"reset the head to an empty chain", []string{`UPDATE audit_head SET seq = 0, hash = '', key_id = '', signature = ''`}, 1, 1},
}

// TestAppendRefusesBrokenTail tampers with the chain and requires the next
// Append to refuse, leaving the chain exactly as it was, both in a process
// that verified the chain before (the server) and in one that did not (a
// CLI command). Before the fix, the append re-signed a head over the cut
// chain and "audit verify" passed again.
func TestAppendRefusesBrokenTail(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dsn string) {
		for _, a := range tailAttacks {
			for _, checked := range []bool{true, false} {
				t.Run(fmt.Sprintf("%s/checked=%v", a.name, checked), func(t *testing.T) {
					ctx := context.Background()
					kr := storetest.Keyring(t)
					s := storetest.Open(t, dsnFor(t, dsn), kr)
					var events []Broken
					hook := OnBreak(func(b Broken) { events = append(events, b) })
					l := New(kr, CheckpointEvery(10), hook)
					appendN(t, s, l, 25)
					want, during := a.fresh, "append"
					if checked {
						if _, err := l.Check(ctx, s); err != nil {
							t.Fatal(err)
						}
						want = a.checked
					} else {
						l = New(kr, CheckpointEvery(10), hook)
					}
					storetest.TamperAudit(t, s, a.stmts...)
					headBefore, _ := s.AuditHead(ctx)
					_, verifyBefore := l.Verify(ctx, s, nil)
					var be *BreakError
					if want == 0 {
						// Behind the verified head: the periodic full check finds it.
						_, err := l.Check(ctx, s)
						if !errors.As(err, &be) {
							t.Fatalf("Check: %v; want a break", err)
						}
						want, during = be.Seq, "verify"
					}
					err := appendOne(ctx, s, l, "risk.update")
					if !errors.Is(err, ErrChainBroken) || !errors.As(err, &be) || be.Seq != want {
						t.Fatalf("Append on a tampered chain: %v; want a break at entry %d", err, want)
					}
					if got := l.Broken(); got == nil || got.Seq != want {
						t.Fatalf("Broken() = %v; want entry %d", got, want)
					}
					if len(events) != 1 || events[0].Break.Seq != want || events[0].During != during {
						t.Fatalf("break events %+v; want one at %d during %s", events, want, during)
					}
					// Refused for good, and nothing was written.
					if err := appendOne(ctx, s, l, "risk.update"); !errors.Is(err, ErrChainBroken) {
						t.Fatalf("second Append: %v", err)
					}
					if len(events) != 1 {
						t.Fatalf("%d break events after a second refusal; want 1", len(events))
					}
					headAfter, _ := s.AuditHead(ctx)
					_, verifyAfter := l.Verify(ctx, s, nil)
					if headAfter != headBefore || fmt.Sprint(verifyAfter) != fmt.Sprint(verifyBefore) {
						t.Fatalf("the refused append changed the chain: head %+v -> %+v, verify %v -> %v",
							headBefore, headAfter, verifyBefore, verifyAfter)
					}
				})
			}
		}
	})
}

// dsnFor gives each subtest its own database: SQLite files are per test;
// PostgreSQL needs a new schema.
func dsnFor(t *testing.T, dsn string) string {
	if store.IsPostgres(dsn) {
		return storetest.PostgresDSN(t)
	}
	return t.TempDir() + "/rcmguard.db"
}

// TestCheckedLogCatchesReplayedHead removes the newest entries and puts
// back an older head with its valid signature (and drops the checkpoints
// after it). Nothing in the database shows it; the running server, which
// verified the newer head, refuses to extend the shortened chain.
func TestCheckedLogCatchesReplayedHead(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		kr := storetest.Keyring(t)
		s := storetest.Open(t, dsn, kr)
		l := New(kr, CheckpointEvery(10))
		appendN(t, s, l, 8)
		old, err := s.AuditHead(ctx)
		if err != nil {
			t.Fatal(err)
		}
		appendN(t, s, l, 7)
		if _, err := l.Check(ctx, s); err != nil {
			t.Fatal(err)
		}
		storetest.TamperAudit(t, s, `DELETE FROM audit_log WHERE seq > 8`, `DELETE FROM audit_checkpoints WHERE seq > 8`,
			fmt.Sprintf(`UPDATE audit_head SET seq = 8, hash = '%s', key_id = '%s', signature = '%s'`, old.Hash, old.KeyID, old.Signature))
		if _, err := New(kr, CheckpointEvery(10)).Verify(ctx, s, nil); err != nil {
			t.Fatalf("the replayed head should verify without a record of the newer one: %v", err)
		}
		var be *BreakError
		if err := appendOne(ctx, s, l, "x.y"); !errors.As(err, &be) || be.Seq != 9 {
			t.Fatalf("Append after the head was replayed: %v; want a break at entry 9", err)
		}
		if _, err := l.Check(ctx, s); !errors.Is(err, ErrChainBroken) {
			t.Fatalf("Check after the head was replayed: %v", err)
		}
	})
}

// TestCheckFindsOldTampering edits and deletes entries long before the last
// checkpoint, which only a full verification sees: Check must, and the
// Log must then refuse to append.
func TestCheckFindsOldTampering(t *testing.T) {
	for _, q := range []string{`UPDATE audit_log SET details = '{}' WHERE seq = 3`, `DELETE FROM audit_log WHERE seq = 3`} {
		storetest.Each(t, func(t *testing.T, dsn string) {
			ctx := context.Background()
			kr := storetest.Keyring(t)
			s := storetest.Open(t, dsn, kr)
			var events []Broken
			l := New(kr, CheckpointEvery(10), OnBreak(func(b Broken) { events = append(events, b) }))
			appendN(t, s, l, 25)
			storetest.TamperAudit(t, s, q)
			var be *BreakError
			if _, err := l.Check(ctx, s); !errors.As(err, &be) || be.Seq != 3 {
				t.Fatalf("%s: Check = %v; want a break at 3", q, err)
			}
			if len(events) != 1 || events[0].During != "verify" || events[0].Break.Seq != 3 {
				t.Fatalf("events %+v", events)
			}
			if err := appendOne(ctx, s, l, "x.y"); !errors.Is(err, ErrChainBroken) {
				t.Fatalf("Append after Check found a break: %v", err)
			}
			if _, err := l.Check(ctx, s); !errors.As(err, &be) || be.Seq != 3 {
				t.Fatalf("second Check: %v", err)
			}
		})
	}
}

// TestRolledBackAppendsAreNotRemembered appends several entries in a
// transaction that rolls back: the Log must not take them for the chain,
// or the next append would look like a truncation.
func TestRolledBackAppendsAreNotRemembered(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		kr := storetest.Keyring(t)
		s := storetest.Open(t, dsn, kr)
		l := New(kr, CheckpointEvery(4))
		appendN(t, s, l, 3)
		if _, err := l.Check(ctx, s); err != nil {
			t.Fatal(err)
		}
		for range 3 {
			err := s.InTx(ctx, func(tx *store.Tx) error {
				for range 6 {
					if _, err := l.Append(ctx, tx, Event{At: t0, Actor: "test", Action: "x.y"}); err != nil {
						return err
					}
				}
				return errRollback
			})
			if !errors.Is(err, errRollback) {
				t.Fatal(err)
			}
			if err := appendOne(ctx, s, l, "x.z"); err != nil {
				t.Fatalf("append after a rolled-back transaction: %v", err)
			}
		}
		if rep, err := l.Check(ctx, s); err != nil || rep.Entries != 6 {
			t.Fatalf("Check = %+v, %v; want 6 entries", rep, err)
		}
	})
}

// TestResignRefusesBrokenChain: key rotation must not re-sign a chain
// that does not verify, whoever calls it.
func TestResignRefusesBrokenChain(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		kr := storetest.Keyring(t)
		s := storetest.Open(t, dsn, kr)
		l := New(kr, CheckpointEvery(10))
		appendN(t, s, l, 15)
		storetest.TamperAudit(t, s, `DELETE FROM audit_log WHERE seq > 12`,
			`UPDATE audit_head SET seq = 12, hash = (SELECT hash FROM audit_log WHERE seq = 12)`)
		next := storetest.Keyring(t)
		err := s.InTx(ctx, func(tx *store.Tx) error { return New(kr, CheckpointEvery(10)).Resign(ctx, tx, next) })
		if !errors.Is(err, ErrChainBroken) {
			t.Fatalf("Resign of a cut chain: %v", err)
		}
		if _, err := New(next, CheckpointEvery(10)).Verify(ctx, s, nil); err == nil {
			t.Fatal("the cut chain verifies under the new key")
		}
	})
}
