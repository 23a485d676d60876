package audit

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var actionShape = regexp.MustCompile(`^[a-z_]+(\.[a-z_]+)+$`)

func TestActionsAreDeclaredOnce(t *testing.T) {
	seen := map[Action]bool{}
	for _, a := range fixed {
		if seen[a] {
			t.Errorf("action %q declared twice", a)
		}
		seen[a] = true
		if !actionShape.MatchString(string(a)) {
			t.Errorf("action %q is not dotted lower-case words", a)
		}
	}
}

func TestKnown(t *testing.T) {
	for _, tc := range []struct {
		a    Action
		want bool
	}{
		{RiskDecide, true},
		{ModelChange("flow", Create), true},
		{ModelChange("systems", Delete), true},
		{"model.systems.edit", false},
		{"model..update", false},
		{"risk.decid", false},
		{"", false},
	} {
		if got := Known(tc.a); got != tc.want {
			t.Errorf("Known(%q) = %t; want %t", tc.a, got, tc.want)
		}
	}
}

// TestActionsAreSpeltAsConstants reads the module's Go files for audit
// events and checks that production code never spells an action as a
// literal (Action: "..."): Action's type would accept an untyped string,
// and a typo there would write entries under a name nobody searches for.
// Tests may write made-up actions to chains of their own.
func TestActionsAreSpeltAsConstants(t *testing.T) {
	root := filepath.Join("..", "..")
	fset := token.NewFileSet()
	n := 0
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".")) && p != root {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, p, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(x ast.Node) bool {
			kv, ok := x.(*ast.KeyValueExpr)
			if !ok {
				return true
			}
			if k, ok := kv.Key.(*ast.Ident); !ok || k.Name != "Action" {
				return true
			}
			n++
			if lit, ok := kv.Value.(*ast.BasicLit); ok && lit.Kind == token.STRING {
				t.Errorf("%s: audit action %s spelt as a literal; use its constant in audit/actions.go", fset.Position(lit.Pos()), lit.Value)
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n == 0 {
		t.Fatal("found no audit events written with an action: the walk looks in the wrong place")
	}
}
