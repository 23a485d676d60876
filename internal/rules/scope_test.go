package rules

import (
	"slices"
	"strings"
	"testing"
	"time"

	"rcmguard/internal/model"
)

var testNow = time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)

// evaluated is a small model run through the built-in rules.
type evaluated struct {
	g    *Graph
	hits []Hit
}

func evaluate(t *testing.T, text string) evaluated {
	t.Helper()
	m, err := model.Load("m.yaml", []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	g := Build(m, nil, Options{Now: testNow})
	hits, err := loadBuiltin(t).Evaluate(g)
	if err != nil {
		t.Fatal(err)
	}
	return evaluated{g, hits}
}

// fired lists the risk IDs of a rule's hits, with "?" after the ones that
// rest on unknowns.
func (e evaluated) fired(rule string) []string {
	var out []string
	for _, h := range e.hits {
		if h.Rule.ID == rule {
			id := h.RiskID
			if len(h.RestsOn) > 0 {
				id += "?"
			}
			out = append(out, id)
		}
	}
	return out
}

// questions lists the fields the model is asked about.
func (e evaluated) questions() []string {
	var out []string
	for _, k := range Kinds {
		for _, el := range e.g.Elements[k] {
			for _, u := range el.Unknown {
				out = append(out, u.Field)
			}
		}
	}
	return out
}

func (e evaluated) question(field string) string {
	for _, k := range Kinds {
		for _, el := range e.g.Elements[k] {
			for _, u := range el.Unknown {
				if u.Field == field {
					return u.Question
				}
			}
		}
	}
	return ""
}

const head = "version: 3\norganization: {name: T, kind: provider_practice, workforce: 3, patients_per_year: 900, claims_per_month: 200, avg_reimbursement: 100}\n"

// TestEnterpriseScope: a version 3 practice analyses its whole enterprise,
// so a model without clinical systems is a gap; one that says billing, or
// that models its EHR, is not.
func TestEnterpriseScope(t *testing.T) {
	const body = `systems:
  - {id: pm, name: PM, kind: pm_billing, hosting: vendor_saas}
data:
  - {id: claims, kind: claims_837}
roles:
  - {id: biller, name: Biller, kind: biller, headcount: 1}
`
	if got := evaluate(t, head+body).fired("MODEL-11"); !slices.Equal(got, []string{"MODEL-11@org"}) {
		t.Errorf("enterprise practice without an EHR: MODEL-11 %v", got)
	}
	if got := evaluate(t, head+body+"assessment: {scope_kind: billing}\n").fired("MODEL-11"); got != nil {
		t.Errorf("billing scope: MODEL-11 %v", got)
	}
	withEHR := strings.Replace(body, "data:", "  - {id: ehr, name: EHR, kind: ehr, hosting: vendor_saas}\ndata:", 1)
	if got := evaluate(t, head+withEHR).fired("MODEL-11"); got != nil {
		t.Errorf("practice with an EHR: MODEL-11 %v", got)
	}
}

// TestPaperIsNotElectronic: paper handoffs are rated under 164.530(c),
// never by the 164.312 rules: a paper flow is a physical handoff of its
// step, not an unprotected electronic one, and a filing room is not an
// ePHI store.
func TestPaperIsNotElectronic(t *testing.T) {
	ev := evaluate(t, head+`systems:
  - {id: pm, name: PM, kind: pm_billing, hosting: on_prem}
  - {id: files, name: Chart room, kind: paper_records, hosting: on_prem, encryption_at_rest: false, patching: {cadence: never}}
  - {id: adjuster, name: Acme Insurance adjuster, kind: external_recipient}
data:
  - {id: records, kind: clinical_notes, form: paper}
  - {id: claims, kind: claims_837}
flows:
  - {id: mail, from: files, to: adjuster, data: [records], channel: print_mail, automated: false}
  - {id: carry, from: files, to: pm, data: [records], channel: hand_delivery, automated: false}
  - {id: courier, from: pm, to: adjuster, data: [claims], channel: hand_delivery, automated: false}
roles:
  - {id: biller, name: Biller, kind: biller, headcount: 1}
workflow:
  - {id: send, stage: payment_posting_followup, role: biller, action: mails records, flows: [mail, carry]}
assessment: {scope_kind: billing, previous: 2025-10-02}
`)
	// A disc or drive carried by courier is device and media control
	// (164.310(d)), not transmission security.
	for _, r := range []string{"TEC-07", "WF-01", "TEC-05", "TEC-08", "MODEL-01", "EDI-01", "PAY-04"} {
		for _, id := range ev.fired(r) {
			if !strings.HasSuffix(strings.TrimSuffix(id, "?"), "@pm") {
				t.Errorf("%s fired on paper", id)
			}
		}
	}
	if got := ev.fired("FUP-06"); !slices.Equal(got, []string{"FUP-06@mail"}) {
		t.Errorf("FUP-06 %v; want the mailed records", got)
	}
	if got := ev.fired("WF-04"); !slices.Equal(got, []string{"WF-04@send"}) {
		t.Errorf("WF-04 %v; want the step's paper handoffs", got)
	}
	for _, h := range ev.hits {
		if h.Rule.ID == "FUP-06" || h.Rule.ID == "WF-04" {
			for _, c := range h.Rule.Citations {
				if strings.HasPrefix(c, "164.312") {
					t.Errorf("%s cites %s for paper", h.Rule.ID, c)
				}
			}
		}
	}
}

// TestNotPatchedByUs: patching rules stay quiet on media, paper, consumer
// services and a client's own system; the client's controls become
// questions for the client.
func TestNotPatchedByUs(t *testing.T) {
	ev := evaluate(t, `version: 3
organization: {name: T, kind: billing_company, workforce: 3, patients_per_year: 900, claims_per_month: 200, avg_reimbursement: 100}
clients:
  - {id: c1, name: Lakeside Clinic, baa: {status: signed, breach_notice_days: 10}}
systems:
  - {id: usb, name: USB drive, kind: portable_media, hosting: on_prem, patching: {cadence: never}, encryption_at_rest: true}
  - {id: gmail, name: Personal Gmail, kind: email, hosting: consumer, patching: {cadence: never}}
  - {id: ehr, name: Lakeside EHR, kind: ehr, hosting: client_hosted, client: c1, encryption_at_rest: false, auto_logoff_minutes: 0}
  - {id: ws, name: Workstations, kind: workstation, hosting: on_prem, patching: {cadence: never}, encryption_at_rest: true, auto_logoff_minutes: 10}
data:
  - {id: claims, kind: claims_837}
roles:
  - {id: biller, name: Biller, kind: biller, headcount: 1}
`)
	if got := ev.fired("TEC-08"); !slices.Equal(got, []string{"TEC-08@ws"}) {
		t.Errorf("TEC-08 %v; want only the workstations the company patches", got)
	}
	for _, r := range []string{"MON-01", "CONT-01", "TEC-05", "TEC-11", "TEC-10"} {
		for _, id := range ev.fired(r) {
			if strings.HasSuffix(id, "@ehr") {
				t.Errorf("%s is a risk of the billing company on the client's EHR", id)
			}
		}
	}
	for _, f := range []string{"systems[2].patching.cadence", "systems[2].audit_log.enabled", "systems[2].backup.enabled"} {
		if q := ev.question(f); !strings.HasPrefix(q, "Ask Lakeside Clinic:") {
			t.Errorf("question on %s = %q; want one for the client", f, q)
		}
	}
	if got := ev.fired("CONS-01"); !slices.Equal(got, []string{"CONS-01@gmail"}) {
		t.Errorf("CONS-01 %v; want the personal e-mail", got)
	}
}

// TestPeopleAndAccountRules: a leaver's enabled account, a shared account,
// default credentials, remote access without MFA and RDP on the internet,
// end-of-life software, a credential across clients and a plan that
// leaves a critical system out are each a finding; a leaver whose account
// status is not stated is a question.
func TestPeopleAndAccountRules(t *testing.T) {
	ev := evaluate(t, `version: 3
organization: {name: T, kind: billing_company, workforce: 3, patients_per_year: 900, claims_per_month: 200, avg_reimbursement: 100}
clients:
  - {id: c1, name: C1, baa: {status: signed, breach_notice_days: 10}}
  - {id: c2, name: C2, baa: {status: signed, breach_notice_days: 10}}
systems:
  - id: pm
    name: PM
    kind: pm_billing
    hosting: on_prem
    critical: true
    unique_logins: true
    end_of_support: 2025-10-14
    default_credentials: true
    remote_access: [{method: rdp, mfa: false, internet_exposed: true}, {method: vpn}]
    accounts:
      - {person: ann, username: ann, status: enabled, level: admin}
      - {person: bob, username: bob}
      - {person: cy, username: cy, status: enabled, clients: [c1, c2]}
      - {username: frontdesk, kind: shared, status: enabled, clients: [c1, c2]}
  - {id: nas, name: NAS, kind: file_share, hosting: on_prem, critical: true}
data:
  - {id: claims, kind: claims_837}
roles:
  - {id: biller, name: Biller, kind: biller, headcount: 3}
people:
  - {id: ann, name: Ann Lee, role: biller, end: 2026-10-01}
  - {id: bob, name: Bob Ray, role: biller, end: 2026-11-01}
  - {id: cy, name: Cy Doe, role: biller, clients: [c1]}
policies:
  - {id: cp, kind: contingency_plan, exists: true, last_reviewed: 2026-06-01, tested: 2026-06-01, covers: [pm]}
`)
	for rule, want := range map[string][]string{
		"ACCT-01": {"ACCT-01@pm@ann"},
		"ACCT-02": {"ACCT-02@pm@frontdesk"},
		"ACCT-03": {"ACCT-03@pm"},
		"ACCT-04": {"ACCT-04@pm@frontdesk"},
		"ACCT-05": {"ACCT-05@pm@cy"},
		"RA-01":   {"RA-01@pm"},
		"RA-02":   {"RA-02@pm"},
		"EOL-01":  {"EOL-01@pm"},
		"CONT-08": {"CONT-08@cp"},
	} {
		if got := ev.fired(rule); !slices.Equal(got, want) {
			t.Errorf("%s fired %v; want %v", rule, got, want)
		}
	}
	if q := ev.question("systems[0].accounts[1].status"); !strings.Contains(q, "Bob Ray left 26 day(s) ago") {
		t.Errorf("question on the leaver's account = %q", q)
	}
	if q := ev.question("systems[0].remote_access[1].mfa"); q == "" {
		t.Errorf("no question about the VPN's MFA; questions %v", ev.questions())
	}
	var msgs []string
	for _, c := range ev.g.Elements[KindSystem][0].Contradictions {
		msgs = append(msgs, c.Msg)
	}
	if !slices.Contains(msgs, "declared unique_logins: true, but it lists 1 enabled shared account(s)") {
		t.Errorf("contradictions %q; want the shared account against unique_logins", msgs)
	}
	for _, r := range ev.fired("RA-02") {
		if !strings.Contains(strings.Join(riskWhy(ev, "RA-02"), ";"), "system.remote_exposed = true") {
			t.Errorf("RA-02 %s does not say why", r)
		}
	}
}

func riskWhy(ev evaluated, rule string) []string {
	var out []string
	for _, h := range ev.hits {
		if h.Rule.ID == rule {
			out = append(out, h.Why(ev.g.Elements[KindOrg][0].View))
		}
	}
	return out
}

// TestLeftOutIsUnknown: a left-out training date, BAA breach-notice term
// or shared_login is a question, never a definite finding; stated, each
// gives its finding.
func TestLeftOutIsUnknown(t *testing.T) {
	const body = `clients:
  - {id: c1, name: C1, baa: {status: signed}}
systems:
  - {id: pm, name: PM, kind: pm_billing, hosting: vendor_saas, mfa: all, encryption_at_rest: true, auto_logoff_minutes: 10}
data:
  - {id: claims, kind: claims_837}
roles:
  - {id: biller, name: Biller, kind: biller, headcount: 2, location: onsite, training: {kind: generic}, access: [{system: pm, level: write}]}
assessment: {scope_kind: billing, previous: 2025-10-02}
`
	ev := evaluate(t, head+body)
	for _, f := range []string{"roles[0].training.last", "clients[0].baa.breach_notice_days", "roles[0].access[0].shared_login"} {
		if !slices.Contains(ev.questions(), f) {
			t.Errorf("no question on %s; questions %v", f, ev.questions())
		}
	}
	if got := ev.fired("TRN-01"); !slices.Equal(got, []string{"TRN-01@biller?"}) {
		t.Errorf("TRN-01 %v; want a provisional finding resting on the unknown date", got)
	}
	if got := ev.fired("CLI-05"); got != nil {
		t.Errorf("CLI-05 %v from a notice term the model does not state", got)
	}
	stated := strings.NewReplacer("training: {kind: generic}", "training: {kind: generic, last: never}",
		"{status: signed}", "{status: signed, breach_notice_days: 0}",
		"level: write}", "level: write, shared_login: true}").Replace(body)
	ev = evaluate(t, head+stated)
	for rule, want := range map[string]string{"TRN-01": "TRN-01@biller", "CLI-05": "CLI-05@c1", "ACC-03": "ACC-03@biller@pm"} {
		if got := ev.fired(rule); !slices.Equal(got, []string{want}) {
			t.Errorf("stated: %s %v; want the definite %s", rule, got, want)
		}
	}
	if len(ev.questions()) != 0 {
		t.Errorf("stated model still asks %v", ev.questions())
	}
	// The previous analysis left out is a question and a provisional
	// MON-05; `never` is the definite one.
	ev = evaluate(t, head+strings.Replace(stated, ", previous: 2025-10-02", "", 1))
	if got := ev.fired("MON-05"); !slices.Equal(got, []string{"MON-05@org?"}) || !slices.Contains(ev.questions(), "assessment.previous") {
		t.Errorf("previous left out: MON-05 %v, questions %v", got, ev.questions())
	}
	ev = evaluate(t, head+strings.Replace(stated, "previous: 2025-10-02", "previous: never", 1))
	if got := ev.fired("MON-05"); !slices.Equal(got, []string{"MON-05@org"}) {
		t.Errorf("previous: never: MON-05 %v", got)
	}
}

// TestAccountRiskIDs: a risk ID is split on "@", so an account is named by
// an ID-safe username, else its person, else its place — never by an
// e-mail login — and one person's two accounts get two IDs.
func TestAccountRiskIDs(t *testing.T) {
	ev := evaluate(t, head+`systems:
  - id: pm
    name: PM
    kind: pm_billing
    accounts:
      - {person: ann, username: ann@clinic.example, status: enabled}
      - {person: ann, username: "CLINIC\\ann.admin", status: enabled, level: admin}
      - {person: ann, username: ann-old, status: enabled}
data:
  - {id: claims, kind: claims_837}
roles:
  - {id: biller, name: Biller, kind: biller, headcount: 1}
people:
  - {id: ann, name: Ann Lee, role: biller, end: 2026-10-01}
assessment: {scope_kind: billing, previous: 2025-10-02}
`)
	want := []string{"ACCT-01@pm@ann", "ACCT-01@pm@ann-account-2", "ACCT-01@pm@ann-old"}
	if got := ev.fired("ACCT-01"); !slices.Equal(got, want) {
		t.Errorf("ACCT-01 %v; want %v", got, want)
	}
}

// TestNewRulesExamineOnlyWhatIsStated: a model that says nothing about
// remote access, end of support or what a plan covers is not credited
// with RA-01, EOL-01 or CONT-08 having examined anything.
func TestNewRulesExamineOnlyWhatIsStated(t *testing.T) {
	const silent = `systems:
  - {id: pm, name: PM, kind: pm_billing, hosting: on_prem, critical: true}
data:
  - {id: claims, kind: claims_837}
roles:
  - {id: biller, name: Biller, kind: biller, headcount: 1}
policies:
  - {id: cp, kind: contingency_plan, exists: true, last_reviewed: 2026-06-01, tested: 2026-06-01}
assessment: {scope_kind: billing, previous: 2025-10-02}
`
	stated := strings.NewReplacer("critical: true}", "critical: true, end_of_support: 2030-01-01, remote_access: [{method: vpn, mfa: true}]}",
		"tested: 2026-06-01}", "tested: 2026-06-01, covers: [pm]}").Replace(silent)
	s := loadBuiltin(t)
	for _, tc := range []struct {
		text string
		want bool
	}{{silent, false}, {stated, true}} {
		ev := evaluate(t, head+tc.text)
		for _, id := range []string{"RA-01", "RA-02", "EOL-01", "CONT-08"} {
			r, _ := s.Get(id)
			if got := s.Examines(r, ev.g); got != tc.want {
				t.Errorf("%s examines = %v; want %v when the model %s", id, got, tc.want, map[bool]string{false: "is silent", true: "states it"}[tc.want])
			}
		}
	}
}
