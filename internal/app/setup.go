package app

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	"rcmguard/internal/audit"
	"rcmguard/internal/auth"
	"rcmguard/internal/store"
)

// First-run setup. A server started on a database without any account
// prints a one-time token on its console (rcmguard serve): holding it shows
// that the person at the browser also runs the server, which is what
// `rcmguard user add` proves by being run. With it they create the first
// owner and the first workspace from the browser, then enrol TOTP like
// anyone. Only the token's hash is stored, in the database, so every
// server process on one PostgreSQL accepts the token any of them printed;
// it expires, works once, and once any account exists the setup is gone
// for good.

// SetupTokenLifetime is how long a printed setup token works.
const SetupTokenLifetime = 24 * time.Hour

var (
	// ErrSetupDone: an account exists, so there is no first-run setup.
	// It is of kind ErrNotFound: the page is gone.
	ErrSetupDone = fmt.Errorf("%w: first-run setup is done", ErrNotFound)
	// ErrSetupToken: the setup token is unknown, used or expired. The page
	// says the same for all three; the audit log says which.
	ErrSetupToken = &Error{Kind: ErrInvalid, Field: "token",
		Msg: "This setup token is not valid. Copy it again from the server's console; a token works once and for 24 hours (restart the server for a new one)."}
)

// setupClosed remembers that an account exists: accounts are never
// deleted, so once true it stays true and the database is not asked again.
type setupClosed struct{ done atomic.Bool }

// SetupOpen reports whether the first-run setup is offered: no account
// exists yet.
func (a *App) SetupOpen(ctx context.Context) (bool, error) {
	if a.setup.done.Load() {
		return false, nil
	}
	has, err := a.st.HasUsers(ctx)
	if err != nil {
		return false, fmt.Errorf("app: first-run setup: %w", err)
	}
	if has {
		a.setup.done.Store(true)
	}
	return !has, nil
}

// IssueSetupToken makes a setup token when no account exists, stores its
// hash with an audit entry, and returns the token for the one console
// line that shows it. It fails with ErrSetupDone once an account exists.
func (a *App) IssueSetupToken(ctx context.Context) (token string, until time.Time, err error) {
	open, err := a.SetupOpen(ctx)
	if err != nil {
		return "", time.Time{}, err
	}
	if !open {
		return "", time.Time{}, ErrSetupDone
	}
	token, hash, err := auth.NewSetupToken()
	if err != nil {
		return "", time.Time{}, err
	}
	now := a.now()
	until = now.Add(SetupTokenLifetime)
	err = a.st.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.CreateSetupToken(ctx, store.SetupToken{Hash: hash, Created: now, Expires: until}); err != nil {
			return err
		}
		// The entry carries neither the token nor its hash.
		_, err := a.log.Append(ctx, tx, audit.Event{At: now, Actor: audit.Anonymous, Action: audit.SetupTokenIssue,
			Object: "setup", Details: map[string]any{"valid_until": store.FormatTime(until), "shown": "on the server console"}})
		return err
	})
	if err != nil {
		return "", time.Time{}, fmt.Errorf("app: issue setup token: %w", err)
	}
	return token, until, nil
}

// FirstRun is what the first-run setup form asks.
type FirstRun struct {
	Token    string
	Email    string
	Password string
	// Workspace names the first workspace; Kind is store.KindPractice or
	// store.KindBillingCompany.
	Workspace string
	Kind      string
}

// FirstOwner is what the first-run setup made: the account, whose session
// goes on to TOTP enrolment, and its workspace.
type FirstOwner struct {
	NewAccount
	Workspace store.Workspace
}

// maxWorkspaceName bounds a workspace's name, as a client's.
const maxWorkspaceName = maxClientName

// CompleteSetup uses a setup token to create the first owner account, with
// the password they chose (the password policy as for anyone), and the
// first workspace, all in one transaction with its audit entries, and
// opens the session whose next step is TOTP enrolment. The token is
// checked first: a wrong, used or expired one fails with ErrSetupToken
// (audited, with the reason), before anything about the form is said.
// Once any account exists it fails with ErrSetupDone.
func (a *App) CompleteSetup(ctx context.Context, in FirstRun) (FirstOwner, error) {
	now := a.now()
	open, err := a.SetupOpen(ctx)
	if err != nil {
		return FirstOwner{}, err
	}
	if !open {
		return FirstOwner{}, ErrSetupDone
	}
	hash, reason, err := a.checkSetupToken(ctx, in.Token, now)
	if err != nil {
		return FirstOwner{}, err
	}
	if reason != "" {
		return FirstOwner{}, a.refuseSetup(ctx, reason, now)
	}
	email := store.NormalizeEmail(in.Email)
	name := strings.TrimSpace(in.Workspace)
	var errs Errors
	if !auth.ValidEmail(email) {
		errs = append(errs, invalid("email", "Enter your e-mail address (name@example.org): it is how you sign in."))
	}
	if name == "" || len(name) > maxWorkspaceName {
		errs = append(errs, invalid("workspace", "Enter your organisation's name (up to 200 characters)."))
	}
	if in.Kind != store.KindPractice && in.Kind != store.KindBillingCompany {
		errs = append(errs, invalid("kind", "Choose whether this is a practice or a billing company."))
	}
	if len(errs) > 0 {
		return FirstOwner{}, errs
	}
	cred, err := a.auth.NewCredentials(ctx, email, in.Password, name)
	var pe *auth.PolicyError
	if errors.As(err, &pe) {
		return FirstOwner{}, Errors{&Error{Kind: ErrInvalid, Field: "password", Msg: "This password " + pe.Reason + ".", Err: err}}
	}
	if err != nil {
		return FirstOwner{}, err
	}
	var out FirstOwner
	refused := ""
	err = a.st.InTx(ctx, func(tx *store.Tx) error {
		// Compare-and-set: of two setups racing, one wins; the other
		// finds its token used and creates nothing.
		if err := tx.UseSetupToken(ctx, hash, now); err != nil {
			if errors.Is(err, store.ErrConflict) {
				refused = "used"
			}
			return err
		}
		if has, err := tx.HasUsers(ctx); err != nil || has {
			if has {
				refused = "an account exists"
				return store.ErrConflict
			}
			return err
		}
		ws, err := tx.CreateWorkspace(ctx, store.Workspace{Name: name, Kind: in.Kind, Created: now})
		if err != nil {
			return err
		}
		u, err := tx.CreateUser(ctx, store.User{Email: email, PasswordHash: cred.PasswordHash, TOTPSecret: cred.TOTPSecret, Created: now})
		if err != nil {
			return err
		}
		// Whoever holds the console's token runs the server: they vouch
		// for their own address, as an administrator's `user add` does.
		if err := tx.VerifyEmail(ctx, u.ID, now); err != nil {
			return err
		}
		if err := tx.PutMembership(ctx, store.Membership{UserID: u.ID, WorkspaceID: ws.ID, Role: string(auth.RoleOwner), Created: now}); err != nil {
			return err
		}
		if out.SessionToken, err = a.auth.StartSecondFactor(ctx, tx, u.ID, now); err != nil {
			return err
		}
		out.User, out.Workspace = u, ws
		actor := audit.UserActor(u.ID)
		for _, ev := range []audit.Event{
			{Action: audit.WorkspaceCreate, Object: fmt.Sprintf("workspace:%d", ws.ID), Details: map[string]any{"kind": ws.Kind, "by": "first-run setup"}},
			{Action: audit.UserCreate, Object: userObject(u.ID), Details: map[string]any{"role": string(auth.RoleOwner),
				"email_hint": auth.EmailHint(email), "address": "vouched for by the holder of the server's setup token"}},
			{Action: audit.SetupComplete, Object: "setup", Details: map[string]any{"user": userObject(u.ID),
				"session": "password step passed; second factor next"}},
		} {
			ev.At, ev.Actor, ev.WorkspaceID = now, actor, ws.ID
			if _, err := a.log.Append(ctx, tx, ev); err != nil {
				return err
			}
		}
		return nil
	})
	if refused != "" {
		return FirstOwner{}, a.refuseSetup(ctx, refused, now)
	}
	if err != nil {
		return FirstOwner{}, fmt.Errorf("app: first-run setup: %w", err)
	}
	a.setup.done.Store(true)
	out.EnrolmentURI = cred.EnrolmentURI
	return out, nil
}

// checkSetupToken finds the stored token of what was typed. reason is
// empty when it can be used now, else why not: "unknown", "used" or
// "expired".
func (a *App) checkSetupToken(ctx context.Context, token string, now time.Time) (hash, reason string, err error) {
	hash, ok := auth.SetupTokenHash(token)
	if !ok {
		return "", "unknown", nil
	}
	k, err := a.st.SetupTokenByHash(ctx, hash)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return "", "unknown", nil
	case err != nil:
		return "", "", fmt.Errorf("app: setup token: %w", err)
	// The lookup went by hash; comparing the hashes once more, in
	// constant time, keeps the decision from resting on how an index
	// compares strings.
	case subtle.ConstantTimeCompare([]byte(k.Hash), []byte(hash)) != 1:
		return "", "unknown", nil
	case !k.Used.IsZero():
		return "", "used", nil
	case !now.Before(k.Expires):
		return "", "expired", nil
	}
	return hash, "", nil
}

// refuseSetup audits a refused setup, as a failed sign-in is, and returns
// the error the page shows.
func (a *App) refuseSetup(ctx context.Context, reason string, now time.Time) error {
	err := a.st.InTx(ctx, func(tx *store.Tx) error {
		_, err := a.log.Append(ctx, tx, audit.Event{At: now, Actor: audit.Anonymous, Action: audit.SetupFail, Object: "setup",
			Details: map[string]any{"reason": reason}})
		return err
	})
	if err != nil {
		return fmt.Errorf("app: record refused setup: %w", err)
	}
	if reason == "an account exists" {
		return ErrSetupDone
	}
	return ErrSetupToken
}
