package model

import (
	"fmt"
	"sort"
	"strings"
)

// Pos is a place in a model file.
type Pos struct {
	Line, Col int
}

// Error is one problem in a model, located in its file.
type Error struct {
	File string // file name as given to Load
	Pos  Pos    // zero when the problem has no single place
	Path string // YAML path, e.g. flows[2].channel
	Msg  string

	tooLarge bool // a size limit refused the model (see ErrTooLarge)
}

func (e Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Pos.Line > 0 {
		fmt.Fprintf(&b, ":%d:%d", e.Pos.Line, e.Pos.Col)
	}
	b.WriteString(": ")
	if e.Path != "" {
		b.WriteString(e.Path)
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// ErrorList is every problem found in a model, in file order.
type ErrorList []Error

// maxErrors bounds how many problems one load reports; past it a broken or
// hostile file would only bury the first, most useful ones.
const maxErrors = 100

func (l ErrorList) Error() string {
	var b strings.Builder
	for i, e := range l {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(e.Error())
	}
	return b.String()
}

// Is reports whether the list holds an error that ErrTooLarge stands for.
func (l ErrorList) Is(target error) bool {
	if target != ErrTooLarge {
		return false
	}
	for _, e := range l {
		if e.tooLarge {
			return true
		}
	}
	return false
}

func (l ErrorList) sorted() ErrorList {
	sort.SliceStable(l, func(i, j int) bool {
		a, b := l[i].Pos, l[j].Pos
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Col < b.Col
	})
	return l
}
