package app_test

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// forbidden are the imports that would run upward (docs/design.md): the
// core never reaches storage or the edges, the application never reaches
// its adapters, storage never reaches the layers above it.
var forbidden = map[string][]string{
	"model":    {"store", "app", "web", "cli", "auth", "audit"},
	"catalog":  {"store", "app", "web", "cli", "auth", "audit"},
	"risk":     {"store", "app", "web", "cli", "auth", "audit"},
	"rules":    {"store", "app", "web", "cli", "auth", "audit"},
	"evidence": {"store", "app", "web", "cli", "auth", "audit"},
	"assess":   {"store", "app", "web", "cli", "auth", "audit"},
	"report":   {"store", "app", "web", "cli", "auth", "audit"},
	"app":      {"web", "cli"},
	"store":    {"app", "web", "cli", "auth", "audit"},
	"audit":    {"app", "web", "cli", "auth"},
	"auth":     {"app", "web", "cli"},
	"notify":   {"app", "web", "cli", "store"},
	"cache":    {"app", "web", "cli", "store"},
}

func TestImportsRunDownward(t *testing.T) {
	fset := token.NewFileSet()
	for pkg, banned := range forbidden {
		dir := filepath.Join("..", pkg)
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil || len(files) == 0 {
			t.Fatalf("package %s: no Go files in %s (%v)", pkg, dir, err)
		}
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			src, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			af, err := parser.ParseFile(fset, f, src, parser.ImportsOnly)
			if err != nil {
				t.Fatal(err)
			}
			for _, imp := range af.Imports {
				path, _ := strconv.Unquote(imp.Path.Value)
				for _, b := range banned {
					if path == "rcmguard/internal/"+b || strings.HasPrefix(path, "rcmguard/internal/"+b+"/") {
						t.Errorf("%s imports %s: the import runs upward (docs/design.md)", f, path)
					}
				}
			}
		}
	}
}
