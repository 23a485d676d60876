package assess

import (
	"fmt"
	"maps"
	"reflect"
	"slices"
	"sort"
	"strings"

	"rcmguard/internal/evidence"
	"rcmguard/internal/model"
	"rcmguard/internal/risk"
	"rcmguard/internal/rules"
)

// EvidenceSet is one body of evidence the analysis used: a scan, an EDI
// inspection, a probe run or a monitoring export, with its name and the
// date it was taken or received.
type EvidenceSet struct {
	Name   string          `json:"name"`
	Source string          `json:"source"` // scan, edi, probe, facts, …
	Date   string          `json:"date,omitempty"`
	Facts  []evidence.Fact `json:"-"`
	Count  int             `json:"facts"`
}

// Pair is one threat–vulnerability pair on one or more elements, rated
// whether its safeguard is missing (the pair is then a risk in the
// register, under the same ID) or in place.
type Pair struct {
	ID            string       `json:"id"`
	Rule          string       `json:"rule"`
	Title         string       `json:"title"`
	Threat        string       `json:"threat"`
	Vulnerability string       `json:"vulnerability"`
	Elements      []ElementRef `json:"elements"`
	// Safeguard is "missing" for a risk in the register and "in_place"
	// when the element has the control the rule looks for.
	Safeguard  string      `json:"safeguard"`
	Measures   []Measure   `json:"measures"`
	Likelihood risk.Rating `json:"likelihood"`
	Impact     risk.Level  `json:"impact"`
	Level      risk.Level  `json:"level"`
	Value      int         `json:"value"`
	// Verified is the share of the pair's measures that evidence shows,
	// 0–1.
	Verified float64 `json:"verified_share"`
}

// Pair states.
const (
	SafeguardMissing = "missing"
	SafeguardInPlace = "in_place"
)

// Measure is one current security measure of a pair, as a fact about an
// element: declared in the model, or verified by evidence that examined
// it (named, with its date).
type Measure struct {
	Fact     string        `json:"fact"`  // "flow.encrypted = true"
	State    string        `json:"state"` // in_place or missing
	Basis    string        `json:"basis"` // declared or verified
	Evidence []EvidenceRef `json:"evidence,omitempty"`
}

// Measure bases.
const (
	Declared = "declared"
	Verified = "verified"
)

// EvidenceRef names the evidence set that examined a measure and the
// checks it ran there.
type EvidenceRef struct {
	Set    string   `json:"set"`
	Source string   `json:"source"`
	Date   string   `json:"date,omitempty"`
	Checks []string `json:"checks"`
}

// EvidenceShare is how much of the analysis rests on evidence rather
// than on the model's declarations.
type EvidenceShare struct {
	Pairs             int     `json:"pairs"`
	PairsInPlace      int     `json:"pairs_in_place"`
	PairsWithEvidence int     `json:"pairs_with_evidence"`
	Measures          int     `json:"measures"`
	MeasuresVerified  int     `json:"measures_verified"`
	Share             float64 `json:"share"` // verified measures ÷ measures, 0–1
}

// verifiers names the evidence namespaces whose checks examine an
// attribute: a probe of a flow's endpoint examines its encryption and
// authentication, an EDI inspection the ISA credentials, a scan where
// PHI and card data lie. An attribute not listed here can only be
// declared.
var verifiers = map[rules.Kind]map[string][]string{
	rules.KindFlow: {
		"encrypted": {"tls", "ssh", "ftp", "smtp"}, "min_tls": {"tls"}, "encryption_declared": {"tls", "ssh", "ftp", "smtp"},
		"channel": {"tls", "ssh", "ftp", "smtp"}, "auth": {"ssh"}, "isa_credentials": {"edi"}, "test_separated": {"edi"},
	},
	rules.KindSystem: {"api_tls": {"tls"}, "scan_phi_files": {"phi"}, "scan_card_files": {"phi"}, "edi_approved": {"phi"}},
	rules.KindOrg: {
		"phi_log_files": {"phi"}, "card_files": {"phi"}, "unmodelled_phi_paths": {"phi"},
		"edi_isa_credentials": {"edi"}, "edi_test_real_ids": {"edi"}, "edi_ssn_identifiers": {"edi"},
		"edi_legacy_hicn": {"edi"}, "edi_envelope_errors": {"edi"},
	},
}

// probeNamespaces are the engines that examine one endpoint; the others
// examine files, which the analysis ties to the whole organisation.
var probeNamespaces = []string{"tls", "ssh", "ftp", "smtp", "probe"}

// witness finds which evidence sets examined which element.
type witness struct {
	sets      []EvidenceSet
	endpoints map[string][]string // element ID → lower-case endpoint addresses
	flowTo    map[string]string   // flow ID → receiving system
}

func newWitness(m *model.Model, sets []EvidenceSet) *witness {
	w := &witness{sets: sets, endpoints: map[string][]string{}, flowTo: map[string]string{}}
	for _, e := range m.Endpoints() {
		w.endpoints[e.Element] = append(w.endpoints[e.Element], strings.ToLower(e.Address))
	}
	for _, f := range m.Flows {
		w.flowTo[f.ID] = f.To
	}
	return w
}

// examined returns the evidence that examined attr of an element:
// for endpoint namespaces, the probes of the element's own endpoints (a
// flow's also those of the system it reaches); for file namespaces, a
// set of that engine at all, for the organisation's counts.
func (w *witness) examined(kind rules.Kind, ids []string, attr string) []EvidenceRef {
	nss := verifiers[kind][attr]
	if len(nss) == 0 {
		return nil
	}
	var addrs []string
	if len(ids) > 0 {
		addrs = append(addrs, w.endpoints[ids[0]]...)
		if kind == rules.KindFlow {
			addrs = append(addrs, w.endpoints[w.flowTo[ids[0]]]...)
		}
	}
	var out []EvidenceRef
	for _, s := range w.sets {
		checks := map[string]bool{}
		for _, f := range s.Facts {
			ns, _, _ := strings.Cut(f.Check, ".")
			if !slices.Contains(nss, ns) {
				continue
			}
			if slices.Contains(probeNamespaces, ns) {
				if slices.Contains(addrs, strings.ToLower(f.Target)) {
					checks[f.Check] = true
				}
			} else if kind == rules.KindOrg {
				checks[f.Check] = true
			}
		}
		if len(checks) > 0 {
			out = append(out, EvidenceRef{Set: s.Name, Source: s.Source, Date: s.Date, Checks: slices.Sorted(maps.Keys(checks))})
		}
	}
	return out
}

// examinedAny returns the evidence that looked at an element at all: the
// probes of its endpoints, or for the organisation any set.
func (w *witness) examinedAny(kind rules.Kind, ids []string) []EvidenceRef {
	var addrs []string
	if kind != rules.KindOrg && len(ids) > 0 {
		addrs = append(addrs, w.endpoints[ids[0]]...)
		if kind == rules.KindFlow {
			addrs = append(addrs, w.endpoints[w.flowTo[ids[0]]]...)
		}
	}
	var out []EvidenceRef
	for _, s := range w.sets {
		checks := map[string]bool{}
		for _, f := range s.Facts {
			if kind == rules.KindOrg || slices.Contains(addrs, strings.ToLower(f.Target)) {
				checks[f.Check] = true
			}
		}
		if len(checks) > 0 {
			out = append(out, EvidenceRef{Set: s.Name, Source: s.Source, Date: s.Date, Checks: slices.Sorted(maps.Keys(checks))})
		}
	}
	return out
}

// evidenceFor returns the evidence that examined attr of an element, and
// whether attr is derived from evidence at all (what a scan, inspection
// or probe found) rather than declared.
func (w *witness) evidenceFor(kind rules.Kind, ids []string, attr string, view map[string]any) ([]EvidenceRef, bool) {
	switch {
	case attr == "observed":
		return w.examinedAny(kind, ids), true
	case kind == rules.KindOrg && strings.HasPrefix(attr, "edi_"):
		return w.examinedNS(func(ns string) bool { return ns == "edi" }), true
	case kind == rules.KindOrg && slices.Contains([]string{"phi_log_files", "card_files", "unmodelled_phi_paths"}, attr):
		return w.examinedNS(func(ns string) bool { return ns == "phi" }), true
	case strings.HasPrefix(attr, "scan_"):
		// Which locations a scan covered is not recorded, so a system
		// counts as examined only where the scan found something on it.
		observed, _ := view["observed"].([]string)
		return w.observedBy(observed), true
	}
	return w.examined(kind, ids, attr), false
}

// examinedNS returns the sets with facts of a namespace, for the
// organisation's counts.
func (w *witness) examinedNS(want func(string) bool) []EvidenceRef {
	var out []EvidenceRef
	for _, s := range w.sets {
		checks := map[string]bool{}
		for _, f := range s.Facts {
			if ns, _, _ := strings.Cut(f.Check, "."); want(ns) {
				checks[f.Check] = true
			}
		}
		if len(checks) > 0 {
			out = append(out, EvidenceRef{Set: s.Name, Source: s.Source, Date: s.Date, Checks: slices.Sorted(maps.Keys(checks))})
		}
	}
	return out
}

// observedBy names the sets holding facts the element was observed with.
func (w *witness) observedBy(observed []string) []EvidenceRef {
	var out []EvidenceRef
	for _, s := range w.sets {
		checks := map[string]bool{}
		for _, f := range s.Facts {
			if slices.Contains(observed, f.Check) {
				checks[f.Check] = true
			}
		}
		if len(checks) > 0 {
			out = append(out, EvidenceRef{Set: s.Name, Source: s.Source, Date: s.Date, Checks: slices.Sorted(maps.Keys(checks))})
		}
	}
	return out
}

// gapPair is the pair of a risk the rules found: its measures are the
// facts the rule read, missing; evidence verifies them when the rule
// fired on an observation or a set examined the attribute.
func gapPair(r Risk, h rules.Hit, org map[string]any, w *witness) Pair {
	p := Pair{ID: r.ID, Rule: r.Rule, Title: r.Title, Threat: r.Threat, Vulnerability: r.Vulnerability, Elements: r.Elements,
		Safeguard: SafeguardMissing, Likelihood: brief(r.Likelihood), Impact: r.Impact.Level, Level: r.Level, Value: r.Value}
	observed, _ := h.Element.View["observed"].([]string)
	for _, part := range strings.Split(h.Why(org), "; ") {
		if part == "" {
			continue
		}
		m := Measure{Fact: part, State: SafeguardMissing, Basis: Declared}
		name, _, _ := strings.Cut(part, " = ")
		kind, attr, _ := strings.Cut(name, ".")
		ids := h.Element.IDs
		if rules.Kind(kind) == rules.KindOrg {
			ids = []string{"org"}
		}
		view := h.Element.View
		if rules.Kind(kind) == rules.KindOrg {
			view = org
		}
		if attr == "observed" {
			m.Evidence = w.observedBy(observed)
		} else {
			m.Evidence, _ = w.evidenceFor(rules.Kind(kind), ids, attr, view)
		}
		if len(m.Evidence) > 0 {
			m.Basis = Verified
		}
		p.Measures = append(p.Measures, m)
	}
	p.Verified = verifiedShare(p.Measures)
	return p
}

// answerPair is the pair of an answer of no or partial: declared.
func answerPair(r Risk) Pair {
	return Pair{ID: r.ID, Rule: r.Rule, Title: r.Title, Threat: r.Threat, Vulnerability: r.Vulnerability, Elements: r.Elements,
		Safeguard: SafeguardMissing, Likelihood: brief(r.Likelihood), Impact: r.Impact.Level, Level: r.Level, Value: r.Value,
		Measures: []Measure{{Fact: r.Why, State: SafeguardMissing, Basis: Declared}}}
}

// brief is a risk's likelihood without its steps: the pair of a risk
// refers to the risk, under the same ID, for the arithmetic.
func brief(l risk.Rating) risk.Rating {
	return risk.Rating{Table: l.Table, Base: l.Value, BaseReason: l.BaseReason, Value: l.Value, Level: l.Level}
}

func verifiedShare(ms []Measure) float64 {
	if len(ms) == 0 {
		return 0
	}
	n := 0
	for _, m := range ms {
		if m.Basis == Verified {
			n++
		}
	}
	return float64(n) / float64(len(ms))
}

// exposureAttr is the attribute each exposure factor stands for.
var exposureAttr = map[string]string{"internet-facing": "internet_facing", "offshore": "offshore", "business associate involved": "vendor_involved"}

// inPlacePairs rates the pairs whose safeguard is in place. A rule that
// did not fire on an element applies to it when the element, with the
// facts one of the rule's trigger examples names taken away from their
// well-controlled values, would make it fire: those facts are the
// safeguard in place. Only facts the element holds at their
// well-controlled value are taken away — the others say what the element
// is (not an EDI flow, holding no PHI), and a rule about what the element
// is not does not apply to it.
// nature lists attributes that say what an element is, never how it is
// protected: a rule that applies only once one of them is changed (an EDI
// rule on a flow that carries no X12, a rule about non-EDI flows on an
// EDI one) does not apply to the element, whatever its safeguards.
var nature = map[rules.Kind][]string{
	rules.KindFlow: {"edi", "carries_phi", "data_kinds", "to_clearinghouse", "crosses_boundary", "from_kind", "to_kind", "stage",
		"to_vendor", "automated", "manual"},
	rules.KindSystem: {"kind", "hosting", "stores_phi", "data_kinds", "has_api", "client", "vendor", "patchable", "critical"},
	rules.KindVendor: {"phi_access", "clearinghouse", "systems", "phi_flows"},
	rules.KindRole:   {"kind", "phi_access", "outsourced", "location", "offshore"},
	rules.KindAccess: {"system_kind", "level"},
	rules.KindOrg:    {"kind", "business_associate", "clearinghouse_function", "clients", "clearinghouses", "has_bank_eft", "has_card_data", "workforce"},
}

func inPlacePairs(set *rules.Set, g *rules.Graph, fired map[string]bool, m *model.Model, w *witness) ([]Pair, error) {
	orgEl := g.Elements[rules.KindOrg][0]
	var out []Pair
	for _, r := range set.Rules {
		// The model rules check the model itself (contradictions,
		// unmodelled paths): an element that passes one holds no
		// safeguard, so it makes no pair.
		if r.Area == "model" || !set.Applicable(r, g) {
			continue
		}
		one := &rules.Set{Rules: []*rules.Rule{r}}
		safe := rules.SafeView(r.AppliesTo)
		safeOrg := rules.SafeView(rules.KindOrg)
		examples := triggerExamples(r)
		for _, el := range g.Elements[r.AppliesTo] {
			id := risk.ID(r.ID, el.IDs...)
			if fired[id] {
				continue
			}
			var best *rules.Hit
			var bestControls []string
			for _, ex := range examples {
				// Views are copied only when an example takes something
				// away: most examples of most rules change nothing here.
				var controls []string
				take := func(target map[string]any, safe map[string]any, kind string, attrs []attrValue) map[string]any {
					var out map[string]any
					for _, av := range attrs {
						a, v := av.name, av.value
						cur, ok := target[a]
						if ok && reflect.DeepEqual(cur, safe[a]) && !reflect.DeepEqual(cur, v) && !slices.Contains(nature[rules.Kind(kind)], a) {
							if out == nil {
								out = maps.Clone(target)
							}
							out[a] = v
							controls = append(controls, kind+"."+a)
						}
					}
					if out == nil {
						return target
					}
					return out
				}
				var view, org map[string]any
				if r.AppliesTo == rules.KindOrg {
					org = take(orgEl.View, safeOrg, "org", ex.org)
					view = org
				} else {
					view = take(el.View, safe, string(r.AppliesTo), ex.el)
					org = take(orgEl.View, safeOrg, "org", ex.org)
				}
				if len(controls) == 0 {
					continue
				}
				e2, o2 := *el, *orgEl
				e2.View, o2.View = view, org
				g2 := &rules.Graph{Model: g.Model, Now: g.Now, Elements: map[rules.Kind][]*rules.Element{rules.KindOrg: {&o2}}}
				if r.AppliesTo != rules.KindOrg {
					g2.Elements[r.AppliesTo] = []*rules.Element{&e2}
				}
				hits, err := one.Evaluate(g2)
				if err != nil {
					return nil, fmt.Errorf("assess: in-place pairs: %w", err)
				}
				if len(hits) == 0 {
					continue
				}
				// A rule about what evidence found applies only where
				// evidence looked: nothing found where nobody scanned or
				// probed is not a safeguard.
				if slices.ContainsFunc(controls, func(c string) bool {
					kind, attr, _ := strings.Cut(c, ".")
					ids, view := el.IDs, el.View
					if kind == string(rules.KindOrg) {
						ids, view = []string{"org"}, orgEl.View
					}
					refs, derived := w.evidenceFor(rules.Kind(kind), ids, attr, view)
					return derived && len(refs) == 0
				}) {
					continue
				}
				// The example that takes the fewest safeguards away names
				// the ones the rule is about.
				if best == nil || len(controls) < len(bestControls) {
					best, bestControls = &hits[0], controls
				}
			}
			if best != nil {
				out = append(out, inPlacePair(r, el, *best, bestControls, orgEl.View, m, w))
			}
		}
	}
	return out, nil
}

// attrValue is one attribute an example sets, with its value as views
// hold it.
type attrValue struct {
	name  string
	value any
}

type example struct{ el, org []attrValue }

// triggerExamples returns a rule's trigger examples with their values
// normalised and their attributes in order, once per rule rather than
// once per element.
func triggerExamples(r *rules.Rule) []example {
	list := func(attrs map[string]any) []attrValue {
		var out []attrValue
		for _, a := range slices.Sorted(maps.Keys(attrs)) {
			out = append(out, attrValue{a, rules.NormalizeValue(attrs[a])})
		}
		return out
	}
	var out []example
	for _, ex := range r.Examples.Trigger {
		e := example{org: list(ex[string(rules.KindOrg)])}
		if r.AppliesTo != rules.KindOrg {
			e.el = list(ex[string(r.AppliesTo)])
		}
		out = append(out, e)
	}
	return out
}

func inPlacePair(r *rules.Rule, el *rules.Element, h rules.Hit, controls []string, org map[string]any, m *model.Model, w *witness) Pair {
	p := Pair{ID: risk.ID(r.ID, el.IDs...), Rule: r.ID, Title: r.Title, Threat: r.Threat, Vulnerability: r.Vulnerability,
		Elements: elementRefs(h, m), Safeguard: SafeguardInPlace}
	for _, c := range controls {
		kind, attr, _ := strings.Cut(c, ".")
		view, ids := el.View, el.IDs
		if kind == string(rules.KindOrg) {
			view, ids = org, []string{"org"}
		}
		refs, derived := w.evidenceFor(rules.Kind(kind), ids, attr, view)
		ms := Measure{Fact: fmt.Sprintf("%s = %s", c, formatFact(view[attr])), State: SafeguardInPlace, Basis: Declared, Evidence: refs}
		if derived {
			ms.Fact += " in the evidence examined"
		}
		if len(ms.Evidence) > 0 {
			ms.Basis = Verified
		}
		p.Measures = append(p.Measures, ms)
	}
	p.Verified = verifiedShare(p.Measures)
	// The hypothetical hit rates the element as it is apart from the
	// safeguard; an exposure it gained only because a control was taken
	// away is not the element's.
	l := risk.NewRating(0, "")
	for _, f := range h.Likelihood.Factors {
		if a, ok := exposureAttr[f.Name]; ok && !slices.Contains(controls, string(r.AppliesTo)+"."+a) {
			l.Add(f.Name, f.Points, f.Reason)
		}
	}
	adverse, why := adverseDeclared, "the safeguard is in place as the model declares it"
	if p.Verified == 1 {
		adverse, why = adverseVerified, "the safeguard is in place and evidence shows it working"
	}
	lk := likelihood(threatClass(r.ThreatClass), l, adverse, why, false, nil)
	p.Likelihood = *lk
	p.Impact = h.Impact.Level
	p.Value, p.Level = risk.Score(lk.Value, h.Impact.Value)
	return p
}

func formatFact(v any) string {
	switch x := v.(type) {
	case []string:
		if len(x) == 0 {
			return "none"
		}
		return strings.Join(x, ", ")
	case string:
		if x == "" {
			return "(not set)"
		}
	}
	return fmt.Sprint(v)
}

func sortPairs(ps []Pair) {
	sort.SliceStable(ps, func(i, j int) bool {
		a, b := ps[i], ps[j]
		if a.Level != b.Level {
			return a.Level > b.Level
		}
		if a.Value != b.Value {
			return a.Value > b.Value
		}
		return a.ID < b.ID
	})
}

func shareOf(ps []Pair) EvidenceShare {
	var s EvidenceShare
	for _, p := range ps {
		s.Pairs++
		if p.Safeguard == SafeguardInPlace {
			s.PairsInPlace++
		}
		any := false
		for _, m := range p.Measures {
			s.Measures++
			if m.Basis == Verified {
				s.MeasuresVerified++
				any = true
			}
		}
		if any {
			s.PairsWithEvidence++
		}
	}
	if s.Measures > 0 {
		s.Share = float64(s.MeasuresVerified) / float64(s.Measures)
	}
	return s
}
