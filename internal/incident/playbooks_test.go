package incident

import (
	"strings"
	"testing"
)

// TestPlaybooks: the embedded playbooks load and cover at least the
// incidents of issue 14, each step owned by an acting role.
func TestPlaybooks(t *testing.T) {
	want := []string{"portal-credentials", "lost-laptop", "misdirected-statements", "misdirected-email",
		"ransomware-pm", "vendor-breach", "diverted-payments", "insider-snooping"}
	for _, id := range want {
		p, ok := PlaybookByID(id)
		if !ok {
			t.Errorf("no playbook %s", id)
			continue
		}
		if len(p.Items()) < 5 {
			t.Errorf("%s has %d checklist items; want a real checklist", id, len(p.Items()))
		}
		assess := false
		for _, k := range p.Items() {
			assess = assess || strings.HasPrefix(k, "assess.")
		}
		if !assess {
			t.Errorf("%s has no breach assessment step", id)
		}
	}
	if _, ok := PlaybookByID("nope"); ok {
		t.Error("unknown playbook found")
	}
}

func TestLoadPlaybooksRefuses(t *testing.T) {
	for name, src := range map[string]string{
		"unknown key": "- {id: a, title: A, steps: [{id: s, title: S, owner: owner, checklist: [{id: i, text: T}]}], extra: 1}",
		"bad owner":   "- {id: a, title: A, steps: [{id: s, title: S, owner: auditor, checklist: [{id: i, text: T}]}]}",
		"duplicate":   "- {id: a, title: A, steps: [{id: s, title: S, owner: owner, checklist: [{id: i, text: T}, {id: i, text: U}]}]}",
		"no steps":    "- {id: a, title: A, steps: []}",
	} {
		if _, err := loadPlaybooks([]byte(src)); err == nil {
			t.Errorf("%s: loaded", name)
		}
	}
}
