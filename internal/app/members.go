package app

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"rcmguard/internal/audit"
	"rcmguard/internal/auth"
	"rcmguard/internal/store"
)

// Work is what a contributor may change: parts of the model (store
// objects "model:…", offered by the Members page) and whether every risk.
// Risks assigned by name are set on each risk (AssignRisk) and kept.
type Work struct {
	ModelParts []string
	AllRisks   bool
}

// SetWork sets the work assigned to a contributor of the workspace. Other
// roles are not limited by assignments, so setting theirs is refused as
// input no form offers, as is a model part not in parts (what may be
// assigned).
func (a *App) SetWork(ctx context.Context, who Actor, ws Scope, userID int64, w Work, parts []string) error {
	if err := a.Allowed(who, ws, auth.ActUserManage, ""); err != nil {
		return err
	}
	m, err := a.st.Membership(ctx, ws.WS.ID, userID)
	if err != nil {
		return err // another workspace's member is not found here
	}
	if auth.Role(m.Role) != auth.RoleContributor {
		return fmt.Errorf("%w: user %d is a %s, not limited by assignments", ErrMalformed, userID, m.Role)
	}
	for _, p := range w.ModelParts {
		if !slices.Contains(parts, p) {
			return fmt.Errorf("%w: %q is not a part of the model that can be assigned", ErrMalformed, p)
		}
	}
	now := a.now()
	return a.st.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.SetUserAssignments(ctx, ws.WS.ID, userID, store.ModelObject, w.ModelParts, who.User.ID, now); err != nil {
			return err
		}
		every := store.Assignment{WorkspaceID: ws.WS.ID, UserID: userID, Object: store.RiskObject + store.AllObjects,
			CreatedBy: who.User.ID, Created: now}
		if w.AllRisks {
			if err := tx.Assign(ctx, every); err != nil {
				return err
			}
		} else if err := tx.Unassign(ctx, every); err != nil {
			return err
		}
		return a.record(ctx, tx, who, ws, audit.AssignmentsSet, userObject(userID),
			map[string]any{"model": w.ModelParts, "all_risks": w.AllRisks})
	})
}

// RemoveMember takes someone out of the workspace. Nobody removes
// themselves, so a workspace is never left without the owner acting.
func (a *App) RemoveMember(ctx context.Context, who Actor, ws Scope, userID int64) error {
	if err := a.Allowed(who, ws, auth.ActUserManage, ""); err != nil {
		return err
	}
	if userID == who.User.ID {
		return &Error{Kind: ErrForbidden, Msg: "You cannot remove yourself from the workspace."}
	}
	return a.st.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.RemoveMembership(ctx, ws.WS.ID, userID); err != nil {
			return err
		}
		return a.record(ctx, tx, who, ws, audit.MembershipRemove, userObject(userID), nil)
	})
}

// maxClientName bounds a client practice's name.
const maxClientName = 200

// CreateClient adds a client practice under a billing company; the owner
// who creates it becomes its owner too, so they can open it at once. Only
// a billing company has clients: anywhere else there is nothing to add to.
func (a *App) CreateClient(ctx context.Context, who Actor, ws Scope, name string) (store.Workspace, error) {
	if err := a.Allowed(who, ws, auth.ActClientManage, ""); err != nil {
		return store.Workspace{}, err
	}
	if ws.WS.Kind != store.KindBillingCompany {
		return store.Workspace{}, fmt.Errorf("%w: workspace %d is not a billing company", ErrNotFound, ws.WS.ID)
	}
	name = strings.TrimSpace(name)
	if name == "" || len(name) > maxClientName {
		return store.Workspace{}, invalid("name", "Enter the practice's name (up to 200 characters).")
	}
	now := a.now()
	var client store.Workspace
	err := a.st.InTx(ctx, func(tx *store.Tx) error {
		var err error
		client, err = tx.CreateWorkspace(ctx, store.Workspace{Name: name, Kind: store.KindPractice, ParentID: ws.WS.ID, Created: now})
		if err != nil {
			return err
		}
		if err := tx.PutMembership(ctx, store.Membership{UserID: who.User.ID, WorkspaceID: client.ID, Role: string(auth.RoleOwner), Created: now}); err != nil {
			return err
		}
		object := fmt.Sprintf("workspace:%d", client.ID)
		if err := a.record(ctx, tx, who, ws, audit.ClientCreate, object, map[string]any{"kind": client.Kind}); err != nil {
			return err
		}
		return a.record(ctx, tx, who, Scope{WS: client}, audit.WorkspaceCreate, object,
			map[string]any{"parent": ws.WS.ID, "owner": who.auditName()})
	})
	if errors.Is(err, store.ErrConflict) {
		return client, &Error{Kind: ErrInvalid, Field: "name", Msg: "Your billing company already has a client practice of this name. Choose another name.", Err: err}
	}
	return client, err
}

// Token bounds.
const (
	maxTokenName = 100
	maxTokenDays = 366
)

// CreateToken issues an API token acting as the actor in this workspace,
// with their role, valid for days; it returns the secret, shown once, of
// which only a hash is kept.
func (a *App) CreateToken(ctx context.Context, who Actor, ws Scope, name string, days int) (string, error) {
	if err := a.Allowed(who, ws, auth.ActTokenManage, ""); err != nil {
		return "", err
	}
	var errs Errors
	if name == "" || len(name) > maxTokenName {
		errs = append(errs, invalid("name", "Name the token after what uses it (1 to 100 characters)."))
	}
	if days < 1 || days > maxTokenDays {
		errs = append(errs, invalid("days", "Enter a number of days between 1 and 366."))
	}
	if len(errs) > 0 {
		return "", errs
	}
	secret, _, err := a.auth.CreateAPIToken(ctx, who.User.ID, ws.WS.ID, name, time.Duration(days)*24*time.Hour, who.auditName(), a.now())
	if errors.Is(err, store.ErrConflict) {
		return "", Errors{&Error{Kind: ErrInvalid, Field: "name", Msg: "You already have a token with this name here.", Err: err}}
	}
	return secret, err
}

// RevokeToken deletes an API token of the workspace.
func (a *App) RevokeToken(ctx context.Context, who Actor, ws Scope, id int64) error {
	if err := a.Allowed(who, ws, auth.ActTokenManage, ""); err != nil {
		return err
	}
	return a.st.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.DeleteAPIToken(ctx, ws.WS.ID, id); err != nil {
			return err
		}
		return a.record(ctx, tx, who, ws, audit.TokenRevoke, fmt.Sprintf("token:%d", id), nil)
	})
}

// userObject names a user as the object of an entry, as actors are named.
func userObject(id int64) string { return string(audit.UserActor(id)) }
