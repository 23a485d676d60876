package assess

import (
	"slices"
	"testing"
)

// contradictory declares four things the rest of it contradicts: a vendor
// "without PHI access" (and "no BAA required") that runs a cloud drive of
// claims, a scanner "without PHI" that a claims flow reaches, a flow
// "encrypted" over plain FTP, and unique logins on a system a role shares.
const contradictory = `version: 2
organization: {name: T, kind: provider_practice, workforce: 3, patients_per_year: 900, claims_per_month: 200, avg_reimbursement: 100}
systems:
  - {id: pm, name: PM, kind: pm_billing, unique_logins: true}
  - {id: cloud, name: Cloud drive, kind: document_storage, vendor: box, data: [claims], encryption_at_rest: true}
  - {id: scan, name: Scanner, kind: other, stores_phi: false}
data:
  - {id: claims, kind: claims_837}
flows:
  - {id: f1, from: pm, to: scan, data: [claims], channel: ftp, encrypted: true}
vendors:
  - {id: box, name: Box, phi_access: false, baa: {status: not_required}}
roles:
  - {id: biller, name: Biller, kind: biller, headcount: 1, access: [{system: pm, level: write, shared_login: true}]}
`

// TestDeclaredVersusImplied: each contradiction is a risk with its own
// citations, and the engine believes the rest of the model: the vendor is
// a business associate without a BAA, the scanner holds PHI, the FTP flow
// is unencrypted.
func TestDeclaredVersusImplied(t *testing.T) {
	res := runModel(t, loadText(t, "m.yaml", contradictory), nil)
	byID := map[string]Risk{}
	for _, r := range res.Risks {
		byID[r.ID] = r
	}
	for id, cites := range map[string][]string{
		"MODEL-07@box":  {"164.308(b)(1)", "164.502(e)"},
		"MODEL-08@scan": {"164.308(a)(1)(ii)(A)"},
		"MODEL-09@f1":   {"164.308(a)(1)(ii)(A)"},
		"MODEL-10@pm":   {"164.312(a)(2)(i)"},
	} {
		r, ok := byID[id]
		if !ok {
			t.Errorf("no %s risk", id)
			continue
		}
		var got []string
		for _, c := range r.Citations {
			got = append(got, c.Citation)
		}
		for _, c := range cites {
			if !slices.Contains(got, c) {
				t.Errorf("%s cites %v; want %s among them", id, got, c)
			}
		}
	}
	// What follows from believing the rest of the model.
	var vendorRules []string
	for _, r := range res.Risks {
		if len(r.Elements) == 1 && r.Elements[0].Kind == "vendor" && r.Rule != "MODEL-07" {
			vendorRules = append(vendorRules, r.Rule)
		}
	}
	if len(vendorRules) == 0 {
		t.Error("no vendor risk on box: the vendor rules should treat it as a business associate")
	}
	if _, ok := byID["MODEL-07@box"]; ok {
		clean := runModel(t, loadText(t, "m.yaml", `version: 2
organization: {name: T, kind: provider_practice, workforce: 3, patients_per_year: 900, claims_per_month: 200, avg_reimbursement: 100}
systems:
  - {id: pm, name: PM, kind: pm_billing}
data:
  - {id: claims, kind: claims_837}
vendors:
  - {id: box, name: Box, phi_access: false, baa: {status: none}}
roles:
  - {id: biller, name: Biller, kind: biller, headcount: 1}
`), nil)
		for _, r := range clean.Risks {
			if r.Rule == "MODEL-07" {
				t.Errorf("%s on a vendor that runs nothing and receives nothing", r.ID)
			}
		}
	}
}
