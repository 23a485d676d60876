package web

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"rcmguard/internal/auth"
	"rcmguard/internal/store"
)

// Invitations let an owner add a person who has no account yet without
// the server ever handling that person's password: the owner gets a
// one-time link (shown once; only its hash is stored) and sends it
// themselves; the person opens it, chooses a password and enrols TOTP.

// invitationRow is one pending invitation on the Members page.
type invitationRow struct {
	I  store.Invitation
	By string // who invited, by address
}

// invitedLink is the new invitation's link, shown in one response only.
type invitedLink struct {
	Link       string
	Email      string
	ValidUntil time.Time
}

// inviteData is the page an invited person opens.
type inviteData struct {
	Token     string
	Email     string
	Workspace string
	Role      auth.Role
	Errors    map[string]string
	Invalid   bool // the one page for every link that cannot be used, whatever the reason
	Exists    bool // the address has an account already
}

// createInvitation stores an invitation to c's workspace and returns it
// with the token for its link. A new invitation for an address replaces
// the pending one: its link was shown once and may be lost.
func (s *Server) createInvitation(ctx context.Context, c *call, email string, role auth.Role, expires time.Time) (store.Invitation, string, error) {
	token, hash, err := auth.NewInvitationToken()
	if err != nil {
		return store.Invitation{}, "", err
	}
	now := s.now()
	inv := store.Invitation{WorkspaceID: c.WS.ID, Email: email, Role: string(role), Expires: expires, TokenHash: hash,
		CreatedBy: c.User.ID, Created: now, ValidUntil: now.Add(auth.InvitationLifetime)}
	err = s.st.InTx(ctx, func(tx *store.Tx) error {
		pending, err := tx.PendingInvitations(ctx, c.WS.ID, now)
		if err != nil {
			return err
		}
		if inv, err = tx.CreateInvitation(ctx, inv); err != nil {
			return err
		}
		details := map[string]any{"role": string(role), "email_hint": auth.EmailHint(inv.Email),
			"valid_until": store.FormatTime(inv.ValidUntil)}
		if !expires.IsZero() {
			details["expires"] = store.FormatTime(expires)
		}
		if err := s.audit(ctx, tx, c, "invite.create", "invitation:"+itoa(inv.ID), details); err != nil {
			return err
		}
		for _, p := range pending {
			if p.Email != inv.Email {
				continue
			}
			if err := tx.RevokeInvitation(ctx, c.WS.ID, p.ID, c.User.ID, now); err != nil {
				return err
			}
			if err := s.audit(ctx, tx, c, "invite.revoke", "invitation:"+itoa(p.ID),
				map[string]any{"email_hint": auth.EmailHint(p.Email), "replaced_by": "invitation:" + itoa(inv.ID)}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return store.Invitation{}, "", err
	}
	return inv, token, nil
}

// inviteLink is the address the owner sends: the configured public URL,
// else the address this owner's own browser used to reach the server.
func (s *Server) inviteLink(r *http.Request, token string) string {
	base := ""
	if s.publicURL != nil {
		base = s.publicURL.String()
	} else {
		scheme := "http"
		if r.TLS != nil || s.secure {
			scheme = "https"
		}
		base = scheme + "://" + r.Host
	}
	return base + "/invite/" + token
}

// invitationRevoke stops a pending invitation of this workspace. Another
// workspace's invitation does not exist here (404); one that was used or
// revoked in the meantime is a conflict.
func (s *Server) invitationRevoke(w http.ResponseWriter, r *http.Request, c *call) error {
	id, err := strconv.ParseInt(r.PathValue("invitation"), 10, 64)
	if err != nil {
		return errNotFound
	}
	ctx := r.Context()
	err = s.st.InTx(ctx, func(tx *store.Tx) error {
		inv, err := tx.Invitation(ctx, c.WS.ID, id)
		if err != nil {
			return err
		}
		if !inv.Used.IsZero() || !inv.Revoked.IsZero() {
			return store.ErrConflict
		}
		if err := tx.RevokeInvitation(ctx, c.WS.ID, id, c.User.ID, s.now()); err != nil {
			return err
		}
		return s.audit(ctx, tx, c, "invite.revoke", "invitation:"+itoa(id),
			map[string]any{"email_hint": auth.EmailHint(inv.Email), "role": inv.Role})
	})
	if err != nil {
		return err
	}
	http.Redirect(w, r, wsPath(c.WS.ID, "/members"), http.StatusSeeOther)
	return nil
}

// inviteInvalid answers a link that cannot be used with the one generic
// page; the log says why, without the token.
func (s *Server) inviteInvalid(w http.ResponseWriter, r *http.Request, c *call, err error) error {
	s.logger.Warn("web: invitation link refused", "method", r.Method, "err", err)
	return s.render(w, http.StatusNotFound, "invite", page{Title: "Invitation", C: c, Data: inviteData{Invalid: true}})
}

// inviteExists answers an invitation whose address got an account since.
func (s *Server) inviteExists(w http.ResponseWriter, c *call, inv store.Invitation) error {
	return s.render(w, http.StatusConflict, "invite", page{Title: "Invitation", C: c,
		Data: inviteData{Exists: true, Email: inv.Email}})
}

// inviteForm shows the invited person their address and asks for a new
// password. It changes nothing.
func (s *Server) inviteForm(w http.ResponseWriter, r *http.Request, c *call) error {
	return s.invitePage(w, r, c, http.StatusOK, nil)
}

func (s *Server) invitePage(w http.ResponseWriter, r *http.Request, c *call, status int, errs map[string]string) error {
	token := r.PathValue("token")
	inv, err := s.auth.Invitation(r.Context(), token, s.now())
	switch {
	case errors.Is(err, auth.ErrInvitationInvalid):
		return s.inviteInvalid(w, r, c, err)
	case errors.Is(err, auth.ErrAccountExists):
		return s.inviteExists(w, c, inv)
	case err != nil:
		return err
	}
	ws, err := s.st.Workspace(r.Context(), inv.WorkspaceID)
	if err != nil {
		return err
	}
	if errs == nil {
		errs = map[string]string{}
	}
	return s.render(w, status, "invite", page{Title: "Join " + ws.Name, C: c, Data: inviteData{Token: token,
		Email: inv.Email, Workspace: ws.Name, Role: auth.Role(inv.Role), Errors: errs}})
}

// inviteAccept creates the invited person's account with the password they
// chose, then starts the session a password sign-in starts: the next page
// is the mandatory TOTP enrolment.
func (s *Server) inviteAccept(w http.ResponseWriter, r *http.Request, c *call) error {
	pw, confirm := r.PostFormValue("password"), r.PostFormValue("confirm")
	errs := map[string]string{}
	switch {
	case pw == "":
		errs["password"] = "Choose a password."
	case pw != confirm:
		errs["confirm"] = "The two passwords are not the same."
	}
	if len(errs) > 0 {
		return s.invitePage(w, r, c, http.StatusUnprocessableEntity, errs)
	}
	res, err := s.auth.AcceptInvitation(r.Context(), r.PathValue("token"), pw, s.now())
	var pe *auth.PolicyError
	switch {
	case errors.Is(err, auth.ErrInvitationInvalid):
		return s.inviteInvalid(w, r, c, err)
	case errors.Is(err, auth.ErrAccountExists):
		return s.invitePage(w, r, c, http.StatusConflict, nil)
	case errors.As(err, &pe):
		return s.invitePage(w, r, c, http.StatusUnprocessableEntity, map[string]string{"password": "This password " + pe.Reason + "."})
	case err != nil:
		return err
	}
	s.setCookie(w, sessionCookie, res.Token)
	s.clearCookie(w, preCookie)
	http.Redirect(w, r, "/login/enrol", http.StatusSeeOther)
	return nil
}

// logPath is a request's path as the server log may carry it: an
// invitation link's token is a credential, so it is left out.
func logPath(r *http.Request) string {
	if strings.HasPrefix(r.URL.Path, "/invite/") {
		return "/invite/…"
	}
	return r.URL.Path
}

// The invitation page is declared beside its handlers.
func init() { views = append(views, "invite") }
