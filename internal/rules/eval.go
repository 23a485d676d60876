package rules

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"rcmguard/internal/risk"
)

// Hit is a rule that applies to an element, with its rating.
type Hit struct {
	Rule       *Rule
	Element    *Element
	RiskID     string
	Likelihood *risk.Rating
	Impact     *risk.Rating
	// RestsOn names the unknown attributes the rule fired on: with each
	// answered as a well-controlled element would answer it, the rule
	// would not apply. Such a hit is provisional, not a definite finding.
	RestsOn []string
}

// Evaluate runs every rule over the graph. Rules marked for the proposed
// 2025 rule run only when the overlay is on. Elements are visited in model
// order and rules in load order, so output is deterministic.
func (s *Set) Evaluate(g *Graph) ([]Hit, error) {
	org := g.Elements[KindOrg][0].View
	nprm, _ := org["nprm"].(bool)
	var hits []Hit
	for _, r := range s.Rules {
		if r.Regulation == "nprm-2025-proposed" && !nprm {
			continue
		}
		for _, el := range g.Elements[r.AppliesTo] {
			vars := map[string]any{string(r.AppliesTo): el.View, string(KindOrg): org}
			ok, err := r.when.eval(vars)
			if err != nil {
				return nil, fmt.Errorf("rules: rule %s on %s: %w", r.ID, el.Label, err)
			}
			if !ok {
				continue
			}
			l, i, err := r.rate(el, org)
			if err != nil {
				return nil, fmt.Errorf("rules: rule %s on %s: %w", r.ID, el.Label, err)
			}
			rests, err := r.restsOn(el, org)
			if err != nil {
				return nil, fmt.Errorf("rules: rule %s on %s: %w", r.ID, el.Label, err)
			}
			hits = append(hits, Hit{Rule: r, Element: el, RiskID: risk.ID(r.ID, el.IDs...), Likelihood: l, Impact: i, RestsOn: rests})
		}
	}
	return hits, nil
}

// restsOn finds the attributes a rule that fired on el read while they
// were unknown — "unknown" tri-state values and the element's unstated
// facts — and re-evaluates it with those set to their well-controlled
// values. When it then does not fire, the finding rests on them.
func (r *Rule) restsOn(el *Element, org map[string]any) ([]string, error) {
	views := map[Kind]map[string]any{r.AppliesTo: el.View, KindOrg: org}
	stated := map[Kind]map[string]bool{}
	for _, u := range el.Unknown {
		if stated[el.Kind] == nil {
			stated[el.Kind] = map[string]bool{}
		}
		stated[el.Kind][u.Attr] = true
	}
	var names []string
	patched := map[Kind]map[string]any{}
	for _, name := range r.when.reads {
		kind, attr, _ := strings.Cut(name, ".")
		k := Kind(kind)
		view, ok := views[k]
		if !ok || strings.HasPrefix(attr, "policies") {
			continue
		}
		if view[attr] != "unknown" && !stated[k][attr] {
			continue
		}
		safe, ok := SafeView(k)[attr]
		if !ok {
			continue
		}
		if patched[k] == nil {
			patched[k] = maps.Clone(view)
		}
		patched[k][attr] = safe
		names = append(names, name)
	}
	if len(names) == 0 {
		return nil, nil
	}
	vars := map[string]any{string(r.AppliesTo): el.View, string(KindOrg): org}
	for k, v := range patched {
		vars[string(k)] = v
	}
	fires, err := r.when.eval(vars)
	if err != nil || fires {
		return nil, err
	}
	return names, nil
}

// Applicable reports whether a rule had any element to look at: a rule
// about flows says nothing in a model without flows.
func (s *Set) Applicable(r *Rule, g *Graph) bool {
	if r.Regulation == "nprm-2025-proposed" {
		if nprm, _ := g.Elements[KindOrg][0].View["nprm"].(bool); !nprm {
			return false
		}
	}
	return len(g.Elements[r.AppliesTo]) > 0
}

// Examines reports whether a rule that found nothing looked at something:
// it had elements to look at, and no attribute its condition reads is
// unknown on every one of them. A rule about whether policies are
// available examines nothing in a model that never says so.
func (s *Set) Examines(r *Rule, g *Graph) bool {
	if !s.Applicable(r, g) {
		return false
	}
	els := g.Elements[r.AppliesTo]
	for _, name := range r.when.reads {
		kind, attr, _ := strings.Cut(name, ".")
		if Kind(kind) != r.AppliesTo || strings.HasPrefix(attr, "policies") {
			continue
		}
		known := false
		for _, el := range els {
			if el.View[attr] != "unknown" && !slices.ContainsFunc(el.Unknown, func(u Unknown) bool { return u.Attr == attr }) {
				known = true
				break
			}
		}
		if !known {
			return false
		}
	}
	return true
}

// RunExample evaluates a rule on one of its examples: a safe element and a
// safe organisation, with the example's attributes laid over them.
func (r *Rule) RunExample(ex map[string]map[string]any) (bool, error) {
	org := SafeView(KindOrg)
	el := org
	if r.AppliesTo != KindOrg {
		el = SafeView(r.AppliesTo)
	}
	for k, attrs := range ex {
		var target map[string]any
		switch Kind(k) {
		case r.AppliesTo:
			target = el
		case KindOrg:
			target = org
		default:
			return false, fmt.Errorf("example sets %q; a %s rule's examples set %s or org", k, r.AppliesTo, r.AppliesTo)
		}
		for name, val := range attrs {
			if _, ok := target[name]; !ok && !(k == string(KindOrg) && name == "policies") {
				return false, fmt.Errorf("example sets unknown attribute %s.%s", k, name)
			}
			target[name] = NormalizeValue(val)
		}
	}
	vars := map[string]any{string(r.AppliesTo): el, string(KindOrg): org}
	return r.when.eval(vars)
}

// NormalizeValue turns YAML-decoded values (numbers, lists, mappings) into
// the types the rules' views use, for anything that compares with them.
func NormalizeValue(v any) any {
	switch x := v.(type) {
	case uint64:
		return int(x)
	case int64:
		return int(x)
	case []any:
		out := make([]string, 0, len(x))
		for _, e := range x {
			out = append(out, fmt.Sprint(e))
		}
		return out
	case map[string]any:
		m := map[string]any{}
		for k, e := range x {
			m[k] = NormalizeValue(e)
		}
		return m
	}
	return v
}

// Why lists the attributes the rule's condition read on an element, with
// their values, so a reader sees what made the rule apply:
// "flow.channel = ftp; flow.encrypted = false".
func (h Hit) Why(org map[string]any) string {
	var parts []string
	for _, name := range h.Rule.when.reads {
		kind, attr, _ := strings.Cut(name, ".")
		view := h.Element.View
		if Kind(kind) == KindOrg {
			view = org
		}
		if pk, field, ok := strings.Cut(strings.TrimPrefix(attr, "policies."), "."); ok && strings.HasPrefix(attr, "policies.") {
			if p, ok := view["policies"].(map[string]any)[pk].(map[string]any); ok {
				parts = append(parts, fmt.Sprintf("%s = %s", name, formatValue(p[field])))
			}
			continue
		}
		v, ok := view[attr]
		if !ok || attr == "policies" {
			continue
		}
		parts = append(parts, fmt.Sprintf("%s = %s", name, formatValue(v)))
	}
	return strings.Join(parts, "; ")
}

func formatValue(v any) string {
	switch x := v.(type) {
	case []string:
		if len(x) == 0 {
			return "none"
		}
		return strings.Join(x, ", ")
	case float64:
		return fmt.Sprintf("%.0f", x)
	case string:
		if x == "" {
			return "(not set)"
		}
	}
	return fmt.Sprint(v)
}
