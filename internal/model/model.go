// Package model holds the model of a billing operation: who bills, through
// which systems, carrying which data over which flows, with which vendors and
// roles. It loads the YAML format documented in docs/model.md, reports every
// error with file:line:column, and derives nothing about risk: that is the job
// of the rules.
package model

// Model is a whole billing operation as written by its author. The struct tags
// are the YAML keys; `doc` tags are the descriptions the JSON Schema carries.
type Model struct {
	Version      int           `yaml:"version" doc:"Format version of the file. Optional: a file without one is version 1. An older version is read as it meant when written (rcmguard migrate rewrites it); a newer one is refused."`
	Organization Organization  `yaml:"organization" doc:"The organisation under assessment." req:"true"`
	Assessment   Assessment    `yaml:"assessment,omitempty" doc:"Scope and metadata of this assessment."`
	Stages       []CustomStage `yaml:"stages,omitempty" doc:"Custom workflow stages beyond the six standard billing stages."`
	Clients      []Client      `yaml:"clients,omitempty" doc:"Client practices served (billing companies)."`
	Systems      []System      `yaml:"systems" doc:"Information systems that create, receive, maintain or transmit ePHI." req:"true"`
	Data         []Data        `yaml:"data" doc:"Data assets." req:"true"`
	Flows        []Flow        `yaml:"flows,omitempty" doc:"Movements of data between systems."`
	Vendors      []Vendor      `yaml:"vendors,omitempty" doc:"Vendors and business associates."`
	Roles        []Role        `yaml:"roles" doc:"Workforce roles." req:"true"`
	People       []Person      `yaml:"people,omitempty" doc:"The people of the workforce, one entry each: the same list the roster, monitoring and training use."`
	Workflow     []Step        `yaml:"workflow,omitempty" doc:"Workflow steps: who does what, in which system, with which data."`
	Policies     []Policy      `yaml:"policies,omitempty" doc:"Documented policies, plans and procedures."`
	Answers      []AnswerEntry `yaml:"answers,omitempty" doc:"Answers to questions the model cannot express."`
	Tracking     []Tracking    `yaml:"tracking,omitempty" doc:"Decisions on risks, keyed by stable risk ID (wildcards allowed)."`

	// path is where the model was read from; positions index YAML paths to
	// their place in that file. Both are empty for models built in code.
	path      string
	positions map[string]Pos
	// read is the version the file was written in, and whether it said
	// so; the model itself is always of the current version.
	read struct {
		version int
		stated  bool
	}
}

// Organization describes the entity under assessment.
type Organization struct {
	Name                string  `yaml:"name" doc:"Legal or trading name." req:"true"`
	Kind                OrgKind `yaml:"kind" doc:"provider_practice, billing_company or clearinghouse." req:"true"`
	Workforce           int     `yaml:"workforce" doc:"Number of workforce members (employees, contractors, volunteers)." req:"true"`
	PatientsPerYear     int     `yaml:"patients_per_year" doc:"Distinct patients whose PHI is handled per year (all clients together for a billing company)." req:"true"`
	ClaimsPerMonth      int     `yaml:"claims_per_month" doc:"Claims submitted per month." req:"true"`
	AvgReimbursement    float64 `yaml:"avg_reimbursement" doc:"Average reimbursement per claim in US dollars, for revenue at risk." req:"true"`
	DaysInAR            int     `yaml:"days_in_ar,omitempty" doc:"Average days in accounts receivable."`
	SecurityOfficial    string  `yaml:"security_official,omitempty" doc:"Name or title of the designated security official (164.308(a)(2))."`
	PrivacyOfficial     string  `yaml:"privacy_official,omitempty" doc:"Name or title of the privacy official."`
	Locations           int     `yaml:"locations,omitempty" doc:"Number of physical sites."`
	IsBusinessAssociate *bool   `yaml:"business_associate,omitempty" doc:"Whether the organisation acts as a business associate (defaults to true for billing companies and clearinghouses)."`
	ClearinghouseFunc   *bool   `yaml:"clearinghouse_function,omitempty" doc:"The organisation is, or includes, a health care clearinghouse that is part of a larger organisation (164.308(a)(4)(ii)(A) applies). Defaults to true for kind clearinghouse, false otherwise."`
	ClearinghouseIso    *bool   `yaml:"clearinghouse_isolated,omitempty" doc:"The clearinghouse function's ePHI is isolated from the rest of the organisation (separate systems, accounts or access rules). Left out: not known."`
	TimeZone            string  `yaml:"time_zone,omitempty" doc:"IANA time zone the organisation works in (America/Chicago), in which the web app shows the audit log. Left out: UTC."`
}

// Assessment holds metadata about this run of the risk analysis.
type Assessment struct {
	Date       Date       `yaml:"date,omitempty" doc:"As-of date (YYYY-MM-DD); defaults to today."`
	Assessor   string     `yaml:"assessor,omitempty" doc:"Who performed the analysis."`
	Scope      string     `yaml:"scope,omitempty" doc:"What the analysis covers, in a sentence."`
	ScopeKind  ScopeKind  `yaml:"scope_kind,omitempty" doc:"enterprise: all ePHI the organisation creates, receives, maintains or transmits (164.308(a)(1)(ii)(A)); billing: a billing company's own billing operation. Left out: billing for a billing company, enterprise otherwise (a version 1 or 2 file meant billing)."`
	InScope    []string   `yaml:"in_scope,omitempty" doc:"What the analysis covers: sites, systems, data, processes, one statement each."`
	OutOfScope []string   `yaml:"out_of_scope,omitempty" doc:"What it leaves out, and why (covered by another analysis, not handling ePHI), one statement each."`
	Regulation Regulation `yaml:"regulation,omitempty" doc:"current-2013 (default) or nprm-2025-proposed to overlay the proposed 2025 rule."`
	Previous   Since      `yaml:"previous,omitempty" doc:"Date of the previous risk analysis, or never if this is the first. Left out: not known (a version 2 file meant none)."`
	SignOff    *SignOff   `yaml:"sign_off,omitempty" doc:"Who approved the analysis and when."`
	Document   Document   `yaml:"document,omitempty" doc:"Document control: version, participants, sources, assumptions, named owners, approval of the risk management plan."`
}

// SignOff records approval of the analysis.
type SignOff struct {
	Name  string `yaml:"name" doc:"Approver's name." req:"true"`
	Title string `yaml:"title,omitempty" doc:"Approver's title."`
	Date  Date   `yaml:"date" doc:"Date of sign-off." req:"true"`
}

// CustomStage is a workflow stage beyond the standard six.
type CustomStage struct {
	ID    string `yaml:"id" doc:"Stable identifier." req:"true"`
	Title string `yaml:"title" doc:"Display name." req:"true"`
	After string `yaml:"after,omitempty" doc:"Stage this one follows in the swimlane order."`
}

// Client is a practice served by a billing company.
type Client struct {
	ID             string `yaml:"id" doc:"Stable identifier." req:"true"`
	Name           string `yaml:"name" doc:"Practice name." req:"true"`
	BAA            BAA    `yaml:"baa" doc:"The BAA between the client (covered entity) and us." req:"true"`
	Patients       int    `yaml:"patients,omitempty" doc:"Patients per year."`
	ClaimsPerMonth int    `yaml:"claims_per_month,omitempty" doc:"Claims per month."`
	Specialty      string `yaml:"specialty,omitempty" doc:"Medical specialty (sensitive specialties raise impact)."`
	State          string `yaml:"state,omitempty" doc:"US state, for state breach-notification law."`
}

// BAA is a business associate agreement.
type BAA struct {
	Status                BAAStatus `yaml:"status" doc:"signed, pending, expired, none or not_required (conduit)." req:"true"`
	Signed                Date      `yaml:"signed,omitempty" doc:"Date signed."`
	Expires               Date      `yaml:"expires,omitempty" doc:"Expiry or renewal date."`
	SubcontractorFlowdown *bool     `yaml:"subcontractor_flowdown,omitempty" doc:"Whether it binds subcontractors to the same terms (164.314(a)(2)(i)(B))."`
	BreachNoticeDays      *int      `yaml:"breach_notice_days,omitempty" doc:"Days the BA has to report a breach to the covered entity; 0 when the BAA states no deadline. Left out: not known (a version 2 file meant 0)."`
}

// System is an information system.
type System struct {
	ID               string     `yaml:"id" doc:"Stable identifier." req:"true"`
	Name             string     `yaml:"name" doc:"Product or system name." req:"true"`
	Kind             SystemKind `yaml:"kind" doc:"Kind of system." req:"true"`
	Hosting          Hosting    `yaml:"hosting,omitempty" doc:"on_prem, cloud, vendor_saas, client_hosted (a client's system we only log in to), consumer (a consumer service used with no contract, such as personal e-mail) or unknown."`
	Vendor           string     `yaml:"vendor,omitempty" doc:"ID of the vendor that runs or supplies it."`
	Client           string     `yaml:"client,omitempty" doc:"ID of the client practice it belongs to, if not shared."`
	StoresPHI        *bool      `yaml:"stores_phi,omitempty" doc:"Whether ePHI is stored (defaults from the data it holds)."`
	InternetFacing   *bool      `yaml:"internet_facing,omitempty" doc:"Reachable from the internet."`
	MFA              Coverage   `yaml:"mfa,omitempty" doc:"MFA coverage of human users: all, partial, none, unknown."`
	SSO              *bool      `yaml:"sso,omitempty" doc:"Single sign-on through the organisation's identity provider."`
	RoleBasedAccess  *bool      `yaml:"role_based_access,omitempty" doc:"Access granted by role with least privilege."`
	UniqueLogins     *bool      `yaml:"unique_logins,omitempty" doc:"Every user has their own login (no shared accounts)."`
	EncryptionAtRest *bool      `yaml:"encryption_at_rest,omitempty" doc:"ePHI encrypted at rest."`
	AutoLogoffMin    *int       `yaml:"auto_logoff_minutes,omitempty" doc:"Idle minutes before automatic logoff; 0 = none. Left out: not known (a version 1 file meant none)."`
	Patching         Patching   `yaml:"patching,omitempty" doc:"How the system is patched."`
	AuditLog         AuditLog   `yaml:"audit_log,omitempty" doc:"Audit logging."`
	Backup           Backup     `yaml:"backup,omitempty" doc:"Backups."`
	Antimalware      *bool      `yaml:"antimalware,omitempty" doc:"Endpoint protection / anti-malware (workstations, servers)."`
	API              *API       `yaml:"api,omitempty" doc:"An API this system exposes or uses for billing integrations."`
	Data             []string   `yaml:"data,omitempty" doc:"IDs of data assets stored here."`
	Endpoints        []Endpoint `yaml:"endpoints,omitempty" doc:"Network endpoints that rcmguard probe can check."`
	Locations        []string   `yaml:"locations,omitempty" doc:"Filesystem paths or share roots this system stores files in (matched against scan evidence)."`
	EDIApproved      *bool      `yaml:"edi_approved,omitempty" doc:"Whether X12 claim and remittance files are approved to live in its locations."`
	Critical         *bool      `yaml:"critical,omitempty" doc:"Billing stops without it (criticality analysis)."`
	Clients          []string   `yaml:"clients,omitempty" doc:"IDs of the clients whose PHI it holds, when it serves several (a shared folder or PM database of a billing company)."`
	ClientSeparation *bool      `yaml:"client_separation,omitempty" doc:"Each client's data sits apart (own folders, databases or tenants) with access limited to the people serving that client. Left out: not known."`
	Accounts         []Account  `yaml:"accounts,omitempty" doc:"Individual accounts on the system: who, role, status, last use."`
	DefaultCreds     *bool      `yaml:"default_credentials,omitempty" doc:"A default, vendor-supplied or hard-coded password is still in use on it."`
	RemoteAccess     []Remote   `yaml:"remote_access,omitempty" doc:"How people reach it from outside the office: vpn, rdp, remote_control, port_forward, ssh or none."`
	EndOfSupport     Date       `yaml:"end_of_support,omitempty" doc:"Date its vendor stops (or stopped) issuing security fixes for the software or firmware; a date in the past means end-of-life software."`
	DeviceStorage    *bool      `yaml:"stores_data_on_device,omitempty" doc:"The device keeps copies of what it handles on its own drive or memory (copiers, scanners, multifunction printers, fax machines with memory, workstations)."`
	Sanitized        *bool      `yaml:"media_sanitized,omitempty" doc:"Its drives and media are wiped or destroyed, with a record, before the device is disposed of, returned at lease end or re-used (164.310(d)(2)(i), (ii)). Left out: not known."`
	Notes            string     `yaml:"notes,omitempty" doc:"Free text."`
}

// Patching describes how a system is kept up to date.
type Patching struct {
	Cadence     Cadence `yaml:"cadence,omitempty" doc:"How often patches are applied."`
	LastPatched Date    `yaml:"last_patched,omitempty" doc:"Date of the last patch."`
	Owner       string  `yaml:"owner,omitempty" doc:"Who patches (IT, MSP, vendor)."`
}

// AuditLog describes a system's audit logging.
type AuditLog struct {
	Enabled       *bool   `yaml:"enabled,omitempty" doc:"Records user activity on ePHI."`
	RetentionDays int     `yaml:"retention_days,omitempty" doc:"How long logs are kept."`
	Review        Cadence `yaml:"review,omitempty" doc:"How often someone reviews the logs."`
	FailedLogins  *bool   `yaml:"failed_login_alerts,omitempty" doc:"Failed log-in attempts are monitored and alerted."`
}

// Backup describes a system's backups.
type Backup struct {
	Enabled         *bool   `yaml:"enabled,omitempty" doc:"Retrievable exact copies are made."`
	Frequency       Cadence `yaml:"frequency,omitempty" doc:"How often."`
	Offsite         *bool   `yaml:"offsite,omitempty" doc:"A copy is kept off-site or immutable."`
	Encrypted       *bool   `yaml:"encrypted,omitempty" doc:"Backups are encrypted."`
	LastRestoreTest Since   `yaml:"last_restore_test,omitempty" doc:"Date of the last successful restore test, or never. Left out: not known (a version 2 file meant never)."`
}

// API describes a billing-software API connection.
type API struct {
	Auth         AuthMethod `yaml:"auth" doc:"How callers authenticate." req:"true"`
	TLS          *bool      `yaml:"tls,omitempty" doc:"Served over TLS."`
	KeyRotation  Cadence    `yaml:"key_rotation,omitempty" doc:"How often credentials are rotated."`
	ScopedAccess *bool      `yaml:"scoped_access,omitempty" doc:"Credentials are limited to the data the integration needs."`
	Logged       *bool      `yaml:"logged,omitempty" doc:"API calls are logged."`
	ThirdParty   string     `yaml:"third_party,omitempty" doc:"Vendor ID of the integration partner."`
}

// Endpoint is a network endpoint that can be probed.
type Endpoint struct {
	Protocol EndpointProtocol `yaml:"protocol" doc:"tls, ssh, ftp or smtp." req:"true"`
	Address  string           `yaml:"address" doc:"host:port." req:"true"`
}

// Data is a data asset.
type Data struct {
	ID          string      `yaml:"id" doc:"Stable identifier." req:"true"`
	Name        string      `yaml:"name,omitempty" doc:"Display name."`
	Kind        DataKind    `yaml:"kind" doc:"Kind of data." req:"true"`
	PHI         *bool       `yaml:"phi,omitempty" doc:"Contains PHI (defaults from kind)."`
	Sensitivity Sensitivity `yaml:"sensitivity,omitempty" doc:"low, moderate, high or very_high (defaults from kind)."`
	Form        DataForm    `yaml:"form,omitempty" doc:"electronic (default) or paper. Paper PHI is protected under the Privacy Rule's safeguards (164.530(c)), not the Security Rule's technical ones."`
	Records     int         `yaml:"records,omitempty" doc:"Approximate records or individuals per year."`
	Retention   string      `yaml:"retention,omitempty" doc:"Retention period, free text."`
}

// Flow is a movement of data from one system to another.
type Flow struct {
	ID             string     `yaml:"id" doc:"Stable identifier." req:"true"`
	From           string     `yaml:"from" doc:"ID of the sending system." req:"true"`
	To             string     `yaml:"to" doc:"ID of the receiving system." req:"true"`
	Data           []string   `yaml:"data" doc:"IDs of data assets carried." req:"true"`
	Channel        Channel    `yaml:"channel" doc:"How the data moves." req:"true"`
	Encrypted      *bool      `yaml:"encrypted,omitempty" doc:"Encrypted in transit (defaults from the channel)."`
	MinTLS         string     `yaml:"min_tls,omitempty" doc:"Lowest TLS version accepted (1.0, 1.1, 1.2, 1.3)."`
	Auth           AuthMethod `yaml:"auth,omitempty" doc:"How the sender authenticates."`
	Automated      *bool      `yaml:"automated,omitempty" doc:"Machine-to-machine, no person in the loop; false = people send it. Left out: not known (a version 1 file meant false)."`
	Stage          string     `yaml:"stage,omitempty" doc:"Workflow stage (standard or custom)."`
	Frequency      Cadence    `yaml:"frequency,omitempty" doc:"How often it runs."`
	Endpoint       *Endpoint  `yaml:"endpoint,omitempty" doc:"Endpoint the flow connects to, for probing."`
	TestSeparated  *bool      `yaml:"test_separated,omitempty" doc:"EDI test and production traffic use separate credentials and folders."`
	ISACredentials *bool      `yaml:"isa_credentials,omitempty" doc:"Passwords are carried in ISA01–ISA04 of the X12 envelope."`
	Integrity      *bool      `yaml:"integrity_check,omitempty" doc:"Transmissions are integrity-protected (signatures, checksums, acknowledgments reconciled)."`
	Description    string     `yaml:"description,omitempty" doc:"Free text."`
}

// Vendor is a third party that handles PHI or runs a system.
type Vendor struct {
	ID             string          `yaml:"id" doc:"Stable identifier." req:"true"`
	Name           string          `yaml:"name" doc:"Vendor name." req:"true"`
	Services       []string        `yaml:"services,omitempty" doc:"What they do (clearinghouse, hosting, coding, statements…)."`
	PHIAccess      *bool           `yaml:"phi_access,omitempty" doc:"They create, receive, maintain or transmit PHI."`
	Offshore       *bool           `yaml:"offshore,omitempty" doc:"Workforce or hosting outside the United States. Left out: not known (a version 1 file meant false)."`
	Clearinghouse  *bool           `yaml:"clearinghouse,omitempty" doc:"Acts as a claims clearinghouse."`
	BAA            BAA             `yaml:"baa" doc:"BAA with this vendor." req:"true"`
	RiskAnalysis   Since           `yaml:"risk_analysis,omitempty" doc:"Date of the vendor's own latest risk analysis (as attested), or never. Left out: not known (a version 2 file meant none on file)."`
	Certifications []Certification `yaml:"certifications,omitempty" doc:"Independent assurance."`
	LastReview     Since           `yaml:"last_review,omitempty" doc:"Date we last reviewed the vendor, or never. Left out: not known (a version 2 file meant never)."`
	Subcontractors []Subcontractor `yaml:"subcontractors,omitempty" doc:"Their subcontractors that touch our PHI."`
	Contact        string          `yaml:"contact,omitempty" doc:"Security contact."`
}

// Certification is a piece of third-party assurance.
type Certification struct {
	Name    string `yaml:"name" doc:"SOC 2 Type II, HITRUST r2, ISO 27001…" req:"true"`
	Date    Date   `yaml:"date,omitempty" doc:"Report or certificate date."`
	Expires Date   `yaml:"expires,omitempty" doc:"Expiry."`
}

// Subcontractor is a vendor's vendor.
type Subcontractor struct {
	Name     string    `yaml:"name" doc:"Name." req:"true"`
	Service  string    `yaml:"service,omitempty" doc:"What they do."`
	BAA      BAAStatus `yaml:"baa" doc:"BAA status between the vendor and this subcontractor." req:"true"`
	Offshore *bool     `yaml:"offshore,omitempty" doc:"Outside the United States."`
}

// Role is a workforce role.
type Role struct {
	ID            string       `yaml:"id" doc:"Stable identifier." req:"true"`
	Name          string       `yaml:"name" doc:"Display name." req:"true"`
	Kind          RoleKind     `yaml:"kind" doc:"Billing role." req:"true"`
	Headcount     int          `yaml:"headcount" doc:"People in the role." req:"true"`
	Location      WorkLocation `yaml:"location,omitempty" doc:"onsite, remote or offshore. Left out: not known (a version 1 file meant onsite)."`
	Vendor        string       `yaml:"vendor,omitempty" doc:"Vendor ID if the role is outsourced."`
	Access        []Access     `yaml:"access,omitempty" doc:"Systems the role uses."`
	Training      Training     `yaml:"training,omitempty" doc:"Security awareness training."`
	Termination   Termination  `yaml:"termination,omitempty" doc:"How access ends when people leave."`
	ManagedDevice *bool        `yaml:"managed_devices,omitempty" doc:"Works on organisation-managed, encrypted devices."`
	AccessReview  Cadence      `yaml:"access_review,omitempty" doc:"How often the role's access is reviewed."`
}

// Access is a role's access to one system.
type Access struct {
	System string      `yaml:"system" doc:"System ID." req:"true"`
	Level  AccessLevel `yaml:"level" doc:"read, write or admin." req:"true"`
	Shared *bool       `yaml:"shared_login,omitempty" doc:"People in the role share one login. Left out: not known (a version 2 file meant false)."`
	MFA    *bool       `yaml:"mfa,omitempty" doc:"This role uses MFA on this system (overrides the system's coverage)."`
}

// Person is one member of the workforce (or a vendor's staff who use our
// systems). The roster, monitoring and training refer to people by ID.
type Person struct {
	ID      string   `yaml:"id" doc:"Stable identifier." req:"true"`
	Name    string   `yaml:"name" doc:"Full name." req:"true"`
	Role    string   `yaml:"role,omitempty" doc:"ID of the role the person holds."`
	Clients []string `yaml:"clients,omitempty" doc:"IDs of the clients the person serves (billing companies); left out: all of them."`
	Email   string   `yaml:"email,omitempty" doc:"Work e-mail address."`
	Start   Date     `yaml:"start,omitempty" doc:"First working day."`
	End     Date     `yaml:"end,omitempty" doc:"Last working day; a date in the past means the person has left."`
	Notes   string   `yaml:"notes,omitempty" doc:"Free text."`
}

// Account is one login on a system: a person's own, or one that is not a
// person's (shared, service, default, vendor).
type Account struct {
	Person   string        `yaml:"person,omitempty" doc:"ID of the person it belongs to; left out for an account that is not one person's."`
	Username string        `yaml:"username,omitempty" doc:"The login name."`
	Kind     AccountKind   `yaml:"kind,omitempty" doc:"person (default when a person is named), shared, service, default or vendor."`
	Level    AccessLevel   `yaml:"level,omitempty" doc:"read, write or admin."`
	Status   AccountStatus `yaml:"status,omitempty" doc:"enabled, disabled or unknown. Left out: unknown."`
	LastUsed Date          `yaml:"last_used,omitempty" doc:"Date of the last sign-in."`
	End      Date          `yaml:"end,omitempty" doc:"Date the account was (or is to be) disabled."`
	Clients  []string      `yaml:"clients,omitempty" doc:"IDs of the clients whose PHI the account reaches (billing companies)."`
}

// Remote is one way people reach a system from outside the office.
type Remote struct {
	Method   RemoteMethod `yaml:"method" doc:"vpn, rdp, remote_control (TeamViewer, AnyDesk, ScreenConnect…), port_forward, ssh or none." req:"true"`
	Tool     string       `yaml:"tool,omitempty" doc:"Product used, for remote-control tools and VPNs."`
	MFA      *bool        `yaml:"mfa,omitempty" doc:"A second factor is required on this path. Left out: not known."`
	Internet *bool        `yaml:"internet_exposed,omitempty" doc:"The service listens on the internet directly (RDP or SSH reachable without a VPN; always so for a port forward)."`
}

// Training describes a role's security training.
type Training struct {
	Kind     TrainingKind `yaml:"kind,omitempty" doc:"billing_specific, generic or none."`
	Last     Since        `yaml:"last,omitempty" doc:"Date last completed, or never. Left out: not known (a version 2 file meant never)."`
	Phishing *bool        `yaml:"phishing,omitempty" doc:"Includes phishing simulation or training."`
}

// Termination describes offboarding.
type Termination struct {
	Process  Process `yaml:"process,omitempty" doc:"documented, informal or none."`
	MaxHours int     `yaml:"max_hours,omitempty" doc:"Hours within which access is removed."`
}

// Step is one workflow step.
type Step struct {
	ID     string   `yaml:"id" doc:"Stable identifier." req:"true"`
	Stage  string   `yaml:"stage" doc:"Workflow stage (standard or custom)." req:"true"`
	Role   string   `yaml:"role" doc:"Role ID that performs it." req:"true"`
	Action string   `yaml:"action" doc:"What is done." req:"true"`
	System string   `yaml:"system,omitempty" doc:"System ID used."`
	Data   []string `yaml:"data,omitempty" doc:"Data asset IDs handled."`
	Flows  []string `yaml:"flows,omitempty" doc:"Flow IDs this step triggers (handoffs)."`
}

// Policy is a documented policy, plan or procedure.
type Policy struct {
	ID           string     `yaml:"id" doc:"Stable identifier." req:"true"`
	Kind         PolicyKind `yaml:"kind" doc:"What the policy covers." req:"true"`
	Title        string     `yaml:"title,omitempty" doc:"Document title."`
	Exists       bool       `yaml:"exists" doc:"A written, adopted document exists." req:"true"`
	LastReviewed Since      `yaml:"last_reviewed,omitempty" doc:"Date last reviewed, or never. Left out: not known (a version 2 file meant never)."`
	Owner        string     `yaml:"owner,omitempty" doc:"Who maintains it."`
	Tested       Since      `yaml:"tested,omitempty" doc:"Date last exercised (plans), or never. Left out: not known (a version 2 file meant never)."`
	Covers       []string   `yaml:"covers,omitempty" doc:"IDs of the systems the plan or policy covers (a contingency or disaster recovery plan: the systems it restores)."`
	Available    *bool      `yaml:"available,omitempty" doc:"The current version is available to the people who carry it out (164.316(b)(2)(ii)): on the intranet, in the binder they use. Left out: not known."`
}

// AnswerEntry answers a catalog question.
type AnswerEntry struct {
	Question string `yaml:"question" doc:"Catalog citation or question ID, e.g. 164.310(a)(2)(ii)." req:"true"`
	Element  string `yaml:"element,omitempty" doc:"ID of the element (system, vendor, role, person, policy…) the answer is about; left out, it is about the whole organisation."`
	Answer   Answer `yaml:"answer" doc:"yes, no, partial or not_applicable." req:"true"`
	Note     string `yaml:"note,omitempty" doc:"Explanation; required for partial and not_applicable."`
	Evidence string `yaml:"evidence,omitempty" doc:"Where the evidence is (document, ticket, screenshot)."`
	// The 164.306(d)(3)(ii)(B) record for an addressable specification
	// answered "no": why it is not reasonable and appropriate, and what
	// equivalent measure is in place instead.
	WhyNotReasonable  string `yaml:"why_not_reasonable,omitempty" doc:"For an addressable specification answered no: why implementing it is not reasonable and appropriate (164.306(d)(3))."`
	EquivalentMeasure string `yaml:"equivalent_measure,omitempty" doc:"For an addressable specification answered no: the equivalent alternative measure implemented instead (164.306(d)(3))."`
}

// Tracking is a decision about one or more risks.
type Tracking struct {
	Risk          string         `yaml:"risk" doc:"Stable risk ID; * matches any one @-separated part." req:"true"`
	Status        TrackingStatus `yaml:"status" doc:"unchecked, in_discussion, accepted, in_progress, mitigated or false_positive." req:"true"`
	Justification string         `yaml:"justification,omitempty" doc:"Why; required for accepted, mitigated and false_positive."`
	Owner         string         `yaml:"owner,omitempty" doc:"Who is responsible."`
	Due           Date           `yaml:"due,omitempty" doc:"Due date."`
	Approver      string         `yaml:"approver,omitempty" doc:"Who approved an acceptance (required for accepted)."`
	Expires       Date           `yaml:"expires,omitempty" doc:"When an acceptance lapses (required for accepted)."`
	Ticket        string         `yaml:"ticket,omitempty" doc:"Reference to a ticket or plan item."`
}

// EffectiveScope is what the analysis covers: the scope_kind stated, or
// the default for the kind of organisation — a billing company's own
// billing operation, everyone else's whole enterprise.
func (m *Model) EffectiveScope() ScopeKind {
	if m.Assessment.ScopeKind != "" {
		return m.Assessment.ScopeKind
	}
	if m.Organization.Kind == "billing_company" {
		return "billing"
	}
	return "enterprise"
}
