package incident

import (
	_ "embed"
	"fmt"

	"github.com/goccy/go-yaml"
)

// Playbook is a billing-specific response to one kind of incident: steps,
// each owned by a workspace role, each with a checklist.
type Playbook struct {
	ID      string `yaml:"id" json:"id"`
	Title   string `yaml:"title" json:"title"`
	Summary string `yaml:"summary" json:"summary"`
	Steps   []Step `yaml:"steps" json:"steps"`
}

// Step is one stage of a playbook.
type Step struct {
	ID        string `yaml:"id" json:"id"`
	Title     string `yaml:"title" json:"title"`
	Owner     string `yaml:"owner" json:"owner"` // a workspace role: owner, compliance_officer, contributor
	Checklist []Item `yaml:"checklist" json:"checklist"`
}

// Item is one thing to do; its key on an incident is "step.item".
type Item struct {
	ID   string `yaml:"id" json:"id"`
	Text string `yaml:"text" json:"text"`
}

// Key is how an incident records this item of step as done.
func (s Step) Key(it Item) string { return s.ID + "." + it.ID }

//go:embed playbooks.yaml
var playbooksYAML []byte

// playbooks is the embedded list; loadPlaybooks is tested, so a bad edit
// of playbooks.yaml fails the tests rather than a start.
var playbooks = mustLoadPlaybooks(playbooksYAML)

func mustLoadPlaybooks(data []byte) []Playbook {
	p, err := loadPlaybooks(data)
	if err != nil {
		panic(err)
	}
	return p
}

// playbookOwners are the roles a step may be owned by: the workspace's
// roles that act (an auditor only reads).
var playbookOwners = map[string]bool{"owner": true, "compliance_officer": true, "contributor": true}

func loadPlaybooks(data []byte) ([]Playbook, error) {
	var list []Playbook
	if err := yaml.UnmarshalWithOptions(data, &list, yaml.Strict(), yaml.DisallowUnknownField()); err != nil {
		return nil, fmt.Errorf("incident: playbooks.yaml: %w", err)
	}
	ids := map[string]bool{}
	for _, p := range list {
		if p.ID == "" || p.Title == "" || len(p.Steps) == 0 {
			return nil, fmt.Errorf("incident: playbooks.yaml: playbook %q needs an id, a title and steps", p.ID)
		}
		if ids[p.ID] {
			return nil, fmt.Errorf("incident: playbooks.yaml: playbook %q is listed twice", p.ID)
		}
		ids[p.ID] = true
		keys := map[string]bool{}
		for _, s := range p.Steps {
			if s.ID == "" || s.Title == "" || len(s.Checklist) == 0 {
				return nil, fmt.Errorf("incident: playbooks.yaml: %s: step %q needs an id, a title and a checklist", p.ID, s.ID)
			}
			if !playbookOwners[s.Owner] {
				return nil, fmt.Errorf("incident: playbooks.yaml: %s.%s: owner %q is not owner, compliance_officer or contributor", p.ID, s.ID, s.Owner)
			}
			for _, it := range s.Checklist {
				k := s.Key(it)
				if it.ID == "" || it.Text == "" || keys[k] {
					return nil, fmt.Errorf("incident: playbooks.yaml: %s: item %q is empty or listed twice", p.ID, k)
				}
				keys[k] = true
			}
		}
	}
	return list, nil
}

// Playbooks lists the playbooks, in the file's order.
func Playbooks() []Playbook { return playbooks }

// PlaybookByID returns a playbook, or false.
func PlaybookByID(id string) (Playbook, bool) {
	for _, p := range playbooks {
		if p.ID == id {
			return p, true
		}
	}
	return Playbook{}, false
}

// Items lists every checklist key of the playbook, in order.
func (p Playbook) Items() []string {
	var out []string
	for _, s := range p.Steps {
		for _, it := range s.Checklist {
			out = append(out, s.Key(it))
		}
	}
	return out
}
