package auth

import (
	"context"
	"errors"
	"fmt"
	"time"

	"rcmguard/internal/audit"
	"rcmguard/internal/store"
)

// InvitationLifetime is how long an invitation link works.
const InvitationLifetime = 72 * time.Hour

var (
	// ErrInvitationInvalid means an invitation link is unknown, expired,
	// used or revoked. Pages say the same for all four; the audit log and
	// the server log say which.
	ErrInvitationInvalid = errors.New("auth: the invitation link is not valid")
	// ErrAccountExists means the invited address has an account already,
	// so the invitation cannot create one.
	ErrAccountExists = errors.New("auth: an account with the invited address already exists")
)

// NewInvitationToken returns a 256-bit random token for an invitation
// link, and the hash to store. The token itself is never stored.
func NewInvitationToken() (token, hash string, err error) { return newSecret("") }

// ValidEmail reports whether s is an address an account can be created
// for, by the same rule as CreateUser.
func ValidEmail(s string) bool { return plausibleEmail(store.NormalizeEmail(s)) }

// maxInvitationToken bounds what is hashed and looked up: a real token is
// 43 characters.
const maxInvitationToken = 128

// lookupInvitation finds the invitation of a link token. reason is empty
// when it can be accepted at now, else why not: "unknown", "used",
// "revoked" or "expired". It changes nothing.
func (s *Service) lookupInvitation(ctx context.Context, token string, now time.Time) (inv store.Invitation, reason string, err error) {
	if token == "" || len(token) > maxInvitationToken {
		return inv, "unknown", nil
	}
	inv, err = s.st.InvitationByHash(ctx, hashSecret(token))
	switch {
	case errors.Is(err, store.ErrNotFound):
		return store.Invitation{}, "unknown", nil
	case err != nil:
		return inv, "", fmt.Errorf("auth: invitation: %w", err)
	case !inv.Used.IsZero():
		return inv, "used", nil
	case !inv.Revoked.IsZero():
		return inv, "revoked", nil
	case !now.Before(inv.ValidUntil):
		return inv, "expired", nil
	}
	return inv, "", nil
}

// Invitation returns the invitation of a link token, for the page that
// asks the invited person for a password. It fails with
// ErrInvitationInvalid when the link cannot be used, and with
// ErrAccountExists (and the invitation) when its address has an account
// already. It changes nothing and writes no audit entry.
func (s *Service) Invitation(ctx context.Context, token string, now time.Time) (store.Invitation, error) {
	inv, reason, err := s.lookupInvitation(ctx, token, now)
	if err != nil {
		return store.Invitation{}, err
	}
	if reason != "" {
		return store.Invitation{}, fmt.Errorf("%w (%s)", ErrInvitationInvalid, reason)
	}
	if _, err := s.st.UserByEmail(ctx, inv.Email); err == nil {
		return inv, ErrAccountExists
	} else if !errors.Is(err, store.ErrNotFound) {
		return store.Invitation{}, fmt.Errorf("auth: invitation: %w", err)
	}
	return inv, nil
}

// AcceptInvitation creates the invited person's account with the password
// they chose (the same policy and argon2id hashing as every password), makes
// them a member of the workspace with the invited role, marks the
// invitation used, and opens a session that has passed the password step,
// exactly as Login does: the person then enrols TOTP. All of it, with its
// audit entries, commits together or not at all.
//
// A link that cannot be used fails with ErrInvitationInvalid, an address
// that has an account with ErrAccountExists, both audited with the reason;
// a password the policy refuses fails with a *PolicyError and changes
// nothing.
func (s *Service) AcceptInvitation(ctx context.Context, token, password string, now time.Time) (LoginResult, error) {
	inv, reason, err := s.lookupInvitation(ctx, token, now)
	if err != nil {
		return LoginResult{}, err
	}
	if reason != "" {
		return LoginResult{}, s.refuseInvitation(ctx, inv, reason, now)
	}
	if _, err := s.st.UserByEmail(ctx, inv.Email); err == nil {
		return LoginResult{}, s.refuseInvitation(ctx, inv, "account exists", now)
	} else if !errors.Is(err, store.ErrNotFound) {
		return LoginResult{}, fmt.Errorf("auth: accept invitation: %w", err)
	}
	ws, err := s.st.Workspace(ctx, inv.WorkspaceID)
	if err != nil {
		return LoginResult{}, fmt.Errorf("auth: accept invitation: %w", err)
	}
	if err := CheckPassword(password, inv.Email, ws.Name); err != nil {
		return LoginResult{}, err
	}
	hash, err := HashPassword(password, s.cfg.Params)
	if err != nil {
		return LoginResult{}, err
	}
	enr, err := NewTOTP(s.cfg.Issuer, inv.Email)
	if err != nil {
		return LoginResult{}, err
	}
	var session string
	refused := ""
	err = s.st.InTx(ctx, func(tx *store.Tx) error {
		u, err := tx.CreateUser(ctx, store.User{Email: inv.Email, PasswordHash: hash, TOTPSecret: enr.Secret, Created: now})
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
		if session, err = s.startPending(ctx, tx, u.ID, now); err != nil {
			return err
		}
		details := map[string]any{"role": inv.Role, "email_hint": EmailHint(inv.Email), "invitation": inv.ID}
		if !inv.Expires.IsZero() {
			details["expires"] = store.FormatTime(inv.Expires)
		}
		if _, err := s.log.Append(ctx, tx, audit.Event{At: now, Actor: userActor(u.ID), WorkspaceID: inv.WorkspaceID,
			Action: "user.create", Object: userActor(u.ID), Details: details}); err != nil {
			return err
		}
		_, err = s.log.Append(ctx, tx, audit.Event{At: now, Actor: userActor(u.ID), WorkspaceID: inv.WorkspaceID,
			Action: "invite.accept", Object: fmt.Sprintf("invitation:%d", inv.ID),
			Details: map[string]any{"user": userActor(u.ID), "role": inv.Role, "session": "password step passed; second factor next"}})
		return err
	})
	if refused != "" {
		return LoginResult{}, s.refuseInvitation(ctx, inv, refused, now)
	}
	if err != nil {
		return LoginResult{}, fmt.Errorf("auth: accept invitation: %w", err)
	}
	return LoginResult{Token: session, NeedsEnrol: true, EnrolmentURI: enrolmentURI(s.cfg.Issuer, inv.Email, enr.Secret)}, nil
}

// refuseInvitation audits a refused acceptance, as sign-in failures are:
// by an anonymous actor, in the invitation's workspace when the link
// named one. It returns the error the caller shows, or the error that
// prevented recording the refusal (a refusal that cannot be audited must
// not look like an ordinary one).
func (s *Service) refuseInvitation(ctx context.Context, inv store.Invitation, reason string, now time.Time) error {
	object := ""
	if inv.ID != 0 {
		object = fmt.Sprintf("invitation:%d", inv.ID)
	}
	err := s.st.InTx(ctx, func(tx *store.Tx) error {
		_, err := s.log.Append(ctx, tx, audit.Event{At: now, Actor: "anonymous", WorkspaceID: inv.WorkspaceID,
			Action: "invite.accept.fail", Object: object, Details: map[string]any{"reason": reason}})
		return err
	})
	if err != nil {
		return fmt.Errorf("auth: record refused invitation: %w", err)
	}
	if reason == "account exists" {
		return ErrAccountExists
	}
	return fmt.Errorf("%w (%s)", ErrInvitationInvalid, reason)
}
