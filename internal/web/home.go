package web

import (
	"net/http"
	"sort"
	"strconv"
	"strings"

	"rcmguard/internal/app"
	"rcmguard/internal/auth"
	"rcmguard/internal/store"
)

type wsLink struct {
	WS   store.Workspace
	Role auth.Role
}

// homeRow is a workspace of the list; Group is set on the first row of a
// billing company's group (the company, then its clients).
type homeRow struct {
	app.WorkspaceRow
	Group string
}

type homeData struct {
	// CanCreate offers a new workspace (app.CanCreateWorkspaces).
	CanCreate bool
	Q         string
	Rows      []homeRow
	List      app.WorkspaceList
	Pager     pager
}

// home lists the user's workspaces with each one's status, a page at a
// time; with only one workspace, it opens it, unless the person may create
// more (a new owner after the first-run setup), who needs the list's
// "New workspace".
func (s *Server) home(w http.ResponseWriter, r *http.Request, c *call) error {
	q := r.URL.Query()
	search := strings.TrimSpace(q.Get("q"))
	n, _ := strconv.Atoi(q.Get("page"))
	list, err := s.app.Workspaces(r.Context(), c.actor(), search, n)
	if err != nil {
		return err
	}
	canCreate, err := s.app.CanCreateWorkspaces(r.Context(), c.User)
	if err != nil {
		return err
	}
	if list.Matching == 1 && search == "" && !canCreate {
		http.Redirect(w, r, wsPath(list.Rows[0].WS.ID, ""), http.StatusSeeOther)
		return nil
	}
	d := homeData{CanCreate: canCreate, Q: search, List: list, Pager: listPager(list.Matching, list.Page, app.WorkspacesPageSize, q, "/")}
	prev := ""
	for i, row := range list.Rows {
		group := row.Company
		if group == "" && row.WS.Kind == store.KindBillingCompany {
			group = row.WS.Name
		}
		hr := homeRow{WorkspaceRow: row}
		if group != "" && (group != prev || i == 0) {
			hr.Group = group
		}
		prev = group
		d.Rows = append(d.Rows, hr)
	}
	return s.render(w, http.StatusOK, "home", page{Title: "Workspaces", C: c, Data: d})
}

// userWorkspaces lists the workspaces whose membership is still in force.
func (s *Server) userWorkspaces(r *http.Request, c *call) ([]wsLink, error) {
	ms, err := s.st.UserMemberships(r.Context(), c.User.ID)
	if err != nil {
		return nil, err
	}
	var out []wsLink
	for _, m := range ms {
		if auth.Allowed(m, auth.ActWorkspaceView, s.now()) != nil {
			continue
		}
		ws, err := s.st.Workspace(r.Context(), m.WorkspaceID)
		if err != nil {
			return nil, err
		}
		out = append(out, wsLink{WS: ws, Role: auth.Role(m.Role)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].WS.Name < out[j].WS.Name })
	return out, nil
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
