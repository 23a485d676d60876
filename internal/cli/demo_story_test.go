package cli

import (
	"strings"
	"testing"

	"rcmguard/internal/model"
)

// TestDemoModelsTellOneStory: each demo workspace's model is about that
// organisation: its name, a scope that names it, and no word of another
// demo organisation, except a billing company naming its own clients,
// every one of which the demo gives a workspace under it.
func TestDemoModelsTellOneStory(t *testing.T) {
	short := func(name string) string { return strings.Fields(name)[0] }
	for _, dw := range demoWorkspaces {
		data, err := demoModel(dw)
		if err != nil {
			t.Fatalf("%s: %v", dw.name, err)
		}
		m, err := model.Load(dw.example, data)
		if err != nil {
			t.Fatalf("%s: %v", dw.name, err)
		}
		if m.Organization.Name != dw.name {
			t.Errorf("%s: the model is of %q", dw.name, m.Organization.Name)
		}
		if !strings.Contains(m.Assessment.Scope, short(dw.name)) {
			t.Errorf("%s: the scope does not name it: %q", dw.name, m.Assessment.Scope)
		}
		clients := map[string]bool{}
		for _, c := range m.Clients {
			clients[c.Name] = true
		}
		for _, other := range demoWorkspaces {
			if other.name == dw.name {
				continue
			}
			if other.parent == dw.name {
				if !clients[other.name] {
					t.Errorf("%s: the client list lacks its client workspace %q", dw.name, other.name)
				}
				continue
			}
			text := strings.ToLower(string(data))
			if w := strings.ToLower(short(other.name)); strings.Contains(text, w) {
				t.Errorf("%s: the model speaks of %q (%s)", dw.name, short(other.name), other.name)
			}
		}
	}
}
