package web

import (
	"fmt"
	"html/template"
	"slices"
	"text/template/parse"

	"rcmguard/internal/auth"
)

// Pages offer a control only when the viewer may use it, asking can or
// canOn with the action's name. A misspelt name would be an action nobody
// may take, and would hide the control from everyone without a word; so
// the names are checked when the templates are parsed, at start-up: each
// must be a literal naming an action of the permission matrix.

// permissionFuncs are the template functions that take an action's name
// as their second argument.
var permissionFuncs = []string{"can", "canOn"}

// checkPermissionCalls reports every call of a permission function in t
// whose action is not a literal name of an auth.Action.
func checkPermissionCalls(t *template.Template) error {
	var errs []error
	for _, tt := range t.Templates() {
		if tt.Tree == nil || tt.Tree.Root == nil {
			continue
		}
		walkCommands(tt.Tree.Root, func(cmd *parse.CommandNode) {
			id, ok := cmd.Args[0].(*parse.IdentifierNode)
			if !ok || !slices.Contains(permissionFuncs, id.Ident) {
				return
			}
			loc, _ := tt.Tree.ErrorContext(cmd)
			if len(cmd.Args) < 3 {
				errs = append(errs, fmt.Errorf("%s: %s needs the call and an action", loc, id.Ident))
				return
			}
			name, ok := cmd.Args[2].(*parse.StringNode)
			if !ok {
				errs = append(errs, fmt.Errorf("%s: %s takes the action as a literal name, not %s", loc, id.Ident, cmd.Args[2]))
				return
			}
			if _, err := knownAction(name.Text); err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", loc, err))
			}
		})
	}
	if len(errs) > 0 {
		return fmt.Errorf("web: template %s: %v", t.Name(), errs)
	}
	return nil
}

// knownAction returns the action a template names; an unknown one is an
// error, so that a page using one fails rather than hiding a control.
func knownAction(name string) (auth.Action, error) {
	a := auth.Action(name)
	if !slices.Contains(auth.Actions, a) {
		return "", fmt.Errorf("unknown action %q (see auth.Actions)", name)
	}
	return a, nil
}

// walkCommands calls fn for every command in the tree under n, those in
// nested pipelines included.
func walkCommands(n parse.Node, fn func(*parse.CommandNode)) {
	switch n := n.(type) {
	case *parse.ListNode:
		if n == nil {
			return
		}
		for _, c := range n.Nodes {
			walkCommands(c, fn)
		}
	case *parse.ActionNode:
		walkCommands(n.Pipe, fn)
	case *parse.PipeNode:
		if n == nil {
			return
		}
		for _, c := range n.Cmds {
			walkCommands(c, fn)
		}
	case *parse.CommandNode:
		fn(n)
		for _, a := range n.Args {
			walkCommands(a, fn)
		}
	case *parse.IfNode:
		walkBranch(&n.BranchNode, fn)
	case *parse.RangeNode:
		walkBranch(&n.BranchNode, fn)
	case *parse.WithNode:
		walkBranch(&n.BranchNode, fn)
	case *parse.TemplateNode:
		walkCommands(n.Pipe, fn)
	}
}

func walkBranch(b *parse.BranchNode, fn func(*parse.CommandNode)) {
	walkCommands(b.Pipe, fn)
	walkCommands(b.List, fn)
	walkCommands(b.ElseList, fn)
}
