// Package assess runs a security risk analysis: it builds the graph of a
// model and its evidence, evaluates the rules, rates and tracks each risk,
// maps the results onto every Security Rule specification, and orders the
// remediation plan. It is pure: the same model, evidence, rules and as-of
// date always give the same result.
package assess

import (
	"rcmguard/internal/evidence"
	"rcmguard/internal/risk"
	"rcmguard/internal/rules"
)

// SchemaVersion names the JSON format of Result; it changes only when a
// field is removed or changes meaning (docs/assess.md documents it).
//
// v2: likelihood is the two-step rating of SP 800-30 Rev. 1 (initiation
// or occurrence, adverse impact, overall per Table G-5) and residual risk
// follows from the controls; pairs, method and document control added.
const SchemaVersion = "rcmguard.assessment/v2"

// Result is a complete risk analysis.
type Result struct {
	Schema       string         `json:"schema"`
	Tool         string         `json:"tool"`
	AsOf         string         `json:"as_of"`
	Regulation   string         `json:"regulation"`
	Organization Organization   `json:"organization"`
	Assessment   AssessmentMeta `json:"assessment"`
	Method       Method         `json:"method"`
	Summary      Summary        `json:"summary"`
	Risks        []Risk         `json:"risks"`
	// Pairs are every applicable threat–vulnerability pair: the risks
	// (safeguard missing) and those whose safeguard is in place.
	Pairs       []Pair          `json:"pairs"`
	Plan        []PlanItem      `json:"plan"`
	Coverage    []Coverage      `json:"coverage"`
	Questions   []Question      `json:"questions"`
	Inventory   Inventory       `json:"inventory"`
	Evidence    EvidenceSummary `json:"evidence"`
	OCRElements []OCRElement    `json:"ocr_elements"`
	// DocumentControl is the version, change log, participants, sources,
	// assumptions, named owners and approvals of the analysis.
	DocumentControl DocumentControl `json:"document_control"`
	Warnings        []string        `json:"warnings"`
}

// Organization is who was assessed.
type Organization struct {
	Name             string  `json:"name"`
	Kind             string  `json:"kind"`
	Workforce        int     `json:"workforce"`
	PatientsPerYear  int     `json:"patients_per_year"`
	ClaimsPerMonth   int     `json:"claims_per_month"`
	AvgReimbursement float64 `json:"avg_reimbursement"`
	RevenuePerDay    float64 `json:"revenue_per_day"`
	SecurityOfficial string  `json:"security_official,omitempty"`
	Clients          int     `json:"clients"`
}

// AssessmentMeta carries the model's assessment block.
type AssessmentMeta struct {
	Assessor string `json:"assessor,omitempty"`
	Scope    string `json:"scope,omitempty"`
	// ScopeKind is enterprise (all ePHI of the organisation) or billing
	// (a billing company's own operation); InScope and OutOfScope are the
	// model's statements of what the analysis covers and leaves out.
	ScopeKind  string   `json:"scope_kind,omitempty"`
	InScope    []string `json:"in_scope,omitempty"`
	OutOfScope []string `json:"out_of_scope,omitempty"`
	Previous   string   `json:"previous,omitempty"`
	SignOff    *SignOff `json:"sign_off,omitempty"`
	Model      string   `json:"model"`
}

// SignOff is the approval of the analysis.
type SignOff struct {
	Name  string `json:"name"`
	Title string `json:"title,omitempty"`
	Date  string `json:"date"`
}

// Summary counts what was found.
type Summary struct {
	Risks        int            `json:"risks"`
	Open         int            `json:"open"`
	ByLevel      map[string]int `json:"by_level"`
	OpenByLevel  map[string]int `json:"open_by_level"`
	ByStatus     map[string]int `json:"by_status"`
	Highest      string         `json:"highest_open_level"`
	Rules        int            `json:"rules_evaluated"`
	Coverage     CoverageCount  `json:"coverage"`
	HeatMap      [5][5]int      `json:"heat_map"` // [likelihood][impact], very low … very high, open risks
	EvidenceUsed int            `json:"evidence_facts"`
	Confidence   Confidence     `json:"confidence"`
	// Evidence is how much of the analysis rests on evidence.
	Evidence EvidenceShare `json:"evidence_share"`
}

// Confidence says how much of the analysis rests on what the model leaves
// unknown. Level is high when nothing does, moderate when the unknown
// facts are few and at most a tenth of the risks rest on them, and low
// otherwise.
type Confidence struct {
	Level           string `json:"level"`
	UnknownFacts    int    `json:"unknown_facts"`
	RisksOnUnknowns int    `json:"risks_resting_on_unknowns"`
}

// CoverageCount says how the assessable entries were covered.
type CoverageCount struct {
	Specifications int `json:"implementation_specifications"`
	Standards      int `json:"standards_without_specifications"`
	ByRules        int `json:"by_rules"`
	ByAnswers      int `json:"by_answers"`
	NotApplicable  int `json:"not_applicable"`
	Open           int `json:"open_questions"`
}

// ElementRef names a model element a risk concerns.
type ElementRef struct {
	Kind  string `json:"kind"`
	ID    string `json:"id"`
	Label string `json:"label"`
	Where string `json:"where,omitempty"` // file:line of its definition
}

// Citation is a regulation reference with its catalog facts.
type Citation struct {
	Citation string `json:"citation"`
	Name     string `json:"name"`
	Type     string `json:"type"` // Required, Addressable, Standard or Related
}

// Risk is one threat/vulnerability pair on one or more elements.
type Risk struct {
	ID             string       `json:"id"`
	Rule           string       `json:"rule"`
	Title          string       `json:"title"`
	Area           string       `json:"area"`
	Elements       []ElementRef `json:"elements"`
	Stage          string       `json:"stage,omitempty"`
	Citations      []Citation   `json:"citations"`
	Threat         string       `json:"threat"`
	Vulnerability  string       `json:"vulnerability"`
	Why            string       `json:"why"`
	Likelihood     risk.Rating  `json:"likelihood"`
	Impact         risk.Rating  `json:"impact"`
	Level          risk.Level   `json:"level"`
	Value          int          `json:"value"`
	SRATool        string       `json:"sra_tool_level"`
	Residual       Residual     `json:"residual"`
	Mitigation     string       `json:"mitigation"`
	FalsePositives string       `json:"false_positives"`
	Owner          string       `json:"owner"`
	Effort         string       `json:"effort"`
	Evidence       bool         `json:"evidence_backed"`
	Basis          string       `json:"basis,omitempty"` // "business" for a risk HIPAA does not govern
	// RestsOn names the unknown facts the rule fired on (system.mfa,
	// …): answered as a well-run element would answer them, the risk
	// would not be there. Such a risk is provisional, not a definite
	// finding, until the model states them.
	RestsOn  []string    `json:"rests_on_unknowns,omitempty"`
	Status   risk.Status `json:"status"`
	Tracking *Tracking   `json:"tracking,omitempty"`
}

// Open reports whether the risk still needs action: not mitigated, not a
// false positive, and not accepted under an acceptance still in force.
func (r *Risk) Open() bool {
	if !r.Status.StillAtRisk() {
		return false
	}
	return r.Status != risk.Accepted || (r.Tracking != nil && r.Tracking.AcceptanceExpired)
}

// Residual is the rating if the mitigation is implemented.
type Residual struct {
	Likelihood int        `json:"likelihood"`
	Impact     int        `json:"impact"`
	Value      int        `json:"value"`
	Level      risk.Level `json:"level"`
	Arithmetic string     `json:"arithmetic"`
}

// Tracking is the decision recorded for a risk.
type Tracking struct {
	Pattern           string `json:"pattern"`
	Justification     string `json:"justification,omitempty"`
	Owner             string `json:"owner,omitempty"`
	Due               string `json:"due,omitempty"`
	Approver          string `json:"approver,omitempty"`
	Expires           string `json:"expires,omitempty"`
	Ticket            string `json:"ticket,omitempty"`
	AcceptanceExpired bool   `json:"acceptance_expired,omitempty"`
}

// BasisBusiness marks a risk to the business that HIPAA does not govern
// unless patient data is involved; BusinessLabel is how reports name it.
const (
	BasisBusiness = rules.BasisBusiness
	BusinessLabel = "Business risk, not a HIPAA requirement: HIPAA applies only where patient data is involved"
)

// PlanItem is one step of the remediation plan, in priority order.
type PlanItem struct {
	Rank      int        `json:"rank"`
	RiskID    string     `json:"risk_id"`
	Title     string     `json:"title"`
	Level     risk.Level `json:"level"`
	Value     int        `json:"value"`
	Owner     string     `json:"owner"`
	OwnerName string     `json:"owner_name,omitempty"` // the person named for the owner role
	Action    string     `json:"action"`
	Effort    string     `json:"effort"`
	Due       string     `json:"due"`
	Status    string     `json:"status"`
	Residual  risk.Level `json:"residual_level"`
	Citations []string   `json:"citations"`
	Elements  []string   `json:"elements"`
	Basis     string     `json:"basis,omitempty"`
}

// Coverage is how one assessable catalog entry was covered.
type Coverage struct {
	Citation string   `json:"citation"`
	Name     string   `json:"name"`
	Type     string   `json:"type"`
	Status   string   `json:"status"` // rules, answered, not_applicable, open
	Rules    []string `json:"rules,omitempty"`
	Risks    int      `json:"risks"`
	Answer   string   `json:"answer,omitempty"`
	Note     string   `json:"note,omitempty"`
	Evidence string   `json:"evidence,omitempty"`
	// The 164.306(d)(3) record of an addressable specification not
	// implemented: why not, and the equivalent measure.
	WhyNotReasonable  string `json:"why_not_reasonable,omitempty"`
	EquivalentMeasure string `json:"equivalent_measure,omitempty"`
}

// Question is something the model could not answer: a specification no
// rule or answer examined, or (with Field set) a fact about one element
// that the model leaves out.
type Question struct {
	Citation string `json:"citation"`
	Name     string `json:"name"`
	Question string `json:"question"`
	Element  string `json:"element,omitempty"` // label of the element the fact is about
	Field    string `json:"field,omitempty"`   // YAML path to state it at, e.g. systems[2].auto_logoff_minutes
	Where    string `json:"where,omitempty"`   // file:line of the element
}

// Inventory is the scope of the analysis: what was modelled.
type Inventory struct {
	Stages  []Stage     `json:"stages"`
	Systems []SystemRow `json:"systems"`
	Data    []DataRow   `json:"data"`
	Flows   []FlowRow   `json:"flows"`
	Vendors []VendorRow `json:"vendors"`
	Roles   []RoleRow   `json:"roles"`
	Steps   []StepRow   `json:"steps"`
	Clients []ClientRow `json:"clients,omitempty"`
}

// Stage is a workflow stage in swimlane order.
type Stage struct {
	ID    string `json:"id"`
	Title string `json:"title"`
}

// SystemRow is a system in the inventory.
type SystemRow struct {
	ID             string `json:"id"`
	Name           string `json:"name"`
	Kind           string `json:"kind"`
	Hosting        string `json:"hosting"`
	Vendor         string `json:"vendor,omitempty"`
	MFA            string `json:"mfa"`
	PHI            bool   `json:"phi"`
	InternetFacing bool   `json:"internet_facing"`
	Encrypted      string `json:"encryption_at_rest"`
	Risks          int    `json:"open_risks"`
	Highest        string `json:"highest_open_level,omitempty"`
}

// DataRow is a data asset in the inventory.
type DataRow struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Kind        string `json:"kind"`
	Sensitivity string `json:"sensitivity"`
	PHI         bool   `json:"phi"`
	Records     int    `json:"records"`
}

// FlowRow is a flow in the inventory and the diagram.
type FlowRow struct {
	ID        string   `json:"id"`
	From      string   `json:"from"`
	To        string   `json:"to"`
	FromName  string   `json:"from_name"`
	ToName    string   `json:"to_name"`
	Channel   string   `json:"channel"`
	Stage     string   `json:"stage"`
	Auth      string   `json:"auth"`
	Encrypted bool     `json:"encrypted"`
	PHI       bool     `json:"phi"`
	Automated bool     `json:"automated"`
	Data      []string `json:"data"`
	Risks     int      `json:"open_risks"`
	Highest   string   `json:"highest_open_level,omitempty"`
}

// VendorRow is a vendor in the inventory.
type VendorRow struct {
	ID       string   `json:"id"`
	Name     string   `json:"name"`
	BAA      string   `json:"baa"`
	Expires  string   `json:"baa_expires,omitempty"`
	PHI      bool     `json:"phi_access"`
	Offshore bool     `json:"offshore"`
	Services []string `json:"services"`
	Risks    int      `json:"open_risks"`
}

// RoleRow is a role in the inventory.
type RoleRow struct {
	ID        string   `json:"id"`
	Name      string   `json:"name"`
	Kind      string   `json:"kind"`
	Location  string   `json:"location"`
	Training  string   `json:"training"`
	Headcount int      `json:"headcount"`
	Systems   []string `json:"systems"`
}

// StepRow is a workflow step.
type StepRow struct {
	ID     string   `json:"id"`
	Stage  string   `json:"stage"`
	Role   string   `json:"role"`
	System string   `json:"system,omitempty"`
	Action string   `json:"action"`
	Flows  []string `json:"flows,omitempty"`
}

// ClientRow is a client practice.
type ClientRow struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	BAA      string `json:"baa"`
	Expires  string `json:"baa_expires,omitempty"`
	Patients int    `json:"patients"`
}

// EvidenceSummary counts the facts the analysis used.
type EvidenceSummary struct {
	Facts     int              `json:"facts"`
	Sets      []EvidenceSet    `json:"sets"`
	BySource  map[string]int   `json:"by_source"`
	Unmatched []evidence.Fact  `json:"unmatched"`
	Observed  []ObservedOnElem `json:"observed"`
}

// ObservedOnElem lists the evidence checks seen on one element.
type ObservedOnElem struct {
	Element string   `json:"element"`
	Checks  []string `json:"checks"`
}

// OCRElement maps one of OCR's nine risk-analysis elements (2010 guidance)
// to where the analysis meets it.
type OCRElement struct {
	Number  int    `json:"number"`
	Element string `json:"element"`
	Section string `json:"section"`
	Met     string `json:"how_met"`
}
