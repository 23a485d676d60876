package store_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"rcmguard/internal/audit"
	"rcmguard/internal/seal"
	"rcmguard/internal/store"
	"rcmguard/internal/store/storetest"
)

func TestSetupTokens(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dsn string) {
		f := newFixture(t, dsn)
		ctx := context.Background()
		if has, err := f.s.HasUsers(ctx); err != nil || has {
			t.Fatalf("HasUsers on an empty database = %t, %v", has, err)
		}
		for _, h := range []string{"hash-one", "hash-two"} {
			if err := f.write(t, "setup.token.issue", func(tx *store.Tx) error {
				return tx.CreateSetupToken(ctx, store.SetupToken{Hash: h, Created: t0, Expires: t0.Add(24 * time.Hour)})
			}); err != nil {
				t.Fatal(err)
			}
		}
		k, err := f.s.SetupTokenByHash(ctx, "hash-one")
		if err != nil || !k.Expires.Equal(t0.Add(24*time.Hour)) || !k.Used.IsZero() {
			t.Fatalf("SetupTokenByHash = %+v, %v", k, err)
		}
		if _, err := f.s.SetupTokenByHash(ctx, "hash-none"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("unknown hash: %v; want ErrNotFound", err)
		}
		// Using one token retires the other: of two servers' tokens, one
		// setup wins.
		if err := f.write(t, "setup.complete", func(tx *store.Tx) error { return tx.UseSetupToken(ctx, "hash-one", t0) }); err != nil {
			t.Fatal(err)
		}
		for _, h := range []string{"hash-one", "hash-two"} {
			err := f.write(t, "setup.complete", func(tx *store.Tx) error { return tx.UseSetupToken(ctx, h, t0) })
			if !errors.Is(err, store.ErrConflict) {
				t.Errorf("using %s after a setup: %v; want ErrConflict", h, err)
			}
			if k, _ := f.s.SetupTokenByHash(ctx, h); k.Used.IsZero() {
				t.Errorf("%s is not marked used", h)
			}
		}
		f.user(t, "dana@example.org")
		if has, err := f.s.HasUsers(ctx); err != nil || !has {
			t.Errorf("HasUsers with an account = %t, %v", has, err)
		}
	})
}

// TestSetupAnswersSealed: a guide's answers are sealed at rest, replaced
// per section, copied by a backup and re-sealed by a key rotation.
func TestSetupAnswersSealed(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dsn string) {
		f := newFixture(t, dsn)
		ctx := context.Background()
		w := f.workspace(t, "Riverbend", store.KindPractice, 0)
		u := f.user(t, "dana@example.org")
		const canary = `{"ehr.name":["CanaryChart"]}`
		put := func(sec, answers string) {
			t.Helper()
			if err := f.write(t, "setup.answers.save", func(tx *store.Tx) error {
				return tx.PutSetupAnswers(ctx, store.SetupAnswers{WorkspaceID: w.ID, Section: sec, Answers: []byte(answers), UpdatedBy: u.ID, Updated: t0})
			}); err != nil {
				t.Fatal(err)
			}
		}
		put("systems", `{"ehr.use":["yes"]}`)
		put("systems", canary)
		put("organisation", `{"name":["Riverbend"]}`)
		got, err := f.s.SetupAnswersOf(ctx, w.ID)
		if err != nil || len(got) != 2 || got[1].Section != "systems" || string(got[1].Answers) != canary {
			t.Fatalf("SetupAnswersOf = %+v, %v; want two sections, systems replaced", got, err)
		}
		var raw string
		if err := f.s.DB().QueryRowContext(ctx, `SELECT answers FROM setup_answers WHERE section = 'systems'`).Scan(&raw); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(raw, "CanaryChart") {
			t.Error("the answers are stored in clear")
		}
		snap := filepath.Join(t.TempDir(), "snap.db")
		if err := f.s.Snapshot(ctx, snap); err != nil {
			t.Fatal(err)
		}
		if got, err := storetest.Open(t, snap, f.kr).SetupAnswersOf(ctx, w.ID); err != nil || len(got) != 2 {
			t.Errorf("snapshot holds %d sections, %v; want 2", len(got), err)
		}
		nk, _ := seal.GenerateKey()
		next := seal.NewKeyring(nk, f.kr.Keys()...)
		err = f.s.InTx(ctx, func(tx *store.Tx) error {
			if _, err := tx.Reseal(ctx, next); err != nil {
				return err
			}
			_, err := audit.New(next).Append(ctx, tx, audit.Event{At: t0, Actor: "test", Action: "keys.rotate"})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if got, err := storetest.Open(t, dsn, seal.NewKeyring(nk)).SetupAnswersOf(ctx, w.ID); err != nil || len(got) != 2 {
			t.Errorf("after rotation the new key alone reads %d sections, %v; want 2", len(got), err)
		}
	})
}
