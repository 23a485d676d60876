package rules

// Kind is the kind of model element a rule iterates over.
type Kind string

const (
	KindOrg    Kind = "org"
	KindSystem Kind = "system"
	KindFlow   Kind = "flow"
	KindVendor Kind = "vendor"
	KindClient Kind = "client"
	KindRole   Kind = "role"
	KindAccess Kind = "access" // one role's access to one system
	KindData   Kind = "data"
	KindStep   Kind = "step"
	KindPolicy Kind = "policy"
	// KindAccount is one login on one system (systems[].accounts[]).
	KindAccount Kind = "account"
)

// Kinds lists every element kind in evaluation order.
var Kinds = []Kind{KindOrg, KindSystem, KindFlow, KindVendor, KindClient, KindRole, KindAccess, KindData, KindStep, KindPolicy, KindAccount}

// AttrType is the type of a view attribute as rules see it.
type AttrType string

const (
	TBool   AttrType = "bool"
	TInt    AttrType = "int"
	TFloat  AttrType = "double"
	TString AttrType = "string"
	TList   AttrType = "list(string)"
	TMap    AttrType = "map"
)

// Attr documents one attribute of a view. Tri-state facts (declared yes,
// declared no, not said) are strings "yes", "no" and "unknown", so a rule
// can tell a missing control from a missing answer.
type Attr struct {
	Name string
	Type AttrType
	Doc  string
	// Safe is the value in a well-controlled element; rule examples start
	// from these values and override the ones they test.
	Safe any
}

// common attributes every view carries; the central rating reads them.
var commonAttrs = []Attr{
	{"id", TString, "element ID", "x"},
	{"internet_facing", TBool, "reachable from the internet (for flows: either end)", false},
	{"offshore", TBool, "people or hosting outside the United States are involved", false},
	{"vendor_involved", TBool, "a vendor or business associate runs or performs it", false},
	{"records", TInt, "individuals whose records are in scope (for impact)", 1000},
	{"max_sensitivity", TString, "highest sensitivity of data in scope: low, moderate, high, very_high", "high"},
	{"financial", TBool, "card or bank data in scope", false},
	{"observed", TList, "evidence check IDs observed on this element (tls.legacy-protocol, phi.ssn, …)", []string{}},
}

// Schema lists, per kind, the attributes rules may use beyond the common ones.
var Schema = map[Kind][]Attr{
	KindOrg: {
		{"name", TString, "organisation name", "Org"},
		{"kind", TString, "provider_practice, billing_company or clearinghouse", "provider_practice"},
		{"business_associate", TBool, "the organisation is a business associate", false},
		{"clearinghouse_function", TBool, "the organisation is or includes a health care clearinghouse within a larger organisation", false},
		{"clearinghouse_isolated", TString, "the clearinghouse function's ePHI is isolated from the rest: yes, no or unknown", "yes"},
		{"workforce", TInt, "workforce size", 12},
		{"claims_per_month", TInt, "claims per month", 1000},
		{"revenue_per_day", TFloat, "billing revenue per working day (claims × reimbursement ÷ 21)", 5000.0},
		{"security_official_named", TBool, "a security official is named", true},
		{"days_since_previous_assessment", TInt, "days since the previous risk analysis; -1 when none is recorded", 200},
		{"clearinghouses", TInt, "clearinghouse vendors that receive PHI", 2},
		{"clients", TInt, "client practices served", 0},
		{"clients_without_baa", TInt, "clients without a signed BAA", 0},
		{"offshore_roles", TInt, "roles working offshore", 0},
		{"has_bank_eft", TBool, "EFT/ERA enrollment or bank data is in the model", false},
		{"has_card_data", TBool, "payment card data is in the model", false},
		{"critical_systems", TInt, "systems marked critical", 2},
		{"stages_without_steps", TList, "standard workflow stages with no modelled step", []string{}},
		{"unmodelled_phi_paths", TInt, "scanned files with PHI outside every modelled location", 0},
		{"phi_log_files", TInt, "log files in which the scan found PHI", 0},
		{"card_files", TInt, "files in which the scan found payment card numbers", 0},
		{"edi_isa_credentials", TInt, "X12 files with credentials in ISA01–ISA04", 0},
		{"edi_test_real_ids", TInt, "X12 test files with real-looking identifiers or production files in test places", 0},
		{"edi_ssn_identifiers", TInt, "X12 files using an SSN as an identifier", 0},
		{"edi_legacy_hicn", TInt, "X12 files with legacy HICNs", 0},
		{"edi_x12_in_logs", TInt, "log files carrying X12 content", 0},
		{"edi_envelope_errors", TInt, "X12 files with envelope mismatches or duplicate control numbers", 0},
		{"nprm", TBool, "the 2025 proposed-rule overlay is on", false},
		{"policies", TMap, "policies by kind: {exists: bool, days_since_review: int (-1 unknown)}", nil},
		{"scope", TString, "what the analysis covers: enterprise (all ePHI) or billing (a billing company's own operation)", "enterprise"},
		{"scope_stated", TBool, "the model lists what is in scope (assessment.in_scope)", true},
		{"clinical_systems", TInt, "EHR and medical-device systems modelled", 1},
		{"people", TInt, "people listed under people", 10},
	},
	KindSystem: {
		{"name", TString, "system name", "S"},
		{"kind", TString, "system kind", "pm_billing"},
		{"hosting", TString, "on_prem, cloud, vendor_saas or unknown", "vendor_saas"},
		{"vendor", TString, "vendor ID or empty", "v"},
		{"vendor_baa", TString, "BAA status of its vendor; empty without a vendor", "signed"},
		{"client", TString, "client practice it belongs to (billing companies), or empty when shared", ""},
		{"stores_phi", TBool, "ePHI is stored", true},
		{"data_kinds", TList, "kinds of data stored", []string{"claims_837"}},
		{"mfa", TString, "MFA coverage: all, partial, none, unknown", "all"},
		{"sso", TString, "yes, no or unknown", "yes"},
		{"role_based_access", TString, "yes, no or unknown", "yes"},
		{"unique_logins", TString, "yes, no or unknown", "yes"},
		{"shared_login_roles", TInt, "roles that share a login on it", 0},
		{"encryption_at_rest", TString, "yes, no or unknown", "yes"},
		{"auto_logoff_minutes", TInt, "idle minutes before logoff; 0 when none, -1 when not known", 15},
		{"patchable", TBool, "the organisation itself patches this system: software it runs on premises, or a server in its own cloud account; not analog fax, phone systems, portals run by payers or clearinghouses, or services a provider runs (a consumer e-mail or file service with no vendor in the model included)", true},
		{"patch_cadence", TString, "patching cadence", "monthly"},
		{"days_since_patch", TInt, "days since last patch; -1 unknown", 20},
		{"audit_logging", TString, "yes, no or unknown", "yes"},
		{"log_review", TString, "log review cadence", "weekly"},
		{"log_retention_days", TInt, "log retention in days; 0 unknown", 2190},
		{"failed_login_alerts", TString, "yes, no or unknown", "yes"},
		{"backup", TString, "yes, no or unknown", "yes"},
		{"backup_frequency", TString, "backup cadence", "daily"},
		{"backup_offsite", TString, "yes, no or unknown", "yes"},
		{"backup_encrypted", TString, "yes, no or unknown", "yes"},
		{"days_since_restore_test", TInt, "days since last restore test; -1 never", 60},
		{"antimalware", TString, "yes, no or unknown", "yes"},
		{"has_api", TBool, "has a billing API connection", false},
		{"api_auth", TString, "API authentication method", "oauth"},
		{"api_tls", TString, "yes, no or unknown", "yes"},
		{"api_key_rotation", TString, "API credential rotation cadence", "quarterly"},
		{"api_scoped", TString, "yes, no or unknown", "yes"},
		{"api_logged", TString, "yes, no or unknown", "yes"},
		{"critical", TString, "yes, no or unknown", "yes"},
		{"edi_approved", TString, "X12 files approved in its locations: yes, no or unknown", "yes"},
		{"device_storage", TString, "the device keeps copies on its own drive or memory: yes, no or unknown", "no"},
		{"media_sanitized", TString, "drives and media are wiped or destroyed before disposal or re-use: yes, no or unknown", "yes"},
		{"phi_contradiction", TBool, "declared stores_phi: false, yet holds PHI data or receives a PHI flow (stores_phi is then true)", false},
		{"unique_logins_contradiction", TBool, "declared unique_logins: true, yet a role declares a shared login on it", false},
		{"locations", TInt, "file locations declared", 0},
		{"scan_phi_files", TInt, "files in its locations where the scan found PHI", 0},
		{"scan_x12_files", TInt, "X12 interchanges found in its locations", 0},
		{"scan_card_files", TInt, "files with card numbers found in its locations", 0},
		{"accounts", TInt, "individual accounts listed on it", 0},
		{"shared_accounts", TInt, "shared accounts listed on it that are not disabled", 0},
		{"default_credentials", TString, "a default, vendor or hard-coded password is in use (declared, or an enabled default account): yes, no or unknown", "no"},
		{"remote_methods", TList, "ways in from outside: vpn, rdp, remote_control, port_forward, ssh, none", []string{}},
		{"remote_without_mfa", TInt, "remote-access paths declared without MFA", 0},
		{"remote_mfa_unknown", TInt, "remote-access paths whose MFA is not stated (each is a question)", 0},
		{"remote_exposed", TBool, "RDP or SSH listens on the internet, or a port is forwarded to it", false},
		{"rdp_exposed", TBool, "RDP listens on the internet directly", false},
		{"end_of_support_passed", TString, "its software or firmware no longer gets security fixes: yes, no, or unknown when end_of_support is not stated", "no"},
		{"remote_listed", TString, "the model lists its remote-access paths: yes, or unknown (then the RA rules examine nothing on it)", "yes"},
		{"days_to_end_of_support", TInt, "days until security fixes end; 0 or less once passed; 9999 when not stated", 9999},
		{"client_hosted", TBool, "a client's system the organisation only logs in to (its patching, logging and backup are the client's)", false},
		{"consumer", TBool, "a consumer service used with no contract (personal e-mail, a free file-sharing account)", false},
		{"portable", TBool, "a mobile device or portable media, carried out of the office", false},
		{"paper_phi", TBool, "holds PHI on paper only (a filing room, a mail tray); stores_phi is then false", false},
		{"clients_held", TInt, "clients whose PHI it holds, when it serves several", 0},
		{"client_separation", TString, "each client's data kept apart with access limited to the people serving it: yes, no or unknown", "yes"},
	},
	KindFlow: {
		{"from", TString, "sending system ID", "a"},
		{"to", TString, "receiving system ID", "b"},
		{"from_kind", TString, "sending system kind", "pm_billing"},
		{"to_kind", TString, "receiving system kind", "clearinghouse_sftp"},
		{"channel", TString, "channel", "sftp"},
		{"stage", TString, "workflow stage", "edi_submission"},
		{"carries_phi", TBool, "carries PHI", true},
		{"data_kinds", TList, "kinds of data carried", []string{"claims_837"}},
		{"encrypted", TBool, "encrypted in transit (declared, or the channel's default)", true},
		{"encryption_declared", TString, "yes, no or unknown as written in the model", "yes"},
		{"min_tls", TString, "lowest TLS version accepted, or empty", "1.2"},
		{"auth", TString, "authentication method", "key"},
		{"automated", TBool, "stated machine to machine", true},
		{"manual", TBool, "stated to be sent by people (automated: false); false when not known", false},
		{"crosses_boundary", TBool, "leaves the organisation's own network or hosting", true},
		{"to_vendor", TString, "vendor ID of the receiving side, or empty", "v"},
		{"to_vendor_baa", TString, "BAA status of the receiving vendor; empty without one", "signed"},
		{"edi", TBool, "carries X12 transactions or goes to a clearinghouse", true},
		{"to_clearinghouse", TBool, "the receiving side is a clearinghouse", true},
		{"test_separated", TString, "yes, no or unknown", "yes"},
		{"isa_credentials", TString, "yes, no or unknown", "no"},
		{"integrity_check", TString, "yes, no or unknown", "yes"},
		{"encryption_contradiction", TBool, "declared encrypted over a channel that cannot be (ftp, fax, phone, print_mail); encrypted is then false", false},
		{"paper", TBool, "carries PHI on paper only (every data asset of form paper, over print_mail, hand_delivery, fax, phone or local handling)", false},
		{"physical", TBool, "moves on paper, by voice or analog fax, or on carried media (print_mail, hand_delivery, phone, fax, removable_media): outside 164.312(e)", false},
		{"to_external", TBool, "goes to an external recipient (payer reviewer, adjuster, attorney, client office)", false},
		{"to_consumer", TBool, "goes to a consumer service used with no contract", false},
	},
	KindVendor: {
		{"name", TString, "vendor name", "V"},
		{"phi_access", TBool, "handles PHI", true},
		{"clearinghouse", TBool, "acts as a clearinghouse", false},
		{"baa_status", TString, "signed, pending, expired, none or not_required", "signed"},
		{"baa_days_to_expiry", TInt, "days until the BAA expires; 9999 without an expiry", 400},
		{"baa_flowdown", TString, "subcontractor flow-down: yes, no or unknown", "yes"},
		{"breach_notice_days", TInt, "days the BAA gives to report a breach; 0 when it states none, -1 when not known", 10},
		{"days_since_risk_analysis", TInt, "age of the vendor's own risk analysis; -1 when none on file", 100},
		{"days_since_review", TInt, "days since our last review; -1 never", 100},
		{"certifications", TInt, "current certifications or reports", 1},
		{"subcontractors", TInt, "subcontractors listed", 0},
		{"subcontractors_without_baa", TInt, "subcontractors without a signed BAA", 0},
		{"phi_flows", TInt, "flows carrying PHI to or from its systems", 1},
		{"ba_contradiction", TBool, "declared phi_access: false (or its BAA not_required) although it runs a system holding PHI or a PHI flow reaches its systems", false},
		{"systems", TInt, "systems it runs", 1},
	},
	KindClient: {
		{"name", TString, "practice name", "C"},
		{"baa_status", TString, "signed, pending, expired, none or not_required", "signed"},
		{"baa_days_to_expiry", TInt, "days until the BAA expires; 9999 without an expiry", 400},
		{"breach_notice_days", TInt, "days we have to report a breach to the client; 0 when the BAA states none, -1 when not known", 30},
		{"patients", TInt, "patients per year", 1000},
	},
	KindRole: {
		{"name", TString, "role name", "R"},
		{"kind", TString, "role kind", "biller"},
		{"headcount", TInt, "people", 2},
		{"location", TString, "onsite, remote or offshore", "onsite"},
		{"outsourced", TBool, "performed by a vendor's staff", false},
		{"vendor_baa", TString, "BAA status of the vendor supplying it; empty if not outsourced", ""},
		{"phi_access", TBool, "has access to a system holding ePHI", true},
		{"admin_access", TBool, "has admin access somewhere", false},
		{"managed_devices", TString, "yes, no or unknown", "yes"},
		{"training_kind", TString, "billing_specific, generic, none or unknown", "billing_specific"},
		{"days_since_training", TInt, "days since training; -1 never", 100},
		{"phishing_training", TString, "yes, no or unknown", "yes"},
		{"termination_process", TString, "documented, informal, none or unknown", "documented"},
		{"termination_hours", TInt, "hours to remove access; -1 unknown", 4},
		{"access_review", TString, "access review cadence", "quarterly"},
		{"shared_logins", TInt, "systems where the role shares a login", 0},
		{"systems_without_mfa", TInt, "internet-facing PHI systems it uses without MFA", 0},
	},
	KindAccess: {
		{"role", TString, "role ID", "r"},
		{"system", TString, "system ID", "s"},
		{"system_kind", TString, "system kind", "pm_billing"},
		{"level", TString, "read, write or admin", "write"},
		{"shared", TBool, "the role shares one login", false},
		{"mfa", TBool, "MFA applies (per access, or the system's full coverage)", true},
		{"system_phi", TBool, "the system stores ePHI", true},
		{"location", TString, "role's work location", "onsite"},
		{"headcount", TInt, "people in the role", 2},
	},
	KindData: {
		{"kind", TString, "data kind", "claims_837"},
		{"phi", TBool, "contains PHI", true},
		{"sensitivity", TString, "low, moderate, high or very_high", "high"},
		{"stored_in", TInt, "systems storing it", 1},
		{"flows", TInt, "flows carrying it", 1},
		{"unencrypted_stores", TInt, "systems storing it without encryption at rest", 0},
	},
	KindStep: {
		{"stage", TString, "workflow stage", "edi_submission"},
		{"role", TString, "role ID", "r"},
		{"system", TString, "system ID or empty", "s"},
		{"phi", TBool, "handles PHI", true},
		{"flows", TInt, "flows it triggers", 1},
		{"manual_phi_flows", TInt, "electronic handoffs of PHI it triggers that people send by hand (paper, voice and carried media are counted in physical_phi_flows)", 0},
		{"unprotected_phi_flows", TInt, "electronic handoffs of PHI it triggers that are unencrypted or unauthenticated (paper, voice and carried media are counted in physical_phi_flows)", 0},
		{"physical_phi_flows", TInt, "handoffs of PHI it triggers on paper (print_mail), by voice or analog fax, or on unencrypted removable media", 0},
		{"role_has_access", TBool, "the role is declared to have access to the step's system", true},
	},
	KindPolicy: {
		{"kind", TString, "policy kind", "incident_response"},
		{"exists", TBool, "written and adopted", true},
		{"available", TString, "the current version is available to those who carry it out: yes, no or unknown", "yes"},
		{"days_since_review", TInt, "days since review; -1 never", 100},
		{"days_since_test", TInt, "days since last exercise; -1 never", 100},
		{"covers", TInt, "systems the plan lists under covers", 2},
		{"critical_not_covered", TInt, "critical systems the plan does not list; -1 when it lists none", 0},
		{"covers_listed", TString, "the plan lists the systems it covers: yes, or unknown", "yes"},
	},
	KindAccount: {
		{"system", TString, "system ID", "s"},
		{"system_kind", TString, "system kind", "pm_billing"},
		{"system_phi", TBool, "the system stores ePHI", true},
		{"person", TString, "person ID, or empty for an account that is not one person's", "p"},
		{"username", TString, "login name", "u"},
		{"kind", TString, "person, shared, service, default, vendor, or unknown", "person"},
		{"status", TString, "enabled, disabled or unknown", "enabled"},
		{"level", TString, "read, write, admin, or empty", "write"},
		{"person_left", TBool, "the person's last working day is past", false},
		{"days_since_left", TInt, "days since the person's last working day; -1 when they have not left", -1},
		{"days_since_last_used", TInt, "days since the last sign-in; -1 not known", 1},
		{"clients", TInt, "clients whose PHI the account reaches", 1},
		{"clients_beyond_person", TInt, "clients the account reaches that its person does not serve", 0},
		{"client_hosted", TBool, "the system is a client's, which the organisation only logs in to", false},
	},
}

// Attrs returns all attributes of a kind: the common ones, then its own.
func Attrs(k Kind) []Attr {
	return append(append([]Attr(nil), commonAttrs...), Schema[k]...)
}

// SafeView returns a view of a kind in which every attribute has its
// well-controlled value; rule examples override some of them.
func SafeView(k Kind) map[string]any {
	v := map[string]any{}
	for _, a := range Attrs(k) {
		switch s := a.Safe.(type) {
		case []string:
			v[a.Name] = append([]string{}, s...)
		default:
			v[a.Name] = s
		}
	}
	if k == KindOrg {
		v["policies"] = safePolicies()
	}
	return v
}
