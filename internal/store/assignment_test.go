package store_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"rcmguard/internal/store"
	"rcmguard/internal/store/storetest"
)

func TestAssignments(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dsn string) {
		f := newFixture(t, dsn)
		ctx := context.Background()
		w := f.workspace(t, "W", store.KindPractice, 0)
		other := f.workspace(t, "Other", store.KindPractice, 0)
		u := f.user(t, "u@example.org")
		v := f.user(t, "v@example.org")
		err := f.write(t, "assignments.set", func(tx *store.Tx) error {
			if err := tx.SetUserAssignments(ctx, w.ID, u.ID, store.ModelObject, []string{"model:systems", "model:vendors"}, v.ID, t0); err != nil {
				return err
			}
			if err := tx.SetObjectAssignees(ctx, w.ID, "risk:EDI-02@f1", []int64{u.ID, v.ID}, v.ID, t0); err != nil {
				return err
			}
			// Assigning twice is not an error.
			return tx.Assign(ctx, store.Assignment{WorkspaceID: w.ID, UserID: u.ID, Object: "model:systems", CreatedBy: v.ID, Created: t0})
		})
		if err != nil {
			t.Fatal(err)
		}
		got, err := f.s.UserAssignments(ctx, w.ID, u.ID)
		if want := []string{"model:systems", "model:vendors", "risk:EDI-02@f1"}; err != nil || !slices.Equal(got, want) {
			t.Fatalf("UserAssignments = %v, %v; want %v", got, err, want)
		}
		if got, _ := f.s.UserAssignments(ctx, other.ID, u.ID); len(got) != 0 {
			t.Fatalf("assignments leak into another workspace: %v", got)
		}
		// Replacing the model parts keeps the risks; replacing a risk's
		// assignees keeps the model parts.
		err = f.write(t, "assignments.set", func(tx *store.Tx) error {
			if err := tx.SetUserAssignments(ctx, w.ID, u.ID, store.ModelObject, []string{"model:*"}, v.ID, t0); err != nil {
				return err
			}
			return tx.SetObjectAssignees(ctx, w.ID, "risk:EDI-02@f1", []int64{v.ID}, v.ID, t0)
		})
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := f.s.UserAssignments(ctx, w.ID, u.ID); !slices.Equal(got, []string{"model:*"}) {
			t.Fatalf("after replacing: %v", got)
		}
		if got, _ := f.s.ObjectAssignees(ctx, w.ID, "risk:EDI-02@f1"); !slices.Equal(got, []int64{v.ID}) {
			t.Fatalf("ObjectAssignees = %v; want [%d]", got, v.ID)
		}
		all, err := f.s.WorkspaceAssignments(ctx, w.ID)
		if err != nil || len(all) != 2 || !all[0].Created.Equal(t0) {
			t.Fatalf("WorkspaceAssignments = %+v, %v", all, err)
		}
		for _, bad := range []string{"", "model:", "risk:", "systems", "admin:*", "model-systems"} {
			err := f.write(t, "x", func(tx *store.Tx) error {
				return tx.Assign(ctx, store.Assignment{WorkspaceID: w.ID, UserID: u.ID, Object: bad, CreatedBy: v.ID, Created: t0})
			})
			if !errors.Is(err, store.ErrConflict) {
				t.Errorf("Assign(%q): %v; want ErrConflict", bad, err)
			}
		}
		err = f.write(t, "x", func(tx *store.Tx) error {
			return tx.SetUserAssignments(ctx, w.ID, u.ID, store.ModelObject, []string{"risk:X"}, v.ID, t0)
		})
		if !errors.Is(err, store.ErrConflict) {
			t.Errorf("a risk given as a model part: %v; want ErrConflict", err)
		}
		if err := f.write(t, "x", func(tx *store.Tx) error {
			return tx.Unassign(ctx, store.Assignment{WorkspaceID: w.ID, UserID: u.ID, Object: "model:*"})
		}); err != nil {
			t.Fatal(err)
		}
		if got, _ := f.s.UserAssignments(ctx, w.ID, u.ID); len(got) != 0 {
			t.Fatalf("after Unassign: %v", got)
		}
	})
}
