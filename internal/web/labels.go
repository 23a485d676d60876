package web

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"rcmguard/internal/app"
	"rcmguard/internal/assess"
	"rcmguard/internal/model"
)

// Labels: the one place where a value of the model (an enum value, a rule's
// owner or area, an element of a risk, the facts a rule read) becomes words
// a practice manager reads. Every page shows values through these helpers
// (the template functions "label", "elementName", "riskSubject", "why"),
// and TestNoRawCodes walks the pages for any raw value left.

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
	return humanCode(v)
}

// humanCode spells out a code: words split at underscores, known acronyms
// in capitals, the first letter capitalised.
func humanCode(v string) string {
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

// plainText names the codes in a text written for the YAML (a field's
// description in the model: "signed, pending, expired, none or
// not_required") by their labels, for a form that offers the choices by
// label.
func plainText(s string) string {
	return textCodeRE.ReplaceAllStringFunc(s, func(c string) string {
		if l, ok := valueLabels[c]; ok {
			return lowerFirst(l)
		}
		return lowerFirst(humanCode(c))
	})
}

// textCodeRE finds the codes in a text: words joined by underscores, and
// the one-word codes that are no English word. Other words ("key",
// "write", "it") stay as written.
var textCodeRE = regexp.MustCompile(`\b(?:[a-z][a-z0-9]*(?:_[a-z0-9]+)+|ehr|sftp|ftps|vpn|oauth|saas)\b`)

// labels applies Label to each value of a list, for a list of data kinds.
func labels(vs []string) string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = Label(v)
	}
	return strings.Join(out, ", ")
}

// ElementName is what a risk concerns, named as people know it: the
// client's or system's name, not its ID ("c-04" is "Oakridge Dermatology").
// The assessment labels an element "client c-04 (Oakridge Dermatology)";
// the name in brackets is taken, and the ID only when it has no name.
func ElementName(e assess.ElementRef) string {
	l := e.Label
	if e.Kind == "org" {
		if name, ok := strings.CutPrefix(l, "the organisation ("); ok {
			return strings.TrimSuffix(name, ")")
		}
		return "the organisation"
	}
	if rest, ok := strings.CutPrefix(l, e.Kind+" "+e.ID); ok {
		if rest == "" {
			return e.ID
		}
		if name, ok := strings.CutPrefix(rest, " ("); ok {
			name = strings.TrimSuffix(name, ")")
			if !strings.Contains(name, " ") && strings.Contains(name, "_") {
				return Label(name) // a policy without a title is named by its kind
			}
			return name
		}
	}
	return l // an access ("Billers's access to the PM system") is named as a whole
}

// RiskSubject names what a risk is about in a few words: its elements'
// names (one access is one subject, whatever its two elements).
func RiskSubject(r assess.Risk) string {
	var names []string
	for _, e := range r.Elements {
		if n := ElementName(e); !slices.Contains(names, n) {
			names = append(names, n)
		}
	}
	return strings.Join(names, ", ")
}

// kindTitles name the kinds of model element a risk concerns.
var kindTitles = map[string]string{
	"org": "Organisation", "system": "System", "flow": "Data flow", "vendor": "Vendor", "client": "Client practice",
	"role": "Role", "data": "Data asset", "step": "Workflow step", "policy": "Policy", "access": "Access",
}

// KindLabel names a kind of model element ("client" is "Client practice").
func KindLabel(kind string) string {
	if t, ok := kindTitles[kind]; ok {
		return t
	}
	return humanCode(kind)
}

// kindNouns are how a sentence names an element of each kind.
var kindNouns = map[string]string{
	"system": "the system", "flow": "the flow", "vendor": "the vendor", "client": "the client practice",
	"role": "the role", "data": "the data asset", "step": "the workflow step", "policy": "the policy",
}

// subjectOf is how a sentence about a risk's element begins: "the system
// “Cloud fax”", "IT administrators' access to the EDI gateway".
func subjectOf(r assess.Risk) string {
	if len(r.Elements) == 0 {
		return "the organisation"
	}
	e := r.Elements[0]
	name := ElementName(e)
	switch {
	case e.Kind == "org":
		return "the organisation"
	case len(r.Elements) == 2 && r.Elements[0].Label == r.Elements[1].Label:
		return name // an access is named whole
	}
	if n, ok := kindNouns[e.Kind]; ok {
		return n + " “" + name + "”"
	}
	return "“" + name + "”"
}

// Why says in a sentence what made a rule apply. The assessment records
// the facts its condition read as "system.mfa = none; system.kind = fax";
// each becomes a phrase about the element ("MFA covers none of its
// users", "it is a fax system"), joined into one sentence.
func Why(r assess.Risk) string {
	raw := strings.TrimSpace(r.Why)
	if raw == "" {
		return ""
	}
	if rest, ok := strings.CutPrefix(raw, "answer to "); ok {
		cite, ans, _ := strings.Cut(rest, " = ")
		note := ""
		if a, n, ok := strings.Cut(ans, " ("); ok {
			ans, note = a, strings.TrimSuffix(n, ")")
		}
		s := "The answer to the question on " + cite + " is “" + Label(ans) + "”"
		if q, ok := app.QuestionOf(cite); ok {
			s = "The answer to “" + q.Text + "” (" + q.Name + ", " + cite + ") is “" + Label(ans) + "”"
		}
		if note != "" {
			s += ", noting: " + note
		}
		return s + "."
	}
	var clauses []string
	for _, part := range strings.Split(raw, "; ") {
		name, val, ok := strings.Cut(part, " = ")
		if !ok {
			clauses = append(clauses, part)
			continue
		}
		if c := factPhrase(name, val); c != "" {
			clauses = append(clauses, c)
		}
	}
	if len(clauses) == 0 {
		return ""
	}
	return "This applies because, for " + subjectOf(r) + ", " + joinClauses(clauses) + "."
}

func joinClauses(cs []string) string {
	if len(cs) == 1 {
		return cs[0]
	}
	return strings.Join(cs[:len(cs)-1], ", ") + " and " + cs[len(cs)-1]
}

// fact phrases a fact of a kind: yes and no are the phrases of a
// true/false or yes/no fact ("unknown" is said as not stated); of is the
// noun of any other, said "<of> is <value>".
type fact struct{ yes, no, of string }

// facts are the phrases of the facts rules read, by "kind.attribute".
// A fact not listed is phrased from its name.
var facts = map[string]fact{
	"system.stores_phi":                  {yes: "it stores ePHI", no: "it stores no ePHI"},
	"system.internet_facing":             {yes: "it is reachable from the internet", no: "it is not reachable from the internet"},
	"system.mfa":                         {of: "MFA coverage"},
	"system.kind":                        {of: "its kind"},
	"system.hosting":                     {of: "its hosting"},
	"system.vendor":                      {of: "its vendor"},
	"system.data_kinds":                  {of: "the data it stores"},
	"system.antimalware":                 {yes: "it has anti-malware", no: "it has no anti-malware"},
	"system.audit_logging":               {yes: "it keeps audit logs", no: "it keeps no audit log"},
	"system.auto_logoff_minutes":         {of: "automatic log-off (minutes)"},
	"system.backup":                      {yes: "it is backed up", no: "it is not backed up"},
	"system.backup_encrypted":            {yes: "its backups are encrypted", no: "its backups are not encrypted"},
	"system.backup_offsite":              {yes: "its backups are kept off site", no: "its backups are not kept off site"},
	"system.critical":                    {yes: "it is critical to billing", no: "it is not critical"},
	"system.days_since_patch":            {of: "days since it was last patched"},
	"system.days_since_restore_test":     {of: "days since a restore was last tested"},
	"system.encryption_at_rest":          {yes: "its data is encrypted at rest", no: "its data is not encrypted at rest"},
	"system.log_retention_days":          {of: "log retention (days)"},
	"system.log_review":                  {of: "log review"},
	"system.patch_cadence":               {of: "patching"},
	"system.patchable":                   {yes: "the organisation patches it itself", no: "someone else patches it"},
	"system.sso":                         {yes: "it uses single sign-on", no: "it does not use single sign-on"},
	"system.unique_logins":               {yes: "everyone has their own login", no: "logins are not unique"},
	"system.failed_login_alerts":         {yes: "failed sign-ins raise alerts", no: "failed sign-ins raise no alert"},
	"system.has_api":                     {yes: "it has a billing API connection", no: "it has no API connection"},
	"flow.auth":                          {of: "authentication"},
	"flow.carries_phi":                   {yes: "it carries PHI", no: "it carries no PHI"},
	"flow.channel":                       {of: "the channel"},
	"flow.data_kinds":                    {of: "the data it carries"},
	"flow.edi":                           {yes: "it carries X12 EDI", no: "it carries no EDI"},
	"flow.encrypted":                     {yes: "it is encrypted in transit", no: "it is not encrypted in transit"},
	"flow.integrity_check":               {yes: "files are checked for integrity", no: "files are not checked for integrity"},
	"flow.isa_credentials":               {yes: "credentials travel in the ISA header", no: "no credentials travel in the ISA header"},
	"flow.test_separated":                {yes: "test files are kept apart from production", no: "test files are not kept apart from production"},
	"flow.crosses_boundary":              {yes: "it leaves the organisation's network", no: "it stays inside the organisation's network"},
	"flow.min_tls":                       {of: "the lowest TLS version accepted"},
	"flow.stage":                         {of: "the workflow stage"},
	"access.level":                       {of: "the access level"},
	"access.mfa":                         {yes: "sign-in uses MFA", no: "sign-in does not use MFA"},
	"access.shared":                      {yes: "several people share one login", no: "everyone signs in as themselves"},
	"access.system_kind":                 {of: "the system's kind"},
	"access.system_phi":                  {yes: "the system stores ePHI", no: "the system stores no ePHI"},
	"client.baa_status":                  {of: "the BAA"},
	"client.baa_days_to_expiry":          {of: "days until the BAA expires"},
	"vendor.baa_status":                  {of: "the BAA"},
	"vendor.baa_days_to_expiry":          {of: "days until the BAA expires"},
	"vendor.baa_flowdown":                {yes: "its BAA flows down to subcontractors", no: "its BAA does not flow down to subcontractors"},
	"vendor.certifications":              {of: "current certifications or reports"},
	"vendor.days_since_review":           {of: "days since it was last reviewed"},
	"vendor.days_since_risk_analysis":    {of: "age of its own risk analysis (days)"},
	"vendor.phi_access":                  {yes: "it handles PHI", no: "it does not handle PHI"},
	"vendor.subcontractors":              {of: "subcontractors listed"},
	"role.days_since_training":           {of: "days since training"},
	"role.kind":                          {of: "its kind"},
	"role.offshore":                      {yes: "people work offshore", no: "nobody works offshore"},
	"role.outsourced":                    {yes: "a vendor's staff do the work", no: "the organisation's own staff do the work"},
	"role.phi_access":                    {yes: "it has access to ePHI", no: "it has no access to ePHI"},
	"role.phishing_training":             {yes: "it had phishing training", no: "it had no phishing training"},
	"role.termination_hours":             {of: "hours to remove a leaver's access"},
	"role.termination_process":           {of: "the leaver process"},
	"role.training_kind":                 {of: "training"},
	"step.manual_phi_flows":              {of: "manual handoffs of PHI"},
	"step.unprotected_phi_flows":         {of: "unprotected electronic handoffs of PHI"},
	"policy.days_since_review":           {of: "days since it was reviewed"},
	"policy.days_since_test":             {of: "days since it was exercised"},
	"policy.exists":                      {yes: "it is written and adopted", no: "it is not written and adopted"},
	"policy.kind":                        {of: "its kind"},
	"org.days_since_previous_assessment": {of: "days since the previous risk analysis"},
	"org.has_bank_eft":                   {yes: "bank and EFT details are in scope", no: "no bank or EFT details are in scope"},
	"org.nprm":                           {yes: "the 2025 proposed rule is applied", no: "the 2025 proposed rule is not applied"},
}

// factPhrase phrases one fact the assessment recorded.
func factPhrase(name, val string) string {
	if rest, ok := strings.CutPrefix(name, "org.policies."); ok {
		kind, field, _ := strings.Cut(rest, ".")
		p := "written " + lowerFirst(Label(kind)) + " policy"
		switch {
		case field == "exists" && val == "true":
			return "there is a " + p
		case field == "exists":
			return "there is no " + p
		case field == "days_since_review" && val == "-1":
			return "the " + p + " was never reviewed"
		}
		return fmt.Sprintf("the %s (%s) is %s", p, strings.ReplaceAll(field, "_", " "), val)
	}
	if strings.HasSuffix(name, ".baa_status") && val == "none" {
		return "there is no BAA"
	}
	f, ok := facts[name]
	if !ok {
		_, attr, _ := strings.Cut(name, ".")
		f = fact{of: strings.ToLower(humanCode(attr))}
	}
	switch val {
	case "true", "yes":
		if f.yes != "" {
			return f.yes
		}
	case "false", "no":
		if f.no != "" {
			return f.no
		}
	case "unknown", "(not set)":
		if f.of == "" {
			return "the model does not say whether " + f.yes
		}
		return f.of + " is not stated"
	}
	of := f.of
	if of == "" {
		_, attr, _ := strings.Cut(name, ".")
		of = strings.ToLower(humanCode(attr))
	}
	return of + " is " + sayValue(name, val)
}

// sayValue says a recorded value: a number as it is (-1 as "never" or
// "not known"), a list item by item, a code by its label.
func sayValue(name, val string) string {
	if n, err := strconv.Atoi(val); err == nil {
		if n < 0 {
			if strings.Contains(name, "days_since") {
				return "never (none on record)"
			}
			return "not known"
		}
		return val
	}
	switch val {
	case "true":
		return "yes"
	case "false":
		return "no"
	case "none":
		return "none"
	}
	if strings.Contains(val, ", ") {
		return labels(strings.Split(val, ", "))
	}
	if strings.HasSuffix(name, ".vendor") {
		return "“" + val + "”"
	}
	return lowerFirst(Label(val))
}

// lowerFirst lowers the first letter of a label inside a sentence, unless
// it begins an acronym ("EHR", "SFTP").
func lowerFirst(s string) string {
	if len(s) > 1 && s[1] >= 'a' && s[1] <= 'z' {
		return strings.ToLower(s[:1]) + s[1:]
	}
	return s
}
