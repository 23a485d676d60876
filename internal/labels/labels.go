// Package labels names the values of the model for people: an enum value,
// a rule's owner or area, a code inside rule prose. It is the one place
// where "https_api" becomes "HTTPS API", shared by the web app and the
// report so that both say the same words.
package labels

import (
	"regexp"
	"strings"

	"rcmguard/internal/model"
)

// Values names every value it knows, for tests that list what falls back.
func Values() map[string]string { return valueLabels }

// valueLabels names every value of the model's enums (internal/model/enums.go)
// and the codes the rules use (owners, areas). A value of an enum added
// later still reads well through Label's fallback, which spells the
// known acronyms in capitals; TestEveryEnumHasALabel lists those that
// fall back, so that they can be named here.
var valueLabels = map[string]string{
	// OrgKind
	"provider_practice": "Provider practice", "billing_company": "Billing company", "clearinghouse": "Clearinghouse",
	// SystemKind
	"ehr": "EHR", "pm_billing": "Practice management and billing", "clearinghouse_portal": "Clearinghouse portal",
	"clearinghouse_sftp": "Clearinghouse SFTP", "payer_portal": "Payer portal", "document_storage": "Document storage",
	"email": "Email", "fax": "Fax", "workstation": "Workstation", "file_share": "File share",
	"payment_gateway": "Payment gateway", "backup": "Backup", "statement_vendor": "Statement vendor",
	"phone_system": "Phone system", "api_integration": "API integration", "other": "Other",
	// Hosting
	"on_prem": "On premises", "cloud": "Cloud (own account)", "vendor_saas": "Vendor-hosted (SaaS)", "unknown": "Not known",
	// Coverage
	"all": "All", "partial": "Partial", "none": "None",
	// Cadence
	"continuous": "Continuous", "daily": "Daily", "weekly": "Weekly", "monthly": "Monthly", "quarterly": "Quarterly",
	"annually": "Annually", "ad_hoc": "Ad hoc", "never": "Never", "vendor_managed": "Managed by the vendor",
	// DataKind
	"claims_837": "Claims (837)", "remittance_835": "Remittance advice (835)", "eligibility_270_271": "Eligibility (270/271)",
	"claim_status_276_277": "Claim status (276/277)", "prior_auth_278": "Prior authorization (278)",
	"attachments_275": "Claim attachments (275)", "acknowledgments": "Acknowledgments (999/277CA)",
	"demographics": "Patient demographics", "insurance": "Insurance details", "guarantor": "Guarantor details",
	"balances": "Patient balances", "card_data": "Payment card data", "bank_eft": "Bank and EFT details",
	"clinical_notes": "Clinical notes", "patient_statements": "Patient statements", "credentials": "Credentials",
	"audit_logs": "Audit logs",
	// Sensitivity
	"low": "Low", "moderate": "Moderate", "high": "High", "very_high": "Very high",
	// Channel
	"sftp": "SFTP", "ftps": "FTPS", "ftp": "FTP (unencrypted)", "as2": "AS2", "https_api": "HTTPS API",
	"caqh_core": "CAQH CORE connectivity", "https_portal": "HTTPS portal", "encrypted_email": "Encrypted email",
	"fax_cloud": "Cloud fax", "portal_upload": "Portal upload", "removable_media": "Removable media",
	"print_mail": "Printed mail", "phone": "Phone", "vpn": "VPN", "local_file": "Local file",
	"direct_messaging": "Direct messaging",
	// AuthMethod
	"shared_password": "Shared password", "individual_password": "Individual password", "key": "SSH key",
	"certificate": "Certificate", "mfa": "MFA", "oauth": "OAuth", "api_key": "API key",
	// BAAStatus
	"signed": "Signed", "pending": "Pending", "expired": "Expired", "not_required": "Not required",
	// RoleKind
	"front_desk": "Front desk", "coder": "Coder", "biller": "Biller", "ar_followup": "A/R follow-up",
	"payment_poster": "Payment poster", "manager": "Manager", "it_admin": "IT administrator", "provider": "Provider",
	"offshore_coder": "Offshore coder", "contract_coder": "Contract coder", "offshore_biller": "Offshore biller",
	// WorkLocation
	"onsite": "On site", "remote": "Remote", "offshore": "Offshore",
	// AccessLevel
	"read": "Read", "write": "Read and write", "admin": "Administrator",
	// TrainingKind
	"billing_specific": "Billing-specific", "generic": "Generic",
	// Process
	"documented": "Documented", "informal": "Informal",
	// PolicyKind
	"risk_management": "Risk management", "sanctions": "Sanctions",
	"information_system_activity_review": "Information system activity review", "security_official": "Security official",
	"workforce_security": "Workforce security", "access_management": "Access management",
	"security_awareness_training": "Security awareness training", "password_management": "Password management",
	"incident_response": "Incident response", "breach_notification": "Breach notification",
	"contingency_plan": "Contingency plan", "data_backup": "Data backup", "disaster_recovery": "Disaster recovery",
	"emergency_mode": "Emergency mode operation", "contingency_testing": "Contingency plan testing",
	"criticality_analysis": "Criticality analysis", "evaluation": "Evaluation", "vendor_management": "Vendor management",
	"facility_security": "Facility security", "workstation_use": "Workstation use",
	"device_media_controls": "Device and media controls", "encryption": "Encryption",
	"minimum_necessary": "Minimum necessary", "eft_change_control": "EFT change control",
	"acceptable_use": "Acceptable use", "remote_work": "Remote work", "documentation_retention": "Documentation retention",
	"emergency_access": "Emergency access",
	// Answer
	"yes": "Yes", "no": "No", "not_applicable": "Not applicable",
	// TrackingStatus
	"unchecked": "Not yet reviewed", "in_discussion": "In discussion", "accepted": "Accepted", "in_progress": "In progress",
	"mitigated": "Mitigated", "false_positive": "False positive",
	// Regulation
	"current-2013": "Security Rule in force (2013)", "nprm-2025-proposed": "2025 proposed rule (not final law)",
	// EndpointProtocol
	"tls": "TLS", "ssh": "SSH", "smtp": "SMTP",
	// Owners of the rules' remediation (the `owner:` of each rule).
	"it": "IT", "compliance": "Compliance", "billing_manager": "Billing manager", "practice_manager": "Practice manager",
	// Areas of the rules.
	"access": "Access", "api": "API", "client": "Clients", "contingency": "Contingency", "edi": "EDI",
	"evidence": "Evidence", "followup": "Follow-up", "incident": "Incidents", "model": "Model", "monitoring": "Monitoring",
	"outsourcing": "Outsourcing", "payment": "Payments", "physical": "Physical", "policy": "Policies", "portal": "Portals",
	"technical": "Technical", "training": "Training", "vendor": "Vendors", "workflow": "Workflow", "answers": "Answers",
	// Effort.
	"medium": "Medium",
	// Stages: model.StageTitles, below.
}

func init() {
	for k, v := range model.StageTitles {
		valueLabels[k] = v
	}
}

// labelWords are the words a fallback label spells in capitals or in
// their own way.
var labelWords = map[string]string{
	"ehr": "EHR", "pm": "PM", "saas": "SaaS", "api": "API", "https": "HTTPS", "http": "HTTP", "sftp": "SFTP",
	"ftp": "FTP", "ftps": "FTPS", "edi": "EDI", "mfa": "MFA", "sso": "SSO", "baa": "BAA", "phi": "PHI",
	"ephi": "ePHI", "tls": "TLS", "ssh": "SSH", "vpn": "VPN", "it": "IT", "id": "ID", "ar": "A/R", "eft": "EFT",
	"isa": "ISA", "x12": "X12", "os": "OS", "usb": "USB", "vdi": "VDI", "pc": "PC", "hr": "HR", "sms": "SMS",
	"ip": "IP", "dns": "DNS", "smtp": "SMTP", "mdm": "MDM", "caqh": "CAQH", "npi": "NPI",
}

// Label names a value of the model for people: "https_api" is "HTTPS API",
// "vendor_saas" "Vendor-hosted (SaaS)". A value it does not know is
// spelled out word by word, acronyms in capitals. Labels of values typed
// by people (names, free text) are the values themselves: only codes go
// through here.
func Label(v string) string {
	if l, ok := valueLabels[v]; ok {
		return l
	}
	return HumanCode(v)
}

// HumanCode spells out a code: words split at underscores, known acronyms
// in capitals, the first letter capitalised.
func HumanCode(v string) string {
	if v == "" {
		return ""
	}
	words := strings.FieldsFunc(v, func(r rune) bool { return r == '_' })
	for i, w := range words {
		if l, ok := labelWords[strings.ToLower(w)]; ok {
			words[i] = l
		}
	}
	s := strings.Join(words, " ")
	return strings.ToUpper(s[:1]) + s[1:]
}

// PlainText names the codes in a text written for the YAML (a field's
// description in the model: "signed, pending, expired, none or
// not_required") by their labels, for a form that offers the choices by
// label.
func PlainText(s string) string {
	return textCodeRE.ReplaceAllStringFunc(s, func(c string) string {
		if l, ok := valueLabels[c]; ok {
			return LowerFirst(l)
		}
		return LowerFirst(HumanCode(c))
	})
}

// textCodeRE finds the codes in a text: words joined by underscores, and
// the one-word codes that are no English word. Other words ("key",
// "write", "it") stay as written.
var textCodeRE = regexp.MustCompile(`\b(?:[a-z][a-z0-9]*(?:_[a-z0-9]+)+|ehr|sftp|ftps|vpn|oauth|saas)\b`)

// LowerFirst lowers the first letter of a label inside a sentence, unless
// it begins an acronym ("EHR", "SFTP").
func LowerFirst(s string) string {
	if len(s) > 1 && s[1] >= 'a' && s[1] <= 'z' {
		return strings.ToLower(s[:1]) + s[1:]
	}
	return s
}
