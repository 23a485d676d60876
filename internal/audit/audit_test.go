package audit

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"rcmguard/internal/seal"
	"rcmguard/internal/store"
	"rcmguard/internal/store/storetest"
)

var t0 = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)

var errRollback = errors.New("rollback")

func appendN(t *testing.T, s *store.Store, l *Log, n int) {
	t.Helper()
	ctx := context.Background()
	// Many entries per transaction keeps the fixture fast; the chain does
	// not care how entries were batched.
	for i := 0; i < n; {
		err := s.InTx(ctx, func(tx *store.Tx) error {
			for j := 0; j < 50 && i < n; j++ {
				_, err := l.Append(ctx, tx, Event{At: t0.Add(time.Duration(i) * time.Second), Actor: UserActor(int64(i % 7)),
					WorkspaceID: int64(i % 3), Action: "risk.update", Object: fmt.Sprintf("risk:R-%d", i),
					Details: map[string]any{"status": "accepted", "n": i}})
				if err != nil {
					return err
				}
				i++
			}
			return nil
		})
		if err != nil {
			t.Fatalf("append: %v", err)
		}
	}
}

func TestVerifyIntactChain(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dsn string) {
		kr := storetest.Keyring(t)
		s := storetest.Open(t, dsn, kr)
		l := New(kr, CheckpointEvery(10))
		rep, err := l.Verify(context.Background(), s, nil)
		if err != nil || rep.Entries != 0 {
			t.Fatalf("empty chain: %+v, %v", rep, err)
		}
		appendN(t, s, l, 35)
		rep, err = l.Verify(context.Background(), s, nil)
		if err != nil || rep.Entries != 35 || rep.Checkpoints != 3 {
			t.Fatalf("Verify = %+v, %v; want 35 entries, 3 checkpoints", rep, err)
		}
		// The head printed by verify works as an anchor later on.
		appendN(t, s, l, 5)
		if _, err := l.Verify(context.Background(), s, &rep.Head); err != nil {
			t.Fatalf("Verify with anchor: %v", err)
		}
		bad := Anchor{Seq: rep.Head.Seq, Hash: genesis}
		var be *BreakError
		if _, err := l.Verify(context.Background(), s, &bad); !errors.As(err, &be) || be.Seq != rep.Head.Seq {
			t.Fatalf("Verify with a wrong anchor: %v", err)
		}
		// Another key cannot vouch for the head.
		other := New(storetest.Keyring(t), CheckpointEvery(10))
		if _, err := other.Verify(context.Background(), s, nil); !errors.As(err, &be) {
			t.Fatalf("Verify with a foreign key: %v; want a break", err)
		}
	})
}

// mutation changes the stored chain the way an attacker with write access
// to the database could, and says at which entry Verify must report.
type mutation struct {
	name  string
	apply func(ctx context.Context, tx *store.Tx, n int64, r *rand.Rand) (want int64, err error)
}

func exec(ctx context.Context, tx *store.Tx, q string, args ...any) error {
	_, err := tx.Exec(ctx, q, args...)
	return err
}

var mutations = []mutation{
	{"edit a field", func(ctx context.Context, tx *store.Tx, n int64, r *rand.Rand) (int64, error) {
		k := 1 + r.Int64N(n)
		col := []string{"actor", "action", "object", "details", "at"}[r.IntN(5)]
		return k, exec(ctx, tx, `UPDATE audit_log SET `+col+` = `+col+` || 'x' WHERE seq = ?`, k)
	}},
	{"edit the workspace", func(ctx context.Context, tx *store.Tx, n int64, r *rand.Rand) (int64, error) {
		k := 1 + r.Int64N(n)
		return k, exec(ctx, tx, `UPDATE audit_log SET workspace_id = 99 WHERE seq = ?`, k)
	}},
	{"delete an entry", func(ctx context.Context, tx *store.Tx, n int64, r *rand.Rand) (int64, error) {
		k := 1 + r.Int64N(n)
		return k, exec(ctx, tx, `DELETE FROM audit_log WHERE seq = ?`, k)
	}},
	{"swap two entries", func(ctx context.Context, tx *store.Tx, n int64, r *rand.Rand) (int64, error) {
		i := 1 + r.Int64N(n-1)
		j := i + 1 + r.Int64N(n-i)
		for _, p := range [][2]int64{{i, -1}, {j, i}, {-1, j}} {
			if err := exec(ctx, tx, `UPDATE audit_log SET seq = ? WHERE seq = ?`, p[1], p[0]); err != nil {
				return 0, err
			}
		}
		return i, nil
	}},
	{"truncate the tail", func(ctx context.Context, tx *store.Tx, n int64, r *rand.Rand) (int64, error) {
		k := r.Int64N(n)
		return k + 1, exec(ctx, tx, `DELETE FROM audit_log WHERE seq > ?`, k)
	}},
	{"truncate the tail and move the head back", func(ctx context.Context, tx *store.Tx, n int64, r *rand.Rand) (int64, error) {
		k := 1 + r.Int64N(n-1)
		if err := exec(ctx, tx, `DELETE FROM audit_log WHERE seq > ?`, k); err != nil {
			return 0, err
		}
		if err := exec(ctx, tx, `DELETE FROM audit_checkpoints WHERE seq > ?`, k); err != nil {
			return 0, err
		}
		return k, exec(ctx, tx, `UPDATE audit_head SET seq = ?, hash = (SELECT hash FROM audit_log WHERE seq = ?)`, k, k)
	}},
	{"re-hash an edited entry", func(ctx context.Context, tx *store.Tx, n int64, r *rand.Rand) (int64, error) {
		k := 1 + r.Int64N(n)
		rows, err := tx.AuditEntries(ctx, k-1, 1)
		if err != nil {
			return 0, err
		}
		e := rows[0]
		e.Actor = "user:0"
		e.Details = `{"status":"open"}`
		if e.Hash, err = entryHash(e); err != nil {
			return 0, err
		}
		if err := exec(ctx, tx, `UPDATE audit_log SET actor = ?, details = ?, hash = ? WHERE seq = ?`, e.Actor, e.Details, e.Hash, k); err != nil {
			return 0, err
		}
		if k == n { // the last entry: the signed head no longer matches
			return k, nil
		}
		return k + 1, nil
	}},
	{"delete the head record", func(ctx context.Context, tx *store.Tx, n int64, r *rand.Rand) (int64, error) {
		return 1, exec(ctx, tx, `DELETE FROM audit_head`)
	}},
	{"delete a checkpoint", func(ctx context.Context, tx *store.Tx, n int64, r *rand.Rand) (int64, error) {
		k := 10 * (1 + r.Int64N(n/10))
		return k, exec(ctx, tx, `DELETE FROM audit_checkpoints WHERE seq = ?`, k)
	}},
}

// mutationRuns is how many random single mutations each database gets.
const mutationRuns = 200

// TestTamperDetection applies many random single mutations, each inside a
// transaction that is rolled back afterwards, and requires every one to be
// reported at the right entry.
func TestTamperDetection(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		kr := storetest.Keyring(t)
		s := storetest.Open(t, dsn, kr)
		l := New(kr, CheckpointEvery(10))
		const n = 200
		appendN(t, s, l, n)
		// An attacker with database access can drop the append-only guards.
		drop := []string{`DROP TRIGGER audit_log_no_update`, `DROP TRIGGER audit_log_no_delete`}
		if s.Postgres() {
			drop = []string{`DROP TRIGGER audit_log_no_update ON audit_log`}
		}
		r := rand.New(rand.NewPCG(1, 2))
		detected := 0
		for i := 0; i < mutationRuns; i++ {
			m := mutations[i%len(mutations)]
			var want int64
			var verr error
			err := s.InTx(ctx, func(tx *store.Tx) error {
				for _, q := range drop {
					if err := exec(ctx, tx, q); err != nil {
						return err
					}
				}
				var err error
				if want, err = m.apply(ctx, tx, n, r); err != nil {
					return err
				}
				_, verr = l.Verify(ctx, tx, nil)
				return errRollback
			})
			if !errors.Is(err, errRollback) {
				t.Fatalf("%s: %v", m.name, err)
			}
			var be *BreakError
			if !errors.As(verr, &be) {
				t.Errorf("mutation %d (%s) not detected: %v", i, m.name, verr)
				continue
			}
			if be.Seq != want {
				t.Errorf("mutation %d (%s): reported entry %d (%s); want %d", i, m.name, be.Seq, be.Reason, want)
				continue
			}
			detected++
		}
		if detected != mutationRuns {
			t.Fatalf("%d/%d mutations detected", detected, mutationRuns)
		}
		if _, err := l.Verify(ctx, s, nil); err != nil {
			t.Fatalf("chain after rolled-back mutations: %v", err)
		}
	})
}

// TestAppendOnlyGuards checks the database itself refuses edits.
func TestAppendOnlyGuards(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		kr := storetest.Keyring(t)
		s := storetest.Open(t, dsn, kr)
		l := New(kr)
		appendN(t, s, l, 3)
		for _, q := range []string{`UPDATE audit_log SET actor = 'x'`, `DELETE FROM audit_log`} {
			err := s.InTx(ctx, func(tx *store.Tx) error {
				if err := exec(ctx, tx, q); err != nil {
					return err
				}
				_, err := l.Append(ctx, tx, Event{At: t0, Actor: "test", Action: "tamper"})
				return err
			})
			if err == nil {
				t.Fatalf("%s succeeded", q)
			}
		}
	})
}

// TestFailClosed makes the audit insert fail and requires the state change
// of the same transaction to be rolled back.
func TestFailClosed(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		kr := storetest.Keyring(t)
		s := storetest.Open(t, dsn, kr)
		l := New(kr)
		breakAudit := `CREATE TRIGGER audit_broken BEFORE INSERT ON audit_log BEGIN SELECT RAISE(ABORT, 'disk full'); END`
		if s.Postgres() {
			if _, err := s.DB().Exec(`CREATE FUNCTION audit_broken() RETURNS trigger LANGUAGE plpgsql AS $$
				BEGIN RAISE EXCEPTION 'disk full'; END $$`); err != nil {
				t.Fatal(err)
			}
			breakAudit = `CREATE TRIGGER audit_broken BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_broken()`
		}
		if _, err := s.DB().Exec(breakAudit); err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 10; i++ {
			err := s.InTx(ctx, func(tx *store.Tx) error {
				w, err := tx.CreateWorkspace(ctx, store.Workspace{Name: fmt.Sprintf("Clinic %d", i), Created: t0})
				if err != nil {
					return err
				}
				_, err = l.Append(ctx, tx, Event{At: t0, Actor: "test", Action: "workspace.create", Object: fmt.Sprintf("workspace:%d", w.ID)})
				return err
			})
			if err == nil {
				t.Fatal("change committed although its audit entry failed")
			}
			if _, err := s.WorkspaceByName(ctx, fmt.Sprintf("Clinic %d", i)); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("workspace after failed audit: %v; want ErrNotFound", err)
			}
		}
		if _, err := s.DB().Exec(`DROP TRIGGER audit_broken` + map[bool]string{true: ` ON audit_log`}[s.Postgres()]); err != nil {
			t.Fatal(err)
		}
		appendN(t, s, l, 1)
		if rep, err := l.Verify(ctx, s, nil); err != nil || rep.Entries != 1 {
			t.Fatalf("after recovery: %+v, %v", rep, err)
		}
	})
}

func TestConcurrentAppends(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		kr := storetest.Keyring(t)
		s := storetest.Open(t, dsn, kr)
		l := New(kr, CheckpointEvery(7))
		const workers, each = 8, 15
		var wg sync.WaitGroup
		errs := make(chan error, workers*each)
		for w := 0; w < workers; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; i < each; i++ {
					errs <- s.InTx(ctx, func(tx *store.Tx) error {
						_, err := l.Append(ctx, tx, Event{At: t0, Actor: UserActor(int64(w)), Action: "x.y"})
						return err
					})
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatalf("concurrent append: %v", err)
			}
		}
		rep, err := l.Verify(ctx, s, nil)
		if err != nil || rep.Entries != workers*each {
			t.Fatalf("Verify = %+v, %v; want %d entries", rep, err, workers*each)
		}
	})
}

func TestResignAfterRotation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		kr := storetest.Keyring(t)
		s := storetest.Open(t, dsn, kr)
		l := New(kr, CheckpointEvery(4))
		appendN(t, s, l, 9)
		nk, _ := seal.GenerateKey()
		next := seal.NewKeyring(nk)
		err := s.InTx(ctx, func(tx *store.Tx) error {
			if err := l.Resign(ctx, tx, next); err != nil {
				return err
			}
			_, err := New(next, CheckpointEvery(4)).Append(ctx, tx, Event{At: t0, Actor: "cli", Action: "keys.rotate"})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if rep, err := New(next, CheckpointEvery(4)).Verify(ctx, s, nil); err != nil || rep.Entries != 10 {
			t.Fatalf("Verify with the new key alone = %+v, %v", rep, err)
		}
		if _, err := l.Verify(ctx, s, nil); err == nil {
			t.Fatal("old key alone still verifies re-signed checkpoints")
		}
	})
}

func TestParseAnchor(t *testing.T) {
	a := Anchor{Seq: 12, Hash: genesis}
	got, err := ParseAnchor(a.String())
	if err != nil || got != a {
		t.Fatalf("ParseAnchor(%q) = %v, %v", a.String(), got, err)
	}
	for _, bad := range []string{"", "12", "x:" + genesis, "0:" + genesis, "3:abc"} {
		if _, err := ParseAnchor(bad); err == nil {
			t.Errorf("ParseAnchor(%q) accepted", bad)
		}
	}
}

// BenchmarkVerify measures a full verification of 10,000 entries on SQLite
// (the test plan's goal is under 2 s).
func BenchmarkVerify(b *testing.B) {
	ctx := context.Background()
	k, _ := seal.GenerateKey()
	kr := seal.NewKeyring(k)
	s, err := store.Open(ctx, b.TempDir()+"/bench.db", store.WithKeyring(kr))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	l := New(kr)
	for i := 0; i < 10000; i += 500 {
		err := s.InTx(ctx, func(tx *store.Tx) error {
			for j := 0; j < 500; j++ {
				if _, err := l.Append(ctx, tx, Event{At: t0, Actor: "user:1", Action: "risk.update", Object: "risk:R-1"}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for range b.N {
		if rep, err := l.Verify(ctx, s, nil); err != nil || rep.Entries != 10000 {
			b.Fatalf("Verify = %+v, %v", rep, err)
		}
	}
}
