package rules

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"

	"rcmguard/internal/catalog"
)

func loadBuiltin(t testing.TB) *Set {
	t.Helper()
	s, err := Load(Builtin())
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestExamples runs every rule's own examples: each must trigger it or not.
func TestExamples(t *testing.T) {
	s := loadBuiltin(t)
	for _, r := range s.Rules {
		t.Run(r.ID, func(t *testing.T) {
			for i, ex := range r.Examples.Trigger {
				got, err := r.RunExample(ex)
				if err != nil {
					t.Fatalf("trigger example %d: %v", i, err)
				}
				if !got {
					t.Errorf("trigger example %d %v did not trigger", i, ex)
				}
			}
			for i, ex := range r.Examples.NoTrigger {
				got, err := r.RunExample(ex)
				if err != nil {
					t.Fatalf("no_trigger example %d: %v", i, err)
				}
				if got {
					t.Errorf("no_trigger example %d %v triggered", i, ex)
				}
			}
		})
	}
}

// TestSafeViewTriggersNothing: a fully controlled element of every kind
// must raise no risk, or the examples' baseline would be meaningless.
func TestSafeViewTriggersNothing(t *testing.T) {
	s := loadBuiltin(t)
	for _, r := range s.Rules {
		got, err := r.RunExample(nil)
		if err != nil {
			t.Fatalf("%s: %v", r.ID, err)
		}
		if got {
			t.Errorf("%s triggers on a well-controlled %s", r.ID, r.AppliesTo)
		}
	}
}

// TestRuleCitations: every built-in rule cites the catalog. The rule IDs
// themselves are held to a golden list (ids_test.go).
func TestRuleCitations(t *testing.T) {
	s := loadBuiltin(t)
	cat := catalog.MustLoad()
	for _, r := range s.Rules {
		for _, c := range r.Citations {
			if !cat.Known(c) {
				t.Errorf("%s cites unknown %s", r.ID, c)
			}
		}
	}
}

func TestLoadRejects(t *testing.T) {
	base := func(mut string) string {
		r := `- id: X-01
  title: t
  area: edi
  applies_to: flow
  when: flow.edi
  citations: ["164.312(d)"]
  threat: t
  vulnerability: v
  threat_class: hacking
  cia: [confidentiality]
  detection: d
  rating: r
  mitigation: m
  false_positives: f
  owner: it
  examples:
    trigger: [{flow: {edi: true}}]
    no_trigger: [{flow: {edi: false}}]
`
		if mut != "" {
			old, nw, _ := strings.Cut(mut, "=>")
			r = strings.Replace(r, old, nw, 1)
		}
		return r
	}
	cases := map[string]struct{ mut, want string }{
		"typo attribute":   {"when: flow.edi=>when: flow.edii", `flow has no attribute "edii"`},
		"other variable":   {"when: flow.edi=>when: system.stores_phi", "may read flow and org"},
		"not boolean":      {"when: flow.edi=>when: flow.channel", "must be true or false"},
		"syntax":           {"when: flow.edi=>when: flow.edi &&", "Syntax error"},
		"unknown citation": {`["164.312(d)"]=>["164.999(q)"]`, "not in the catalog"},
		"unknown key":      {"  owner: it=>  owner: it\n  severity: high", "unknown field"},
		"no examples":      {"    no_trigger: [{flow: {edi: false}}]=>", "needs at least one example"},
		"bad class":        {"threat_class: hacking=>threat_class: aliens", "threat_class"},
		"policy typo":      {"when: flow.edi=>when: org.policies.incident_respons.exists", "unknown policy kind"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			fsys := fstest.MapFS{"r.yaml": {Data: []byte(base(tc.mut))}}
			_, err := Load(Source{Name: "user", FS: fsys})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want an error containing %q", err, tc.want)
			}
		})
	}
	// The unmutated rule loads, so each case above fails for its own reason.
	if _, err := Load(Source{Name: "user", FS: fstest.MapFS{"r.yaml": {Data: []byte(base(""))}}}); err != nil {
		t.Fatalf("baseline rule: %v", err)
	}
}

// TestUserRuleOverridesBuiltin: users add and replace rules without
// rebuilding.
func TestUserRuleOverridesBuiltin(t *testing.T) {
	dir := t.TempDir()
	b, err := builtinFS.ReadFile("builtin/edi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	changed := strings.Replace(string(b), "title: Shared clearinghouse credentials on the claims pipeline", "title: Shared clearinghouse logins (local wording)", 1)
	// Every rule of the copy says it replaces the built-in one.
	changed = regexp.MustCompile(`(?m)^- id: (\S+)$`).ReplaceAllString(changed, "- id: $1\n  replaces: $1")
	if err := os.WriteFile(filepath.Join(dir, "local.yaml"), []byte(changed), 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := Load(Builtin(), Source{Name: dir, FS: os.DirFS(dir)})
	if err != nil {
		t.Fatal(err)
	}
	r, ok := s.Get("EDI-02")
	if !ok || r.Title != "Shared clearinghouse logins (local wording)" {
		t.Fatalf("EDI-02 not replaced: %+v", r)
	}
	n := 0
	for _, x := range s.Rules {
		if x.ID == "EDI-02" {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("EDI-02 appears %d times", n)
	}
}
