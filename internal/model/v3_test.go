package model

import (
	"strings"
	"testing"
)

const v3body = `organization: {name: T, kind: provider_practice, workforce: 3, patients_per_year: 900, claims_per_month: 200, avg_reimbursement: 100}
clients:
  - {id: c1, name: C1, baa: {status: signed}}
systems:
  - {id: pm, name: PM, kind: pm_billing, backup: {enabled: true}}
  - {id: nas, name: NAS, kind: file_share, backup: {enabled: false}}
data:
  - {id: claims, kind: claims_837}
vendors:
  - {id: v, name: V, baa: {status: signed}}
roles:
  - id: biller
    name: Biller
    kind: biller
    headcount: 1
    access:
      - {system: pm, level: write}
      - {system: nas, level: read, shared_login: true}
policies:
  - {id: cp, kind: contingency_plan, exists: true}
  - {id: ir, kind: incident_response, exists: false}
`

// TestVersionThreeUnknowns: version 2 read a left-out training date,
// restore test, vendor review dates, policy dates and BAA breach_notice_days
// as never or 0, a role's left-out shared_login as false, and analysed a
// practice's billing operation only; a version 2 file keeps that meaning
// through the migration, while a version 3 file that leaves them out
// leaves them unknown and covers the enterprise.
func TestVersionThreeUnknowns(t *testing.T) {
	two, err := Load("two.yaml", []byte("version: 2\n"+v3body))
	if err != nil {
		t.Fatal(err)
	}
	if got := two.Roles[0].Training.Last; !got.Never() {
		t.Errorf("version 2 training.last = %q; want the never it meant", got)
	}
	if got := two.Systems[0].Backup.LastRestoreTest; !got.Never() {
		t.Errorf("version 2 backup.last_restore_test = %q; want never", got)
	}
	if got := two.Systems[1].Backup.LastRestoreTest; got != "" {
		t.Errorf("version 2 restore test of a system without backups = %q; want it left unsaid", got)
	}
	if v := two.Vendors[0]; !v.RiskAnalysis.Never() || !v.LastReview.Never() || v.BAA.BreachNoticeDays == nil || *v.BAA.BreachNoticeDays != 0 {
		t.Errorf("version 2 vendor = %q, %q, %v; want never, never and 0", v.RiskAnalysis, v.LastReview, v.BAA.BreachNoticeDays)
	}
	if p := two.Clients[0].BAA.BreachNoticeDays; p == nil || *p != 0 {
		t.Errorf("version 2 client breach_notice_days = %v; want 0", p)
	}
	if a := two.Roles[0].Access; a[0].Shared == nil || *a[0].Shared || a[1].Shared == nil || !*a[1].Shared {
		t.Errorf("version 2 shared_login = %v, %v; want false and the stated true", a[0].Shared, a[1].Shared)
	}
	if p := two.Policies[0]; !p.LastReviewed.Never() || !p.Tested.Never() {
		t.Errorf("version 2 contingency plan dates = %q, %q; want never", p.LastReviewed, p.Tested)
	}
	if p := two.Policies[1]; p.LastReviewed != "" || p.Tested != "" {
		t.Errorf("version 2 dates of a policy that does not exist = %q, %q; want them left unsaid", p.LastReviewed, p.Tested)
	}
	if two.EffectiveScope() != "billing" {
		t.Errorf("version 2 practice scope = %s; want billing, what version 2 analysed", two.EffectiveScope())
	}

	three, err := Load("three.yaml", []byte("version: 3\n"+v3body))
	if err != nil {
		t.Fatal(err)
	}
	if !three.Roles[0].Training.Last.IsZero() || !three.Systems[0].Backup.LastRestoreTest.IsZero() ||
		three.Vendors[0].BAA.BreachNoticeDays != nil || three.Clients[0].BAA.BreachNoticeDays != nil ||
		three.Roles[0].Access[0].Shared != nil || !three.Policies[0].Tested.IsZero() || !three.Vendors[0].RiskAnalysis.IsZero() {
		t.Errorf("version 3 left-out keys were given values: %+v", three)
	}
	if three.EffectiveScope() != "enterprise" {
		t.Errorf("version 3 practice scope = %s; want enterprise", three.EffectiveScope())
	}

	mig, err := Migrate("two.yaml", []byte("version: 2\n"+v3body))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"version: 3\n", "shared_login: true}\n    training: {last: never}\n", "{system: pm, level: write, shared_login: false}",
		"{system: nas, level: read, shared_login: true}", "baa: {status: signed, breach_notice_days: 0}}",
		"backup: {enabled: true, last_restore_test: never}}", "backup: {enabled: false}}",
		"risk_analysis: never, last_review: never}", "exists: true, last_reviewed: never, tested: never}",
		"{id: ir, kind: incident_response, exists: false}", "assessment: {previous: never, scope_kind: billing}",
	} {
		if !strings.Contains(string(mig.Data), want) {
			t.Errorf("migrated file lacks %q:\n%s", want, mig.Data)
		}
	}
	if len(mig.Steps) != 1 || !strings.HasPrefix(mig.Steps[0], "version 2 → 3:") {
		t.Errorf("steps %q; want the one step from 2 to 3", mig.Steps)
	}
	// A billing company's default scope is billing in both versions.
	bc := strings.Replace(v3body, "kind: provider_practice", "kind: billing_company", 1)
	mig, err = Migrate("bc.yaml", []byte("version: 2\n"+bc))
	if err != nil || strings.Contains(string(mig.Data), "scope_kind") {
		t.Errorf("a billing company was given a scope_kind (%v):\n%s", err, mig.Data)
	}
}

func TestSinceValues(t *testing.T) {
	for _, tc := range []struct{ value, want string }{
		{"never", ""},
		{"2026-01-05", ""},
		{"Never", `invalid date "Never": want YYYY-MM-DD or never`},
		{"2026-13-01", `invalid date "2026-13-01": want YYYY-MM-DD or never`},
	} {
		data := strings.Replace(minimal, "location: onsite}", "location: onsite, training: {last: "+tc.value+"}}", 1)
		_, err := Load("m.yaml", []byte(data))
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("last: %s: %v", tc.value, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), "roles[0].training.last: "+tc.want)):
			t.Errorf("last: %s: %v; want %q", tc.value, err, tc.want)
		}
	}
}

// TestPeopleAndAccounts: people, accounts, policy coverage and answers
// about one element are checked against the IDs they name.
func TestPeopleAndAccounts(t *testing.T) {
	const base = `version: 3
organization: {name: T, kind: billing_company, workforce: 3, patients_per_year: 900, claims_per_month: 200, avg_reimbursement: 100}
clients:
  - {id: c1, name: C1, baa: {status: signed, breach_notice_days: 10}}
  - {id: c2, name: C2, baa: {status: signed, breach_notice_days: 10}}
systems:
  - id: pm
    name: PM
    kind: pm_billing
    clients: [c1, c2]
    remote_access: [{method: rdp, mfa: false, internet_exposed: true}]
    accounts:
      - {person: ann, username: ann, level: write, status: enabled, clients: [c1]}
      - {username: billing, kind: shared, status: enabled, clients: [c1, c2]}
data:
  - {id: claims, kind: claims_837}
roles:
  - {id: biller, name: Biller, kind: biller, headcount: 1}
people:
  - {id: ann, name: Ann Lee, role: biller, clients: [c1], start: 2024-01-02, end: 2025-06-30}
policies:
  - {id: cp, kind: contingency_plan, exists: true, covers: [pm]}
answers:
  - {question: 164.310(a)(2)(iii), answer: yes, element: pm}
`
	m, err := Load("m.yaml", []byte(base))
	if err != nil {
		t.Fatal(err)
	}
	if len(m.People) != 1 || m.People[0].Role != "biller" || m.People[0].End != "2025-06-30" ||
		len(m.Systems[0].Accounts) != 2 || m.Systems[0].Accounts[1].Kind != "shared" || m.Answers[0].Element != "pm" {
		t.Fatalf("decoded %+v", m)
	}
	for _, tc := range []struct{ old, new, want string }{
		{"role: biller, clients", "role: coder, clients", `m.yaml:20:36: people[0].role: "coder" is not the ID of any role`},
		{"{person: ann,", "{person: bob,", `systems[0].accounts[0].person: "bob" is not the ID of any person`},
		{"clients: [c1, c2]}", "clients: [c1, c3]}", `systems[0].accounts[1].clients[1]: "c3" is not the ID of any client`},
		{"covers: [pm]", "covers: [claims]", `policies[0].covers[0]: "claims" is defined at data[0], which is not one of systems`},
		{"element: pm", "element: nowhere", `answers[0].element: "nowhere" is not the ID of any element of the model`},
		{"end: 2025-06-30", "end: 2023-06-30", "people[0].end: the last day 2023-06-30 is before the first day 2024-01-02"},
		{"{username: billing, kind: shared,", "{kind: shared,", "systems[0].accounts[1]: an account names its person or its username"},
		{"method: rdp", "method: telnet", `unknown value "telnet"; expected one of: vpn, rdp, remote_control, port_forward, ssh, none`},
		{"  - {id: ann,", "  - {id: pm,", `people[0].id: duplicate ID "pm"`},
		{"{person: ann, username: ann,", "{person: ann, username: billing,", `systems[0].accounts[1].username: duplicate username "billing" on pm`},
	} {
		if !strings.Contains(base, tc.old) {
			t.Fatalf("fixture lacks %q", tc.old)
		}
		_, err := Load("m.yaml", []byte(strings.Replace(base, tc.old, tc.new, 1)))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s → %s: %v; want %q", tc.old, tc.new, err, tc.want)
		}
	}
}
