package app

import (
	"context"
	"fmt"

	"rcmguard/internal/audit"
	"rcmguard/internal/auth"
	"rcmguard/internal/store"
)

// Via is the channel a use case was reached through. The audit entry
// records it, except for the web pages, the channel most entries come
// through.
type Via string

// The channels.
const (
	ViaWeb Via = "web"
	ViaAPI Via = "api"
	ViaCLI Via = "cli"
)

// Actor is who performs a use case: a signed-in user (through the pages
// or an API token) or the account an operator names on the command line.
type Actor struct {
	User store.User
	Via  Via
}

// auditName is how entries name the actor.
func (a Actor) auditName() audit.Actor { return audit.UserActor(a.User.ID) }

// Scope is a workspace as one member acts in it: the workspace, their
// membership (role and any end of access) and, for a role limited to its
// assignments, what is assigned to them (nil for the other roles).
type Scope struct {
	WS       store.Workspace
	Member   store.Membership
	Assigned map[string]bool
}

// Role is the member's role in the workspace.
func (s Scope) Role() auth.Role { return auth.Role(s.Member.Role) }

// Enter returns the scope of a user in workspace wsID. A workspace the
// user is not a member of is not found, whatever their role elsewhere.
// It checks no action: each use case does.
func (a *App) Enter(ctx context.Context, userID, wsID int64) (Scope, error) {
	m, ws, err := a.st.MembershipWorkspace(ctx, wsID, userID)
	if err != nil {
		return Scope{}, err // store.ErrNotFound for non-members and unknown workspaces alike
	}
	as, err := a.Assignments(ctx, wsID, userID, auth.Role(m.Role))
	if err != nil {
		return Scope{}, err
	}
	return Scope{WS: ws, Member: m, Assigned: as}, nil
}

// Assignments returns what is assigned to a user in a workspace when their
// role is limited by it (auth.Scoped), nil for the other roles.
func (a *App) Assignments(ctx context.Context, wsID, userID int64, role auth.Role) (map[string]bool, error) {
	if role != auth.RoleContributor {
		return nil, nil
	}
	return a.UserAssignments(ctx, wsID, userID)
}

// UserAssignments returns a user's assignments in a workspace as a set,
// whatever their role (the register's "assigned to me").
func (a *App) UserAssignments(ctx context.Context, wsID, userID int64) (map[string]bool, error) {
	objs, err := a.st.UserAssignments(ctx, wsID, userID)
	if err != nil {
		return nil, err
	}
	m := make(map[string]bool, len(objs))
	for _, o := range objs {
		m[o] = true
	}
	return m, nil
}

// Allowed is the permission check of every use case: the member's role
// and any end of access (auth.Allowed) and, for a role limited to its
// assignments, that object is assigned to them. object is the assignable
// thing acted on ("risk:EDI-02@f-claims", "model:flows"), "" for none.
func (a *App) Allowed(who Actor, ws Scope, act auth.Action, object string) error {
	if ws.Member.UserID != who.User.ID || ws.Member.WorkspaceID != ws.WS.ID || ws.WS.ID == 0 {
		return fmt.Errorf("%w: user %d has no membership of workspace %d here", ErrForbidden, who.User.ID, ws.WS.ID)
	}
	if err := auth.Allowed(ws.Member, act, a.now()); err != nil {
		return fmt.Errorf("%w: %w", ErrForbidden, err)
	}
	if auth.Scoped(ws.Role(), act) && !auth.Covers(ws.Assigned, object) {
		return fmt.Errorf("%w: %s is not assigned to user %d", ErrForbidden, object, who.User.ID)
	}
	return nil
}

// record appends the audit entry of a use case inside its transaction.
func (a *App) record(ctx context.Context, tx *store.Tx, who Actor, ws Scope, act audit.Action, object string, details map[string]any) error {
	if who.Via != "" && who.Via != ViaWeb {
		if details == nil {
			details = map[string]any{}
		}
		details["via"] = string(who.Via)
	}
	_, err := a.log.Append(ctx, tx, audit.Event{At: a.now(), Actor: who.auditName(), WorkspaceID: ws.WS.ID,
		Action: act, Object: object, Details: details})
	return err
}
