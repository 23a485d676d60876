package assess

import (
	"strings"
	"testing"

	"rcmguard/internal/model"
)

// citeModel is a small practice with a paper handoff, a consumer cloud
// mailbox, a self-run file share, card data and EFT enrollment: the cases
// whose citations issue 10 item 7 corrects.
const citeModel = `version: 1
organization: {name: T, kind: provider_practice, workforce: 3, patients_per_year: 900, claims_per_month: 200, avg_reimbursement: 100}
assessment: {date: 2026-11-27}
systems:
  - {id: pm, name: PM, kind: pm_billing, hosting: vendor_saas, vendor: v}
  - {id: gmail, name: Personal mail, kind: email, hosting: cloud, data: [stmts], patching: {cadence: unknown}}
  - {id: nas, name: NAS, kind: file_share, hosting: on_prem, data: [stmts], patching: {cadence: ad_hoc}}
  - {id: till, name: Card log, kind: other, hosting: on_prem, data: [cards], encryption_at_rest: false, patching: {cadence: monthly, last_patched: 2026-11-01}}
data:
  - {id: stmts, kind: patient_statements}
  - {id: cards, kind: card_data}
  - {id: eft, kind: bank_eft}
flows:
  - {id: mail, from: pm, to: nas, data: [stmts], channel: print_mail, stage: patient_statements}
vendors:
  - {id: v, name: V, phi_access: true, baa: {status: signed, signed: 2025-01-01}}
roles:
  - {id: biller, name: Biller, kind: biller, headcount: 1}
workflow:
  - {id: s1, stage: patient_statements, role: biller, action: mail statements, flows: [mail]}
`

func citeRun(t *testing.T, src string) map[string]Risk {
	t.Helper()
	m, err := model.Load("c.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]Risk{}
	for _, r := range runModel(t, m, nil).Risks {
		byID[r.ID] = r
	}
	return byID
}

func cites(r Risk) string {
	var cs []string
	for _, c := range r.Citations {
		cs = append(cs, c.Citation)
	}
	return strings.Join(cs, " ")
}

// TestPaperHandoffNotCitedToTechnicalSafeguards: a step that mails PHI on
// paper is rated under the Privacy Rule safeguards, never under 164.312.
func TestPaperHandoffNotCitedToTechnicalSafeguards(t *testing.T) {
	rs := citeRun(t, citeModel)
	if r, ok := rs["WF-01@s1"]; ok {
		t.Errorf("WF-01 (164.312) fired on a paper handoff: %s", cites(r))
	}
	r, ok := rs["WF-04@s1"]
	if !ok {
		t.Fatal("WF-04 did not rate the paper handoff")
	}
	if c := cites(r); !strings.Contains(c, "164.530(c)") || strings.Contains(c, "164.312") {
		t.Errorf("WF-04 cites %s", c)
	}
}

// TestPatchingOnlyWhereTheOrganisationPatches: a consumer cloud mailbox has
// no patch cycle the practice can set; its own file share does.
func TestPatchingOnlyWhereTheOrganisationPatches(t *testing.T) {
	rs := citeRun(t, citeModel)
	if _, ok := rs["TEC-08@gmail"]; ok {
		t.Error("TEC-08 fired on a consumer cloud mail service")
	}
	if _, ok := rs["TEC-08@nas"]; !ok {
		t.Error("TEC-08 did not fire on a self-run file share patched ad hoc")
	}
}

// TestPatientCardDataIsPHI: card data held by a practice is PHI (45 CFR
// 160.103), so a system holding only card data is an ePHI system.
func TestPatientCardDataIsPHI(t *testing.T) {
	rs := citeRun(t, citeModel)
	if _, ok := rs["TEC-05@till"]; !ok {
		t.Error("unencrypted store of patients' card data was not treated as ePHI")
	}
}

// TestBreachNoticeCitesByRole: a covered entity's procedure cites
// 164.402–164.408 and 164.414; a business associate's cites 164.410.
func TestBreachNoticeCitesByRole(t *testing.T) {
	rs := citeRun(t, citeModel)
	ce, ok := rs["IR-02@org"]
	if !ok || !strings.Contains(cites(ce), "164.402-164.408") || !strings.Contains(cites(ce), "164.414") || strings.Contains(cites(ce), "164.410") {
		t.Errorf("practice: IR-02 %v cites %s", ok, cites(ce))
	}
	if _, ok := rs["IR-05@org"]; ok {
		t.Error("IR-05 (business associate) fired for a practice")
	}
	ba := citeRun(t, strings.Replace(citeModel, "kind: provider_practice", "kind: billing_company", 1)+
		"clients:\n  - {id: c1, name: Clinic, baa: {status: signed, signed: 2025-01-01}}\n")
	if r, ok := ba["IR-05@org"]; !ok || !strings.Contains(cites(r), "164.410") {
		t.Errorf("billing company: IR-05 %v cites %s", ok, cites(r))
	}
	if _, ok := ba["IR-02@org"]; ok {
		t.Error("IR-02 (covered entity) fired for a business associate")
	}
}

// TestPaymentDiversionIsABusinessRisk: PAY-01 is labelled as a risk HIPAA
// does not govern unless patient data moves with the payments.
func TestPaymentDiversionIsABusinessRisk(t *testing.T) {
	r, ok := citeRun(t, citeModel)["PAY-01@org"]
	if !ok || r.Basis != BasisBusiness {
		t.Fatalf("PAY-01 %v basis %q", ok, r.Basis)
	}
}

// TestCoverageCreditsOnlyDirectCitations: a specification counts as
// examined by a rule only when the rule cites it itself; a rule citing its
// standard, or a business-basis rule, does not examine it.
func TestCoverageCreditsOnlyDirectCitations(t *testing.T) {
	set := ruleSet(t)
	for _, p := range []string{"../../examples/practice.yaml", "../../examples/billing-company.yaml"} {
		res := runModel(t, load(t, p), nil)
		for _, c := range res.Coverage {
			for _, id := range c.Rules {
				r, _ := set.Get(id)
				if r.Basis == BasisBusiness {
					t.Errorf("%s: business rule %s credited for %s", p, id, c.Citation)
				}
				direct := false
				for _, cited := range r.Citations {
					direct = direct || cited == c.Citation
				}
				if !direct {
					t.Errorf("%s: %s credited for %s but cites %v", p, id, c.Citation, r.Citations)
				}
			}
		}
	}
}
