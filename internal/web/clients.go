package web

import (
	"errors"
	"net/http"
	"strings"

	"rcmguard/internal/auth"
	"rcmguard/internal/store"
)

// clientCreate adds a client practice under a billing company; the owner
// who creates it becomes its owner too, so they can open it at once.
func (s *Server) clientCreate(w http.ResponseWriter, r *http.Request, c *call) error {
	if c.WS.Kind != store.KindBillingCompany {
		return errNotFound
	}
	name := strings.TrimSpace(r.PostFormValue("name"))
	fail := func(msg string) error {
		return s.renderPortfolio(w, r, c, http.StatusUnprocessableEntity, clientForm{Name: name, Err: msg})
	}
	if name == "" || len(name) > 200 {
		return fail("Enter the practice's name (up to 200 characters).")
	}
	ctx := r.Context()
	now := s.now()
	var id int64
	err := s.st.InTx(ctx, func(tx *store.Tx) error {
		ws, err := tx.CreateWorkspace(ctx, store.Workspace{Name: name, Kind: store.KindPractice, ParentID: c.WS.ID, Created: now})
		if err != nil {
			return err
		}
		id = ws.ID
		if err := tx.PutMembership(ctx, store.Membership{UserID: c.User.ID, WorkspaceID: ws.ID, Role: string(auth.RoleOwner), Created: now}); err != nil {
			return err
		}
		if err := s.audit(ctx, tx, c, "client.create", "workspace:"+itoa(ws.ID), map[string]any{"kind": ws.Kind}); err != nil {
			return err
		}
		cc := &call{User: c.User, WS: ws}
		return s.audit(ctx, tx, cc, "workspace.create", "workspace:"+itoa(ws.ID), map[string]any{"parent": c.WS.ID, "owner": "user:" + itoa(c.User.ID)})
	})
	if errors.Is(err, store.ErrConflict) {
		return fail("Your billing company already has a client practice of this name. Choose another name.")
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, wsPath(id, "/model"), http.StatusSeeOther)
	return nil
}
