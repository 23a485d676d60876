package web

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"rcmguard/internal/app"
	"rcmguard/internal/assess"
	"rcmguard/internal/labels"
)

// Labels: the one place where a value of the model (an enum value, a rule's
// owner or area, an element of a risk, the facts a rule read) becomes words
// a practice manager reads. Every page shows values through these helpers
// (the template functions "label", "elementName", "riskSubject", "why"),
// and TestNoRawCodes walks the pages for any raw value left.

// Label names a value of the model for people (labels.Label).
func Label(v string) string { return labels.Label(v) }

func humanCode(v string) string  { return labels.HumanCode(v) }
func plainText(s string) string  { return labels.PlainText(s) }
func lowerFirst(s string) string { return labels.LowerFirst(s) }

// labelList applies Label to each value of a list, for a list of data kinds.
func labelList(vs []string) string {
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
		return labelList(strings.Split(val, ", "))
	}
	if strings.HasSuffix(name, ".vendor") {
		return "“" + val + "”"
	}
	return lowerFirst(Label(val))
}
