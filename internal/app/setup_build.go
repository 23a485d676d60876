package app

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"rcmguard/internal/model"
)

// guideBuild turns a finished guide's answers into a model. Where the
// model has a way to say "not known" (a missing yes/no, an empty or
// "unknown" enum value) an "I don't know" leaves it so; where it has none,
// notes say what the model assumes, so the review page can tell the person.
type guideBuild struct {
	t         SetupTemplate
	ans       guideAnswers
	m         *model.Model
	sentences []string
	notes     []string
	data      map[string]bool // data assets used by a system or flow
}

func newGuideBuild(t SetupTemplate, ans guideAnswers) *guideBuild {
	return &guideBuild{t: t, ans: ans, data: map[string]bool{}}
}

// dataAssets are the data assets the guide's systems hold.
var dataAssets = map[string]model.Data{
	"demographics":       {ID: "demographics", Name: "Patient demographics", Kind: "demographics"},
	"insurance":          {ID: "insurance", Name: "Insurance details", Kind: "insurance"},
	"clinical-notes":     {ID: "clinical-notes", Name: "Clinical notes and images", Kind: "clinical_notes"},
	"claims":             {ID: "claims", Name: "Claims (837)", Kind: "claims_837"},
	"remits":             {ID: "remits", Name: "Remittances (835)", Kind: "remittance_835"},
	"acks":               {ID: "acks", Name: "Claim acknowledgments (999, 277CA)", Kind: "acknowledgments"},
	"eligibility":        {ID: "eligibility", Name: "Eligibility checks (270/271)", Kind: "eligibility_270_271"},
	"claim-status":       {ID: "claim-status", Name: "Claim status (276/277)", Kind: "claim_status_276_277"},
	"balances":           {ID: "balances", Name: "Patient balances", Kind: "balances"},
	"patient-statements": {ID: "patient-statements", Name: "Patient statements", Kind: "patient_statements"},
	"aging-reports":      {ID: "aging-reports", Name: "A/R and claim reports (Excel, PDF)", Kind: "balances", Sensitivity: "high"},
	"card-data":          {ID: "card-data", Name: "Card payments", Kind: "card_data"},
}

func yesNoPtr(v string) *bool {
	switch v {
	case "yes":
		return new(true)
	case "no":
		return new(false)
	}
	return nil // "I don't know", or not asked
}

func (b *guideBuild) num(sec, q string) (float64, bool) {
	v := b.ans.get(sec, q)
	if v == "" || v == DontKnow {
		return 0, false
	}
	n, err := strconv.ParseFloat(v, 64)
	return n, err == nil
}

func (b *guideBuild) int(sec, q string) int {
	n, _ := b.num(sec, q)
	return int(n)
}

func (b *guideBuild) date(sec, q string) model.Date {
	v := b.ans.get(sec, q)
	if v == DontKnow {
		return ""
	}
	return model.Date(v)
}

func (b *guideBuild) note(format string, args ...any) {
	b.notes = append(b.notes, fmt.Sprintf(format, args...))
}

// model builds the model as of today.
func (b *guideBuild) model(today time.Time) (*model.Model, error) {
	b.m = &model.Model{Version: model.CurrentVersion}
	b.organisation()
	b.clients()
	b.systems()
	b.vendors()
	b.roles()
	b.flows()
	b.policies()
	ids := mapsKeys(b.data)
	slices.Sort(ids)
	for _, id := range ids {
		d := dataAssets[id]
		b.m.Data = append(b.m.Data, d)
	}
	if len(b.m.Roles) == 0 {
		return nil, &Error{Kind: ErrInvalid, Field: "people", Msg: "Count at least one person in \"People and roles\": the analysis is about who handles the information."}
	}
	b.m.Assessment = model.Assessment{Assessor: b.m.Organization.SecurityOfficial,
		Scope: "All ePHI that " + b.m.Organization.Name + " creates, receives, maintains or transmits in its billing work, from registration to patient statements, including vendors (described through rcmguard's guided setup on " + today.Format(time.DateOnly) + ")."}
	return b.m, nil
}

func mapsKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

func (b *guideBuild) organisation() {
	o := &b.m.Organization
	o.Name = strings.TrimSpace(b.ans.get(secOrg, "name"))
	o.Kind = model.OrgKind(b.t.OrgKind)
	o.Workforce = b.int(secOrg, "workforce")
	o.PatientsPerYear = b.int(secOrg, "patients")
	o.ClaimsPerMonth = b.int(secOrg, "claims")
	o.AvgReimbursement, _ = b.num(secOrg, "reimbursement")
	o.Locations = b.int(secOrg, "locations")
	o.SecurityOfficial = strings.TrimSpace(b.ans.get(secOrg, "security_official"))
	o.PrivacyOfficial = strings.TrimSpace(b.ans.get(secOrg, "privacy_official"))
	if tz := b.ans.get(secOrg, "time_zone"); tz != DontKnow {
		o.TimeZone = tz
	}
	for _, q := range []struct{ id, what string }{{"patients", "patients a year"}, {"claims", "claims a month"}, {"reimbursement", "average payment per claim"}} {
		if b.ans.get(secOrg, q.id) == DontKnow {
			b.note("The number of %s is not known: the ratings assume nothing about it. Add it on the Model page to size the impact of a breach.", q.what)
		}
	}
	if o.SecurityOfficial == "" {
		b.note("No security official is named: HIPAA requires one (164.308(a)(2)); the analysis reports it as a risk.")
	}
}

func (b *guideBuild) clients() {
	if !b.t.clients {
		return
	}
	status := model.BAAStatus(b.ans.get(secClients, "baa"))
	if status == DontKnow {
		status = "none"
		b.note("You did not know whether the clients' BAAs are signed: the model records them as not signed until you check. A billing company needs a signed BAA with every client.")
	}
	for i, name := range splitLines(b.ans.get(secClients, "names")) {
		b.m.Clients = append(b.m.Clients, model.Client{ID: fmt.Sprintf("c-%02d", i+1), Name: name, BAA: model.BAA{Status: status}})
	}
}

// slot returns the template's system of id.
func (b *guideBuild) slot(id string) (systemSlot, bool) {
	i := slices.IndexFunc(b.t.systems, func(s systemSlot) bool { return s.id == id })
	if i < 0 {
		return systemSlot{}, false
	}
	return b.t.systems[i], true
}

func (b *guideBuild) systems() {
	for _, s := range b.t.systems {
		if !b.ans.uses(s.id) {
			continue
		}
		name := b.ans.systemName(s)
		if b.ans.get(secSystems, s.id+".use") == DontKnow {
			name += " (to confirm)"
			b.note("You did not know whether you use %s: it stays in the analysis, with its risks, until you confirm or delete it on the Model page.", s.label)
		}
		sys := model.System{ID: s.id, Name: upperFirst(name), Kind: model.SystemKind(s.kind)}
		switch h := b.ans.hosting(s.id); h {
		case "", DontKnow:
			if s.kind == "payer_portal" {
				sys.Hosting = "vendor_saas"
			} else if s.kind != "workstation" {
				sys.Hosting = "unknown"
			}
		default:
			sys.Hosting = model.Hosting(h)
		}
		if sys.Hosting == "vendor_saas" || sys.Hosting == "cloud" {
			sys.InternetFacing = new(true)
		}
		data := slices.Clone(s.data)
		if s.id == "ehr" && b.ans.merged() {
			pm, _ := b.slot("pm")
			data = append(data, pm.data...)
			sys.Kind = "pm_billing" // the billing rules apply to it
			sys.Name = upperFirst(name) + " (EHR and billing)"
		}
		slices.Sort(data)
		sys.Data = slices.Compact(data)
		for _, d := range sys.Data {
			b.data[d] = true
		}
		if s.kind == "workstation" {
			sys.EncryptionAtRest = yesNoPtr(b.ans.get(secSignIn, s.id+".encrypted"))
			sys.Antimalware = yesNoPtr(b.ans.get(secSignIn, s.id+".antimalware"))
			if n, ok := b.num(secSignIn, s.id+".logoff"); ok {
				sys.AutoLogoffMin = new(int(n))
			}
		} else if s.signIn {
			sys.UniqueLogins = yesNoPtr(b.ans.get(secSignIn, s.id+".own_login"))
			if v := b.ans.get(secSignIn, s.id+".mfa"); v != "" {
				sys.MFA = model.Coverage(v)
			}
		}
		switch b.ans.get(secSignIn, s.id+".backup") {
		case "offsite":
			sys.Backup = model.Backup{Enabled: new(true), Offsite: new(true)}
		case "onsite":
			sys.Backup = model.Backup{Enabled: new(true), Offsite: new(false)}
		case "no":
			sys.Backup = model.Backup{Enabled: new(false)}
		}
		if slices.Contains([]string{"ehr", "pm", "ch"}, s.id) {
			sys.Critical = new(true)
		}
		b.m.Systems = append(b.m.Systems, sys)
	}
}

func upperFirst(s string) string {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return s
	}
	return string(s[0]-'a'+'A') + s[1:]
}

func (b *guideBuild) vendors() {
	byName := map[string]int{}
	for i := range b.m.Systems {
		sys := &b.m.Systems[i]
		s, _ := b.slot(sys.ID)
		if s.vendorQ == "" {
			continue
		}
		name := strings.TrimSpace(b.ans.get(secVendors, s.id+".vendor"))
		baa := b.ans.get(secVendors, s.id+".baa")
		if name == "" {
			if s.kind == "fax" || baa == "" {
				continue // a fax machine has no vendor
			}
			name = "Supplier of " + sys.Name
		}
		key := strings.ToLower(name)
		if j, ok := byName[key]; ok {
			sys.Vendor = b.m.Vendors[j].ID
			continue
		}
		v := model.Vendor{ID: "v-" + s.id, Name: name, Services: []string{s.short}, PHIAccess: new(s.phi)}
		if s.kind == "payment_gateway" {
			v.PHIAccess = nil // card processors may or may not see PHI: the BAA answer says
		}
		switch baa {
		case "", DontKnow:
			v.BAA.Status = "none"
			b.note("You did not know whether there is a BAA with %s: the model records none until you find it. Ask them for a copy.", name)
		case "not_required":
			v.BAA.Status = "not_required"
			v.PHIAccess = new(false)
		default:
			v.BAA.Status = model.BAAStatus(baa)
		}
		if s.kind == "clearinghouse_portal" {
			v.Clearinghouse = new(true)
		}
		byName[key] = len(b.m.Vendors)
		b.m.Vendors = append(b.m.Vendors, v)
		sys.Vendor = v.ID
	}
}

func (b *guideBuild) roles() {
	training := model.Training{Last: model.Since(b.date(secTraining, "last")), Phishing: yesNoPtr(b.ans.get(secTraining, "phishing"))}
	if k := b.ans.get(secTraining, "kind"); k != DontKnow {
		training.Kind = model.TrainingKind(k)
	}
	term := model.Termination{MaxHours: b.int(secTraining, "leavers_hours")}
	if p := b.ans.get(secTraining, "leavers"); p != DontKnow {
		term.Process = model.Process(p)
	}
	var review model.Cadence
	if r := b.ans.get(secTraining, "review"); r != DontKnow {
		review = model.Cadence(r)
	}
	for _, r := range b.t.roles {
		n := b.int(secPeople, r.id+".count")
		if n < 1 {
			continue
		}
		role := model.Role{ID: r.id, Name: r.name, Kind: model.RoleKind(r.kind), Headcount: n, Training: training,
			Termination: term, AccessReview: review}
		if w := b.ans.get(secPeople, r.id+".where"); w != "" && w != DontKnow {
			role.Location = model.WorkLocation(w)
		}
		seen := map[string]bool{}
		for _, id := range b.ans[secPeople][r.id+".systems"] {
			id = b.ans.alias(id)
			if seen[id] || !b.ans.uses(id) {
				continue
			}
			seen[id] = true
			level := model.AccessLevel("write")
			if r.kind == "manager" || r.kind == "it_admin" {
				level = "admin"
			}
			acc := model.Access{System: id, Level: level}
			// A "no" to own logins means some people share one: the
			// guide cannot tell which roles, so it says so of none and
			// leaves it on the system.
			role.Access = append(role.Access, acc)
		}
		b.m.Roles = append(b.m.Roles, role)
	}
}

// flowAuth is how a person or program signs in on a flow's sending side,
// from what was said of the system it goes to.
func (b *guideBuild) flowAuth(to string) model.AuthMethod {
	switch {
	case b.ans.get(secSignIn, to+".mfa") == "all":
		return "mfa"
	case b.ans.get(secSignIn, to+".own_login") == "no":
		return "shared_password"
	case b.ans.get(secSignIn, to+".own_login") == "yes":
		return "individual_password"
	}
	return "unknown"
}

var channelWords = map[string]string{
	"https_api": "automatically, through the software's connection", "portal_upload": "by uploading files on a website",
	"sftp": "by SFTP", "print_mail": "on paper, by mail", "email": "by ordinary e-mail", "encrypted_email": "by encrypted e-mail",
	"fax": "by fax", "https_portal": "on the insurers' websites", "local_file": "as files saved to the shared folder",
}

// flow adds a flow between two systems when both are in use, and says it
// in words.
func (b *guideBuild) flow(id, from, to string, data []string, channel, stage string, automated *bool, say string) {
	from, to = b.ans.alias(from), b.ans.alias(to)
	if !b.ans.uses(from) || !b.ans.uses(to) || from == to {
		return
	}
	f := model.Flow{ID: id, From: from, To: to, Data: data, Channel: model.Channel(channel), Stage: stage, Automated: automated}
	if channel != "https_api" && channel != "print_mail" && channel != "fax" {
		f.Auth = b.flowAuth(to)
	}
	for _, d := range data {
		b.data[d] = true
	}
	b.m.Flows = append(b.m.Flows, f)
	b.sentences = append(b.sentences, say+" "+channelWords[channel]+".")
}

func (b *guideBuild) name(id string) string {
	id = b.ans.alias(id)
	for _, s := range b.m.Systems {
		if s.ID == id {
			return s.Name
		}
	}
	return id
}

func (b *guideBuild) flows() {
	manual, auto := new(false), new(true)
	automatic := func(ch string) *bool {
		if ch == "https_api" || ch == "sftp" {
			return auto
		}
		return manual
	}
	unknown := func(what string) {
		b.note("You did not know %s: the model has no flow for it yet. Add it on the Model page once you know.", what)
	}
	if ch := b.ans.get(secFlows, "claims"); ch == DontKnow {
		unknown("how claims reach the clearinghouse")
	} else if ch != "" {
		b.flow("f-claims", "pm", "ch", []string{"claims"}, ch, "edi_submission", automatic(ch),
			"We send claims from "+b.name("pm")+" to "+b.name("ch"))
	}
	if ch := b.ans.get(secFlows, "remits"); ch == DontKnow {
		unknown("how remittances come back")
	} else if ch != "" {
		b.flow("f-remits", "ch", "pm", []string{"remits", "acks"}, ch, "payment_posting_followup", automatic(ch),
			"Remittances and acknowledgments come back from "+b.name("ch")+" to "+b.name("pm"))
	}
	if v := b.ans.get(secFlows, "eligibility"); v == "yes" || v == DontKnow {
		b.flow("f-eligibility", "pm", "payers", []string{"eligibility", "claim-status"}, "https_portal", "payer_adjudication", manual,
			"Staff check eligibility and claim status")
	}
	if v := b.ans.get(secFlows, "email"); v == "email" || v == "encrypted_email" || v == DontKnow {
		ch := v
		if v == DontKnow {
			ch = "email" // the usual, and the riskier: kept until checked
			b.note("You did not know whether staff e-mail claim details: the model assumes ordinary e-mail until you check.")
		}
		b.flow("f-followup-email", "email", "payers", []string{"claims", "aging-reports"}, ch, "payment_posting_followup", manual,
			"Staff e-mail claim details and reports during follow-up")
	}
	if v := b.ans.get(secFlows, "fax"); v == "yes" || v == DontKnow {
		b.flow("f-fax", "fax", "payers", []string{"clinical-notes", "claims"}, "fax", "payment_posting_followup", manual,
			"Staff send records and appeals")
	}
	if v := b.ans.get(secFlows, "exports"); v == "yes" || v == DontKnow {
		to := "share"
		if !b.ans.uses(to) {
			to = "docs"
		}
		b.flow("f-exports", "pm", to, []string{"aging-reports", "claims"}, "local_file", "payment_posting_followup", manual,
			"Staff save A/R and claim reports from "+b.name("pm"))
	}
	if ch := b.ans.get(secFlows, "statements"); ch == DontKnow {
		unknown("how the statement file reaches the printing company")
	} else if ch != "" {
		b.flow("f-statements", "pm", "statements", []string{"patient-statements"}, ch, "patient_statements", automatic(ch),
			"We send patient statements from "+b.name("pm")+" to "+b.name("statements"))
	}
	if v := b.ans.get(secFlows, "registration"); v == "https_api" {
		b.flow("f-registration", "ehr", "pm", []string{"demographics", "insurance"}, v, "patient_registration", auto,
			"Patient details go from "+b.name("ehr")+" to "+b.name("pm"))
	} else if v == DontKnow {
		unknown("how patient details reach the billing software")
	}
	if b.ans.uses("cards") {
		b.flow("f-card-payments", "cards", "pm", []string{"card-data", "balances"}, "https_api", "patient_statements", auto,
			"Card payments are recorded in "+b.name("pm"))
	}
}

func (b *guideBuild) policies() {
	unknown := 0
	for _, p := range guidePolicies {
		v := b.ans.get(secPolicies, p.Value)
		if v != "yes" && v != "no" {
			unknown++
			continue // not known: left out, which the analysis treats as not shown to exist
		}
		pol := model.Policy{ID: "p-" + strings.ReplaceAll(p.Value, "_", "-"), Kind: model.PolicyKind(p.Value), Exists: v == "yes"}
		if v == "yes" {
			pol.LastReviewed = model.Since(b.date(secPolicies, p.Value+".reviewed"))
		}
		b.m.Policies = append(b.m.Policies, pol)
	}
	if unknown > 0 {
		b.note("You did not know whether %d of the policies exist: they are left out of the model, and the analysis asks about them.", unknown)
	}
}
