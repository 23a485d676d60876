package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"rcmguard/internal/app"
	"rcmguard/internal/auth"
	"rcmguard/internal/store"
)

type memberRow struct {
	M     store.Membership
	Email string
	Self  bool
	// Unproven: the account's address was never proven (it was made
	// through a copied invitation link).
	Unproven bool
	// For contributors: the parts of the model they may edit, whether
	// they may move every risk, and how many risks are theirs by name.
	Parts    []partChoice
	AllRisks bool
	Risks    int
}

// partChoice is one part of the model offered on the Members page.
type partChoice struct {
	modelPart
	Assigned bool
}

// memberForm is the "add a member" form as typed.
type memberForm struct {
	Email, Role, Expires string
	Errors               map[string]string
}

type membersData struct {
	Rows        []memberRow
	Invitations []invitationRow
	Invited     *invitedNotice // what became of an invitation, in this response only
	Form        memberForm
	Roles       []auth.Role
	Mail        bool // invitations go by e-mail
}

func (s *Server) renderMembers(w http.ResponseWriter, r *http.Request, c *call, status int, f memberForm, invited *invitedNotice) error {
	ms, err := s.st.Members(r.Context(), c.WS.ID)
	if err != nil {
		return err
	}
	invs, err := s.st.PendingInvitations(r.Context(), c.WS.ID, s.now())
	if err != nil {
		return err
	}
	unproven, err := s.st.UnverifiedMembers(r.Context(), c.WS.ID)
	if err != nil {
		return err
	}
	d := membersData{Form: f, Roles: auth.Roles, Invited: invited, Mail: s.app.MailConfigured()}
	as, err := s.st.WorkspaceAssignments(r.Context(), c.WS.ID)
	if err != nil {
		return err
	}
	byUser := map[int64]map[string]bool{}
	for _, a := range as {
		if byUser[a.UserID] == nil {
			byUser[a.UserID] = map[string]bool{}
		}
		byUser[a.UserID][a.Object] = true
	}
	names := map[int64]string{}
	for _, m := range ms {
		row := memberRow{M: m, Email: s.userEmail(r.Context(), m.UserID, names), Self: m.UserID == c.User.ID,
			Unproven: unproven[m.UserID]}
		if auth.Role(m.Role) == auth.RoleContributor {
			mine := byUser[m.UserID]
			for _, p := range modelParts() {
				row.Parts = append(row.Parts, partChoice{modelPart: p, Assigned: mine[p.Object]})
			}
			row.AllRisks = mine[store.RiskObject+store.AllObjects]
			for o := range mine {
				if strings.HasPrefix(o, store.RiskObject) && o != store.RiskObject+store.AllObjects {
					row.Risks++
				}
			}
		}
		d.Rows = append(d.Rows, row)
	}
	for _, i := range invs {
		d.Invitations = append(d.Invitations, invitationRow{I: i, By: s.userEmail(r.Context(), i.CreatedBy, names)})
	}
	if d.Form.Role == "" {
		d.Form.Role = string(auth.RoleContributor)
	}
	return s.render(w, status, "members", page{Title: "Members", Nav: "members", C: c, Data: d})
}

func (s *Server) memberList(w http.ResponseWriter, r *http.Request, c *call) error {
	return s.renderMembers(w, r, c, http.StatusOK, memberForm{}, nil)
}

// memberAdd changes a member's role, or invites anyone else: adding a
// person never grants access before they accept (internal/app/invite.go).
// The page answers the same whether or not the address has an account.
func (s *Server) memberAdd(w http.ResponseWriter, r *http.Request, c *call) error {
	f := memberForm{Email: strings.TrimSpace(r.PostFormValue("email")), Role: r.PostFormValue("role"),
		Expires: strings.TrimSpace(r.PostFormValue("expires")), Errors: map[string]string{}}
	if !auth.ValidEmail(f.Email) {
		f.Errors["email"] = "Enter the person's e-mail address."
	}
	role, err := auth.ParseRole(f.Role)
	if err != nil {
		f.Errors["role"] = "Choose a role."
	}
	exp, err := parseFormDate(f.Expires)
	switch {
	case err != nil:
		f.Errors["expires"] = "Enter the end of access as YYYY-MM-DD."
	case !exp.IsZero() && !exp.After(s.today()):
		f.Errors["expires"] = "The end of access must be after today."
	}
	if len(f.Errors) > 0 {
		return s.renderMembers(w, r, c, http.StatusUnprocessableEntity, f, nil)
	}
	got, err := s.app.Invite(r.Context(), c.User, c.WS.ID, app.InviteRequest{Email: f.Email, Role: role, Expires: exp})
	switch {
	case errors.Is(err, app.ErrOwnRole):
		f.Errors["role"] = "You cannot change your own role."
		return s.renderMembers(w, r, c, http.StatusUnprocessableEntity, f, nil)
	case err != nil:
		return err
	case got.RoleChanged:
		http.Redirect(w, r, wsPath(c.WS.ID, "/members"), http.StatusSeeOther)
		return nil
	}
	return s.renderMembers(w, r, c, http.StatusOK, memberForm{}, s.noticeOf(r, got))
}

// memberRemove takes someone out of the workspace.
func (s *Server) memberRemove(w http.ResponseWriter, r *http.Request, c *call) error {
	id, err := strconv.ParseInt(r.PathValue("user"), 10, 64)
	if err != nil {
		return errNotFound
	}
	if err := s.app.RemoveMember(r.Context(), c.actor(), c.scope(), id); err != nil {
		return err
	}
	http.Redirect(w, r, wsPath(c.WS.ID, "/members"), http.StatusSeeOther)
	return nil
}

// memberAssignments sets the parts of the model a contributor may edit and
// whether they may move every risk. Risks assigned by name are kept: they
// are set on each risk's page.
func (s *Server) memberAssignments(w http.ResponseWriter, r *http.Request, c *call) error {
	id, err := strconv.ParseInt(r.PathValue("user"), 10, 64)
	if err != nil {
		return errNotFound
	}
	var offered []string
	for _, p := range modelParts() {
		offered = append(offered, p.Object)
	}
	work := app.Work{ModelParts: r.PostForm["part"], AllRisks: r.PostFormValue("all_risks") == "yes"}
	if err := s.app.SetWork(r.Context(), c.actor(), c.scope(), id, work, offered); err != nil {
		return err
	}
	http.Redirect(w, r, wsPath(c.WS.ID, "/members#work-"+itoa(id)), http.StatusSeeOther)
	return nil
}
