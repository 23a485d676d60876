package model

import (
	"fmt"
	"strconv"

	"github.com/goccy/go-yaml/ast"
)

// CurrentVersion is the model format this rcmguard reads natively and
// writes. A change that gives an existing file another meaning — a key
// renamed, a missing fact read differently — raises it by one and adds
// the migration that rewrites a file of the version before, so that an
// old file keeps meaning what its author meant. Keys only added do not
// change the version.
const CurrentVersion = 3

// A migration rewrites a model of version from into version from+1. It
// works on the YAML syntax tree, not on decoded values, so that the file
// it rewrites keeps its comments and layout and a model read through it
// keeps the positions of everything it did not touch.
type migration struct {
	from int
	// what says what changed in meaning, for the summary a person reads.
	what  string
	apply func(root *ast.MappingNode, ed *editor) error
}

// migrations holds, in order, the step from each version to the next:
// migrations[i] takes version i+1 to i+2.
var migrations = []migration{
	{from: 1, what: "a left-out auto_logoff_minutes, flow automated, vendor offshore or role location is no longer read as none, false or onsite but as not known, so the values version 1 assumed are written down",
		apply: statedV1Defaults},
	{from: 2, what: "a left-out training date, restore test, vendor risk analysis or review, policy review or test date or previous analysis is no longer read as never, a left-out BAA breach_notice_days as 0 or a role's shared_login as false, but as not known; and a practice's analysis covers its whole enterprise unless it says scope_kind: billing — so the values version 2 assumed are written down",
		apply: statedV2Defaults},
}

// registry is a set of migrations and the version they lead to; tests
// run the machinery with registries of their own.
type registry struct {
	current int
	steps   []migration
}

var builtin = registry{current: CurrentVersion, steps: migrations}

// Change is one thing a migration rewrote, placed in the file it was read
// from.
type Change struct {
	Pos  Pos
	Path string // YAML path, e.g. systems[2].sso
	Msg  string
}

// editor records what a migration changes.
type editor struct {
	changes []Change
	steps   []string // "version 1 → 2: what changed in meaning"
}

// note records a change at node n.
func (ed *editor) note(n ast.Node, path, format string, args ...any) {
	ed.changes = append(ed.changes, Change{Pos: nodePos(n), Path: path, Msg: fmt.Sprintf(format, args...)})
}

// fileVersion reads the version a model states: the top-level `version`
// key, 1 when it is absent. pair is the key's node, nil when absent. A
// version this registry cannot read is an error: an older rcmguard must
// not read a newer file under the meaning it knows.
func (reg registry) fileVersion(name string, body ast.Node) (v int, pair *ast.MappingValueNode, err *Error) {
	m, ok := body.(*ast.MappingNode)
	if !ok {
		return 1, nil, nil // not a mapping: the decoder says what is wrong
	}
	for _, p := range m.Values {
		if p.Key == nil || p.Key.GetToken() == nil || p.Key.GetToken().Value != "version" {
			continue
		}
		n, isInt := p.Value.(*ast.IntegerNode)
		var parsed error
		if isInt {
			v, parsed = strconv.Atoi(n.GetToken().Value)
		}
		switch {
		case !isInt || parsed != nil:
			return 0, p, &Error{File: name, Pos: nodePos(p.Value), Path: "version", Msg: fmt.Sprintf("want a whole number such as %d, not %s", reg.current, p.Value)}
		case v < 1:
			return 0, p, &Error{File: name, Pos: nodePos(p.Value), Path: "version", Msg: fmt.Sprintf("unsupported version %d; versions start at 1", v)}
		case v > reg.current:
			return 0, p, &Error{File: name, Pos: nodePos(p.Value), Path: "version", Msg: fmt.Sprintf(
				"unsupported version %d: this rcmguard reads model versions 1 to %d, so a newer rcmguard wrote this file; upgrade rcmguard to read it",
				v, reg.current)}
		}
		return v, p, nil
	}
	return 1, nil, nil
}

// upgrade rewrites the tree of a version-from model to the current
// version, step by step, and sets its version key when it has one.
func (reg registry) upgrade(body ast.Node, from int, pair *ast.MappingValueNode, ed *editor) error {
	if from >= reg.current {
		return nil
	}
	root, ok := body.(*ast.MappingNode)
	if !ok {
		return fmt.Errorf("model: a version %d model is a mapping of keys", from)
	}
	for v := from; v < reg.current; v++ {
		step := reg.steps[v-1]
		if err := step.apply(root, ed); err != nil {
			return fmt.Errorf("model: migrate version %d to %d: %w", v, v+1, err)
		}
		ed.steps = append(ed.steps, fmt.Sprintf("version %d → %d: %s", v, v+1, step.what))
	}
	if pair != nil {
		if err := setScalar(pair, strconv.Itoa(reg.current)); err != nil {
			return err
		}
		ed.note(pair.Value, "version", "%d → %d", from, reg.current)
	}
	return nil
}
