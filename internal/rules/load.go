package rules

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"regexp"
	"slices"
	"sort"

	"cel.dev/cel-go/cel"
	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"

	"rcmguard/internal/catalog"
)

// idPattern is what a rule ID looks like: upper-case letters and digits in
// parts joined by hyphens, starting with a letter (EDI-02, LOCAL-FAX-1).
// Risk IDs join a rule ID and element IDs with "@", and decisions match
// them with "*" wildcards, so neither may appear in a rule ID.
var idPattern = regexp.MustCompile(`^[A-Z][A-Z0-9]*(-[A-Z0-9]+)+$`)

const maxIDLen = 40

// LoadError is a problem with one rule, placed at its line in its file so
// that whoever wrote the rule can go straight to it.
type LoadError struct {
	File string
	Line int // 0 when the file could not be parsed far enough to tell
	Rule string
	Err  error
}

func (e *LoadError) Error() string {
	where := e.File
	if e.Line > 0 {
		where = fmt.Sprintf("%s:%d", e.File, e.Line)
	}
	return fmt.Sprintf("rules: %s: rule %s: %v", where, e.Rule, e.Err)
}

func (e *LoadError) Unwrap() error { return e.Err }

// fieldError is an error about one part of a rule: its key path below the
// rule ("citations", 2), which Load turns into a line.
type fieldError struct {
	path []any
	err  error
}

func (e *fieldError) Error() string { return e.err.Error() }
func (e *fieldError) Unwrap() error { return e.err }

func atField(err error, path ...any) error { return &fieldError{path: path, err: err} }

// Load reads every *.yaml rule file from the given file systems (the
// embedded built-in rules first, then user directories), compiles the
// conditions, checks each rule's metadata and the words its conditions
// compare with, and runs its examples. A rule may take the place of an
// earlier one only by saying so with `replaces:`. The first problem is
// returned as a *LoadError naming file, line and rule.
func Load(sources ...Source) (*Set, error) {
	cat, err := catalog.Load()
	if err != nil {
		return nil, err
	}
	env, err := newEnv()
	if err != nil {
		return nil, err
	}
	l := &loader{cat: cat, env: env, set: &Set{byID: map[string]*Rule{}}, where: map[*Rule]string{}}
	for _, src := range sources {
		files, err := fs.Glob(src.FS, "*.yaml")
		if err != nil {
			return nil, fmt.Errorf("rules: %s: %w", src.Name, err)
		}
		sort.Strings(files)
		inSource := map[string]string{}
		for _, f := range files {
			b, err := fs.ReadFile(src.FS, f)
			if err != nil {
				return nil, fmt.Errorf("rules: %w", err)
			}
			if err := l.file(filepath.Join(src.Name, f), b, inSource); err != nil {
				return nil, err
			}
		}
	}
	return l.set, nil
}

type loader struct {
	cat   *catalog.Catalog
	env   *cel.Env
	set   *Set
	order int
	where map[*Rule]string // file:line of each rule, for messages
}

func (l *loader) file(name string, b []byte, inSource map[string]string) error {
	// One parse gives both the rules and the lines to place messages at.
	var list []*Rule
	f, err := parser.ParseBytes(b, 0)
	if err == nil && len(f.Docs) > 0 && f.Docs[0].Body != nil {
		err = yaml.NodeToValue(f.Docs[0].Body, &list, yaml.DisallowUnknownField())
	}
	if err != nil {
		return fmt.Errorf("rules: %s: %s", name, yaml.FormatError(err, false, true))
	}
	doc := linesOf(f)
	for i, r := range list {
		r.Source = name
		err := l.rule(r, inSource, fmt.Sprintf("%s:%d", name, doc.line(i)))
		if err == nil {
			continue
		}
		le := &LoadError{File: name, Line: doc.line(i), Rule: r.ID, Err: err}
		if r.ID == "" {
			le.Rule = fmt.Sprintf("#%d", i+1)
		}
		var fe *fieldError
		if errors.As(err, &fe) {
			le.Line = doc.line(i, fe.path...)
		}
		return le
	}
	return nil
}

func (l *loader) rule(r *Rule, inSource map[string]string, at string) error {
	if err := r.check(l.cat); err != nil {
		return err
	}
	if len(r.ID) > maxIDLen || !idPattern.MatchString(r.ID) {
		return atField(fmt.Errorf("ID %q: a rule ID is upper-case letters and digits in parts joined by hyphens, starting with a letter, at most %d characters (LOCAL-01, ACME-FAX-2); no @ or *", r.ID, maxIDLen), "id")
	}
	if why, ok := retired[r.ID]; ok {
		return atField(fmt.Errorf("ID %s belonged to a withdrawn rule (%s); decisions recorded on it would attach to this one, so choose another ID", r.ID, why), "id")
	}
	if err := r.compile(l.env); err != nil {
		return err
	}
	if err := r.checkExamples(); err != nil {
		return err
	}
	if other, dup := inSource[r.ID]; dup {
		return atField(fmt.Errorf("duplicate rule ID %s (also at %s)", r.ID, other), "id")
	}
	inSource[r.ID] = at
	l.where[r] = at

	taken, clash := l.set.byID[r.ID]
	if r.Replaces == "" {
		if clash {
			return atField(fmt.Errorf("ID %s is already the rule at %s; to replace that rule say so with `replaces: %s`, or choose another ID to add a rule",
				r.ID, l.where[taken], r.ID), "id")
		}
		r.order = l.order
		l.order++
		l.set.Rules = append(l.set.Rules, r)
		l.set.byID[r.ID] = r
		return nil
	}
	target, ok := l.set.byID[r.Replaces]
	if !ok {
		return atField(fmt.Errorf("replaces %s, which no earlier rule has (`rcmguard rules` lists the built-in ones)", r.Replaces), "replaces")
	}
	if clash && taken != target {
		return atField(fmt.Errorf("ID %s is already the rule at %s; a rule that replaces %s needs an ID of its own or %s", r.ID, l.where[taken], r.Replaces, r.Replaces), "id")
	}
	// The replacement takes the place of the rule it replaces, so output
	// order, and with it every report, stays as it was.
	r.order = target.order
	l.set.Rules[slices.Index(l.set.Rules, target)] = r
	delete(l.set.byID, target.ID)
	l.set.byID[r.ID] = r
	return nil
}

// checkExamples runs the rule on its own examples, as it is loaded: a rule
// whose examples disagree with its condition is wrong about one or the
// other, and a user's rule has no test suite to say so.
func (r *Rule) checkExamples() error {
	for _, group := range []struct {
		field string
		cases []map[string]map[string]any
		want  bool
	}{{"trigger", r.Examples.Trigger, true}, {"no_trigger", r.Examples.NoTrigger, false}} {
		for i, ex := range group.cases {
			if err := r.checkExampleValues(ex); err != nil {
				return atField(fmt.Errorf("examples.%s[%d]: %w", group.field, i, err), "examples", group.field, i)
			}
			got, err := r.RunExample(ex)
			if err != nil {
				return atField(fmt.Errorf("examples.%s[%d]: %w", group.field, i, err), "examples", group.field, i)
			}
			if got != group.want {
				verb := "does not trigger"
				if got {
					verb = "triggers"
				}
				return atField(fmt.Errorf("examples.%s[%d] %s the rule; its condition is %q", group.field, i, verb, r.When),
					"examples", group.field, i)
			}
		}
	}
	return nil
}

// checkExampleValues checks the words an example sets against the
// attributes' vocabularies, as conditions are checked.
func (r *Rule) checkExampleValues(ex map[string]map[string]any) error {
	for _, k := range sortedKeys(ex) {
		if Kind(k) != r.AppliesTo && Kind(k) != KindOrg {
			continue // RunExample says why
		}
		for _, name := range sortedKeys(ex[k]) {
			var words []string
			switch v := ex[k][name].(type) {
			case string:
				words = []string{v}
			case []any:
				for _, e := range v {
					if s, ok := e.(string); ok {
						words = append(words, s)
					}
				}
			}
			for _, w := range words {
				if err := checkValue(Kind(k), name, w); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// ruleLines finds the lines of a rule file's parts.
type ruleLines struct{ rules []ast.Node }

func linesOf(f *ast.File) ruleLines {
	if len(f.Docs) == 0 || f.Docs[0].Body == nil {
		return ruleLines{}
	}
	if seq, ok := unwrap(f.Docs[0].Body).(*ast.SequenceNode); ok {
		return ruleLines{rules: seq.Values}
	}
	return ruleLines{}
}

// line returns the line of rule i's part at path (keys and indexes), or
// of the nearest enclosing part that exists; 0 when rule i is not found.
func (d ruleLines) line(i int, path ...any) int {
	if i >= len(d.rules) {
		return 0
	}
	n := d.rules[i]
	line := lineOf(n)
	for _, p := range path {
		var l int
		n, l = child(n, p)
		if n == nil {
			break
		}
		line = l
	}
	return line
}

func child(n ast.Node, p any) (ast.Node, int) {
	switch p := p.(type) {
	case string:
		for _, mv := range pairs(unwrap(n)) {
			if mv.Key != nil && mv.Key.GetToken() != nil && mv.Key.GetToken().Value == p {
				return mv.Value, mv.Key.GetToken().Position.Line
			}
		}
	case int:
		if seq, ok := unwrap(n).(*ast.SequenceNode); ok && p < len(seq.Values) {
			return seq.Values[p], lineOf(seq.Values[p])
		}
	}
	return nil, 0
}

func pairs(n ast.Node) []*ast.MappingValueNode {
	switch m := n.(type) {
	case *ast.MappingNode:
		return m.Values
	case *ast.MappingValueNode:
		return []*ast.MappingValueNode{m}
	}
	return nil
}

func unwrap(n ast.Node) ast.Node {
	for {
		switch v := n.(type) {
		case *ast.AnchorNode:
			n = v.Value
		case *ast.TagNode:
			n = v.Value
		default:
			return n
		}
	}
}

// lineOf is the line a node starts on: a mapping's first key.
func lineOf(n ast.Node) int {
	if ps := pairs(unwrap(n)); len(ps) > 0 && ps[0].Key != nil {
		n = ps[0].Key
	}
	if n == nil || n.GetToken() == nil || n.GetToken().Position == nil {
		return 0
	}
	return n.GetToken().Position.Line
}
