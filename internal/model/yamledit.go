package model

import (
	"fmt"
	"strings"

	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
	"github.com/goccy/go-yaml/token"
)

// The helpers below are what migrations edit a model with. A migration
// runs before the model is decoded and checked, on whatever the file
// holds: any key may be missing or of another shape, and the helpers
// answer nil rather than fail, leaving the decoder to say what is wrong.
// They change the syntax tree in place: untouched nodes keep their tokens
// (their positions, for messages about the file as written; their
// comments and layout, for the file `rcmguard migrate` writes), and a new
// node is set where its siblings are.

// lookup returns the pair with key in mapping n, or nil.
func lookup(n ast.Node, key string) *ast.MappingValueNode {
	m, ok := n.(*ast.MappingNode)
	if !ok {
		return nil
	}
	for _, p := range m.Values {
		if p.Key != nil && p.Key.GetToken() != nil && p.Key.GetToken().Value == key {
			return p
		}
	}
	return nil
}

// valueOf returns the value of key in mapping n, or nil.
func valueOf(n ast.Node, key string) ast.Node {
	if p := lookup(n, key); p != nil {
		return p.Value
	}
	return nil
}

// items returns the items of sequence n, or nil.
func items(n ast.Node) []ast.Node {
	if s, ok := n.(*ast.SequenceNode); ok {
		return s.Values
	}
	return nil
}

// setScalar replaces the value of pair p with the scalar written as text,
// at the place of the old value.
func setScalar(p *ast.MappingValueNode, text string) error {
	f, err := parser.ParseBytes([]byte("x: "+text+"\n"), 0)
	if err != nil {
		return fmt.Errorf("model: value %q: %w", text, err)
	}
	nv := lookup(f.Docs[0].Body, "x")
	if nv == nil {
		return fmt.Errorf("model: value %q is not a scalar", text)
	}
	if old := p.Value.GetToken(); old != nil && old.Position != nil {
		place(nv.Value, *old.Position)
	}
	if c := p.Value.GetComment(); c != nil {
		if err := nv.Value.SetComment(c); err != nil {
			return fmt.Errorf("model: keep comment: %w", err)
		}
	}
	p.Value = nv.Value
	return nil
}

// addPair adds `key: text` to mapping n, last or, with first, first. In a
// block mapping it is indented as the keys beside it, and its position is
// that of the mapping's first key; at the front it takes over the comment
// above that key, so that a file's opening comment stays at its top.
func addPair(n ast.Node, key, text string, first bool) (*ast.MappingValueNode, error) {
	m, ok := n.(*ast.MappingNode)
	if !ok || len(m.Values) == 0 {
		return nil, fmt.Errorf("model: add %s: not a mapping with keys", key)
	}
	anchor := m.Values[0]
	at := anchor.Key.GetToken().Position
	indent := ""
	if !m.IsFlowStyle && at.Column > 1 {
		indent = strings.Repeat(" ", at.Column-1)
	}
	f, err := parser.ParseBytes([]byte(indent+key+": "+text+"\n"), 0)
	if err != nil {
		return nil, fmt.Errorf("model: add %s: %w", key, err)
	}
	p := lookup(f.Docs[0].Body, key)
	if p == nil {
		return nil, fmt.Errorf("model: add %s: %q is not one key and value", key, text)
	}
	// Lines say where messages point; columns also decide the indentation
	// the tree is printed with, so they stay as parsed.
	placeLine(p, at.Line)
	if !first {
		m.Values = append(m.Values, p)
		return p, nil
	}
	if c := anchor.GetComment(); c != nil {
		if err := p.SetComment(c); err != nil {
			return nil, fmt.Errorf("model: add %s: %w", key, err)
		}
		if err := anchor.SetComment(nil); err != nil {
			return nil, fmt.Errorf("model: add %s: %w", key, err)
		}
	}
	m.Values = append([]*ast.MappingValueNode{p}, m.Values...)
	return p, nil
}

// place moves every token of n to pos.
func place(n ast.Node, pos token.Position) {
	ast.Walk(visitFunc(func(x ast.Node) {
		if tk := x.GetToken(); tk != nil && tk.Position != nil {
			p := pos
			tk.Position = &p
		}
	}), n)
}

// placeLine moves every token of n to line, keeping its column.
func placeLine(n ast.Node, line int) {
	ast.Walk(visitFunc(func(x ast.Node) {
		if tk := x.GetToken(); tk != nil && tk.Position != nil {
			tk.Position.Line = line
		}
	}), n)
}

type visitFunc func(ast.Node)

func (f visitFunc) Visit(n ast.Node) ast.Visitor {
	f(n)
	return f
}
