package rules

import (
	"embed"
	"io/fs"
)

//go:embed builtin/*.yaml
var builtinFS embed.FS

// Builtin is the source of the rules that ship in the binary.
func Builtin() Source {
	sub, err := fs.Sub(builtinFS, "builtin")
	if err != nil {
		panic(err) // the embedded directory is part of the build
	}
	return Source{Name: "builtin", FS: sub}
}
