package store_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"testing"

	"rcmguard/internal/audit"
	"rcmguard/internal/seal"
	"rcmguard/internal/store"
	"rcmguard/internal/store/storetest"
)

// TestSealedAtRestAndRotation stores 1,000 models carrying a canary, checks
// the canary appears nowhere in the SQLite file or its WAL, re-seals all of
// them under a new key in one transaction, and checks the old key alone no
// longer reads them.
func TestSealedAtRestAndRotation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dsn string) {
		f := newFixture(t, dsn)
		ctx := context.Background()
		w := f.workspace(t, "W", store.KindPractice, 0)
		const canary = "CANARY-PHI-7f3a9c"
		err := f.write(t, "seed", func(tx *store.Tx) error {
			for i := range 1000 {
				if _, err := tx.CreateAssessment(ctx, store.Assessment{WorkspaceID: w.ID, Created: t0,
					ModelYAML: fmt.Appendf(nil, "notes: %s-%d", canary, i)}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if !f.s.Postgres() {
			for _, file := range []string{dsn, dsn + "-wal"} {
				raw, err := os.ReadFile(file)
				if err != nil {
					t.Fatal(err)
				}
				if bytes.Contains(raw, []byte(canary)) {
					t.Fatalf("canary in clear in %s", file)
				}
			}
		}
		nk, _ := seal.GenerateKey()
		next := seal.NewKeyring(nk, f.kr.Keys()...)
		var n int
		err = f.s.InTx(ctx, func(tx *store.Tx) (err error) {
			if n, err = tx.Reseal(ctx, next); err != nil {
				return err
			}
			_, err = audit.New(next).Append(ctx, tx, audit.Event{At: t0, Actor: "test", Action: "keys.rotate"})
			return err
		})
		if err != nil || n != 1000 {
			t.Fatalf("Reseal = %d, %v; want 1000", n, err)
		}
		newOnly := storetest.Open(t, dsn, seal.NewKeyring(nk))
		list, err := newOnly.Assessments(ctx, w.ID)
		if err != nil || len(list) != 1000 || !bytes.HasPrefix(list[999].ModelYAML, []byte("notes: "+canary)) {
			t.Fatalf("after rotation, new key reads %d models, %v", len(list), err)
		}
		if _, err := f.s.Assessments(ctx, w.ID); !errors.Is(err, seal.ErrUnknownKey) {
			t.Fatalf("old key alone after rotation: %v; want ErrUnknownKey", err)
		}
		// A flipped byte in a sealed value fails its integrity check.
		if _, err := newOnly.DB().Exec(`UPDATE assessments SET model_yaml = substr(model_yaml, 1, 30) ||
			(CASE WHEN substr(model_yaml, 31, 1) = 'A' THEN 'B' ELSE 'A' END) || substr(model_yaml, 32) WHERE version = 1`); err != nil {
			t.Fatal(err)
		}
		if _, err := newOnly.Assessments(ctx, w.ID); !errors.Is(err, seal.ErrIntegrity) {
			t.Fatalf("altered sealed value: %v; want ErrIntegrity", err)
		}
	})
}
