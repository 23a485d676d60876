package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"rcmguard/internal/auth"
	"rcmguard/internal/store"
)

type memberRow struct {
	M     store.Membership
	Email string
	Self  bool
}

// memberForm is the "add a member" form as typed.
type memberForm struct {
	Email, Role, Expires string
	Errors               map[string]string
}

type membersData struct {
	Rows  []memberRow
	Form  memberForm
	Roles []auth.Role
}

func (s *Server) renderMembers(w http.ResponseWriter, r *http.Request, c *call, status int, f memberForm) error {
	ms, err := s.st.Members(r.Context(), c.WS.ID)
	if err != nil {
		return err
	}
	d := membersData{Form: f, Roles: auth.Roles}
	names := map[int64]string{}
	for _, m := range ms {
		d.Rows = append(d.Rows, memberRow{M: m, Email: s.userEmail(r.Context(), m.UserID, names), Self: m.UserID == c.User.ID})
	}
	if d.Form.Role == "" {
		d.Form.Role = string(auth.RoleContributor)
	}
	return s.render(w, status, "members", page{Title: "Members", Nav: "members", C: c, Data: d})
}

func (s *Server) memberList(w http.ResponseWriter, r *http.Request, c *call) error {
	return s.renderMembers(w, r, c, http.StatusOK, memberForm{})
}

// memberAdd gives an existing account a role here (or changes its role).
// Accounts themselves are created with `rcmguard user add`, which sets the
// first password; the web never handles another person's password.
func (s *Server) memberAdd(w http.ResponseWriter, r *http.Request, c *call) error {
	f := memberForm{Email: strings.TrimSpace(r.PostFormValue("email")), Role: r.PostFormValue("role"),
		Expires: strings.TrimSpace(r.PostFormValue("expires")), Errors: map[string]string{}}
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
	case exp.IsZero() && role == auth.RoleAuditor:
		exp = s.now().Add(auth.AuditorDefaultAccess)
	}
	u, err := s.st.UserByEmail(r.Context(), f.Email)
	if errors.Is(err, store.ErrNotFound) {
		f.Errors["email"] = "No account has this address. Create it first with rcmguard user add."
	} else if err != nil {
		return err
	}
	if len(f.Errors) == 0 && u.ID == c.User.ID {
		f.Errors["role"] = "You cannot change your own role."
	}
	if len(f.Errors) > 0 {
		return s.renderMembers(w, r, c, http.StatusUnprocessableEntity, f)
	}
	ctx := r.Context()
	err = s.st.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.PutMembership(ctx, store.Membership{UserID: u.ID, WorkspaceID: c.WS.ID, Role: string(role), Expires: exp, Created: s.now()}); err != nil {
			return err
		}
		details := map[string]any{"role": string(role)}
		if !exp.IsZero() {
			details["expires"] = store.FormatTime(exp)
		}
		return s.audit(ctx, tx, c, "membership.put", "user:"+itoa(u.ID), details)
	})
	if err != nil {
		return err
	}
	http.Redirect(w, r, wsPath(c.WS.ID, "/members"), http.StatusSeeOther)
	return nil
}

// memberRemove takes someone out of the workspace; owners cannot remove
// themselves, so a workspace is never left without the owner acting.
func (s *Server) memberRemove(w http.ResponseWriter, r *http.Request, c *call) error {
	id, err := strconv.ParseInt(r.PathValue("user"), 10, 64)
	if err != nil {
		return errNotFound
	}
	if id == c.User.ID {
		return errForbidden
	}
	ctx := r.Context()
	err = s.st.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.RemoveMembership(ctx, c.WS.ID, id); err != nil {
			return err
		}
		return s.audit(ctx, tx, c, "membership.remove", "user:"+itoa(id), nil)
	})
	if err != nil {
		return err
	}
	http.Redirect(w, r, wsPath(c.WS.ID, "/members"), http.StatusSeeOther)
	return nil
}
