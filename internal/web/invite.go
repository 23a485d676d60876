package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"rcmguard/internal/app"
	"rcmguard/internal/auth"
	"rcmguard/internal/store"
)

// Invitations are how a person joins a workspace by address; the use
// cases are package app's (internal/app/invite.go), and these handlers
// adapt them: the owner's side on the Members page (members.go), the
// invited person's side on the page the link opens.

// invitationRow is one pending invitation on the Members page.
type invitationRow struct {
	I  store.Invitation
	By string // who invited, by address
}

// invitedNotice tells the owner what became of an invitation, in the one
// response after making or resending it. It reads the same whether or not
// the address has an account.
type invitedNotice struct {
	Email      string
	ValidUntil time.Time
	Mailed     bool
	MailFailed bool
	// Link is the link to copy, shown in this response only; empty when
	// it went by e-mail.
	Link string
}

// inviteData is the page an invited person opens.
type inviteData struct {
	Token     string
	Email     string
	Workspace string
	Role      auth.Role
	State     app.InvitationState
	Errors    map[string]string
	Invalid   bool // the one page for every link that cannot be used, whatever the reason
	Viewer    string
}

// The states of the invitation page, for the template.
func (d inviteData) CreateAccount() bool { return d.State == app.InviteCreateAccount }
func (d inviteData) SignIn() bool        { return d.State == app.InviteSignIn }
func (d inviteData) Join() bool          { return d.State == app.InviteJoin }
func (d inviteData) OtherAccount() bool  { return d.State == app.InviteOtherAccount }
func (d inviteData) Unproven() bool      { return d.State == app.InviteUnproven }

// inviteLink is the address the owner copies: the configured public URL,
// else the address this owner's own browser used to reach the server.
// Links sent by e-mail always use the public URL (package app): a Host
// header is the requester's to choose.
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
	return base + app.InvitationPath(token)
}

// noticeOf turns what inviting did into the owner's notice.
func (s *Server) noticeOf(r *http.Request, got app.Invited) *invitedNotice {
	n := &invitedNotice{Email: got.Invitation.Email, ValidUntil: got.Invitation.ValidUntil, Mailed: got.Mailed,
		MailFailed: got.MailErr != nil}
	if got.Token != "" {
		n.Link = s.inviteLink(r, got.Token)
	}
	return n
}

// invitationID reads the {invitation} of a path.
func invitationID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("invitation"), 10, 64)
	if err != nil {
		return 0, errNotFound
	}
	return id, nil
}

// invitationRevoke stops a pending invitation of this workspace. Another
// workspace's invitation does not exist here (404); one that was used or
// revoked in the meantime is a conflict.
func (s *Server) invitationRevoke(w http.ResponseWriter, r *http.Request, c *call) error {
	id, err := invitationID(r)
	if err != nil {
		return err
	}
	if err := s.app.RevokeInvitation(r.Context(), c.User, c.WS.ID, id); err != nil {
		return err
	}
	http.Redirect(w, r, wsPath(c.WS.ID, "/members"), http.StatusSeeOther)
	return nil
}

// invitationResend gives a pending invitation a new link and sends it
// again (or shows it to copy); the old link stops working.
func (s *Server) invitationResend(w http.ResponseWriter, r *http.Request, c *call) error {
	id, err := invitationID(r)
	if err != nil {
		return err
	}
	got, err := s.app.ResendInvitation(r.Context(), c.User, c.WS.ID, id)
	if err != nil {
		return err
	}
	return s.renderMembers(w, r, c, http.StatusOK, memberForm{}, s.noticeOf(r, got))
}

// viewer is the fully signed-in account looking at a public page, or nil.
func (s *Server) viewer(r *http.Request, c *call) *store.User {
	if c.Token == "" {
		return nil
	}
	p, err := s.auth.Authenticate(r.Context(), c.Token, s.now())
	if err != nil {
		return nil
	}
	c.User, c.SignedIn = p.User, true
	return &p.User
}

// inviteInvalid answers a link that cannot be used with the one generic
// page; the log says why, without the token.
func (s *Server) inviteInvalid(w http.ResponseWriter, r *http.Request, c *call, err error) error {
	s.logger.Warn("web: invitation link refused", "method", r.Method, "err", err)
	return s.render(w, http.StatusNotFound, "invite", page{Title: "Invitation", C: c, Data: inviteData{Invalid: true}})
}

// inviteForm shows the invited person what the link offers them: a new
// account's password, signing in first, or joining. It changes nothing.
func (s *Server) inviteForm(w http.ResponseWriter, r *http.Request, c *call) error {
	return s.invitePage(w, r, c, http.StatusOK, nil)
}

func (s *Server) invitePage(w http.ResponseWriter, r *http.Request, c *call, status int, errs map[string]string) error {
	token := r.PathValue("token")
	v, err := s.app.OpenInvitation(r.Context(), token, s.viewer(r, c))
	switch {
	case errors.Is(err, auth.ErrInvitationInvalid):
		return s.inviteInvalid(w, r, c, err)
	case err != nil:
		return err
	}
	if errs == nil {
		errs = map[string]string{}
	}
	if status == http.StatusOK && v.State != app.InviteCreateAccount && v.State != app.InviteJoin {
		// The link cannot be accepted as things stand: say so by status too.
		status = http.StatusConflict
	}
	return s.render(w, status, "invite", page{Title: "Join " + v.Workspace.Name, C: c, Data: inviteData{Token: token,
		Email: v.Invitation.Email, Workspace: v.Workspace.Name, Role: auth.Role(v.Invitation.Role), State: v.State,
		Errors: errs, Viewer: c.User.Email}})
}

// inviteAccept accepts the link: signed in as the invited account, it joins
// the workspace; otherwise it creates the invited person's account with the
// password they chose and starts the session a password sign-in starts,
// whose next page is the mandatory TOTP enrolment.
func (s *Server) inviteAccept(w http.ResponseWriter, r *http.Request, c *call) error {
	token := r.PathValue("token")
	if r.PostFormValue("intent") == "join" {
		return s.inviteJoin(w, r, c, token)
	}
	if s.viewer(r, c) != nil {
		// A signed-in person cannot make a second account here: the page
		// they see offers joining, or signing out first.
		return s.invitePage(w, r, c, http.StatusConflict, nil)
	}
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
	res, err := s.app.JoinWithNewAccount(r.Context(), token, pw)
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
	s.setCookie(w, sessionCookie, res.SessionToken)
	s.clearCookie(w, preCookie)
	http.Redirect(w, r, "/login/enrol", http.StatusSeeOther)
	return nil
}

// inviteJoin accepts the link for the signed-in account.
func (s *Server) inviteJoin(w http.ResponseWriter, r *http.Request, c *call, token string) error {
	u := s.viewer(r, c)
	if u == nil {
		return s.invitePage(w, r, c, http.StatusConflict, nil)
	}
	ws, err := s.app.JoinAsMember(r.Context(), *u, token)
	switch {
	case errors.Is(err, auth.ErrInvitationInvalid):
		return s.inviteInvalid(w, r, c, err)
	case errors.Is(err, app.ErrWrongAccount), errors.Is(err, app.ErrAddressUnproven):
		return s.invitePage(w, r, c, http.StatusConflict, nil)
	case err != nil:
		return err
	}
	http.Redirect(w, r, wsPath(ws.ID, ""), http.StatusSeeOther)
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
