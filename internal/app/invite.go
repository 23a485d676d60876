package app

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"rcmguard/internal/audit"
	"rcmguard/internal/auth"
	"rcmguard/internal/store"
)

// Adding a person to a workspace never grants access by itself: it makes
// an invitation, a one-time link that the person accepts — by choosing a
// password when the address has no account, or signed in as the account
// that has it. The owner is told the same whether or not the address has
// an account, so the Members page cannot be used to learn who else uses
// this server. With a mail relay the link goes only to the address, which
// proves the address when it is accepted; without one the owner copies the
// link and passes it on, which proves nothing about the address (an account
// made through such a link stays unproven, and an unproven account can
// join another workspace only through a link mailed to its address).

var (
	// ErrBadAddress: the address cannot be an account's.
	ErrBadAddress = errors.New("app: not an e-mail address")
	// ErrBadExpiry: the end of access is not after now.
	ErrBadExpiry = errors.New("app: the end of access must be in the future")
	// ErrOwnRole: owners cannot change their own role or invite themselves.
	ErrOwnRole = errors.New("app: you cannot change your own role")
	// ErrWrongAccount: the signed-in account is not the invited address's.
	ErrWrongAccount = errors.New("app: the invitation is for another address")
	// ErrAddressUnproven: the signed-in account's address was never proven
	// and this link, copied by the inviting owner, proves nothing either.
	ErrAddressUnproven = errors.New("app: the account's address is not proven and the link was not sent to it by e-mail")
	// ErrNoPublicURL: mail is configured but links would have no address.
	ErrNoPublicURL = errors.New("app: e-mail links need the server's public URL")
)

// InviteRequest asks that the person holding an address join a workspace.
type InviteRequest struct {
	Email string
	Role  auth.Role
	// Expires ends the membership; zero: none, except for auditors, whose
	// access ends after auth.AuditorDefaultAccess.
	Expires time.Time
}

// Invited is what inviting (or resending) did. Exactly one of RoleChanged,
// Mailed and Token describes how it went on.
type Invited struct {
	Invitation store.Invitation
	// RoleChanged: the address is a member already; its role changed at
	// once and no invitation was made.
	RoleChanged bool
	// Mailed: the link went to the address by e-mail and is shown to
	// nobody. MailErr is set when the relay did not take the message; the
	// invitation stays, to be sent again.
	Mailed  bool
	MailErr error
	// Token is the link's token for the owner to pass on, when no relay is
	// configured. It is returned this once; only its hash is stored.
	Token string
}

// InvitationPath is the path of an invitation link; callers put the
// server's address in front.
func InvitationPath(token string) string { return "/invite/" + token }

// peopleManager is an owner's membership of a workspace, checked.
func (a *App) peopleManager(ctx context.Context, actor store.User, wsID int64) (store.Workspace, error) {
	m, ws, err := a.st.MembershipWorkspace(ctx, wsID, actor.ID)
	if err != nil {
		return ws, err // ErrNotFound for non-members and unknown workspaces alike
	}
	if err := auth.Allowed(m, auth.ActUserManage, a.now()); err != nil {
		return ws, err
	}
	return ws, nil
}

func invitationObject(id int64) string { return fmt.Sprintf("invitation:%d", id) }

// Invite adds the person holding in.Email to the workspace: a member's role
// changes at once; anyone else gets an invitation, mailed when a relay is
// configured, else returned for the owner to copy. The response and the
// audit entry are the same whether or not the address has an account.
// Only owners may invite (auth.ErrForbidden); a workspace the actor is not
// a member of does not exist for them (store.ErrNotFound).
func (a *App) Invite(ctx context.Context, actor store.User, wsID int64, in InviteRequest) (Invited, error) {
	now := a.now()
	ws, err := a.peopleManager(ctx, actor, wsID)
	if err != nil {
		return Invited{}, err
	}
	email := store.NormalizeEmail(in.Email)
	if !auth.ValidEmail(email) {
		return Invited{}, ErrBadAddress
	}
	role, err := auth.ParseRole(string(in.Role))
	if err != nil {
		return Invited{}, err
	}
	expires := in.Expires
	switch {
	case !expires.IsZero() && !expires.After(now):
		return Invited{}, ErrBadExpiry
	case expires.IsZero() && role == auth.RoleAuditor:
		expires = now.Add(auth.AuditorDefaultAccess)
	}
	if email == store.NormalizeEmail(actor.Email) {
		return Invited{}, ErrOwnRole
	}
	if a.mail != nil && a.publicURL == "" {
		return Invited{}, ErrNoPublicURL
	}
	// A member already has access and is listed on the page: changing
	// their role reveals nothing and admits no one new.
	if u, err := a.st.UserByEmail(ctx, email); err == nil {
		if _, err := a.st.Membership(ctx, wsID, u.ID); err == nil {
			return Invited{RoleChanged: true}, a.changeRole(ctx, actor, wsID, u.ID, role, expires)
		} else if !errors.Is(err, store.ErrNotFound) {
			return Invited{}, fmt.Errorf("app: invite: %w", err)
		}
	} else if !errors.Is(err, store.ErrNotFound) {
		return Invited{}, fmt.Errorf("app: invite: %w", err)
	}

	token, hash, err := auth.NewInvitationToken()
	if err != nil {
		return Invited{}, err
	}
	inv := store.Invitation{WorkspaceID: wsID, Email: email, Role: string(role), Expires: expires, TokenHash: hash,
		CreatedBy: actor.ID, Created: now, ValidUntil: now.Add(auth.InvitationLifetime), Delivery: a.delivery()}
	err = a.st.InTx(ctx, func(tx *store.Tx) error {
		replaced, err := tx.RevokePendingInvitations(ctx, wsID, email, actor.ID, now)
		if err != nil {
			return err
		}
		if inv, err = tx.CreateInvitation(ctx, inv); err != nil {
			return err
		}
		details := map[string]any{"role": string(role), "email_hint": auth.EmailHint(email),
			"valid_until": store.FormatTime(inv.ValidUntil), "delivery": inv.Delivery}
		if !expires.IsZero() {
			details["expires"] = store.FormatTime(expires)
		}
		if err := a.auditInvite(ctx, tx, now, audit.UserActor(actor.ID), wsID, audit.InviteCreate, invitationObject(inv.ID), details); err != nil {
			return err
		}
		for _, id := range replaced {
			if err := a.auditInvite(ctx, tx, now, audit.UserActor(actor.ID), wsID, audit.InviteRevoke, invitationObject(id),
				map[string]any{"email_hint": auth.EmailHint(email), "replaced_by": invitationObject(inv.ID)}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return Invited{}, fmt.Errorf("app: invite: %w", err)
	}
	return a.deliver(ctx, actor, ws, inv, token), nil
}

// changeRole gives a member of the workspace another role or end of access.
func (a *App) changeRole(ctx context.Context, actor store.User, wsID, userID int64, role auth.Role, expires time.Time) error {
	now := a.now()
	err := a.st.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.PutMembership(ctx, store.Membership{UserID: userID, WorkspaceID: wsID, Role: string(role),
			Expires: expires, Created: now}); err != nil {
			return err
		}
		details := map[string]any{"role": string(role)}
		if !expires.IsZero() {
			details["expires"] = store.FormatTime(expires)
		}
		return a.auditInvite(ctx, tx, now, audit.UserActor(actor.ID), wsID, audit.MembershipPut, userObject(userID), details)
	})
	if err != nil {
		return fmt.Errorf("app: change role: %w", err)
	}
	return nil
}

// ResendInvitation gives a pending invitation a new link, valid for the
// full lifetime again, and mails it (or returns it to copy); the old link
// stops working. A used or revoked invitation is a store.ErrConflict;
// another workspace's does not exist here.
func (a *App) ResendInvitation(ctx context.Context, actor store.User, wsID, invitationID int64) (Invited, error) {
	now := a.now()
	ws, err := a.peopleManager(ctx, actor, wsID)
	if err != nil {
		return Invited{}, err
	}
	if a.mail != nil && a.publicURL == "" {
		return Invited{}, ErrNoPublicURL
	}
	token, hash, err := auth.NewInvitationToken()
	if err != nil {
		return Invited{}, err
	}
	var inv store.Invitation
	err = a.st.InTx(ctx, func(tx *store.Tx) error {
		if inv, err = tx.Invitation(ctx, wsID, invitationID); err != nil {
			return err
		}
		if !inv.Used.IsZero() || !inv.Revoked.IsZero() {
			return store.ErrConflict
		}
		inv.TokenHash, inv.Delivery, inv.ValidUntil = hash, a.delivery(), now.Add(auth.InvitationLifetime)
		if err := tx.RenewInvitation(ctx, wsID, inv.ID, inv.TokenHash, inv.Delivery, inv.ValidUntil); err != nil {
			return err
		}
		return a.auditInvite(ctx, tx, now, audit.UserActor(actor.ID), wsID, audit.InviteResend, invitationObject(inv.ID),
			map[string]any{"email_hint": auth.EmailHint(inv.Email), "delivery": inv.Delivery,
				"valid_until": store.FormatTime(inv.ValidUntil)})
	})
	if err != nil {
		return Invited{}, fmt.Errorf("app: resend invitation %d: %w", invitationID, err)
	}
	return a.deliver(ctx, actor, ws, inv, token), nil
}

// RevokeInvitation stops a pending invitation of the workspace. One that
// was used or revoked in the meantime is a store.ErrConflict; another
// workspace's does not exist here (store.ErrNotFound).
func (a *App) RevokeInvitation(ctx context.Context, actor store.User, wsID, invitationID int64) error {
	now := a.now()
	if _, err := a.peopleManager(ctx, actor, wsID); err != nil {
		return err
	}
	err := a.st.InTx(ctx, func(tx *store.Tx) error {
		inv, err := tx.Invitation(ctx, wsID, invitationID)
		if err != nil {
			return err
		}
		if !inv.Used.IsZero() || !inv.Revoked.IsZero() {
			return store.ErrConflict
		}
		if err := tx.RevokeInvitation(ctx, wsID, invitationID, actor.ID, now); err != nil {
			return err
		}
		return a.auditInvite(ctx, tx, now, audit.UserActor(actor.ID), wsID, audit.InviteRevoke, invitationObject(invitationID),
			map[string]any{"email_hint": auth.EmailHint(inv.Email), "role": inv.Role})
	})
	if err != nil {
		return fmt.Errorf("app: revoke invitation %d: %w", invitationID, err)
	}
	return nil
}

// delivery is how links leave this server.
func (a *App) delivery() string {
	if a.mail != nil {
		return store.DeliveryEmail
	}
	return store.DeliveryLink
}

// deliver sends a committed invitation's link by e-mail, or hands its
// token back for the owner to copy. A relay that fails is reported, not
// retried: the owner sees it and sends the invitation again.
func (a *App) deliver(ctx context.Context, actor store.User, ws store.Workspace, inv store.Invitation, token string) Invited {
	out := Invited{Invitation: inv}
	if a.mail == nil {
		out.Token = token
		return out
	}
	out.Mailed = true
	_, err := a.st.UserByEmail(ctx, inv.Email)
	hasAccount := err == nil
	msg := invitationMessage(inv, ws, actor.Email, strings.TrimRight(a.publicURL, "/"), token, hasAccount)
	if err := a.mail.Send(ctx, msg); err != nil {
		// The address is an identifier: the log has its hint.
		a.logger.Error("app: invitation e-mail not sent", "invitation", inv.ID, "workspace", inv.WorkspaceID,
			"to", auth.EmailHint(inv.Email), "err", err)
		out.MailErr = err
	}
	return out
}

// auditInvite writes one audit entry of the invitation use cases in tx.
func (a *App) auditInvite(ctx context.Context, tx *store.Tx, at time.Time, actor audit.Actor, wsID int64, action audit.Action, object string, details map[string]any) error {
	_, err := a.log.Append(ctx, tx, audit.Event{At: at, Actor: actor, WorkspaceID: wsID, Action: action, Object: object, Details: details})
	return err
}
