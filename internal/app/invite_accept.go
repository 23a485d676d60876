package app

import (
	"context"
	"errors"
	"fmt"
	"time"

	"rcmguard/internal/audit"
	"rcmguard/internal/auth"
	"rcmguard/internal/store"
)

// InvitationState says what the person who opened an invitation link can
// do with it.
type InvitationState int

const (
	// InviteCreateAccount: no account has the address; choose a password.
	InviteCreateAccount InvitationState = iota
	// InviteSignIn: an account has the address; sign in as it and open
	// the link again.
	InviteSignIn
	// InviteJoin: the signed-in account is the invited address's; accept.
	InviteJoin
	// InviteOtherAccount: signed in as another account; sign out first.
	InviteOtherAccount
	// InviteUnproven: the signed-in account is the invited address's but
	// its address was never proven, and this copied link proves nothing.
	InviteUnproven
)

// InvitationView is an invitation as the page its link opens shows it.
type InvitationView struct {
	Invitation store.Invitation
	Workspace  store.Workspace
	State      InvitationState
}

// OpenInvitation looks up a link for the page it opens; viewer is the
// signed-in account, nil for a visitor. A link that cannot be used fails
// with auth.ErrInvitationInvalid, the same for every reason. It changes
// nothing.
func (a *App) OpenInvitation(ctx context.Context, token string, viewer *store.User) (InvitationView, error) {
	inv, reason, err := a.lookupInvitation(ctx, token)
	if err != nil {
		return InvitationView{}, err
	}
	if reason != "" {
		return InvitationView{}, fmt.Errorf("%w (%s)", auth.ErrInvitationInvalid, reason)
	}
	ws, err := a.st.Workspace(ctx, inv.WorkspaceID)
	if err != nil {
		return InvitationView{}, fmt.Errorf("app: open invitation: %w", err)
	}
	v := InvitationView{Invitation: inv, Workspace: ws}
	switch {
	case viewer == nil:
		_, err := a.st.UserByEmail(ctx, inv.Email)
		switch {
		case err == nil:
			v.State = InviteSignIn
		case errors.Is(err, store.ErrNotFound):
			v.State = InviteCreateAccount
		default:
			return InvitationView{}, fmt.Errorf("app: open invitation: %w", err)
		}
	case store.NormalizeEmail(viewer.Email) != inv.Email:
		v.State = InviteOtherAccount
	default:
		proven, err := a.st.EmailVerified(ctx, viewer.ID)
		if err != nil {
			return InvitationView{}, fmt.Errorf("app: open invitation: %w", err)
		}
		v.State = InviteJoin
		if proven.IsZero() && inv.Delivery != store.DeliveryEmail {
			v.State = InviteUnproven
		}
	}
	return v, nil
}

// lookupInvitation finds the invitation of a link token. reason is empty
// when it can be accepted now, else why not: "unknown", "used", "revoked"
// or "expired".
func (a *App) lookupInvitation(ctx context.Context, token string) (inv store.Invitation, reason string, err error) {
	hash, ok := auth.InvitationTokenHash(token)
	if !ok {
		return inv, "unknown", nil
	}
	inv, err = a.st.InvitationByHash(ctx, hash)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return store.Invitation{}, "unknown", nil
	case err != nil:
		return inv, "", fmt.Errorf("app: invitation: %w", err)
	case !inv.Used.IsZero():
		return inv, "used", nil
	case !inv.Revoked.IsZero():
		return inv, "revoked", nil
	case !a.now().Before(inv.ValidUntil):
		return inv, "expired", nil
	}
	return inv, "", nil
}

// NewAccount is the session of an account just made from an invitation:
// its password step is done and TOTP enrolment comes next.
type NewAccount struct {
	User         store.User
	SessionToken string
	EnrolmentURI string
}

// JoinWithNewAccount creates the invited person's account with the
// password they chose, makes them a member with the invited role, marks
// the invitation used and opens the session that leads to TOTP enrolment,
// all in one transaction with its audit entries. The account's address is
// proven when the link was mailed to it, and not when the owner copied it.
//
// A link that cannot be used fails with auth.ErrInvitationInvalid, an
// address that has an account with auth.ErrAccountExists (that account
// accepts signed in), both audited with the reason; a password the policy
// refuses fails with an *auth.PolicyError and changes nothing.
func (a *App) JoinWithNewAccount(ctx context.Context, token, password string) (NewAccount, error) {
	now := a.now()
	inv, reason, err := a.lookupInvitation(ctx, token)
	if err != nil {
		return NewAccount{}, err
	}
	if reason != "" {
		return NewAccount{}, a.refuseInvitation(ctx, audit.Anonymous, inv, reason, now)
	}
	if _, err := a.st.UserByEmail(ctx, inv.Email); err == nil {
		return NewAccount{}, a.refuseInvitation(ctx, audit.Anonymous, inv, "account exists", now)
	} else if !errors.Is(err, store.ErrNotFound) {
		return NewAccount{}, fmt.Errorf("app: accept invitation: %w", err)
	}
	ws, err := a.st.Workspace(ctx, inv.WorkspaceID)
	if err != nil {
		return NewAccount{}, fmt.Errorf("app: accept invitation: %w", err)
	}
	cred, err := a.auth.NewCredentials(ctx, inv.Email, password, ws.Name)
	if err != nil {
		return NewAccount{}, err
	}
	proven := inv.Delivery == store.DeliveryEmail
	var out NewAccount
	refused := ""
	err = a.st.InTx(ctx, func(tx *store.Tx) error {
		u, err := tx.CreateUser(ctx, store.User{Email: inv.Email, PasswordHash: cred.PasswordHash, TOTPSecret: cred.TOTPSecret, Created: now})
		if errors.Is(err, store.ErrConflict) {
			refused = "account exists" // created since the check above
			return err
		}
		if err != nil {
			return err
		}
		// Compare-and-set: of two acceptances of one link, one wins.
		if err := tx.UseInvitation(ctx, inv.ID, inv.TokenHash, u.ID, now); err != nil {
			if errors.Is(err, store.ErrConflict) {
				refused = "used"
			}
			return err
		}
		if err := tx.PutMembership(ctx, store.Membership{UserID: u.ID, WorkspaceID: inv.WorkspaceID, Role: inv.Role,
			Expires: inv.Expires, Created: now}); err != nil {
			return err
		}
		address := "not proven: the inviting owner copied the link"
		if proven {
			address = "proven: the link was sent to it by e-mail"
			if err := tx.VerifyEmail(ctx, u.ID, now); err != nil {
				return err
			}
		}
		if out.SessionToken, err = a.auth.StartSecondFactor(ctx, tx, u.ID, now); err != nil {
			return err
		}
		out.User = u
		details := map[string]any{"role": inv.Role, "email_hint": auth.EmailHint(inv.Email), "invitation": inv.ID, "address": address}
		if !inv.Expires.IsZero() {
			details["expires"] = store.FormatTime(inv.Expires)
		}
		if err := a.auditInvite(ctx, tx, now, audit.UserActor(u.ID), inv.WorkspaceID, audit.UserCreate, userObject(u.ID), details); err != nil {
			return err
		}
		return a.auditInvite(ctx, tx, now, audit.UserActor(u.ID), inv.WorkspaceID, audit.InviteAccept, invitationObject(inv.ID),
			map[string]any{"user": userObject(u.ID), "role": inv.Role, "account": "new",
				"session": "password step passed; second factor next"})
	})
	if refused != "" {
		return NewAccount{}, a.refuseInvitation(ctx, audit.Anonymous, inv, refused, now)
	}
	if err != nil {
		return NewAccount{}, fmt.Errorf("app: accept invitation: %w", err)
	}
	out.EnrolmentURI = cred.EnrolmentURI
	return out, nil
}

// JoinAsMember accepts an invitation for the signed-in account actor: the
// one way an existing account enters a workspace by address. The account
// must be the invited address's (ErrWrongAccount), and that address must
// be proven — before, or now by this link having been mailed to it
// (ErrAddressUnproven): an account someone made for an address they do not
// hold cannot be brought into another organisation's workspace. Refusals
// are audited with their reason.
func (a *App) JoinAsMember(ctx context.Context, actor store.User, token string) (store.Workspace, error) {
	now := a.now()
	who := audit.UserActor(actor.ID)
	inv, reason, err := a.lookupInvitation(ctx, token)
	if err != nil {
		return store.Workspace{}, err
	}
	if reason != "" {
		return store.Workspace{}, a.refuseInvitation(ctx, who, inv, reason, now)
	}
	if store.NormalizeEmail(actor.Email) != inv.Email {
		return store.Workspace{}, a.refuseInvitation(ctx, who, inv, "another account", now)
	}
	provenAt, err := a.st.EmailVerified(ctx, actor.ID)
	if err != nil {
		return store.Workspace{}, fmt.Errorf("app: accept invitation: %w", err)
	}
	mailed := inv.Delivery == store.DeliveryEmail
	if provenAt.IsZero() && !mailed {
		return store.Workspace{}, a.refuseInvitation(ctx, who, inv, "address not proven", now)
	}
	ws, err := a.st.Workspace(ctx, inv.WorkspaceID)
	if err != nil {
		return store.Workspace{}, fmt.Errorf("app: accept invitation: %w", err)
	}
	refused := ""
	err = a.st.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.UseInvitation(ctx, inv.ID, inv.TokenHash, actor.ID, now); err != nil {
			if errors.Is(err, store.ErrConflict) {
				refused = "used"
			}
			return err
		}
		if err := tx.PutMembership(ctx, store.Membership{UserID: actor.ID, WorkspaceID: inv.WorkspaceID, Role: inv.Role,
			Expires: inv.Expires, Created: now}); err != nil {
			return err
		}
		if provenAt.IsZero() {
			if err := tx.VerifyEmail(ctx, actor.ID, now); err != nil {
				return err
			}
			if err := a.auditInvite(ctx, tx, now, who, inv.WorkspaceID, audit.EmailVerify, string(who),
				map[string]any{"email_hint": auth.EmailHint(inv.Email), "by": "the invitation link mailed to the address",
					"invitation": inv.ID}); err != nil {
				return err
			}
		}
		details := map[string]any{"user": string(who), "role": inv.Role, "account": "existing"}
		if !inv.Expires.IsZero() {
			details["expires"] = store.FormatTime(inv.Expires)
		}
		return a.auditInvite(ctx, tx, now, who, inv.WorkspaceID, audit.InviteAccept, invitationObject(inv.ID), details)
	})
	if refused != "" {
		return store.Workspace{}, a.refuseInvitation(ctx, who, inv, refused, now)
	}
	if err != nil {
		return store.Workspace{}, fmt.Errorf("app: accept invitation: %w", err)
	}
	return ws, nil
}

// refuseInvitation audits a refused acceptance, as sign-in failures are, in
// the invitation's workspace when the link named one. It returns the error
// the caller shows, or the error that prevented recording the refusal (a
// refusal that cannot be audited must not look like an ordinary one).
func (a *App) refuseInvitation(ctx context.Context, actor audit.Actor, inv store.Invitation, reason string, now time.Time) error {
	object := ""
	if inv.ID != 0 {
		object = invitationObject(inv.ID)
	}
	err := a.st.InTx(ctx, func(tx *store.Tx) error {
		return a.auditInvite(ctx, tx, now, actor, inv.WorkspaceID, audit.InviteAcceptFail, object, map[string]any{"reason": reason})
	})
	if err != nil {
		return fmt.Errorf("app: record refused invitation: %w", err)
	}
	switch reason {
	case "account exists":
		return auth.ErrAccountExists
	case "another account":
		return ErrWrongAccount
	case "address not proven":
		return ErrAddressUnproven
	}
	return fmt.Errorf("%w (%s)", auth.ErrInvitationInvalid, reason)
}
