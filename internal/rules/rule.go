// Package rules holds the risk rules: data files that say, for one kind of
// model element, when a threat/vulnerability pair applies, what it cites in
// the Security Rule, how its likelihood and impact are decided and how to fix
// it. Conditions are CEL expressions — side-effect free, non-Turing-complete,
// linear in time and bounded by a cost limit — over views of the model that
// this package derives in Go.
package rules

import (
	"fmt"
	"io/fs"
	"slices"
	"sort"
	"strings"

	"rcmguard/internal/catalog"
)

// Rule is one billing-specific risk rule.
type Rule struct {
	ID             string       `yaml:"id" json:"id"`
	Title          string       `yaml:"title" json:"title"`
	AppliesTo      Kind         `yaml:"applies_to" json:"applies_to"`
	When           string       `yaml:"when" json:"when"`
	Citations      []string     `yaml:"citations" json:"citations"`
	Area           string       `yaml:"area" json:"area"`
	Threat         string       `yaml:"threat" json:"threat"`
	Vulnerability  string       `yaml:"vulnerability" json:"vulnerability"`
	ThreatClass    string       `yaml:"threat_class" json:"threat_class"`
	CIA            []string     `yaml:"cia" json:"cia"`
	Detection      string       `yaml:"detection" json:"detection"`
	Rating         string       `yaml:"rating" json:"rating"`
	Likelihood     []Adjustment `yaml:"likelihood" json:"likelihood,omitempty"`
	Impact         []Adjustment `yaml:"impact" json:"impact,omitempty"`
	Mitigation     string       `yaml:"mitigation" json:"mitigation"`
	FalsePositives string       `yaml:"false_positives" json:"false_positives"`
	References     []string     `yaml:"references" json:"references,omitempty"`
	Owner          string       `yaml:"owner" json:"owner"`
	Effort         string       `yaml:"effort" json:"effort"`
	Residual       int          `yaml:"residual" json:"residual"`
	Regulation     string       `yaml:"regulation" json:"regulation,omitempty"`
	Evidence       bool         `yaml:"evidence" json:"evidence"`
	// Basis is empty for a HIPAA risk, or "business" for a risk to the
	// organisation's money or operations that HIPAA does not govern unless
	// patient data is involved; the report labels it, and it does not count
	// as examining any specification.
	Basis    string   `yaml:"basis" json:"basis,omitempty"`
	Examples Examples `yaml:"examples" json:"-"`
	// Replaces names the earlier rule (a built-in one, usually) this one
	// takes the place of; without it a clash of IDs is an error.
	Replaces string `yaml:"replaces" json:"replaces,omitempty"`

	Source string `yaml:"-" json:"source"` // file the rule came from

	when  program
	adjL  []program
	adjI  []program
	order int
}

// Adjustment is a rule-specific likelihood or impact factor.
type Adjustment struct {
	When   string `yaml:"when" json:"when"`
	Points int    `yaml:"points" json:"points"`
	Name   string `yaml:"name" json:"name"`
	Reason string `yaml:"reason" json:"reason"`
}

// Examples are the cases a rule must and must not trigger on. Each case
// maps a variable (the rule's element kind, and optionally "org") to the
// attributes that differ from a well-controlled element.
type Examples struct {
	Trigger   []map[string]map[string]any `yaml:"trigger"`
	NoTrigger []map[string]map[string]any `yaml:"no_trigger"`
}

// BasisBusiness marks a rule whose risk is to the business, not a HIPAA
// requirement.
const BasisBusiness = "business"

// Owners are the remediation owners the plan groups work by.
var Owners = []string{"security_official", "practice_manager", "billing_manager", "it", "vendor_management", "compliance"}

// Set is a loaded, compiled rule set.
type Set struct {
	Rules []*Rule
	byID  map[string]*Rule
}

// Get returns a rule by ID.
func (s *Set) Get(id string) (*Rule, bool) {
	r, ok := s.byID[id]
	return r, ok
}

// Source is a named directory of rule files.
type Source struct {
	Name string
	FS   fs.FS
}

var areas = []string{"edi", "portal", "api", "followup", "outsourcing", "vendor", "client", "technical", "monitoring", "training", "incident", "contingency", "access", "payment", "workflow", "policy", "evidence", "model", "nprm", "physical"}

func (r *Rule) check(cat *catalog.Catalog) error {
	var missing []string
	for name, v := range map[string]string{
		"id": r.ID, "title": r.Title, "when": r.When, "threat": r.Threat, "vulnerability": r.Vulnerability,
		"detection": r.Detection, "rating": r.Rating, "mitigation": r.Mitigation, "false_positives": r.FalsePositives,
		"threat_class": r.ThreatClass, "owner": r.Owner, "area": r.Area,
	} {
		if strings.TrimSpace(v) == "" {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		return fmt.Errorf("missing %s", strings.Join(missing, ", "))
	}
	if !slices.Contains(Kinds, r.AppliesTo) {
		return atField(fmt.Errorf("applies_to %q: want one of %v", r.AppliesTo, Kinds), "applies_to")
	}
	if len(r.Citations) == 0 {
		return atField(fmt.Errorf("cites nothing; every rule cites the regulation"), "citations")
	}
	for i, c := range r.Citations {
		if !cat.Known(c) {
			return atField(fmt.Errorf("citation %q is not in the catalog", c), "citations", i)
		}
	}
	if _, ok := threatClasses[r.ThreatClass]; !ok {
		return atField(fmt.Errorf("threat_class %q: want one of %s", r.ThreatClass, strings.Join(threatClassNames(), ", ")), "threat_class")
	}
	if len(r.CIA) == 0 {
		return atField(fmt.Errorf("cia: name at least one of confidentiality, integrity, availability"), "cia")
	}
	for i, c := range r.CIA {
		if c != "confidentiality" && c != "integrity" && c != "availability" {
			return atField(fmt.Errorf("cia %q: want confidentiality, integrity or availability", c), "cia", i)
		}
	}
	if !slices.Contains(Owners, r.Owner) {
		return atField(fmt.Errorf("owner %q: want one of %s", r.Owner, strings.Join(Owners, ", ")), "owner")
	}
	if !slices.Contains(areas, r.Area) {
		return atField(fmt.Errorf("area %q: want one of %s", r.Area, strings.Join(areas, ", ")), "area")
	}
	switch r.Effort {
	case "low", "medium", "high":
	case "":
		r.Effort = "medium"
	default:
		return atField(fmt.Errorf("effort %q: want low, medium or high", r.Effort), "effort")
	}
	if r.Basis != "" && r.Basis != BasisBusiness {
		return atField(fmt.Errorf("basis %q: leave empty for a HIPAA risk, or %s for a business risk HIPAA does not govern", r.Basis, BasisBusiness), "basis")
	}
	if r.Regulation != "" && r.Regulation != "nprm-2025-proposed" {
		return atField(fmt.Errorf("regulation %q: leave empty, or nprm-2025-proposed for proposed-rule checks", r.Regulation), "regulation")
	}
	if r.Residual == 0 {
		r.Residual = 35
	}
	if r.Residual < 0 || r.Residual > 90 {
		return atField(fmt.Errorf("residual %d: the likelihood reduction of the mitigation is 1–90 points", r.Residual), "residual")
	}
	if len(r.Examples.Trigger) == 0 || len(r.Examples.NoTrigger) == 0 {
		return atField(fmt.Errorf("needs at least one example that triggers it and one that does not"), "examples")
	}
	for _, adj := range []struct {
		field string
		list  []Adjustment
	}{{"likelihood", r.Likelihood}, {"impact", r.Impact}} {
		for i, a := range adj.list {
			if a.Name == "" || a.Reason == "" || a.When == "" || a.Points == 0 {
				return atField(fmt.Errorf("each likelihood/impact adjustment needs when, points (non-zero), name and reason"), adj.field, i)
			}
		}
	}
	return nil
}
