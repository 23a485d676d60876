package store_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"rcmguard/internal/store"
	"rcmguard/internal/store/storetest"
)

// TestClientNamesPerBillingCompany: two tenants may both have a client
// named "Sunny Valley Clinic"; within one billing company the name is
// refused with an error that names the scope and nothing of anyone else.
// Before the fix the second tenant was refused, learning the first had it.
func TestClientNamesPerBillingCompany(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dsn string) {
		f := newFixture(t, dsn)
		ctx := context.Background()
		a := f.workspace(t, "Acme Billing", store.KindBillingCompany, 0)
		b := f.workspace(t, "Bayside Revenue", store.KindBillingCompany, 0)
		ca := f.workspace(t, "Sunny Valley Clinic", store.KindPractice, a.ID)
		cb := f.workspace(t, "Sunny Valley Clinic", store.KindPractice, b.ID)
		if ca.ID == cb.ID {
			t.Fatal("one workspace for two tenants' clients")
		}
		create := func(name string, parent int64) error {
			return f.write(t, "workspace.create", func(tx *store.Tx) error {
				_, err := tx.CreateWorkspace(ctx, store.Workspace{Name: name, ParentID: parent, Created: t0})
				return err
			})
		}
		err := create("Sunny Valley Clinic", a.ID)
		if !errors.Is(err, store.ErrConflict) || !strings.Contains(err.Error(), "a client of this billing company already has this name") {
			t.Errorf("second client of one name in one billing company: %v", err)
		}
		if err := create("Acme Billing", 0); !errors.Is(err, store.ErrConflict) || !strings.Contains(err.Error(), "a top-level workspace already has this name") {
			t.Errorf("second top-level workspace of one name: %v", err)
		}
		// A top-level practice may share a client's name; by name the CLI
		// finds the top-level one, and refuses to guess between clients.
		if _, err := f.s.WorkspaceByName(ctx, "Sunny Valley Clinic"); !errors.Is(err, store.ErrAmbiguousName) {
			t.Errorf("WorkspaceByName of two tenants' clients: %v; want ErrAmbiguousName", err)
		}
		top := f.workspace(t, "Sunny Valley Clinic", store.KindPractice, 0)
		if got, err := f.s.WorkspaceByName(ctx, "Sunny Valley Clinic"); err != nil || got.ID != top.ID {
			t.Errorf("WorkspaceByName with a top-level workspace of that name: %+v, %v", got, err)
		}
		only := f.workspace(t, "Maple Grove Pediatrics", store.KindPractice, b.ID)
		if got, err := f.s.WorkspaceByName(ctx, "Maple Grove Pediatrics"); err != nil || got.ID != only.ID {
			t.Errorf("WorkspaceByName of one client: %+v, %v", got, err)
		}
		if _, err := f.s.WorkspaceByName(ctx, "Nowhere"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("WorkspaceByName of no workspace: %v", err)
		}
		// Foreign keys still hold on the rebuilt table.
		err = f.write(t, "membership.put", func(tx *store.Tx) error {
			return tx.PutMembership(ctx, store.Membership{UserID: 1, WorkspaceID: 9999, Role: "owner", Created: t0})
		})
		if err == nil {
			t.Error("a membership of a workspace that does not exist was stored")
		}
	})
}
