package app

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"rcmguard/internal/audit"
	"rcmguard/internal/auth"
	"rcmguard/internal/store"
)

// Who may create a top-level workspace from the web: an owner, in force,
// of a top-level workspace. rcmguard has no server-wide administrator
// role: the administrator is whoever runs the command line (rcmguard user
// add), and the first-run setup makes the first owner. An owner of a
// top-level workspace was trusted by one of those with an organisation;
// letting them start another (a second practice, a billing company's own
// new line of business) grants nothing over anyone else's data. A member
// in any other role, or an owner only of a client workspace (a billing
// company may hand a client's owner role to the practice), could otherwise
// make tenants on someone else's server, so they may not.

// ErrNoWorkspaceCreate: the user is not an owner of a top-level workspace.
var ErrNoWorkspaceCreate = &Error{Kind: ErrForbidden,
	Msg: "Only an owner of an organisation's workspace can create workspaces. Ask your rcmguard administrator."}

// CanCreateWorkspaces reports whether user may create top-level
// workspaces (see above).
func (a *App) CanCreateWorkspaces(ctx context.Context, user store.User) (bool, error) {
	_, ok, err := a.topOwnership(ctx, user)
	return ok, err
}

// topOwnership finds a top-level workspace the user owns, in force.
func (a *App) topOwnership(ctx context.Context, user store.User) (store.Workspace, bool, error) {
	ms, err := a.st.UserMemberships(ctx, user.ID)
	if err != nil {
		return store.Workspace{}, false, err
	}
	now := a.now()
	for _, m := range ms {
		if auth.Role(m.Role) != auth.RoleOwner || auth.Allowed(m, auth.ActUserManage, now) != nil {
			continue
		}
		ws, err := a.st.Workspace(ctx, m.WorkspaceID)
		if err != nil {
			return store.Workspace{}, false, err
		}
		if ws.ParentID == 0 {
			return ws, true, nil
		}
	}
	return store.Workspace{}, false, nil
}

// CreateWorkspace makes a top-level workspace (a practice or a billing
// company) whose owner is the actor, with its audit entry. Only an owner
// of a top-level workspace may (ErrNoWorkspaceCreate).
func (a *App) CreateWorkspace(ctx context.Context, who Actor, name, kind string) (store.Workspace, error) {
	from, ok, err := a.topOwnership(ctx, who.User)
	if err != nil {
		return store.Workspace{}, err
	}
	if !ok {
		return store.Workspace{}, ErrNoWorkspaceCreate
	}
	name = strings.TrimSpace(name)
	var errs Errors
	if name == "" || len(name) > maxWorkspaceName {
		errs = append(errs, invalid("name", "Enter the organisation's name (up to 200 characters)."))
	}
	if kind != store.KindPractice && kind != store.KindBillingCompany {
		errs = append(errs, invalid("kind", "Choose whether it is a practice or a billing company."))
	}
	if len(errs) > 0 {
		return store.Workspace{}, errs
	}
	now := a.now()
	var ws store.Workspace
	err = a.st.InTx(ctx, func(tx *store.Tx) error {
		var err error
		if ws, err = tx.CreateWorkspace(ctx, store.Workspace{Name: name, Kind: kind, Created: now}); err != nil {
			return err
		}
		if err := tx.PutMembership(ctx, store.Membership{UserID: who.User.ID, WorkspaceID: ws.ID, Role: string(auth.RoleOwner), Created: now}); err != nil {
			return err
		}
		return a.record(ctx, tx, who, Scope{WS: ws}, audit.WorkspaceCreate, fmt.Sprintf("workspace:%d", ws.ID),
			map[string]any{"kind": kind, "owner": who.auditName(), "by": fmt.Sprintf("owner of workspace:%d", from.ID)})
	})
	if errors.Is(err, store.ErrConflict) {
		return ws, Errors{&Error{Kind: ErrInvalid, Field: "name", Msg: "A workspace of this name exists already. Choose another name.", Err: err}}
	}
	if err != nil {
		return ws, fmt.Errorf("app: create workspace: %w", err)
	}
	return ws, nil
}
