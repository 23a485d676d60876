package store_test

import (
	"context"
	"errors"
	"testing"

	"rcmguard/internal/audit"
	"rcmguard/internal/seal"
	"rcmguard/internal/store"
	"rcmguard/internal/store/storetest"
)

// TestIncidentRotationAndConflict: key rotation re-seals an incident's
// body, timeline and evidence (the timeline's append-only guard lets
// exactly that change through), and a save from a stale revision is a
// conflict.
func TestIncidentRotationAndConflict(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dsn string) {
		f := newFixture(t, dsn)
		ctx := context.Background()
		w := f.workspace(t, "W", store.KindPractice, 0)
		u := f.user(t, "o@example.org")
		var in store.Incident
		err := f.write(t, "incident.open", func(tx *store.Tx) (err error) {
			in, err = tx.CreateIncident(ctx, store.Incident{WorkspaceID: w.ID, Status: "open", Severity: "high", OwnerID: u.ID,
				OpenedBy: u.ID, Opened: t0, Body: []byte(`{"title":"x"}`)})
			if err != nil {
				return err
			}
			if _, err = tx.AppendIncidentEvent(ctx, w.ID, store.IncidentEvent{IncidentID: in.ID, At: t0, ActorID: u.ID, Kind: "opened", Text: "opened"}); err != nil {
				return err
			}
			_, err = tx.CreateIncidentFile(ctx, store.IncidentFile{IncidentID: in.ID, WorkspaceID: w.ID, Name: "a.txt",
				ContentType: "text/plain", Data: []byte("evidence"), AddedBy: u.ID, Added: t0})
			return err
		})
		if err != nil {
			t.Fatal(err)
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
		if err != nil || n < 3 {
			t.Fatalf("reseal: %d values, %v; want the 3 of the incident at least", n, err)
		}
		s2 := storetest.Open(t, dsn, next)
		evs, err := s2.IncidentEvents(ctx, w.ID, in.ID)
		if err != nil || len(evs) != 1 || evs[0].Text != "opened" {
			t.Fatalf("timeline under the new key: %v %v", evs, err)
		}
		files, _ := s2.IncidentFiles(ctx, w.ID, in.ID)
		if len(files) != 1 {
			t.Fatalf("%d files", len(files))
		}
		file, err := s2.IncidentFileData(ctx, w.ID, in.ID, files[0].ID)
		if err != nil || string(file.Data) != "evidence" {
			t.Fatalf("file under the new key: %q %v", file.Data, err)
		}
		got, err := s2.Incident(ctx, w.ID, in.ID)
		if err != nil || string(got.Body) != `{"title":"x"}` {
			t.Fatalf("body under the new key: %q %v", got.Body, err)
		}
		err = s2.InTx(ctx, func(tx *store.Tx) error {
			got.Updated = t0
			if _, err := tx.UpdateIncident(ctx, got); err != nil {
				return err
			}
			_, err := tx.UpdateIncident(ctx, got) // the same revision again
			return err
		})
		if !errors.Is(err, store.ErrConflict) {
			t.Errorf("a second save from the same revision: %v; want a conflict", err)
		}
		if _, err := s2.Incident(ctx, w.ID+1, in.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("another workspace's incident: %v; want not found", err)
		}
	})
}
