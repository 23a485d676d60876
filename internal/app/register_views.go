package app

import (
	"context"
	"net/url"
	"strconv"
	"strings"

	"rcmguard/internal/audit"
	"rcmguard/internal/auth"
	"rcmguard/internal/store"
)

// The pages whose views a person may save.
const (
	ViewRisks = "risks"
	ViewPlan  = "plan"
)

// Bounds of a saved view.
const (
	maxViewName  = 80
	maxViewQuery = 2000
	maxViews     = 50 // per person, page and workspace
)

// viewKeys are the query parameters a view keeps: the filters, the sort
// order and the plan's grouping; never a page number.
var viewKeys = map[string]bool{"level": true, "status": true, "area": true, "owner": true, "q": true, "sort": true,
	"assigned": true, "due": true, "group": true, "likelihood": true, "impact": true}

// SaveView saves the filters and sort order of the register or the plan
// under a name, for the person in this workspace only; a view of the same
// name is replaced.
func (a *App) SaveView(ctx context.Context, who Actor, ws Scope, page, name string, q url.Values) (store.SavedView, error) {
	if err := a.Allowed(who, ws, auth.ActRiskView, ""); err != nil {
		return store.SavedView{}, err
	}
	if page != ViewRisks && page != ViewPlan {
		return store.SavedView{}, &Error{Kind: ErrMalformed, Msg: "No such page to save a view of."}
	}
	name = strings.TrimSpace(name)
	switch {
	case name == "":
		return store.SavedView{}, Errors{invalid("name", "Name the view.")}
	case len(name) > maxViewName:
		return store.SavedView{}, Errors{invalid("name", "Keep the name under 80 characters.")}
	}
	kept := url.Values{}
	for k, vs := range q {
		if viewKeys[k] && len(vs) > 0 && vs[0] != "" {
			kept.Set(k, vs[0])
		}
	}
	query := kept.Encode()
	if len(query) > maxViewQuery {
		return store.SavedView{}, Errors{invalid("name", "These filters are too long to save.")}
	}
	views, err := a.st.SavedViews(ctx, ws.WS.ID, who.User.ID, page)
	if err != nil {
		return store.SavedView{}, err
	}
	if len(views) >= maxViews {
		replacing := false
		for _, v := range views {
			replacing = replacing || v.Name == name
		}
		if !replacing {
			return store.SavedView{}, Errors{invalid("name", "You have 50 saved views here: delete one first.")}
		}
	}
	var v store.SavedView
	err = a.st.InTx(ctx, func(tx *store.Tx) error {
		var err error
		if v, err = tx.PutSavedView(ctx, store.SavedView{WorkspaceID: ws.WS.ID, UserID: who.User.ID, Page: page, Name: name,
			Query: query, Created: a.now()}); err != nil {
			return err
		}
		return a.record(ctx, tx, who, ws, audit.ViewSave, viewObject(v.ID), map[string]any{"page": page, "name": name})
	})
	return v, err
}

// DeleteView deletes one of the person's saved views; another person's is
// not found.
func (a *App) DeleteView(ctx context.Context, who Actor, ws Scope, id int64) error {
	if err := a.Allowed(who, ws, auth.ActRiskView, ""); err != nil {
		return err
	}
	return a.st.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.DeleteSavedView(ctx, ws.WS.ID, who.User.ID, id); err != nil {
			return err
		}
		return a.record(ctx, tx, who, ws, audit.ViewDelete, viewObject(id), nil)
	})
}

// Views lists the person's saved views of a page in the workspace.
func (a *App) Views(ctx context.Context, who Actor, ws Scope, page string) ([]store.SavedView, error) {
	if err := a.Allowed(who, ws, auth.ActRiskView, ""); err != nil {
		return nil, err
	}
	return a.st.SavedViews(ctx, ws.WS.ID, who.User.ID, page)
}

func viewObject(id int64) string { return "view:" + strconv.FormatInt(id, 10) }
