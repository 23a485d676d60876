package web

import (
	"context"
	"net/http"
	"strings"

	"rcmguard/internal/auth"
	"rcmguard/internal/store"
)

// Contributors edit what is assigned to them (auth.Scoped): parts of the
// model, given on the Members page, and risks, assigned on a risk's page.
// The check is made once, with the route's policy, for the browser and
// for the API; pages use canOn to offer only what may be done.

// objectOf names the object a route changes, "" when it changes none that
// can be assigned. Whole-model routes (YAML import) name "model:*".
func objectOf(path string, r *http.Request) string {
	switch {
	case r.PathValue("risk") != "":
		return store.RiskObject + r.PathValue("risk")
	case r.PathValue("section") != "":
		return store.ModelObject + r.PathValue("section")
	case strings.HasPrefix(path, "/w/{ws}/model/flows"):
		return store.ModelObject + "flows"
	case strings.HasPrefix(path, "/w/{ws}/model/organization"):
		return store.ModelObject + "organization"
	case path == "/w/{ws}/model/import", path == "/api/v1/workspaces/{ws}/model", strings.HasPrefix(path, "/w/{ws}/setup"):
		return store.ModelObject + store.AllObjects
	case path == "/w/{ws}/risks/bulk":
		return eachObject
	}
	return ""
}

// eachObject is the object of a route that acts on several, named in its
// form (the register's bulk change): the use case checks each one against
// the member's assignments, and refuses the whole change for one outside.
const eachObject = "(each selected)"

// loadAssignments reads a member's assignments when their role is scoped
// by them; other roles never need them.
func (s *Server) loadAssignments(ctx context.Context, wsID int64, userID int64, role auth.Role) (map[string]bool, error) {
	return s.app.Assignments(ctx, wsID, userID, role)
}

// assignmentSet returns the viewer's assignments in the workspace,
// whatever their role (the register's "assigned to me" filter).
func (s *Server) assignmentSet(ctx context.Context, c *call) (map[string]bool, error) {
	if c.Assigned != nil {
		return c.Assigned, nil
	}
	return s.app.UserAssignments(ctx, c.WS.ID, c.User.ID)
}

// assignedOK is the scoped half of the permission check: true unless the
// role is limited to its assignments and object is not among them.
func assignedOK(role auth.Role, act auth.Action, assigned map[string]bool, object string) bool {
	return !auth.Scoped(role, act) || object == eachObject || auth.Covers(assigned, object)
}

// can is the templates' check for an action: whether the viewer's role
// allows it. An unknown action is an error (template_check.go).
func can(c *call, act string) (bool, error) {
	a, err := knownAction(act)
	if err != nil {
		return false, err
	}
	return c.Role != "" && auth.Can(c.Role, a), nil
}

// canOn is the templates' check for an action on one object.
func canOn(c *call, act, object string) (bool, error) {
	a, err := knownAction(act)
	if err != nil {
		return false, err
	}
	return c.Role != "" && auth.Can(c.Role, a) && assignedOK(c.Role, a, c.Assigned, object), nil
}

// modelParts are the parts of the model that can be assigned, in the
// order the Members page offers them.
func modelParts() []modelPart {
	parts := []modelPart{{store.ModelObject + store.AllObjects, "The whole model, including YAML import"},
		{store.ModelObject + "organization", "Organisation, assessment and stages"},
		{store.ModelObject + "flows", "Data flows"}}
	for _, sec := range sections {
		parts = append(parts, modelPart{store.ModelObject + sec.Key, sec.Title})
	}
	return parts
}

type modelPart struct{ Object, Title string }
