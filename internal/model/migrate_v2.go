package model

import (
	"fmt"

	"github.com/goccy/go-yaml/ast"
)

// unknownsV1 are the optional keys version 1 read as a definite answer when
// they were left out, and version 2 reads as not known: per list of the
// model, the key and the value version 1 took for granted.
var unknownsV1 = []struct{ list, key, value string }{
	{"systems", "auto_logoff_minutes", "0"},
	{"flows", "automated", "false"},
	{"vendors", "offshore", "false"},
	{"roles", "location", "onsite"},
}

// statedV1Defaults is the step from version 1 to 2: it writes down, on
// every element that left one of unknownsV1 out, the value version 1 gave
// it, so that the file keeps its meaning once a missing key means "not
// known".
func statedV1Defaults(root *ast.MappingNode, ed *editor) error {
	for _, u := range unknownsV1 {
		for i, item := range items(valueOf(root, u.list)) {
			m, ok := item.(*ast.MappingNode)
			if !ok || len(m.Values) == 0 || lookup(m, u.key) != nil {
				continue // not an element the decoder will accept, or stated
			}
			p, err := addPair(m, u.key, u.value, false)
			if err != nil {
				return err
			}
			path := fmt.Sprintf("%s[%d].%s", u.list, i, u.key)
			ed.note(p.Key, path, "added `%s: %s`: version 1 read a missing %s as %s; version 2 reads it as not known", u.key, u.value, u.key, u.value)
		}
	}
	return nil
}
