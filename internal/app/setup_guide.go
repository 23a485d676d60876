package app

import (
	"fmt"
	"slices"
)

// The guided setup builds a workspace's first model from plain-language
// answers, section by section, for a practice manager who has never seen
// the YAML format. A template says what kind of organisation it is and
// which systems and roles such an organisation usually has; the questions
// follow from it and from the answers already given (the sign-in questions
// ask about the systems the organisation said it uses). Every question a
// person may not know the answer to offers "I don't know", which leaves
// the model's field out: the model tells "not known" from "no".

// DontKnow is the answer "I don't know".
const DontKnow = "unknown"

// QKind is the kind of input a question takes.
type QKind string

// The kinds of question.
const (
	QText    QKind = "text"
	QNumber  QKind = "number"
	QDate    QKind = "date"
	QChoice  QKind = "choice"
	QSystems QKind = "systems" // tick the systems a role uses
	QLines   QKind = "lines"   // one entry per line
)

// Question is one question of the guide. ID is its form field and its key
// in the saved answers.
type Question struct {
	ID       string
	Label    string
	Hint     string
	Kind     QKind
	Choices  []Choice
	Unknown  bool // "I don't know" is offered
	Required bool // it must be answered (possibly with "I don't know")
	// Default is the answer offered before any is saved (the template's
	// typical systems of a role); it is saved only when submitted.
	Default []string
}

// GuideSection is one page of the questionnaire.
type GuideSection struct {
	ID        string
	Title     string
	Intro     string
	Questions []Question
}

// systemSlot is a system an organisation of the template's kind usually
// has, asked about by what it does.
type systemSlot struct {
	id    string
	label string // "an electronic health record (EHR)", as "Do you use …?" asks
	short string // "your EHR", until the organisation names it
	kind  string // model.SystemKind
	hint  string // examples of names
	data  []string
	// vendorQ asks who supplies it (and about a BAA); "" when a vendor is
	// not asked about (payers are covered entities themselves).
	vendorQ string
	phi     bool // the vendor handles PHI unless told otherwise
	signIn  bool // people sign in to it: ask about own logins and MFA
}

// roleSlot is a group of people such an organisation usually has.
type roleSlot struct {
	id, name, kind, hint string
	systems              []string // typical access
}

// SetupTemplate is a kind of organisation the guide starts from.
type SetupTemplate struct {
	ID      string
	Title   string
	Blurb   string
	OrgKind string // model.OrgKind
	systems []systemSlot
	roles   []roleSlot
	// clients: a billing company lists the practices it serves.
	clients bool
}

var (
	slotEHR = systemSlot{id: "ehr", label: "an electronic health record (EHR)", short: "your EHR", kind: "ehr", hint: "For example Athenahealth, eClinicalWorks, Epic, NextGen.",
		data: []string{"demographics", "insurance", "clinical-notes"}, vendorQ: "Which company supplies your EHR?", phi: true, signIn: true}
	slotPM = systemSlot{id: "pm", label: "practice management or billing software", short: "your billing software", kind: "pm_billing", hint: "For example Kareo/Tebra, AdvancedMD, or the billing part of your EHR.",
		data: []string{"claims", "remits", "balances", "patient-statements", "demographics", "insurance"}, vendorQ: "Which company supplies your billing software?", phi: true, signIn: true}
	slotCH = systemSlot{id: "ch", label: "a clearinghouse (website or SFTP for sending claims)", short: "the clearinghouse", kind: "clearinghouse_portal", hint: "For example Availity, Waystar, Change Healthcare/Optum, Office Ally, Trizetto.",
		data: []string{"claims", "remits", "acks"}, vendorQ: "Which clearinghouse do you use?", phi: true, signIn: true}
	slotPayer = systemSlot{id: "payers", label: "insurers' websites (payer portals)", short: "the payer portals", kind: "payer_portal", hint: "For example Availity, UnitedHealthcare, Blue Cross, Medicare's portal.",
		data: []string{"eligibility", "claim-status"}, signIn: true}
	slotEmail = systemSlot{id: "email", label: "e-mail", short: "your e-mail", kind: "email", hint: "For example Microsoft 365 (Outlook) or Google Workspace (Gmail).",
		vendorQ: "Which company provides your e-mail?", phi: true, signIn: true}
	slotFax = systemSlot{id: "fax", label: "fax (a machine or an online fax service)", short: "your fax", kind: "fax", hint: "A fax machine, or a service such as eFax or RingCentral fax.",
		vendorQ: "If you use an online fax service, which company provides it? (Leave empty for a fax machine.)", phi: true}
	slotShare = systemSlot{id: "share", label: "a shared folder or file server", short: "the shared folder", kind: "file_share", hint: "A shared drive (S:), a NAS, a Dropbox or OneDrive folder where staff save reports.",
		data: []string{"aging-reports"}, signIn: true}
	slotPCs   = systemSlot{id: "pcs", label: "office computers (desktops and laptops)", short: "office computers", kind: "workstation", hint: "The computers staff use for billing work."}
	slotCards = systemSlot{id: "cards", label: "card payments (a terminal or online payments)", short: "card payments", kind: "payment_gateway", hint: "For example Square, Stripe, CardPointe, or your billing software's payments.",
		data: []string{"card-data"}, vendorQ: "Which company processes your card payments?", signIn: true}
	slotStatements = systemSlot{id: "statements", label: "a patient statement printing and mailing service", short: "the statement service", kind: "statement_vendor", hint: "A company that prints and mails your patient statements.",
		data: []string{"patient-statements"}, vendorQ: "Which company prints and mails your statements?", phi: true, signIn: true}
	slotImaging = systemSlot{id: "imaging", label: "dental imaging (X-ray) software", short: "the imaging software", kind: "other", hint: "For example Dexis, Sidexis, Carestream, or the imaging part of your practice software.",
		data: []string{"clinical-notes"}, vendorQ: "Which company supplies your imaging software?", phi: true, signIn: true}
	slotClientPM = systemSlot{id: "client-systems", label: "your clients' EHR and billing systems (your staff sign in to them)", short: "the clients' systems", kind: "pm_billing", hint: "The practices' own systems that your billers work in remotely.",
		data: []string{"claims", "remits", "balances", "demographics", "insurance"}, signIn: true}
	slotDocs = systemSlot{id: "docs", label: "document storage (a shared drive, SharePoint, Google Drive)", short: "document storage", kind: "document_storage", hint: "Where staff keep EOBs, reports and client documents.",
		data: []string{"aging-reports"}, vendorQ: "Which company provides your document storage?", phi: true, signIn: true}
)

// setupTemplates are the kinds of organisation the guide offers: the two of
// examples/ (a family practice that bills in-house, a billing company) and
// a dental practice, whose differences change the risks — the practice
// software and X-ray images usually live on a server in the office, and
// the office manager does the billing.
var setupTemplates = []SetupTemplate{
	{ID: "practice", Title: "Medical practice that bills in-house", OrgKind: "provider_practice",
		Blurb:   "A physician or therapy practice whose own staff register patients, code, send claims and follow up.",
		systems: []systemSlot{slotEHR, slotPM, slotCH, slotPayer, slotEmail, slotFax, slotShare, slotPCs, slotCards, slotStatements},
		roles: []roleSlot{
			{id: "front-desk", name: "Front desk", kind: "front_desk", hint: "Registration, insurance cards, check-out.", systems: []string{"ehr", "pm", "payers", "cards"}},
			{id: "coders", name: "Coders", kind: "coder", hint: "Turn visits into codes and claims.", systems: []string{"ehr", "pm"}},
			{id: "billers", name: "Billers and A/R follow-up", kind: "biller", hint: "Send claims, post payments, work denials.", systems: []string{"pm", "ch", "payers", "email", "share"}},
			{id: "manager", name: "Practice manager", kind: "manager", hint: "Runs the office; often the security official.", systems: []string{"ehr", "pm", "ch"}},
			{id: "providers", name: "Physicians and other providers", kind: "provider", hint: "See patients and write notes.", systems: []string{"ehr"}},
			{id: "it", name: "IT support (staff or an outside company)", kind: "it_admin", hint: "Looks after computers and the network.", systems: []string{"pcs", "share"}},
		}},
	{ID: "dental", Title: "Dental practice", OrgKind: "provider_practice",
		Blurb:   "A dental office whose practice software, X-ray images and billing are run by its own team.",
		systems: []systemSlot{slotPM, slotImaging, slotCH, slotPayer, slotEmail, slotShare, slotPCs, slotCards},
		roles: []roleSlot{
			{id: "front-desk", name: "Front desk and scheduling", kind: "front_desk", hint: "Appointments, insurance, payments.", systems: []string{"pm", "payers", "cards"}},
			{id: "office-manager", name: "Office manager and billing coordinator", kind: "manager", hint: "Claims, insurance follow-up, the office's IT contact.", systems: []string{"pm", "ch", "payers", "email", "share"}},
			{id: "clinical", name: "Dentists, hygienists and assistants", kind: "provider", hint: "Chart, take X-rays, treatment plans.", systems: []string{"pm", "imaging"}},
			{id: "it", name: "IT support (staff or an outside company)", kind: "it_admin", hint: "Looks after the server, computers and backups.", systems: []string{"pcs", "share", "pm", "imaging"}},
		}},
	{ID: "billing-company", Title: "Billing company", OrgKind: "billing_company", clients: true,
		Blurb:   "A company that does the billing of other practices (a business associate of each of them).",
		systems: []systemSlot{slotPM, slotClientPM, slotCH, slotPayer, slotEmail, slotDocs, slotPCs},
		roles: []roleSlot{
			{id: "billers", name: "Billers", kind: "biller", hint: "Create and send claims.", systems: []string{"pm", "client-systems", "ch"}},
			{id: "ar", name: "A/R follow-up and denials", kind: "ar_followup", hint: "Call and write to payers about unpaid claims.", systems: []string{"pm", "payers", "email", "docs"}},
			{id: "posters", name: "Payment posters", kind: "payment_poster", hint: "Post remittances (835s) and EOBs.", systems: []string{"pm", "ch", "docs"}},
			{id: "coders", name: "Coders", kind: "coder", hint: "Code from the clients' notes.", systems: []string{"client-systems"}},
			{id: "manager", name: "Managers and client service", kind: "manager", hint: "Client contact, reporting, often the security official.", systems: []string{"pm", "client-systems", "email", "docs"}},
			{id: "it", name: "IT support (staff or an outside company)", kind: "it_admin", hint: "Computers, network, accounts.", systems: []string{"pcs", "docs"}},
		}},
}

// SystemChoices are the template's systems, for the question which a
// role uses.
func (t SetupTemplate) SystemChoices() []Choice {
	out := make([]Choice, len(t.systems))
	for i, s := range t.systems {
		out[i] = Choice{s.id, upperFirst(s.short)}
	}
	return out
}

// SetupTemplates lists the templates the guide offers.
func SetupTemplates() []SetupTemplate { return slices.Clone(setupTemplates) }

func setupTemplate(id string) (SetupTemplate, bool) {
	for _, t := range setupTemplates {
		if t.ID == id {
			return t, true
		}
	}
	return SetupTemplate{}, false
}

var (
	yesNo       = []Choice{{"yes", "Yes"}, {"no", "No"}}
	hostChoices = []Choice{{"vendor_saas", "On the supplier's website or cloud (we sign in through a browser or app)"},
		{"on_prem", "On a server or computer in our office"}, {"cloud", "In our own cloud account (Azure, AWS, Google)"}}
	mfaChoices = []Choice{{"all", "Yes, for everyone"}, {"partial", "For some people only"}, {"none", "No, a password is enough"}}
	baaChoices = []Choice{{"signed", "Yes, signed"}, {"pending", "Asked for, not signed yet"}, {"none", "No"},
		{"not_required", "Not needed: they never see patient information"}}
	claimChannels = []Choice{{"https_api", "Our billing software sends them automatically"}, {"portal_upload", "We upload a file on the clearinghouse's website"},
		{"sftp", "By SFTP (a file transfer program)"}}
	remitChannels = []Choice{{"https_api", "They come into our billing software automatically"}, {"portal_upload", "We download them from the clearinghouse's website"},
		{"sftp", "By SFTP"}, {"print_mail", "On paper (EOBs by mail)"}}
	trainingKinds = []Choice{{"billing_specific", "Yes, including billing work (payer portals, e-mailing claims, EDI files)"},
		{"generic", "Yes, general HIPAA training"}, {"none", "No"}}
	processes = []Choice{{"documented", "A written checklist that we follow"}, {"informal", "We do it, but nothing is written down"}, {"none", "Nothing in particular"}}
	cadences  = []Choice{{"monthly", "Monthly"}, {"quarterly", "Every three months"}, {"annually", "Once a year"}, {"ad_hoc", "Now and then"}, {"never", "Never"}}
	zones     = []Choice{{"America/New_York", "Eastern"}, {"America/Chicago", "Central"}, {"America/Denver", "Mountain"},
		{"America/Phoenix", "Arizona"}, {"America/Los_Angeles", "Pacific"}, {"America/Anchorage", "Alaska"}, {"Pacific/Honolulu", "Hawaii"}}
)

// guidePolicies are the written policies the guide asks about, with how
// it names them.
var guidePolicies = []Choice{
	{"risk_management", "risk management plan (how you decide and track fixes to risks)"},
	{"sanctions", "sanctions policy (what happens to staff who break the rules)"},
	{"security_awareness_training", "security training policy"},
	{"password_management", "password policy"},
	{"access_management", "policy on who gets access to what, and how it is removed"},
	{"incident_response", "incident response plan (what to do if something goes wrong)"},
	{"breach_notification", "breach notification procedure"},
	{"data_backup", "backup policy"},
	{"disaster_recovery", "disaster recovery plan (how you keep billing going after a fire, outage or ransomware)"},
	{"vendor_management", "vendor and BAA management procedure"},
	{"workstation_use", "computer and workstation use policy"},
	{"device_media_controls", "policy for disposing of computers, disks and paper"},
}

// The sections, in order.
const (
	secOrg      = "organisation"
	secClients  = "clients"
	secSystems  = "systems"
	secSignIn   = "sign-in"
	secVendors  = "vendors"
	secPeople   = "people"
	secFlows    = "data-flows"
	secPolicies = "policies"
	secTraining = "training"
)

// sections returns the questionnaire of a template as the answers so far
// shape it: what is asked about systems depends on which are used.
func (t SetupTemplate) sections(ans guideAnswers) []GuideSection {
	var out []GuideSection
	out = append(out, GuideSection{ID: secOrg, Title: "Your organisation",
		Intro: "A few facts about the organisation. Rough figures are fine: they size the impact of a breach.",
		Questions: []Question{
			{ID: "name", Label: "What is the organisation's name?", Kind: QText, Required: true},
			{ID: "workforce", Label: "How many people work for you, counting part-timers and contractors?", Kind: QNumber, Required: true,
				Hint: "Everyone who could see patient or billing information."},
			{ID: "patients", Label: "About how many patients' records do you handle in a year?", Kind: QNumber, Unknown: true, Required: true,
				Hint: t.patientsHint()},
			{ID: "claims", Label: "About how many claims do you send a month?", Kind: QNumber, Unknown: true, Required: true,
				Hint: "Your billing software's claims report shows it."},
			{ID: "reimbursement", Label: "What is the average payment per claim, in dollars?", Kind: QNumber, Unknown: true, Required: true,
				Hint: "Collections in a month divided by claims paid that month; 120 is typical for a primary care visit."},
			{ID: "locations", Label: "How many offices or sites do you have?", Kind: QNumber, Unknown: true, Required: true},
			{ID: "security_official", Label: "Who is your security official (the person responsible for HIPAA security)?", Kind: QText,
				Hint: "A name and title, for example \"Dana Ruiz, Practice Manager\". Leave empty if nobody is named yet."},
			{ID: "privacy_official", Label: "Who is your privacy official?", Kind: QText, Hint: "Often the same person."},
			{ID: "time_zone", Label: "Which time zone do you work in?", Kind: QChoice, Choices: zones, Unknown: true, Required: true},
		}})
	if t.clients {
		out = append(out, GuideSection{ID: secClients, Title: "Your clients",
			Intro: "The practices whose billing you do. You can add details of each later on the Model page.",
			Questions: []Question{
				{ID: "names", Label: "Which practices do you bill for? One per line.", Kind: QLines, Required: true,
					Hint: "Client workspaces you have made here are filled in for you."},
				{ID: "baa", Label: "Do you have a signed business associate agreement (BAA) with each of them?", Kind: QChoice, Unknown: true, Required: true,
					Choices: []Choice{{"signed", "Yes, with every one"}, {"pending", "With some; others are being signed"}, {"none", "No"}}},
			}})
	}
	var sys []Question
	for _, s := range t.systems {
		sys = append(sys,
			Question{ID: s.id + ".use", Label: "Do you use " + s.label + "?", Hint: s.hint, Kind: QChoice, Choices: yesNo, Unknown: true, Required: true},
			Question{ID: s.id + ".name", Label: "If so, what is it called?", Kind: QText, Hint: "The product's name, so the report names it."})
		if s.id == "pm" && slices.ContainsFunc(t.systems, func(o systemSlot) bool { return o.id == "ehr" }) {
			sys = append(sys, Question{ID: "pm.in_ehr", Label: "Is the billing software part of your EHR (one product)?", Kind: QChoice, Choices: yesNo, Unknown: true})
		}
		if s.kind != "payer_portal" && s.kind != "workstation" {
			sys = append(sys, Question{ID: s.id + ".hosting", Label: "Where does it run?", Kind: QChoice, Choices: hostChoices, Unknown: true})
		}
	}
	out = append(out, GuideSection{ID: secSystems, Title: "Systems",
		Intro:     "The software and services where patient or billing information is kept or passes through. Answer \"I don't know\" when unsure: such a system stays in the analysis, to be checked.",
		Questions: sys})

	var sign, vend []Question
	for _, s := range t.systems {
		if !ans.uses(s.id) {
			continue
		}
		name := ans.systemName(s)
		switch {
		case s.kind == "workstation":
			sign = append(sign,
				Question{ID: s.id + ".encrypted", Label: "Are the disks of the " + name + " encrypted (BitLocker, FileVault)?", Kind: QChoice, Choices: yesNo, Unknown: true, Required: true,
					Hint: "Your IT support can tell you; it protects patient data on a stolen laptop."},
				Question{ID: s.id + ".antimalware", Label: "Do they run anti-virus or endpoint protection?", Kind: QChoice, Choices: yesNo, Unknown: true, Required: true},
				Question{ID: s.id + ".logoff", Label: "After how many idle minutes do they lock by themselves?", Kind: QNumber, Unknown: true, Required: true,
					Hint: "0 if they never lock by themselves."})
		case s.signIn:
			sign = append(sign,
				Question{ID: s.id + ".own_login", Label: "Does everyone have their own login to " + name + "?", Kind: QChoice, Unknown: true, Required: true,
					Choices: []Choice{{"yes", "Yes, everyone has their own"}, {"no", "No, some people share a login"}}},
				Question{ID: s.id + ".mfa", Label: "Does " + name + " ask for a second step when signing in (a code from a phone app, a text message)?", Kind: QChoice,
					Choices: mfaChoices, Unknown: true, Required: true, Hint: "This is multi-factor authentication (MFA)."})
		}
		if ans.hosting(s.id) == "on_prem" {
			sign = append(sign, Question{ID: s.id + ".backup", Label: "Is " + name + " backed up?", Kind: QChoice, Unknown: true, Required: true,
				Choices: []Choice{{"offsite", "Yes, with a copy kept outside the office or in the cloud"}, {"onsite", "Yes, but only in the office"}, {"no", "No"}}})
		}
		if s.vendorQ != "" {
			vend = append(vend,
				Question{ID: s.id + ".vendor", Label: s.vendorQ, Kind: QText, Hint: "The company's name. " + "It is about " + name + "."},
				Question{ID: s.id + ".baa", Label: "Do you have a signed business associate agreement (BAA) with them for " + name + "?", Kind: QChoice,
					Choices: baaChoices, Unknown: true, Required: s.kind != "fax",
					Hint: "A BAA is the contract in which a company that handles patient information for you promises to protect it."})
		}
	}
	out = append(out,
		GuideSection{ID: secSignIn, Title: "Sign-in and safeguards",
			Intro: "How staff sign in to each system you use. Shared logins and missing second steps are how most billing breaches start.", Questions: sign},
		GuideSection{ID: secVendors, Title: "Vendors and BAAs",
			Intro: "The companies that run these systems for you. If one of them handles patient information, you need a signed BAA with it.", Questions: vend})

	var people []Question
	for _, r := range t.roles {
		people = append(people,
			Question{ID: r.id + ".count", Label: "How many people work as " + lower(r.name) + "?", Hint: r.hint + " 0 if nobody does.", Kind: QNumber, Required: true},
			Question{ID: r.id + ".where", Label: "Where do they work?", Kind: QChoice, Unknown: true,
				Choices: []Choice{{"onsite", "In the office"}, {"remote", "From home or elsewhere in the US"}, {"offshore", "Outside the United States"}}},
			Question{ID: r.id + ".systems", Label: "Which systems do they use?", Kind: QSystems, Default: r.systems})
	}
	out = append(out, GuideSection{ID: secPeople, Title: "People and roles",
		Intro: "Groups of people by what they do. Count each person once, in their main role.", Questions: people})

	var flows []Question
	if ans.uses("ch") {
		flows = append(flows,
			Question{ID: "claims", Label: "How do you send claims to the clearinghouse?", Kind: QChoice, Choices: claimChannels, Unknown: true, Required: true},
			Question{ID: "remits", Label: "How do payments and remittances (835 files) come back?", Kind: QChoice, Choices: remitChannels, Unknown: true, Required: true})
	}
	if ans.uses("payers") {
		flows = append(flows, Question{ID: "eligibility", Label: "Do staff check insurance eligibility or claim status on insurers' websites?", Kind: QChoice, Choices: yesNo, Unknown: true, Required: true})
	}
	if ans.uses("email") {
		flows = append(flows, Question{ID: "email", Label: "Do staff e-mail claim details, EOBs or A/R reports to payers, clients or others?", Kind: QChoice, Unknown: true, Required: true,
			Choices: []Choice{{"email", "Yes, by ordinary e-mail"}, {"encrypted_email", "Yes, by encrypted (secure) e-mail"}, {"no", "No"}}})
	}
	if ans.uses("fax") {
		flows = append(flows, Question{ID: "fax", Label: "Do you fax records or claims (appeals, prior authorisations)?", Kind: QChoice, Choices: yesNo, Unknown: true, Required: true})
	}
	if ans.uses("share") || ans.uses("docs") {
		flows = append(flows, Question{ID: "exports", Label: "Do staff save A/R or claim reports (Excel, PDF) to the shared folder?", Kind: QChoice, Choices: yesNo, Unknown: true, Required: true})
	}
	if ans.uses("statements") {
		flows = append(flows, Question{ID: "statements", Label: "How does the statement file get to the printing company?", Kind: QChoice, Unknown: true, Required: true,
			Choices: []Choice{{"https_api", "Our billing software sends it automatically"}, {"portal_upload", "We upload it on their website"}, {"sftp", "By SFTP"}}})
	}
	if ans.uses("ehr") && ans.uses("pm") && ans.get(secSystems, "pm.in_ehr") != "yes" {
		flows = append(flows, Question{ID: "registration", Label: "How do patient details get from the EHR into the billing software?", Kind: QChoice, Unknown: true, Required: true,
			Choices: []Choice{{"https_api", "An interface copies them automatically"}, {"none", "Staff type them in again"}}})
	}
	out = append(out, GuideSection{ID: secFlows, Title: "How information moves",
		Intro: "How claims, payments and reports travel between your systems and to others. The guide writes these as data flows in the model.", Questions: flows})

	var pols []Question
	for _, p := range guidePolicies {
		pols = append(pols,
			Question{ID: p.Value, Label: "Do you have a written " + p.Label + "?", Kind: QChoice, Choices: yesNo, Unknown: true, Required: true},
			Question{ID: p.Value + ".reviewed", Label: "If so, when was it last reviewed?", Kind: QDate, Hint: "Leave empty if you don't know."})
	}
	out = append(out, GuideSection{ID: secPolicies, Title: "Policies",
		Intro: "Written, adopted documents. A policy that exists only in someone's head counts as no.", Questions: pols})

	out = append(out, GuideSection{ID: secTraining, Title: "Training and staff changes",
		Questions: []Question{
			{ID: "kind", Label: "Do staff get security awareness training?", Kind: QChoice, Choices: trainingKinds, Unknown: true, Required: true},
			{ID: "last", Label: "When did staff last complete it?", Kind: QDate, Hint: "Leave empty if you don't know."},
			{ID: "phishing", Label: "Does it teach people to spot phishing e-mails (or test them with fake ones)?", Kind: QChoice, Choices: yesNo, Unknown: true, Required: true},
			{ID: "leavers", Label: "When someone leaves, how are their logins removed?", Kind: QChoice, Choices: processes, Unknown: true, Required: true},
			{ID: "leavers_hours", Label: "Within how many hours of someone leaving are their logins removed?", Kind: QNumber, Unknown: true, Required: true},
			{ID: "review", Label: "How often does someone check who has access to what?", Kind: QChoice, Choices: cadences, Unknown: true, Required: true},
		}})
	return out
}

func (t SetupTemplate) patientsHint() string {
	if t.clients {
		return "All clients together: the number of distinct patients whose claims you handle."
	}
	return "Distinct patients seen in a year; your practice software's patient report shows it."
}

func lower(s string) string {
	if s == "" {
		return s
	}
	b := []byte(s)
	if b[0] >= 'A' && b[0] <= 'Z' && (len(b) < 2 || b[1] < 'A' || b[1] > 'Z') {
		b[0] += 'a' - 'A'
	}
	return string(b)
}

func sectionIndex(secs []GuideSection, id string) int {
	return slices.IndexFunc(secs, func(s GuideSection) bool { return s.ID == id })
}

func (g GuideSection) question(id string) (Question, error) {
	for _, q := range g.Questions {
		if q.ID == id {
			return q, nil
		}
	}
	return Question{}, fmt.Errorf("app: guide section %s has no question %q", g.ID, id)
}
