package rules

import (
	"fmt"
	"sort"
	"time"

	"rcmguard/internal/evidence"
	"rcmguard/internal/model"
)

// Element is one thing a rule can be evaluated on, with the view of it that
// rule conditions read. Views are derived here, in Go, from the whole model
// and the evidence — the graph work (who reaches which vendor, which roles
// share a login, which files sit in whose folder) — so that each rule stays
// a one-line predicate.
type Element struct {
	Kind  Kind
	IDs   []string // model IDs the risk ID is built from ("org" for the organisation)
	Label string   // for people: "flow f-claims (ClaimWorks PM → ClearPath)"
	Path  string   // YAML path of the element, for positions
	Stage string   // workflow stage, when the element has one
	View  map[string]any
	// Unknown lists the facts about the element the model leaves out
	// where no default answers them: each is a question, never a finding.
	Unknown []Unknown
	// Contradictions are what the model declares about the element that
	// the rest of the model shows to be otherwise.
	Contradictions []Contradiction
}

// Unknown is a fact the model does not state. Attr is the view attribute
// that stands in for it, Field the YAML path to write the answer at.
type Unknown struct {
	Attr     string
	Field    string
	Citation string
	Question string
}

func (e *Element) unknown(attr, key, citation, format string, args ...any) {
	e.Unknown = append(e.Unknown, Unknown{Attr: attr, Field: e.Path + "." + key, Citation: citation, Question: fmt.Sprintf(format, args...)})
}

// Graph is the evaluated model: every element with its view.
type Graph struct {
	Model    *model.Model
	Now      time.Time
	Elements map[Kind][]*Element
	// Unmatched holds evidence facts that match no element; they surface
	// through org attributes and the report's evidence section.
	Unmatched []evidence.Fact
}

// Options tune graph building.
type Options struct {
	Now  time.Time
	NPRM bool // overlay the proposed 2025 rule
}

type builder struct {
	m       *model.Model
	now     time.Time
	systems map[string]*model.System
	vendors map[string]*model.Vendor
	data    map[string]*model.Data
	g       *Graph
	// observed collects evidence check IDs per element ID.
	observed map[string]map[string]bool
	scan     map[string]*scanCounts // by system ID
	// phiInto counts the flows carrying PHI into each system.
	phiInto map[string]int
	org     orgEvidence
}

type scanCounts struct{ phi, x12, card map[string]bool }

type orgEvidence struct {
	unmodelled, logs, card                                 map[string]bool
	isaCreds, testReal, ssnID, hicn, x12Logs, envelopeErrs map[string]bool
}

func newSet() map[string]bool { return map[string]bool{} }

// Build derives the graph of a model and its evidence.
func Build(m *model.Model, facts []evidence.Fact, opt Options) *Graph {
	b := &builder{
		m: m, now: opt.Now,
		systems: map[string]*model.System{}, vendors: map[string]*model.Vendor{}, data: map[string]*model.Data{},
		g:        &Graph{Model: m, Now: opt.Now, Elements: map[Kind][]*Element{}},
		observed: map[string]map[string]bool{}, scan: map[string]*scanCounts{},
		org: orgEvidence{newSet(), newSet(), newSet(), newSet(), newSet(), newSet(), newSet(), newSet(), newSet()},
	}
	for i := range m.Systems {
		b.systems[m.Systems[i].ID] = &m.Systems[i]
	}
	for i := range m.Vendors {
		b.vendors[m.Vendors[i].ID] = &m.Vendors[i]
	}
	for i := range m.Data {
		b.data[m.Data[i].ID] = &m.Data[i]
	}
	b.phiInto = map[string]int{}
	for _, f := range m.Flows {
		if b.scope(f.Data).phi {
			b.phiInto[f.To]++
		}
	}
	b.attachEvidence(facts)
	b.buildSystems()
	b.buildFlows()
	b.buildVendors()
	b.buildClients()
	b.buildRoles()
	b.buildData()
	b.buildSteps()
	b.buildPolicies()
	b.buildOrg(opt.NPRM)
	return b.g
}

func (b *builder) add(e *Element) {
	for _, a := range commonAttrs {
		if _, ok := e.View[a.Name]; !ok {
			switch a.Name {
			case "observed":
				e.View[a.Name] = []string{}
			default:
				e.View[a.Name] = a.Safe
			}
		}
	}
	b.g.Elements[e.Kind] = append(b.g.Elements[e.Kind], e)
}

func (b *builder) observedList(id string) []string {
	out := []string{}
	for c := range b.observed[id] {
		out = append(out, c)
	}
	sort.Strings(out)
	return out
}

// dataScope summarises the data assets an element concerns, for impact.
type dataScope struct {
	phi         bool
	records     int
	sensitivity string
	financial   bool
	kinds       []string
}

func (b *builder) scope(ids []string) dataScope {
	s := dataScope{sensitivity: "low"}
	seen := map[string]bool{}
	for _, id := range ids {
		d, ok := b.data[id]
		if !ok {
			continue
		}
		def := dataDefaults[d.Kind]
		phi := def.phi
		if d.PHI != nil {
			phi = *d.PHI
		}
		sens := def.sensitivity
		if d.Sensitivity != "" {
			sens = string(d.Sensitivity)
		}
		s.phi = s.phi || phi
		s.financial = s.financial || def.financial
		if sensitivityRank[sens] > sensitivityRank[s.sensitivity] {
			s.sensitivity = sens
		}
		if d.Records > s.records {
			s.records = d.Records
		}
		if !seen[string(d.Kind)] {
			seen[string(d.Kind)] = true
			s.kinds = append(s.kinds, string(d.Kind))
		}
	}
	sort.Strings(s.kinds)
	// Records count claims or transactions; impact counts people, and no
	// asset holds more individuals than the organisation serves.
	if p := b.m.Organization.PatientsPerYear; s.records == 0 && s.phi || p > 0 && s.records > p {
		s.records = p
	}
	if s.kinds == nil {
		s.kinds = []string{}
	}
	return s
}

func (b *builder) systemPHI(s *model.System) bool {
	if s.StoresPHI != nil {
		// Declared free of PHI but holding PHI data or receiving a PHI
		// flow: what the rest of the model says wins, and the
		// contradiction is raised on the system.
		return *s.StoresPHI || b.phiContradiction(s) != ""
	}
	if len(s.Data) > 0 {
		return b.scope(s.Data).phi
	}
	return phiSystemKinds[s.Kind]
}

// phiContradiction says why a system declared `stores_phi: false` holds
// or receives PHI after all, or "" when it does not.
func (b *builder) phiContradiction(s *model.System) string {
	if s.StoresPHI == nil || *s.StoresPHI {
		return ""
	}
	holds := len(s.Data) > 0 && b.scope(s.Data).phi
	switch n := b.phiInto[s.ID]; {
	case holds && n > 0:
		return fmt.Sprintf("declared stores_phi: false, but it holds PHI data and %d PHI flow(s) reach it", n)
	case holds:
		return "declared stores_phi: false, but it holds PHI data"
	case n > 0:
		return fmt.Sprintf("declared stores_phi: false, but %d PHI flow(s) reach it", n)
	}
	return ""
}

func (b *builder) systemExposed(s *model.System) bool {
	if s.InternetFacing != nil {
		return *s.InternetFacing
	}
	if exposedSystemKinds[s.Kind] {
		return true
	}
	return (s.Kind == "ehr" || s.Kind == "pm_billing" || s.Kind == "document_storage") &&
		(s.Hosting == "vendor_saas" || s.Hosting == "cloud")
}

func (b *builder) vendorOffshore(id string) bool {
	v, ok := b.vendors[id]
	return ok && v.Offshore != nil && *v.Offshore
}

func (b *builder) vendorBAA(id string) string {
	v, ok := b.vendors[id]
	if !ok {
		return ""
	}
	return b.baaStatus(v.BAA)
}

// baaStatus folds an expiry date into the status: a signed BAA past its
// expiry is expired, whatever the model says.
func (b *builder) baaStatus(a model.BAA) string {
	if a.Status == "signed" {
		if d, ok := a.Expires.DaysSince(b.now); ok && d > 0 {
			return "expired"
		}
	}
	return string(a.Status)
}

func (b *builder) daysToExpiry(a model.BAA) int {
	if d, ok := a.Expires.DaysSince(b.now); ok {
		return -d
	}
	return 9999
}

func daysSince(d model.Date, now time.Time) int {
	if n, ok := d.DaysSince(now); ok {
		return n
	}
	return -1
}

// sinceDays is daysSince for a date that may be stated never: -1 for
// never and for a date left out, which the caller tells apart by asking
// a question about the latter.
func sinceDays(d model.Since, now time.Time) int { return daysSince(d.Date(), now) }

func label(kind, id, name string) string {
	if name == "" || name == id {
		return fmt.Sprintf("%s %s", kind, id)
	}
	return fmt.Sprintf("%s %s (%s)", kind, id, name)
}

// Contradiction is something the model declares about an element that
// the rest of the model shows to be otherwise.
type Contradiction struct {
	Path  string // YAML path of the declaration, e.g. vendors[2].phi_access
	Label string // the element's
	Msg   string
}

// Contradictions lists, in model order, what the model declares against
// what the rest of it implies (a vendor declared without PHI access that
// runs a PHI system, …); `rcmguard validate` warns of each.
func Contradictions(m *model.Model, now time.Time) []Contradiction {
	g := Build(m, nil, Options{Now: now})
	var out []Contradiction
	for _, k := range Kinds {
		for _, e := range g.Elements[k] {
			for _, c := range e.Contradictions {
				c.Label = e.Label
				out = append(out, c)
			}
		}
	}
	return out
}
