package web

import (
	"io/fs"
	"slices"
	"strings"
	"testing"
)

// TestEveryTemplateIsDeclared fails when a file in templates/ is not in
// the views list (it would never be parsed at start-up, so a broken one
// would only show on its page) or a view has no file.
func TestEveryTemplateIsDeclared(t *testing.T) {
	files, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range files {
		n := strings.TrimSuffix(strings.TrimPrefix(f, "templates/"), ".html")
		if n == "layout" || n == "list_parts" { // parsed with every view
			continue
		}
		names = append(names, n)
		if !slices.Contains(views, n) {
			t.Errorf("templates/%s.html is not declared in views", n)
		}
	}
	for _, v := range views {
		if !slices.Contains(names, v) {
			t.Errorf("view %s has no template file", v)
		}
	}
	a, err := loadAssets()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := parseTemplates(a); err != nil {
		t.Fatal(err)
	}
}
