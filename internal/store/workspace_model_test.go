package store_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"testing"

	"rcmguard/internal/store"
	"rcmguard/internal/store/storetest"
)

func TestWorkspaceModelRevisionsAndSealing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dsn string) {
		f := newFixture(t, dsn)
		ctx := context.Background()
		w := f.workspace(t, "Riverbend", store.KindPractice, 0)
		if _, err := f.s.WorkspaceModel(ctx, w.ID); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("WorkspaceModel before any save = %v; want ErrNotFound", err)
		}
		canary := []byte("version: 1 # canary-model-7f3a9\n")
		var saved store.WorkspaceModel
		err := f.write(t, "model.save", func(tx *store.Tx) (err error) {
			saved, err = tx.PutWorkspaceModel(ctx, store.WorkspaceModel{WorkspaceID: w.ID, YAML: canary, Updated: t0}, 0)
			return err
		})
		if err != nil || saved.Revision != 1 {
			t.Fatalf("first save: revision %d, %v; want 1, nil", saved.Revision, err)
		}
		// A second editor working from revision 0 must not overwrite it.
		err = f.write(t, "model.save", func(tx *store.Tx) error {
			_, err := tx.PutWorkspaceModel(ctx, store.WorkspaceModel{WorkspaceID: w.ID, YAML: []byte("x"), Updated: t0}, 0)
			return err
		})
		if !errors.Is(err, store.ErrConflict) {
			t.Fatalf("stale save = %v; want ErrConflict", err)
		}
		err = f.write(t, "model.save", func(tx *store.Tx) error {
			_, err := tx.PutWorkspaceModel(ctx, store.WorkspaceModel{WorkspaceID: w.ID, YAML: append(canary, '#'), Updated: t0}, 1)
			return err
		})
		if err != nil {
			t.Fatalf("save from revision 1: %v", err)
		}
		got, err := f.s.WorkspaceModel(ctx, w.ID)
		if err != nil || got.Revision != 2 || !bytes.Equal(got.YAML, append(canary, '#')) {
			t.Fatalf("WorkspaceModel = rev %d %q, %v; want rev 2 and the saved YAML", got.Revision, got.YAML, err)
		}
		// Without a write, an unaudited save is refused like any other.
		err = f.s.InTx(ctx, func(tx *store.Tx) error {
			_, err := tx.PutWorkspaceModel(ctx, store.WorkspaceModel{WorkspaceID: w.ID, YAML: []byte("y"), Updated: t0}, 2)
			return err
		})
		if !errors.Is(err, store.ErrUnaudited) {
			t.Fatalf("unaudited save = %v; want ErrUnaudited", err)
		}
		if !store.IsPostgres(dsn) {
			f.s.Close()
			for _, p := range []string{dsn, dsn + "-wal"} {
				raw, err := os.ReadFile(p)
				if err != nil && !os.IsNotExist(err) {
					t.Fatal(err)
				}
				if bytes.Contains(raw, []byte("canary-model-7f3a9")) {
					t.Errorf("%s holds the model in plaintext", p)
				}
			}
		}
	})
}
