// Package catalog holds the HIPAA Security Rule (45 CFR 164.308–164.316) as
// data: its 22 standards and 43 implementation specifications, the
// requirements they link to, and the proposed 2025 rule as a switchable
// overlay. The data is embedded and parsed once.
package catalog

import (
	"embed"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/goccy/go-yaml"
)

//go:embed data/*.yaml
var dataFS embed.FS

// Kind is the kind of a catalog entry.
type Kind string

const (
	Standard                    Kind = "standard"
	ImplementationSpecification Kind = "implementation_specification"
)

// Entry is one standard or implementation specification.
type Entry struct {
	ID        string   `yaml:"id" json:"id"`
	Citation  string   `yaml:"citation" json:"citation"`
	Name      string   `yaml:"name" json:"name"`
	Kind      Kind     `yaml:"kind" json:"kind"`
	Required  *bool    `yaml:"required" json:"required"` // nil for standards
	Safeguard string   `yaml:"safeguard" json:"safeguard"`
	Standard  string   `yaml:"-" json:"standard,omitempty"` // citation of the parent standard, for specifications
	Summary   string   `yaml:"summary" json:"summary"`
	Question  string   `yaml:"question" json:"question,omitempty"`
	Links     []string `yaml:"links" json:"links,omitempty"`
	Proposed  string   `yaml:"proposed" json:"proposed_2025,omitempty"`
	// Condition, for a required entry that binds only organisations of a
	// certain kind (a clearinghouse inside a larger organisation, a group
	// health plan sponsor), says which; only these may be answered "not
	// applicable".
	Condition string `yaml:"condition" json:"condition,omitempty"`
}

// IsSpec reports whether the entry is an implementation specification.
func (e *Entry) IsSpec() bool { return e.Kind == ImplementationSpecification }

// Assessable reports whether the entry is assessed on its own: every
// implementation specification, and every standard that has none (those
// standards are themselves mandatory, 164.306(d)).
func (e *Entry) Assessable() bool { return e.Question != "" }

// RA returns "Required", "Addressable" or "Standard".
func (e *Entry) RA() string {
	switch {
	case e.Required == nil:
		return "Standard"
	case *e.Required:
		return "Required"
	}
	return "Addressable"
}

// Related is a requirement outside the Security Rule that entries link to.
type Related struct {
	Citation string `yaml:"citation" json:"citation"`
	Name     string `yaml:"name" json:"name"`
	Summary  string `yaml:"summary" json:"summary"`
}

// Proposed is a requirement of the 2025 proposed rule (not final law).
type Proposed struct {
	ID      string `yaml:"id" json:"id"`
	Name    string `yaml:"name" json:"name"`
	Summary string `yaml:"summary" json:"summary"`
}

// Catalog is the whole rule set.
type Catalog struct {
	Entries    []*Entry
	Related    []Related
	Proposed   []Proposed
	byCitation map[string]*Entry
}

var (
	loadOnce sync.Once
	loaded   *Catalog
	loadErr  error
)

// Load returns the embedded catalog. It is parsed once and shared; callers
// must not modify it.
func Load() (*Catalog, error) {
	loadOnce.Do(func() { loaded, loadErr = parse() })
	return loaded, loadErr
}

// MustLoad is Load for callers that run after the catalog's own tests have
// proven the embedded data parses.
func MustLoad() *Catalog {
	c, err := Load()
	if err != nil {
		panic(err)
	}
	return c
}

func parse() (*Catalog, error) {
	c := &Catalog{byCitation: map[string]*Entry{}}
	if err := readYAML("data/security-rule.yaml", &c.Entries); err != nil {
		return nil, err
	}
	if err := readYAML("data/related.yaml", &c.Related); err != nil {
		return nil, err
	}
	if err := readYAML("data/nprm-2025.yaml", &c.Proposed); err != nil {
		return nil, err
	}
	var std *Entry
	for _, e := range c.Entries {
		if _, dup := c.byCitation[e.Citation]; dup {
			return nil, fmt.Errorf("catalog: duplicate citation %s", e.Citation)
		}
		c.byCitation[e.Citation] = e
		switch e.Kind {
		case Standard:
			std = e
		case ImplementationSpecification:
			if std == nil || !strings.HasPrefix(e.ID, std.ID+".") {
				return nil, fmt.Errorf("catalog: specification %s does not follow its standard", e.Citation)
			}
			e.Standard = std.Citation
			if e.Required == nil {
				return nil, fmt.Errorf("catalog: specification %s is neither required nor addressable", e.Citation)
			}
		default:
			return nil, fmt.Errorf("catalog: %s has unknown kind %q", e.Citation, e.Kind)
		}
	}
	return c, nil
}

func readYAML(name string, v any) error {
	b, err := dataFS.ReadFile(name)
	if err != nil {
		return fmt.Errorf("catalog: %w", err)
	}
	if err := yaml.UnmarshalWithOptions(b, v, yaml.DisallowUnknownField()); err != nil {
		return fmt.Errorf("catalog: %s: %w", name, err)
	}
	return nil
}

// Lookup finds an entry by citation ("164.312(d)") or ID ("TEC-04"). It
// accepts the citation with or without "45 CFR" and a section sign.
func (c *Catalog) Lookup(ref string) (*Entry, bool) {
	ref = normalize(ref)
	if e, ok := c.byCitation[ref]; ok {
		return e, true
	}
	for _, e := range c.Entries {
		if strings.EqualFold(e.ID, ref) {
			return e, true
		}
	}
	return nil, false
}

// RelatedTo returns a linked requirement outside the Security Rule.
func (c *Catalog) RelatedTo(citation string) (Related, bool) {
	citation = normalize(citation)
	for _, r := range c.Related {
		if normalize(r.Citation) == citation {
			return r, true
		}
	}
	return Related{}, false
}

// Known reports whether a citation is a catalog entry or a related
// requirement; rules may cite either.
func (c *Catalog) Known(citation string) bool {
	if _, ok := c.Lookup(citation); ok {
		return true
	}
	_, ok := c.RelatedTo(citation)
	return ok
}

func normalize(s string) string {
	s = strings.TrimSpace(s)
	s = strings.TrimPrefix(s, "45 CFR")
	s = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(s), "§"))
	return strings.ReplaceAll(s, " ", "")
}

// Specs returns the implementation specifications in catalog order.
func (c *Catalog) Specs() []*Entry { return c.filter(ImplementationSpecification) }

// Standards returns the standards in catalog order.
func (c *Catalog) Standards() []*Entry { return c.filter(Standard) }

func (c *Catalog) filter(k Kind) []*Entry {
	var out []*Entry
	for _, e := range c.Entries {
		if e.Kind == k {
			out = append(out, e)
		}
	}
	return out
}

// Assessable returns every entry that an assessment must cover: the 43
// specifications and the standards that have none of their own.
func (c *Catalog) Assessable() []*Entry {
	var out []*Entry
	for _, e := range c.Entries {
		if e.Assessable() {
			out = append(out, e)
		}
	}
	return out
}

// Covers reports whether a rule citing cited examines entry: only when it
// cites the entry itself. A rule citing a standard such as 164.312(e)(1)
// looks at what its condition reads, not at every specification under the
// standard, so crediting those would overstate how thorough the analysis is.
func (c *Catalog) Covers(cited, entry string) bool {
	return normalize(cited) == normalize(entry)
}

// SortCitations orders citations in catalog order, unknown ones last.
func (c *Catalog) SortCitations(cs []string) {
	idx := map[string]int{}
	for i, e := range c.Entries {
		idx[e.Citation] = i
	}
	rank := func(s string) int {
		if i, ok := idx[normalize(s)]; ok {
			return i
		}
		return len(idx)
	}
	sort.SliceStable(cs, func(i, j int) bool { return rank(cs[i]) < rank(cs[j]) })
}
