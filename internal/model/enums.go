package model

// Enumerations of the model. Each enum's values are listed once, here; the
// validator and the JSON Schema generator both read these lists, so the
// documentation, the schema and the loader cannot drift apart.

// OrgKind is what the organisation under assessment is.
type OrgKind string

func (OrgKind) Enum() []string {
	return []string{"provider_practice", "billing_company", "clearinghouse"}
}

// Stage is a billing workflow stage. The six standard stages are always
// present; a model may add custom stages under `stages:`.
type Stage string

// StandardStages are the billing workflow stages in order.
var StandardStages = []string{
	"patient_registration",
	"coding_claim_creation",
	"edi_submission",
	"payer_adjudication",
	"payment_posting_followup",
	"patient_statements",
}

// StageTitles are the display names of the standard stages.
var StageTitles = map[string]string{
	"patient_registration":     "Patient registration",
	"coding_claim_creation":    "Coding and claim creation",
	"edi_submission":           "EDI submission",
	"payer_adjudication":       "Payer adjudication",
	"payment_posting_followup": "Payment posting and follow-up",
	"patient_statements":       "Patient statements and communication",
}

// SystemKind is the kind of an information system.
type SystemKind string

func (SystemKind) Enum() []string {
	return []string{
		"ehr", "pm_billing", "clearinghouse_portal", "clearinghouse_sftp", "payer_portal",
		"document_storage", "email", "fax", "workstation", "file_share", "payment_gateway",
		"backup", "statement_vendor", "phone_system", "api_integration",
		"mobile_device", "medical_device", "portable_media", "copier", "paper_records", "external_recipient", "other",
	}
}

// Hosting says where a system runs.
type Hosting string

func (Hosting) Enum() []string {
	return []string{"on_prem", "cloud", "vendor_saas", "client_hosted", "consumer", "unknown"}
}

// Coverage is how much of a population a control covers.
type Coverage string

func (Coverage) Enum() []string { return []string{"all", "partial", "none", "unknown"} }

// Cadence is how often something recurring happens.
type Cadence string

func (Cadence) Enum() []string {
	return []string{"continuous", "daily", "weekly", "monthly", "quarterly", "annually", "ad_hoc", "never", "vendor_managed", "unknown"}
}

// DataKind is the kind of a data asset.
type DataKind string

func (DataKind) Enum() []string {
	return []string{
		"claims_837", "remittance_835", "eligibility_270_271", "claim_status_276_277",
		"prior_auth_278", "attachments_275", "acknowledgments", "demographics", "insurance",
		"guarantor", "balances", "card_data", "bank_eft", "clinical_notes", "patient_statements",
		"credentials", "audit_logs", "other",
	}
}

// Sensitivity rates how harmful disclosure of a data asset would be.
type Sensitivity string

func (Sensitivity) Enum() []string { return []string{"low", "moderate", "high", "very_high"} }

// Channel is how a flow moves data.
type Channel string

func (Channel) Enum() []string {
	return []string{
		"sftp", "ftps", "ftp", "as2", "https_api", "caqh_core", "https_portal", "email",
		"encrypted_email", "fax", "fax_cloud", "portal_upload", "removable_media", "print_mail",
		"phone", "vpn", "local_file", "direct_messaging", "hand_delivery",
	}
}

// AuthMethod is how the sending side authenticates on a flow or system.
type AuthMethod string

func (AuthMethod) Enum() []string {
	return []string{"none", "shared_password", "individual_password", "key", "certificate", "mfa", "oauth", "api_key", "unknown"}
}

// BAAStatus is the state of a business associate agreement.
type BAAStatus string

func (BAAStatus) Enum() []string {
	return []string{"signed", "pending", "expired", "none", "not_required"}
}

// RoleKind is a billing role.
type RoleKind string

func (RoleKind) Enum() []string {
	return []string{
		"front_desk", "coder", "biller", "ar_followup", "payment_poster", "manager",
		"it_admin", "provider", "offshore_coder", "contract_coder", "offshore_biller", "other",
	}
}

// WorkLocation is where a role works from.
type WorkLocation string

func (WorkLocation) Enum() []string { return []string{"onsite", "remote", "offshore"} }

// AccessLevel is a role's access to a system.
type AccessLevel string

func (AccessLevel) Enum() []string { return []string{"read", "write", "admin"} }

// TrainingKind is what security training a role received.
type TrainingKind string

func (TrainingKind) Enum() []string { return []string{"billing_specific", "generic", "none"} }

// Process is how formal a procedure is.
type Process string

func (Process) Enum() []string { return []string{"documented", "informal", "none"} }

// PolicyKind names a documented policy or plan.
type PolicyKind string

func (PolicyKind) Enum() []string {
	return []string{
		"risk_management", "sanctions", "information_system_activity_review", "security_official",
		"workforce_security", "access_management", "security_awareness_training", "password_management",
		"incident_response", "breach_notification", "contingency_plan", "data_backup", "disaster_recovery",
		"emergency_mode", "contingency_testing", "criticality_analysis", "evaluation", "vendor_management",
		"facility_security", "workstation_use", "device_media_controls", "encryption", "minimum_necessary",
		"eft_change_control", "acceptable_use", "remote_work", "documentation_retention", "emergency_access",
	}
}

// ScopeKind is how much of the organisation an analysis covers.
type ScopeKind string

func (ScopeKind) Enum() []string { return []string{"enterprise", "billing"} }

// DataForm is the form data takes.
type DataForm string

func (DataForm) Enum() []string { return []string{"electronic", "paper"} }

// AccountKind is whose an account is.
type AccountKind string

func (AccountKind) Enum() []string {
	return []string{"person", "shared", "service", "default", "vendor"}
}

// AccountStatus is whether an account can sign in.
type AccountStatus string

func (AccountStatus) Enum() []string { return []string{"enabled", "disabled", "unknown"} }

// RemoteMethod is a way of reaching a system from outside.
type RemoteMethod string

func (RemoteMethod) Enum() []string {
	return []string{"vpn", "rdp", "remote_control", "port_forward", "ssh", "none"}
}

// Answer is a response to a question the model cannot express.
type Answer string

func (Answer) Enum() []string { return []string{"yes", "no", "partial", "not_applicable"} }

// TrackingStatus is where a risk stands in its treatment.
type TrackingStatus string

func (TrackingStatus) Enum() []string {
	return []string{"unchecked", "in_discussion", "accepted", "in_progress", "mitigated", "false_positive"}
}

// Regulation selects the rule set: the Security Rule in force, or the 2025
// proposed rule overlaid on it (proposed, not final law).
type Regulation string

func (Regulation) Enum() []string { return []string{"current-2013", "nprm-2025-proposed"} }

// EndpointProtocol is what a probe speaks to an endpoint.
type EndpointProtocol string

func (EndpointProtocol) Enum() []string { return []string{"tls", "ssh", "ftp", "smtp"} }

// TLSVersions are the values a flow's min_tls may take, oldest first. It
// is plain text in the model (`min_tls: 1.2` reads as written), so the list
// lives here rather than in an Enum method.
var TLSVersions = []string{"1.0", "1.1", "1.2", "1.3"}

// enumValues returns the allowed values of an enum type, or nil.
func enumValues(v any) []string {
	if e, ok := v.(interface{ Enum() []string }); ok {
		return e.Enum()
	}
	return nil
}
