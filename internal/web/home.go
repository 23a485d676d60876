package web

import (
	"net/http"
	"sort"
	"strconv"

	"rcmguard/internal/auth"
	"rcmguard/internal/store"
)

type wsLink struct {
	WS   store.Workspace
	Role auth.Role
}

// home lists the user's workspaces; with only one, it opens it.
func (s *Server) home(w http.ResponseWriter, r *http.Request, c *call) error {
	links, err := s.userWorkspaces(r, c)
	if err != nil {
		return err
	}
	if len(links) == 1 {
		http.Redirect(w, r, wsPath(links[0].WS.ID, ""), http.StatusSeeOther)
		return nil
	}
	return s.render(w, http.StatusOK, "home", page{Title: "Workspaces", C: c, Data: links})
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
