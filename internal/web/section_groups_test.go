package web

import (
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestNestedBlocksAreGrouped: a system's nested blocks (patching, audit
// log, backup) each show under their own legend with short labels, while
// an optional block (the API) keeps its full labels, and top-level inputs
// stay outside any group.
func TestNestedBlocksAreGrouped(t *testing.T) {
	e := newTestEnv(t, filepath.Join(t.TempDir(), "rcmguard.db"))
	ws := e.ws["A"].ID
	_, m, _, err := e.srv.app.CurrentModel(t.Context(), ws)
	if err != nil {
		t.Fatal(err)
	}
	b := e.signIn("A:compliance_officer")
	_, body := b.get(wsPath(ws, "/model/s/systems/"+url.PathEscape(m.Systems[0].ID)))
	for _, g := range []struct{ legend, key, label string }{
		{"Patching", "patching.cadence", "Cadence"},
		{"Audit log", "audit_log.retention_days", "Retention days"},
		{"Backup", "backup.frequency", "Frequency"},
	} {
		re := regexp.MustCompile(`(?s)<fieldset class="block" id="[^"]+"><legend>` + g.legend + `</legend>(.*?)</fieldset>`)
		m := re.FindStringSubmatch(body)
		if m == nil {
			t.Errorf("no fieldset with the legend %s", g.legend)
			continue
		}
		if !strings.Contains(m[1], `<label for="f-`+g.key+`">`+g.label+` <span class="meta">(optional)</span></label>`) {
			t.Errorf("%s: no short label %q for %s inside its fieldset", g.legend, g.label, g.key)
		}
	}
	if !strings.Contains(body, `<label for="f-name">Name</label>`) || strings.Contains(body, "<legend>Name</legend>") {
		t.Error("a top-level input is not labelled on its own")
	}

	groups := groupInputs([]formInput{{Key: "a"}, {Key: "b.x", Group: "B"}, {Key: "b.y", Group: "B"}, {Key: "c"}, {Key: "d.x", Group: "D"}})
	var got []string
	for _, g := range groups {
		got = append(got, g.Title+":"+itoa(int64(len(g.Inputs))))
	}
	if strings.Join(got, ",") != ":1,B:2,:1,D:1" {
		t.Errorf("groupInputs runs = %v", got)
	}
}
