package model

// Document is the document control of a risk analysis: who took part,
// what was read, what was assumed, and who approved the risk management
// plan (164.308(a)(1)(ii)(B)) with which resources. The report prints it
// in every format, so an investigator sees a document with an owner and a
// history rather than a tool's output.
type Document struct {
	Version      string           `yaml:"version,omitempty" doc:"Version of this analysis document, e.g. \"2026.1\"; the report's change log compares against the previous analysis."`
	Participants []Participant    `yaml:"participants,omitempty" doc:"People who took part: interviewed, reviewed, or supplied information."`
	Sources      []DocumentSource `yaml:"sources,omitempty" doc:"Interviews held and documents reviewed (policies, contracts, vendor reports, inventories)."`
	Assumptions  []string         `yaml:"assumptions,omitempty" doc:"Assumptions the analysis rests on, in the organisation's words."`
	Owners       []NamedOwner     `yaml:"owners,omitempty" doc:"The named person behind each remediation owner (security_official, practice_manager, billing_manager, it, vendor_management, compliance)."`
	PlanApproval *PlanApproval    `yaml:"plan_approval,omitempty" doc:"Approval of the risk management plan (45 CFR 164.308(a)(1)(ii)(B)) by a named person."`
}

// Participant is a person who took part in the analysis.
type Participant struct {
	Name string `yaml:"name" doc:"Full name." req:"true"`
	Role string `yaml:"role,omitempty" doc:"Job title or role in the organisation."`
	Part string `yaml:"part,omitempty" doc:"How they took part: interviewed, reviewer, assessor, supplied documents."`
	Date Date   `yaml:"date,omitempty" doc:"Date of the interview or review (YYYY-MM-DD)."`
}

// DocumentSource is an interview or a document the analysis drew on.
type DocumentSource struct {
	Title string `yaml:"title" doc:"What it is: \"Interview with the billing manager\", \"BAA with ClearPath, 2025\"." req:"true"`
	Kind  string `yaml:"kind,omitempty" doc:"interview, document, system or observation."`
	Date  Date   `yaml:"date,omitempty" doc:"Date held or dated (YYYY-MM-DD)."`
	Note  string `yaml:"note,omitempty" doc:"What it established."`
}

// NamedOwner names the person who answers for one remediation owner role.
type NamedOwner struct {
	Role string `yaml:"role" doc:"The remediation owner role the rules use, e.g. billing_manager." req:"true"`
	Name string `yaml:"name" doc:"The person's full name." req:"true"`
}

// PlanApproval is the approval of the risk management plan.
type PlanApproval struct {
	Name      string `yaml:"name" doc:"Approver's full name." req:"true"`
	Title     string `yaml:"title,omitempty" doc:"Approver's title."`
	Date      Date   `yaml:"date" doc:"Date of approval (YYYY-MM-DD)." req:"true"`
	Resources string `yaml:"resources,omitempty" doc:"Resources committed to the plan: budget, staff time, outside help."`
}
