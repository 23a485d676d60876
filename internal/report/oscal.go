package report

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/google/uuid"

	"rcmguard/internal/assess"
	"rcmguard/internal/risk"
)

// OSCALVersion is the OSCAL release the exports conform to; the tests
// validate them against that release's JSON schema.
const OSCALVersion = "1.1.3"

// oscalNS qualifies rcmguard's own property names, so a GRC tool does not
// mistake them for NIST's.
const oscalNS = "urn:rcmguard:oscal"

// nistNS names the NIST SP 800-30 scales in risk characterizations.
const nistNS = "http://csrc.nist.gov/ns/oscal"

// uuidSpace is the namespace of every UUID in the exports: version 5
// UUIDs derived from the assessment and the stable risk IDs, so that one
// analysis exported twice gives the same document, and (as OSCAL asks of
// an object that persists across revisions) a GRC tool sees a risk, a
// plan item, a system or a person keep its UUID from one analysis to the
// next.
var uuidSpace = uuid.NewSHA1(uuid.NameSpaceURL, []byte(oscalNS))

// OSCAL JSON shapes: only the parts the exports fill, in schema order.
type (
	oscalProp struct {
		Name  string `json:"name"`
		NS    string `json:"ns,omitempty"`
		Value string `json:"value"`
		Class string `json:"class,omitempty"`
	}
	oscalRole struct {
		ID    string `json:"id"`
		Title string `json:"title"`
	}
	oscalParty struct {
		UUID string `json:"uuid"`
		Type string `json:"type"`
		Name string `json:"name,omitempty"`
	}
	oscalResponsibleParty struct {
		RoleID     string   `json:"role-id"`
		PartyUUIDs []string `json:"party-uuids"`
	}
	oscalRevision struct {
		Title   string `json:"title,omitempty"`
		Version string `json:"version"`
	}
	oscalMetadata struct {
		Title              string                  `json:"title"`
		LastModified       string                  `json:"last-modified"`
		Version            string                  `json:"version"`
		OSCALVersion       string                  `json:"oscal-version"`
		Revisions          []oscalRevision         `json:"revisions,omitempty"`
		Props              []oscalProp             `json:"props,omitempty"`
		Roles              []oscalRole             `json:"roles,omitempty"`
		Parties            []oscalParty            `json:"parties,omitempty"`
		ResponsibleParties []oscalResponsibleParty `json:"responsible-parties,omitempty"`
	}
	oscalStatus struct {
		State string `json:"state"`
	}
	oscalComponent struct {
		UUID        string      `json:"uuid"`
		Type        string      `json:"type"`
		Title       string      `json:"title"`
		Description string      `json:"description"`
		Props       []oscalProp `json:"props,omitempty"`
		Status      oscalStatus `json:"status"`
	}
	oscalLocalDefs struct {
		Components []oscalComponent `json:"components,omitempty"`
	}
	oscalSubject struct {
		SubjectUUID string `json:"subject-uuid"`
		Type        string `json:"type"`
		Title       string `json:"title,omitempty"`
	}
	oscalEvidence struct {
		Description string `json:"description"`
	}
	oscalActor struct {
		Type      string `json:"type"`
		ActorUUID string `json:"actor-uuid"`
	}
	oscalOrigin struct {
		Actors []oscalActor `json:"actors"`
	}
	oscalObservation struct {
		UUID             string          `json:"uuid"`
		Title            string          `json:"title,omitempty"`
		Description      string          `json:"description"`
		Props            []oscalProp     `json:"props,omitempty"`
		Methods          []string        `json:"methods"`
		Types            []string        `json:"types,omitempty"`
		Origins          []oscalOrigin   `json:"origins,omitempty"`
		Subjects         []oscalSubject  `json:"subjects,omitempty"`
		RelevantEvidence []oscalEvidence `json:"relevant-evidence,omitempty"`
		Collected        string          `json:"collected"`
	}
	oscalFacet struct {
		Name   string `json:"name"`
		System string `json:"system"`
		Value  string `json:"value"`
	}
	oscalCharacterization struct {
		Origin oscalOrigin  `json:"origin"`
		Facets []oscalFacet `json:"facets"`
	}
	oscalOnDate struct {
		Date string `json:"date"`
	}
	oscalTiming struct {
		OnDate *oscalOnDate `json:"on-date,omitempty"`
	}
	oscalTask struct {
		UUID   string       `json:"uuid"`
		Type   string       `json:"type"`
		Title  string       `json:"title"`
		Props  []oscalProp  `json:"props,omitempty"`
		Timing *oscalTiming `json:"timing,omitempty"`
	}
	oscalResponse struct {
		UUID        string      `json:"uuid"`
		Lifecycle   string      `json:"lifecycle"`
		Title       string      `json:"title"`
		Description string      `json:"description"`
		Tasks       []oscalTask `json:"tasks,omitempty"`
	}
	oscalObsRef struct {
		ObservationUUID string `json:"observation-uuid"`
	}
	oscalRiskRef struct {
		RiskUUID string `json:"risk-uuid"`
	}
	oscalRisk struct {
		UUID                string                  `json:"uuid"`
		Title               string                  `json:"title"`
		Description         string                  `json:"description"`
		Statement           string                  `json:"statement"`
		Props               []oscalProp             `json:"props,omitempty"`
		Status              string                  `json:"status"`
		Origins             []oscalOrigin           `json:"origins,omitempty"`
		Characterizations   []oscalCharacterization `json:"characterizations,omitempty"`
		Deadline            string                  `json:"deadline,omitempty"`
		Remediations        []oscalResponse         `json:"remediations,omitempty"`
		RelatedObservations []oscalObsRef           `json:"related-observations,omitempty"`
	}
	oscalTargetStatus struct {
		State  string `json:"state"`
		Reason string `json:"reason,omitempty"`
	}
	oscalTarget struct {
		Type     string            `json:"type"`
		TargetID string            `json:"target-id"`
		Title    string            `json:"title,omitempty"`
		Status   oscalTargetStatus `json:"status"`
	}
	oscalFinding struct {
		UUID         string         `json:"uuid"`
		Title        string         `json:"title"`
		Description  string         `json:"description"`
		Props        []oscalProp    `json:"props,omitempty"`
		Target       oscalTarget    `json:"target"`
		RelatedRisks []oscalRiskRef `json:"related-risks,omitempty"`
		Remarks      string         `json:"remarks,omitempty"`
	}
	oscalControl struct {
		ControlID string `json:"control-id"`
	}
	oscalSelection struct {
		Description     string         `json:"description,omitempty"`
		IncludeControls []oscalControl `json:"include-controls"`
	}
	oscalReviewed struct {
		ControlSelections []oscalSelection `json:"control-selections"`
	}
	oscalResult struct {
		UUID             string             `json:"uuid"`
		Title            string             `json:"title"`
		Description      string             `json:"description"`
		Start            string             `json:"start"`
		End              string             `json:"end"`
		Props            []oscalProp        `json:"props,omitempty"`
		LocalDefinitions *oscalLocalDefs    `json:"local-definitions,omitempty"`
		ReviewedControls oscalReviewed      `json:"reviewed-controls"`
		Observations     []oscalObservation `json:"observations,omitempty"`
		Risks            []oscalRisk        `json:"risks,omitempty"`
		Findings         []oscalFinding     `json:"findings,omitempty"`
	}
	oscalHref struct {
		Href string `json:"href"`
	}
	oscalResource struct {
		UUID        string      `json:"uuid"`
		Title       string      `json:"title"`
		Description string      `json:"description"`
		Props       []oscalProp `json:"props,omitempty"`
	}
	oscalBackMatter struct {
		Resources []oscalResource `json:"resources"`
	}
	oscalAR struct {
		UUID       string          `json:"uuid"`
		Metadata   oscalMetadata   `json:"metadata"`
		ImportAP   oscalHref       `json:"import-ap"`
		Results    []oscalResult   `json:"results"`
		BackMatter oscalBackMatter `json:"back-matter"`
	}
	oscalSystemID struct {
		IdentifierType string `json:"identifier-type"`
		ID             string `json:"id"`
	}
	oscalPOAMItem struct {
		UUID                string         `json:"uuid"`
		Title               string         `json:"title"`
		Description         string         `json:"description"`
		Props               []oscalProp    `json:"props,omitempty"`
		RelatedObservations []oscalObsRef  `json:"related-observations,omitempty"`
		RelatedRisks        []oscalRiskRef `json:"related-risks,omitempty"`
	}
	oscalPOAM struct {
		UUID             string             `json:"uuid"`
		Metadata         oscalMetadata      `json:"metadata"`
		SystemID         oscalSystemID      `json:"system-id"`
		LocalDefinitions *oscalLocalDefs    `json:"local-definitions,omitempty"`
		Observations     []oscalObservation `json:"observations,omitempty"`
		Risks            []oscalRisk        `json:"risks,omitempty"`
		POAMItems        []oscalPOAMItem    `json:"poam-items"`
		BackMatter       oscalBackMatter    `json:"back-matter"`
	}
)

// OSCALAssessmentResults writes the analysis as an OSCAL Assessment
// Results document: one result for the analysis, whose reviewed controls
// are the Security Rule's specifications and standards, with an
// observation and a risk for every risk in the register and a finding for
// every specification.
func OSCALAssessmentResults(w io.Writer, res *assess.Result) error {
	x := newOSCAL(res)
	result := oscalResult{
		UUID:        x.id("result"),
		Title:       "Security risk analysis as of " + res.AsOf,
		Description: x.scope(),
		Start:       x.at(res.AsOf),
		End:         x.at(res.AsOf),
		Props: props(
			"confidence", res.Summary.Confidence.Level,
			"highest-open-level", res.Summary.Highest,
			"rules-evaluated", fmt.Sprint(res.Summary.Rules),
		),
		LocalDefinitions: x.localDefs(),
		ReviewedControls: oscalReviewed{ControlSelections: []oscalSelection{{
			Description:     "Every standard and implementation specification of 45 CFR 164.308–164.316.",
			IncludeControls: x.controls(),
		}}},
	}
	for i := range res.Risks {
		r := &res.Risks[i]
		result.Observations = append(result.Observations, x.observation(r))
		result.Risks = append(result.Risks, x.risk(r))
	}
	result.Findings = x.findings()
	doc := oscalAR{
		UUID:       x.id("assessment-results"),
		Metadata:   x.metadata("Security risk analysis — " + res.Organization.Name),
		ImportAP:   oscalHref{Href: "#" + x.id("resource/model")},
		Results:    []oscalResult{result},
		BackMatter: x.backMatter(),
	}
	return writeOSCAL(w, "assessment-results", doc)
}

// OSCALPOAM writes the remediation plan as an OSCAL Plan of Action and
// Milestones: a POA&M item per plan step, in priority order, with its
// risk, the observation behind it and the due date as a milestone.
func OSCALPOAM(w io.Writer, res *assess.Result) error {
	x := newOSCAL(res)
	byID := make(map[string]*assess.Risk, len(res.Risks))
	for i := range res.Risks {
		byID[res.Risks[i].ID] = &res.Risks[i]
	}
	doc := oscalPOAM{
		UUID:             x.id("plan-of-action-and-milestones"),
		Metadata:         x.metadata("Risk management plan — " + res.Organization.Name),
		SystemID:         oscalSystemID{IdentifierType: "https://ietf.org/rfc/rfc4122", ID: x.stable("system")},
		LocalDefinitions: x.localDefs(),
		POAMItems:        []oscalPOAMItem{},
		BackMatter:       x.backMatter(),
	}
	for _, p := range res.Plan {
		r, ok := byID[p.RiskID]
		if !ok {
			return fmt.Errorf("report: oscal: plan item %d names risk %s, which is not in the register", p.Rank, p.RiskID)
		}
		doc.Observations = append(doc.Observations, x.observation(r))
		doc.Risks = append(doc.Risks, x.risk(r))
		doc.POAMItems = append(doc.POAMItems, oscalPOAMItem{
			UUID:        x.stable("poam-item/" + r.ID),
			Title:       line(p.Title),
			Description: p.Action,
			Props: props(
				"rank", fmt.Sprint(p.Rank),
				"risk-id", p.RiskID,
				"level", p.Level.Slug(),
				"owner", p.Owner,
				"effort", p.Effort,
				"due", p.Due,
			),
			RelatedObservations: []oscalObsRef{{ObservationUUID: x.id("observation/" + r.ID)}},
			RelatedRisks:        []oscalRiskRef{{RiskUUID: x.stable("risk/" + r.ID)}},
		})
	}
	return writeOSCAL(w, "plan-of-action-and-milestones", doc)
}

func writeOSCAL(w io.Writer, root string, doc any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(map[string]any{root: doc}); err != nil {
		return fmt.Errorf("report: oscal: %w", err)
	}
	return nil
}

// oscalDoc builds the parts the two documents share.
type oscalDoc struct {
	res     *assess.Result
	org     string            // names what persists across analyses
	key     string            // names this analysis
	systems map[string]string // system ID → component UUID
	names   map[string]string // system ID → name
}

func newOSCAL(res *assess.Result) *oscalDoc {
	// The organization, the as-of date and the regulation identify one
	// analysis; the model's path does not (it depends on where it ran).
	x := &oscalDoc{res: res, org: res.Organization.Name, systems: map[string]string{}, names: map[string]string{}}
	x.key = x.org + "|" + res.AsOf + "|" + res.Regulation
	for _, s := range res.Inventory.Systems {
		x.systems[s.ID] = x.stable("component/system/" + s.ID)
		x.names[s.ID] = line(s.Name)
	}
	return x
}

// id returns the version 5 UUID of one named part of this analysis: the
// document, the result, an observation or a finding.
func (x *oscalDoc) id(part string) string {
	return uuid.NewSHA1(uuidSpace, []byte(x.key+"|"+part)).String()
}

// stable returns the version 5 UUID of something that outlives this
// analysis: a risk (by its stable risk ID), its remediation, a plan item,
// a system, a party.
func (x *oscalDoc) stable(part string) string {
	return uuid.NewSHA1(uuidSpace, []byte(x.org+"|"+part)).String()
}

// at turns a date of the analysis into an OSCAL timestamp, which must
// carry a time zone; the analysis speaks for the whole day, in UTC.
func (x *oscalDoc) at(date string) string { return date + "T00:00:00Z" }

func (x *oscalDoc) scope() string {
	if s := strings.TrimSpace(x.res.Assessment.Scope); s != "" {
		return s
	}
	return "Security risk analysis of " + x.res.Organization.Name + " under 45 CFR 164.308(a)(1)(ii)(A)."
}

func (x *oscalDoc) metadata(title string) oscalMetadata {
	res := x.res
	m := oscalMetadata{
		Title:        title,
		LastModified: x.at(res.AsOf),
		Version:      res.AsOf,
		OSCALVersion: OSCALVersion,
		Revisions:    []oscalRevision{{Title: "This analysis", Version: res.AsOf}},
		Props: props(
			"regulation", res.Regulation,
			"organization-kind", res.Organization.Kind,
			"tool", res.Tool,
			"schema", res.Schema,
		),
		Roles:              []oscalRole{{ID: "prepared-for", Title: "Prepared for"}},
		Parties:            []oscalParty{{UUID: x.stable("party/organization"), Type: "organization", Name: line(res.Organization.Name)}},
		ResponsibleParties: []oscalResponsibleParty{{RoleID: "prepared-for", PartyUUIDs: []string{x.stable("party/organization")}}},
	}
	if p := res.Assessment.Previous; p != "" {
		m.Revisions = append(m.Revisions, oscalRevision{Title: "Previous analysis", Version: p})
	}
	person := func(role, title, name string) {
		if name = line(name); name == "" {
			return
		}
		id := x.stable("party/" + role)
		m.Roles = append(m.Roles, oscalRole{ID: role, Title: title})
		m.Parties = append(m.Parties, oscalParty{UUID: id, Type: "person", Name: name})
		m.ResponsibleParties = append(m.ResponsibleParties, oscalResponsibleParty{RoleID: role, PartyUUIDs: []string{id}})
	}
	person("assessor", "Assessor", res.Assessment.Assessor)
	person("security-official", "Security official (164.308(a)(2))", res.Organization.SecurityOfficial)
	if s := res.Assessment.SignOff; s != nil {
		name := s.Name
		if s.Title != "" {
			name += ", " + s.Title
		}
		person("approver", "Approved the analysis", name)
		m.Props = append(m.Props, props("approved", s.Date)...)
	}
	return m
}

// localDefs defines the modelled systems, which observations name as
// their subjects, and rcmguard itself, which rated the risks.
func (x *oscalDoc) localDefs() *oscalLocalDefs {
	d := &oscalLocalDefs{Components: []oscalComponent{{
		UUID: x.stable("component/tool"), Type: "software", Title: "rcmguard",
		Description: "The tool that evaluated the model and evidence and rated each risk on the NIST SP 800-30 scales.",
		Props:       props("version", x.res.Tool), Status: oscalStatus{State: "operational"},
	}}}
	for _, s := range x.res.Inventory.Systems {
		desc := fmt.Sprintf("%s system, hosted %s; PHI: %s; MFA: %s; encryption at rest: %s.", s.Kind, s.Hosting, yesNo(s.PHI), s.MFA, s.Encrypted)
		d.Components = append(d.Components, oscalComponent{
			UUID: x.systems[s.ID], Type: "system", Title: line(s.Name), Description: desc,
			Props: props("element-id", s.ID), Status: oscalStatus{State: "operational"},
		})
	}
	return d
}

func (x *oscalDoc) tool() []oscalOrigin {
	return []oscalOrigin{{Actors: []oscalActor{{Type: "tool", ActorUUID: x.stable("component/tool")}}}}
}

func (x *oscalDoc) observation(r *assess.Risk) oscalObservation {
	o := oscalObservation{
		UUID:        x.id("observation/" + r.ID),
		Title:       line(r.Title),
		Description: r.Vulnerability + "\n\n" + r.Why,
		Props:       props("risk-id", r.ID, "rule", r.Rule, "area", r.Area, "elements", elementNames(r.Elements)),
		// The model was examined; a risk backed by evidence was also
		// tested (a scan, a probe or a transaction file).
		Methods:   []string{"EXAMINE"},
		Types:     []string{"finding"},
		Origins:   x.tool(),
		Collected: x.at(x.res.AsOf),
	}
	if r.Evidence {
		o.Methods = append(o.Methods, "TEST")
		o.RelevantEvidence = []oscalEvidence{{Description: "Evidence from rcmguard scan, probe or edi inspect supports this observation."}}
	}
	for _, e := range r.Elements {
		if id, ok := x.systems[e.ID]; ok && e.Kind == "system" {
			o.Subjects = append(o.Subjects, oscalSubject{SubjectUUID: id, Type: "component", Title: x.names[e.ID]})
		}
	}
	if len(r.RestsOn) > 0 {
		o.Props = append(o.Props, props("rests-on-unknowns", strings.Join(r.RestsOn, ", "))...)
	}
	return o
}

// riskStatus maps a tracking status onto OSCAL's risk statuses; an
// acceptance that has lapsed is open again.
func riskStatus(r *assess.Risk) string {
	switch r.Status {
	case risk.InDiscussion:
		return "investigating"
	case risk.InProgress:
		return "remediating"
	case risk.Accepted:
		if r.Open() {
			return "open"
		}
		return "deviation-approved"
	case risk.Mitigated, risk.FalsePositive:
		return "closed"
	}
	return "open"
}

func (x *oscalDoc) risk(r *assess.Risk) oscalRisk {
	var cites []string
	for _, c := range r.Citations {
		cites = append(cites, c.Citation)
	}
	out := oscalRisk{
		UUID:        x.stable("risk/" + r.ID),
		Title:       line(r.Title),
		Description: r.Threat,
		Statement:   r.Vulnerability + "\n\n" + r.Why,
		Props: props(
			"risk-id", r.ID,
			"rule", r.Rule,
			"citations", strings.Join(cites, "; "),
			"owner", r.Owner,
			"value", fmt.Sprint(r.Value),
			"sra-tool-level", r.SRATool,
			"likelihood-initiation", stepLevel(r.Likelihood, 0),
			"likelihood-adverse-impact", stepLevel(r.Likelihood, 1),
			"residual-level", r.Residual.Level.Slug(),
			"tracking-status", string(r.Status),
			"evidence-backed", fmt.Sprint(r.Evidence),
			"basis", r.Basis,
		),
		Status:  riskStatus(r),
		Origins: x.tool(),
		Characterizations: []oscalCharacterization{{
			Origin: x.tool()[0],
			Facets: []oscalFacet{
				{Name: "likelihood", System: nistNS, Value: hyphen(r.Likelihood.Level)},
				{Name: "impact", System: nistNS, Value: hyphen(r.Impact.Level)},
				{Name: "risk", System: nistNS, Value: hyphen(r.Level)},
			},
		}},
		RelatedObservations: []oscalObsRef{{ObservationUUID: x.id("observation/" + r.ID)}},
	}
	if r.Basis == assess.BasisBusiness {
		out.Description += "\n\n" + assess.BusinessLabel + "."
	}
	due := ""
	if r.Tracking != nil {
		due = r.Tracking.Due
	}
	for _, p := range x.res.Plan {
		if p.RiskID == r.ID {
			due = p.Due
		}
	}
	rem := oscalResponse{UUID: x.stable("response/" + r.ID), Lifecycle: "recommendation", Title: "Mitigation", Description: r.Mitigation}
	switch r.Status {
	case risk.InProgress:
		rem.Lifecycle = "planned"
	case risk.Mitigated:
		rem.Lifecycle = "completed"
	}
	if due != "" && r.Open() {
		out.Deadline = x.at(due)
		rem.Tasks = []oscalTask{{
			UUID: x.stable("task/" + r.ID), Type: "milestone", Title: "Mitigation due",
			Timing: &oscalTiming{OnDate: &oscalOnDate{Date: x.at(due)}},
		}}
	}
	if r.Mitigation != "" {
		out.Remediations = []oscalResponse{rem}
	}
	return out
}

// findings gives one finding per assessed catalog entry: not satisfied
// while an open risk cites it or it is still an open question.
func (x *oscalDoc) findings() []oscalFinding {
	var out []oscalFinding
	for _, c := range x.res.Coverage {
		f := oscalFinding{
			UUID:        x.id("finding/" + c.Citation),
			Title:       line(c.Citation + " " + c.Name),
			Description: coverageText(c),
			Props:       props("citation", c.Citation, "type", c.Type, "coverage", c.Status, "answer", c.Answer),
			Target:      oscalTarget{Type: "statement-id", TargetID: controlID(c.Citation) + "_smt", Title: line(c.Name)},
		}
		for i := range x.res.Risks {
			r := &x.res.Risks[i]
			if r.Open() && cites(r, c.Citation) {
				f.RelatedRisks = append(f.RelatedRisks, oscalRiskRef{RiskUUID: x.stable("risk/" + r.ID)})
			}
		}
		switch {
		case len(f.RelatedRisks) > 0:
			f.Target.Status = oscalTargetStatus{State: "not-satisfied", Reason: "fail"}
		case c.Status == "open":
			f.Target.Status = oscalTargetStatus{State: "not-satisfied", Reason: "other"}
			f.Remarks = "Not yet examined: an open question of the analysis."
		case c.Status == "not_applicable":
			f.Target.Status = oscalTargetStatus{State: "satisfied", Reason: "other"}
			f.Remarks = "Answered not applicable."
		default:
			f.Target.Status = oscalTargetStatus{State: "satisfied", Reason: "pass"}
		}
		if c.WhyNotReasonable != "" {
			f.Remarks = "Not implemented under 164.306(d)(3): " + c.WhyNotReasonable + " Equivalent measure: " + c.EquivalentMeasure
		}
		out = append(out, f)
	}
	return out
}

func coverageText(c assess.Coverage) string {
	switch c.Status {
	case "rules":
		return fmt.Sprintf("Examined by rules %s; %d risks cite it.", strings.Join(c.Rules, ", "), c.Risks)
	case "answered":
		return "Answered " + strings.ReplaceAll(c.Answer, "_", " ") + " in the model." + note(c.Note)
	case "not_applicable":
		return "Answered not applicable in the model." + note(c.Note)
	}
	return "No rule or answer examined it; it is an open question of the analysis."
}

func note(s string) string {
	if s = strings.TrimSpace(s); s == "" {
		return ""
	}
	return " " + s
}

func cites(r *assess.Risk, citation string) bool {
	for _, c := range r.Citations {
		if c.Citation == citation {
			return true
		}
	}
	return false
}

func (x *oscalDoc) controls() []oscalControl {
	out := make([]oscalControl, 0, len(x.res.Coverage))
	for _, c := range x.res.Coverage {
		out = append(out, oscalControl{ControlID: controlID(c.Citation)})
	}
	return out
}

// backMatter describes the model file, which stands in for the assessment
// plan that OSCAL requires (import-ap points here).
func (x *oscalDoc) backMatter() oscalBackMatter {
	return oscalBackMatter{Resources: []oscalResource{{
		UUID:  x.id("resource/model"),
		Title: "Assessment model",
		Description: "The rcmguard model of " + x.res.Organization.Name + " — its systems, data, flows, vendors, roles and answers — " +
			"which defines the scope and method of this analysis and stands in for an OSCAL assessment plan.",
		Props: props("as-of", x.res.AsOf),
	}}}
}

// controlID turns a citation into an OSCAL token: "164.308(a)(1)(ii)(A)"
// becomes "hipaa-164.308.a.1.ii.a", the form the community HIPAA catalog
// anchors its controls to.
func controlID(citation string) string {
	var b strings.Builder
	b.WriteString("hipaa-")
	dot := false
	for _, c := range strings.ToLower(citation) {
		if c >= 'a' && c <= 'z' || c >= '0' && c <= '9' {
			if dot {
				b.WriteByte('.')
				dot = false
			}
			b.WriteRune(c)
			continue
		}
		dot = b.Len() > len("hipaa-")
	}
	return b.String()
}

func hyphen(l risk.Level) string { return strings.ReplaceAll(l.String(), " ", "-") }

// line makes text a valid OSCAL single-line string: no line breaks, no
// space at either end.
func line(s string) string { return strings.Join(strings.Fields(s), " ") }

// props builds rcmguard properties from name/value pairs, leaving out
// empty values (OSCAL forbids them).
func props(kv ...string) []oscalProp {
	var out []oscalProp
	for i := 0; i+1 < len(kv); i += 2 {
		if v := line(kv[i+1]); v != "" {
			out = append(out, oscalProp{Name: kv[i], NS: oscalNS, Value: v})
		}
	}
	return out
}

// stepLevel names the level of one step of a two-step likelihood, with
// its SP 800-30 table ("high (G-2)"), or "" for a one-step rating.
func stepLevel(l risk.Rating, i int) string {
	if i >= len(l.Steps) {
		return ""
	}
	return l.Steps[i].Level.Slug() + " (" + l.Steps[i].Table + ")"
}
