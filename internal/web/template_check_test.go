package web

import (
	"html/template"
	"strings"
	"testing"

	"rcmguard/internal/auth"
)

// TestPermissionCallsAreChecked: a page asking can or canOn about an action
// that does not exist would hide its control from everyone; such a
// template fails to load, and a call made anyway is an error.
func TestPermissionCallsAreChecked(t *testing.T) {
	funcs := template.FuncMap{"can": can, "canOn": canOn, "printf": func(string, ...any) string { return "" }}
	for name, tc := range map[string]struct {
		text string
		want string // in the error; "" for none
	}{
		"known":           {`{{if can .C "risk.update"}}x{{end}}{{if canOn .C "model.edit" "model:flows"}}y{{end}}`, ""},
		"misspelt":        {`{{define "t"}}{{if can .C "risk.updat"}}x{{end}}{{end}}`, `unknown action "risk.updat"`},
		"nested misspelt": {`{{with .C}}{{if and true (canOn . "model.edt" (printf "model:%s" "x"))}}x{{end}}{{end}}`, `unknown action "model.edt"`},
		"not a literal":   {`{{if can .C .Act}}x{{end}}`, "takes the action as a literal name"},
	} {
		tpl := template.Must(template.New(name).Funcs(funcs).Parse(tc.text))
		err := checkPermissionCalls(tpl)
		if (err == nil) != (tc.want == "") || (err != nil && !strings.Contains(err.Error(), tc.want)) {
			t.Errorf("%s: checkPermissionCalls = %v; want %q", name, err, tc.want)
		}
	}
	c := &call{Role: auth.RoleOwner}
	if ok, err := can(c, "risk.updat"); ok || err == nil {
		t.Errorf("can(owner, a misspelt action) = %t, %v; want an error", ok, err)
	}
	if ok, err := canOn(c, "risk.update", "risk:X"); !ok || err != nil {
		t.Errorf("canOn(owner, risk.update) = %t, %v; want true", ok, err)
	}
}
