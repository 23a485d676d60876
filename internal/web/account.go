package web

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"rcmguard/internal/audit"
	"rcmguard/internal/auth"
	"rcmguard/internal/store"
)

// sessionRow is one signed-in browser on the account page. It carries no
// token or hash: the page only says when, and which one is this.
type sessionRow struct {
	Created, LastSeen time.Time
	Current           bool
}

type accountData struct {
	Errors        map[string]string
	Notice        string
	Codes         []string // new recovery codes, shown in this response only
	RecoveryLeft  int
	Sessions      []sessionRow
	Keys          []store.WebAuthnCredential
	KeysAvailable bool   // the server knows its address, so keys can be registered
	KeyName       string // the name typed, when removal or registration failed
}

// accountPage renders the account page with d's messages and the user's
// current sessions, recovery codes and keys.
func (s *Server) accountPage(w http.ResponseWriter, r *http.Request, c *call, status int, d accountData) error {
	ctx := r.Context()
	u, err := s.st.User(ctx, c.User.ID)
	if err != nil {
		return err
	}
	d.RecoveryLeft = len(u.RecoveryCodes)
	sessions, err := s.auth.LiveSessions(ctx, c.User.ID, s.now())
	if err != nil {
		return err
	}
	current := auth.SessionHash(c.Token)
	for _, sess := range sessions {
		d.Sessions = append(d.Sessions, sessionRow{Created: sess.Created, LastSeen: sess.LastSeen, Current: sess.IDHash == current})
	}
	if d.Keys, err = s.auth.Keys(ctx, c.User.ID); err != nil {
		return err
	}
	_, d.KeysAvailable = s.relyingParty(r)
	if d.Errors == nil {
		d.Errors = map[string]string{}
	}
	return s.render(w, status, "account", page{Title: "Your account", C: c, Data: d})
}

func (s *Server) account(w http.ResponseWriter, r *http.Request, c *call) error {
	d := accountData{}
	switch r.URL.Query().Get("done") {
	case "key-added":
		d.Notice = "The security key is added. You can use it at sign-in instead of a code."
	case "key-removed":
		d.Notice = "The security key is removed."
	case "sessions-ended":
		d.Notice = "Your other sessions are signed out."
	}
	return s.accountPage(w, r, c, http.StatusOK, d)
}

// accountPassword changes the password after checking the current one; the
// user's other sessions end, this one stays.
func (s *Server) accountPassword(w http.ResponseWriter, r *http.Request, c *call) error {
	d := accountData{Errors: map[string]string{}}
	current, next, confirm := r.PostFormValue("current"), r.PostFormValue("new"), r.PostFormValue("confirm")
	switch {
	case current == "":
		d.Errors["current"] = "Enter your current password."
	case next == "":
		d.Errors["new"] = "Enter a new password."
	case next != confirm:
		d.Errors["confirm"] = "The two new passwords are not the same."
	}
	if len(d.Errors) > 0 {
		return s.accountPage(w, r, c, http.StatusUnprocessableEntity, d)
	}
	err := s.auth.ChangePassword(r.Context(), c.User.ID, current, next, auth.SessionHash(c.Token), s.now())
	var pe *auth.PolicyError
	switch {
	case errors.Is(err, auth.ErrInvalidCredentials):
		d.Errors["current"] = "Your current password is not correct, or too many attempts have failed; wait a while and try again."
	case errors.Is(err, auth.ErrBusy):
		setRetryBusy(w)
		d.Errors["current"] = busyMessage
		return s.accountPage(w, r, c, http.StatusTooManyRequests, d)
	case errors.As(err, &pe):
		d.Errors["new"] = "This password " + pe.Reason + "."
	case err != nil:
		return err
	default:
		d.Notice = "Your password is changed, and your other sessions are signed out."
		return s.accountPage(w, r, c, http.StatusOK, d)
	}
	return s.accountPage(w, r, c, http.StatusUnprocessableEntity, d)
}

// accountRecoveryCodes replaces the recovery codes; the old ones stop
// working and the new ones are shown once, in this response.
func (s *Server) accountRecoveryCodes(w http.ResponseWriter, r *http.Request, c *call) error {
	codes, err := s.auth.SetRecoveryCodes(r.Context(), c.User.ID, audit.UserActor(c.User.ID), s.now())
	if err != nil {
		return err
	}
	return s.accountPage(w, r, c, http.StatusOK, accountData{Codes: codes})
}

func (s *Server) accountEndSessions(w http.ResponseWriter, r *http.Request, c *call) error {
	if _, err := s.auth.EndOtherSessions(r.Context(), c.User.ID, auth.SessionHash(c.Token), s.now()); err != nil {
		return err
	}
	http.Redirect(w, r, "/account?done=sessions-ended", http.StatusSeeOther)
	return nil
}

// keyRemove removes one of the user's security keys. A key that is not
// theirs gets the same answer as one that does not exist.
func (s *Server) keyRemove(w http.ResponseWriter, r *http.Request, c *call) error {
	id, err := strconv.ParseInt(r.PostFormValue("key"), 10, 64)
	if err == nil {
		err = s.auth.RemoveKey(r.Context(), c.User.ID, id, s.now())
	}
	if err != nil {
		if errors.Is(err, store.ErrNotFound) || errors.Is(err, strconv.ErrSyntax) || errors.Is(err, strconv.ErrRange) {
			return s.accountPage(w, r, c, http.StatusUnprocessableEntity, accountData{
				Errors: map[string]string{"keys": "That security key does not exist, or was already removed."}})
		}
		return err
	}
	http.Redirect(w, r, "/account?done=key-removed", http.StatusSeeOther)
	return nil
}
