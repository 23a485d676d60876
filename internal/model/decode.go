package model

import (
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
	"sync"

	"github.com/goccy/go-yaml/ast"
)

// decoder turns a YAML syntax tree into a Model by reflection over the
// struct tags. It is ours rather than the YAML library's so that every
// unknown key, wrong type and missing key is reported — all of them, not just
// the first — with its position and what was expected there.
type decoder struct {
	file      string
	errs      ErrorList
	anchors   map[string]ast.Node
	positions map[string]Pos
	// nodes counts the values decoded, each alias expansion anew, and
	// aliases those expansions: past MaxNodes decoding stops, so a few
	// aliases that fan out ("billion laughs") cost no more than the largest
	// model the token limit lets through.
	nodes, aliases int
	stopped        bool
}

func (d *decoder) errorf(n ast.Node, path, format string, args ...any) {
	if len(d.errs) >= maxErrors {
		return
	}
	d.errs = append(d.errs, Error{File: d.file, Pos: nodePos(n), Path: path, Msg: fmt.Sprintf(format, args...)})
}

func nodePos(n ast.Node) Pos {
	if n == nil {
		return Pos{}
	}
	tk := n.GetToken()
	if tk == nil || tk.Position == nil {
		return Pos{}
	}
	return Pos{Line: tk.Position.Line, Col: tk.Position.Column}
}

// resolve strips anchors, tags and comments and follows aliases.
func (d *decoder) resolve(n ast.Node, path string) ast.Node {
	for i := 0; i < 16 && n != nil; i++ {
		switch v := n.(type) {
		case *ast.AnchorNode:
			if name, ok := v.Name.(*ast.StringNode); ok {
				d.anchors[name.Value] = v.Value
			}
			n = v.Value
		case *ast.AliasNode:
			name := ""
			if v.Value != nil {
				name = v.Value.GetToken().Value
			}
			target, ok := d.anchors[name]
			if !ok {
				d.errorf(v, path, "alias *%s refers to no anchor defined before it", name)
				return nil
			}
			d.aliases++
			n = target
		case *ast.TagNode:
			n = v.Value
		default:
			return n
		}
	}
	return n
}

func (d *decoder) decode(n ast.Node, v reflect.Value, path string) {
	if d.stopped {
		return
	}
	d.nodes++
	if d.nodes > MaxNodes {
		d.stopped = true
		// Past the error cap too: this is the one error that must be seen.
		e := limitError(d.file, nodePos(n), "model expands aliases beyond %d nodes", MaxNodes)
		if d.aliases == 0 {
			e = tooManyNodes(d.file)
		}
		e.Path = path
		d.errs = append(d.errs, e)
		return
	}
	n = d.resolve(n, path)
	if n == nil {
		return
	}
	if path != "" {
		d.positions[path] = nodePos(n)
	}
	if _, isNull := n.(*ast.NullNode); isNull {
		return // an empty value leaves the zero value; required keys are checked by the caller
	}
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			v.Set(reflect.New(v.Type().Elem()))
		}
		d.decode(n, v.Elem(), path)
	case reflect.Struct:
		d.decodeStruct(n, v, path)
	case reflect.Slice:
		seq, ok := n.(*ast.SequenceNode)
		if !ok {
			d.errorf(n, path, "want a list (lines starting with \"- \"), got %s", describe(n))
			return
		}
		s := reflect.MakeSlice(v.Type(), len(seq.Values), len(seq.Values))
		for i, item := range seq.Values {
			d.decode(item, s.Index(i), fmt.Sprintf("%s[%d]", path, i))
		}
		v.Set(s)
	case reflect.String:
		text, ok := scalarText(n)
		if !ok {
			d.errorf(n, path, "want a text value, got %s", describe(n))
			return
		}
		v.SetString(text)
	case reflect.Int:
		iv, ok := n.(*ast.IntegerNode)
		if !ok {
			d.errorf(n, path, "want a whole number, got %s", describe(n))
			return
		}
		x, ok := toInt(iv.Value)
		if !ok || x < 0 {
			d.errorf(n, path, "want a whole number from 0 to %d, got %s", math.MaxInt32, iv.GetToken().Value)
			return
		}
		v.SetInt(x)
	case reflect.Float64:
		switch fv := n.(type) {
		case *ast.FloatNode:
			if fv.Value < 0 || math.IsInf(fv.Value, 0) || math.IsNaN(fv.Value) {
				d.errorf(n, path, "want a positive number, got %s", fv.GetToken().Value)
				return
			}
			v.SetFloat(fv.Value)
		case *ast.IntegerNode:
			x, ok := toInt(fv.Value)
			if !ok || x < 0 {
				d.errorf(n, path, "want a positive number, got %s", fv.GetToken().Value)
				return
			}
			v.SetFloat(float64(x))
		default:
			d.errorf(n, path, "want a number, got %s", describe(n))
		}
	case reflect.Bool:
		bv, ok := n.(*ast.BoolNode)
		if !ok {
			d.errorf(n, path, "want true or false, got %s", describe(n))
			return
		}
		v.SetBool(bv.Value)
	default:
		d.errorf(n, path, "internal: cannot decode into %s", v.Type())
	}
}

func (d *decoder) decodeStruct(n ast.Node, v reflect.Value, path string) {
	pairs, ok := mappingPairs(n)
	if !ok {
		d.errorf(n, path, "want a mapping of keys to values, got %s", describe(n))
		return
	}
	fields := structFields(v.Type())
	seen := make(map[string]bool, len(pairs))
	for _, p := range pairs {
		keyNode := d.resolve(p.Key, path)
		key, _ := scalarText(keyNode)
		child := key
		if path != "" {
			child = path + "." + key
		}
		if seen[key] {
			d.errorf(p.Key, child, "duplicate key %q", key)
			continue
		}
		seen[key] = true
		f, ok := fields.byName[key]
		if !ok {
			d.errorf(p.Key, child, "unknown key %q; expected one of: %s", key, strings.Join(fields.names, ", "))
			continue
		}
		d.decode(p.Value, v.Field(f.index), child)
	}
	for _, f := range fields.list {
		if f.required && !seen[f.name] {
			where := path
			if where == "" {
				where = "top level"
			}
			d.errorf(n, path, "missing required key %q in %s", f.name, where)
		}
	}
}

func mappingPairs(n ast.Node) ([]*ast.MappingValueNode, bool) {
	switch m := n.(type) {
	case *ast.MappingNode:
		return m.Values, true
	case *ast.MappingValueNode:
		return []*ast.MappingValueNode{m}, true
	}
	return nil, false
}

type field struct {
	name     string
	index    int
	required bool
	doc      string
}

type fieldSet struct {
	list   []field
	byName map[string]field
	names  []string
}

// fieldCache holds structFields by type: the decoder and the validator ask
// for every struct value they meet, up to MaxNodes times a load.
var fieldCache sync.Map // reflect.Type -> fieldSet

func structFields(t reflect.Type) fieldSet {
	if fs, ok := fieldCache.Load(t); ok {
		return fs.(fieldSet)
	}
	fs := fieldSet{byName: map[string]field{}}
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		tag := sf.Tag.Get("yaml")
		if tag == "" || !sf.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		f := field{name: name, index: i, required: sf.Tag.Get("req") == "true", doc: sf.Tag.Get("doc")}
		fs.list = append(fs.list, f)
		fs.byName[name] = f
		fs.names = append(fs.names, name)
	}
	fieldCache.Store(t, fs)
	return fs
}

// scalarText returns the text of a scalar as written, so that `min_tls: 1.2`
// or `date: 2026-01-05` reach a text field unchanged.
func scalarText(n ast.Node) (string, bool) {
	switch s := n.(type) {
	case *ast.StringNode:
		return s.Value, true
	case *ast.LiteralNode:
		if s.Value != nil {
			return s.Value.Value, true
		}
		return "", true
	case *ast.IntegerNode, *ast.FloatNode, *ast.BoolNode:
		return n.GetToken().Value, true
	}
	return "", false
}

func toInt(v any) (int64, bool) {
	switch x := v.(type) {
	case int64:
		return x, x <= math.MaxInt32
	case uint64:
		return int64(x), x <= math.MaxInt32
	case int:
		return int64(x), x <= math.MaxInt32
	case string:
		i, err := strconv.ParseInt(x, 10, 64)
		return i, err == nil && i <= math.MaxInt32
	}
	return 0, false
}

func describe(n ast.Node) string {
	switch n.(type) {
	case *ast.MappingNode, *ast.MappingValueNode:
		return "a mapping"
	case *ast.SequenceNode:
		return "a list"
	case *ast.BoolNode:
		return "true/false"
	case *ast.IntegerNode, *ast.FloatNode:
		return fmt.Sprintf("the number %s", n.GetToken().Value)
	case *ast.StringNode, *ast.LiteralNode:
		t, _ := scalarText(n)
		if len(t) > 40 {
			t = t[:40] + "…"
		}
		return fmt.Sprintf("the text %q", t)
	}
	return strings.ToLower(n.Type().String())
}
