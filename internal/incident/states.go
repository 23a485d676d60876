package incident

import (
	_ "embed"
	"fmt"
	"sort"

	"github.com/goccy/go-yaml"
)

// StateLaw is one State's breach-notification statute as the clocks use it.
type StateLaw struct {
	State          string        `yaml:"state"`
	Statute        string        `yaml:"statute"`
	HIPAASatisfies string        `yaml:"hipaa_satisfies"`
	Read           string        `yaml:"read"`
	Sources        []Source      `yaml:"sources"`
	Notices        []StateNotice `yaml:"notices"`
}

// Source is a text read, through the project's search tool, to write an
// entry, and what it was read for.
type Source struct {
	URL     string `yaml:"url" json:"url"`
	ReadFor string `yaml:"read_for" json:"read_for"`
}

// StateNotice is one notice a State law requires.
type StateNotice struct {
	To           string   `yaml:"to"`
	Agency       string   `yaml:"agency"`
	Role         Role     `yaml:"role"`
	Citation     string   `yaml:"citation"`
	Days         int      `yaml:"days"`
	MinResidents int      `yaml:"min_residents"`
	Contents     []string `yaml:"contents"`
}

//go:embed states.yaml
var statesYAML []byte

// stateLaws is the embedded table by State code; loadStates is tested, so a
// bad edit to states.yaml fails the tests rather than a run.
var stateLaws = mustLoadStates(statesYAML)

func mustLoadStates(data []byte) map[string]StateLaw {
	m, err := loadStates(data)
	if err != nil {
		panic(err)
	}
	return m
}

func loadStates(data []byte) (map[string]StateLaw, error) {
	var list []StateLaw
	if err := yaml.UnmarshalWithOptions(data, &list, yaml.Strict(), yaml.DisallowUnknownField()); err != nil {
		return nil, fmt.Errorf("incident: states.yaml: %w", err)
	}
	m := make(map[string]StateLaw, len(list))
	for _, l := range list {
		switch {
		case stateCodes[l.State] == "":
			return nil, fmt.Errorf("incident: states.yaml: %q is not a State code", l.State)
		case m[l.State].State != "":
			return nil, fmt.Errorf("incident: states.yaml: %s listed twice", l.State)
		case l.Statute == "" || len(l.Sources) == 0:
			return nil, fmt.Errorf("incident: states.yaml: %s has no statute or no source read", l.State)
		case l.HIPAASatisfies != "yes" && l.HIPAASatisfies != "no" && l.HIPAASatisfies != "unverified":
			return nil, fmt.Errorf("incident: states.yaml: %s: hipaa_satisfies is yes, no or unverified", l.State)
		}
		if _, ok := ParseDate(l.Read); !ok {
			return nil, fmt.Errorf("incident: states.yaml: %s: read %q is not a date", l.State, l.Read)
		}
		for _, n := range l.Notices {
			if n.Days < 1 || n.MinResidents < 1 || n.Citation == "" || len(n.Contents) == 0 ||
				(n.Role != RoleCoveredEntity && n.Role != RoleBusinessAssociate) {
				return nil, fmt.Errorf("incident: states.yaml: %s: notice to %s needs role, citation, days, min_residents and contents", l.State, n.To)
			}
		}
		m[l.State] = l
	}
	return m, nil
}

// StateLaws is the table of State laws the clocks apply, sorted by State.
func StateLaws() []StateLaw {
	out := make([]StateLaw, 0, len(stateLaws))
	for _, l := range stateLaws {
		out = append(out, l)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].State < out[j].State })
	return out
}
