package model

import (
	"fmt"
	"strings"

	"github.com/goccy/go-yaml/ast"
)

// unknownsV2 are the optional keys version 2 read as a definite answer
// when they were left out, and version 3 reads as not known: per list of
// the model, the key path within an element, the value version 2 took
// for granted, and which elements it mattered on.
var unknownsV2 = []struct {
	list  string
	path  []string
	value string
	// parent is the key that must already be there (a required block the
	// decoder would otherwise report), or "".
	parent string
	when   func(item ast.Node) bool
}{
	{list: "roles", path: []string{"training", "last"}, value: "never"},
	{list: "clients", path: []string{"baa", "breach_notice_days"}, value: "0", parent: "baa"},
	{list: "vendors", path: []string{"baa", "breach_notice_days"}, value: "0", parent: "baa"},
	{list: "vendors", path: []string{"risk_analysis"}, value: "never"},
	{list: "vendors", path: []string{"last_review"}, value: "never"},
	{list: "systems", path: []string{"backup", "last_restore_test"}, value: "never", parent: "backup",
		when: func(n ast.Node) bool { return scalarIs(valueOf(valueOf(n, "backup"), "enabled"), "true") }},
	{list: "policies", path: []string{"last_reviewed"}, value: "never",
		when: func(n ast.Node) bool { return scalarIs(valueOf(n, "exists"), "true") }},
	{list: "policies", path: []string{"tested"}, value: "never",
		when: func(n ast.Node) bool {
			k, _ := scalarText(valueOf(n, "kind"))
			return scalarIs(valueOf(n, "exists"), "true") &&
				(k == "contingency_plan" || k == "disaster_recovery" || k == "emergency_mode" || k == "incident_response")
		}},
}

func scalarIs(n ast.Node, want string) bool {
	t, ok := scalarText(n)
	return ok && t == want
}

// statedV2Defaults is the step from version 2 to 3. It writes down, on
// every element that left one of unknownsV2 out, the value version 2 gave
// it; on every role's access that left shared_login out, false; a missing
// previous analysis as never; and, for
// an organisation that is not a billing company, `scope_kind: billing`,
// because version 2 analysed the billing operation where version 3 takes
// a practice's whole enterprise by default.
func statedV2Defaults(root *ast.MappingNode, ed *editor) error {
	for _, u := range unknownsV2 {
		for i, item := range items(valueOf(root, u.list)) {
			m, ok := item.(*ast.MappingNode)
			if !ok || len(m.Values) == 0 || (u.parent != "" && lookup(m, u.parent) == nil) || (u.when != nil && !u.when(m)) {
				continue
			}
			path := fmt.Sprintf("%s[%d].%s", u.list, i, strings.Join(u.path, "."))
			if err := ensure(m, u.path, u.value, path, unknownNote, ed); err != nil {
				return err
			}
		}
	}
	for i, role := range items(valueOf(root, "roles")) {
		for j, acc := range items(valueOf(role, "access")) {
			m, ok := acc.(*ast.MappingNode)
			if !ok || len(m.Values) == 0 {
				continue
			}
			path := fmt.Sprintf("roles[%d].access[%d].shared_login", i, j)
			if err := ensure(m, []string{"shared_login"}, "false", path, unknownNote, ed); err != nil {
				return err
			}
		}
	}
	if err := ensure(root, []string{"assessment", "previous"}, "never", "assessment.previous", unknownNote, ed); err != nil {
		return err
	}
	if kind, _ := scalarText(valueOf(valueOf(root, "organization"), "kind")); kind != "billing_company" {
		if err := ensure(root, []string{"assessment", "scope_kind"}, "billing", "assessment.scope_kind",
			"added `scope_kind: billing`: version 2 analysed the billing operation; version 3 takes a practice's whole enterprise unless the file says otherwise", ed); err != nil {
			return err
		}
	}
	return nil
}

// ensure writes value at the key path under mapping m unless a value is
// there, creating the blocks on the way as flow mappings. A block that
// holds something other than a mapping is left for the decoder to report.
func ensure(m *ast.MappingNode, keys []string, value, path, msg string, ed *editor) error {
	if msg == unknownNote {
		k := keys[len(keys)-1]
		msg = fmt.Sprintf("added `%s: %s`: version 2 read a missing %s as %s; version 3 reads it as not known", k, value, k, value)
	}
	p := lookup(m, keys[0])
	if p == nil {
		np, err := addPair(m, keys[0], nested(keys[1:], value), false)
		if err != nil {
			return err
		}
		ed.note(np.Key, path, "%s", msg)
		return nil
	}
	if len(keys) == 1 {
		return nil // stated
	}
	switch inner := p.Value.(type) {
	case *ast.MappingNode:
		if len(inner.Values) > 0 {
			return ensure(inner, keys[1:], value, path, msg, ed)
		}
	case *ast.NullNode:
	default:
		return nil
	}
	// An empty block (`training:` or `training: {}`) gets its value.
	if err := setScalar(p, nested(keys[1:], value)); err != nil {
		return err
	}
	ed.note(p.Value, path, "%s", msg)
	return nil
}

// unknownNote asks ensure for the note of a key version 3 reads as not
// known.
const unknownNote = "\x00unknown"

// nested writes value under keys as flow mappings: {a: {b: v}}.
func nested(keys []string, value string) string {
	out := value
	for i := len(keys) - 1; i >= 0; i-- {
		out = "{" + keys[i] + ": " + out + "}"
	}
	return out
}
