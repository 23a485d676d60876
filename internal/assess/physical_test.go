package assess

import (
	"slices"
	"strings"
	"testing"
)

// TestDisposalAvailabilityIsolation: the rules for device and media
// disposal and re-use, documentation availability and clearinghouse
// isolation fire on a stated "no", and ask a question, not a finding,
// when the model leaves the fact out.
func TestDisposalAvailabilityIsolation(t *testing.T) {
	const text = `version: 2
organization: {name: T, kind: clearinghouse, workforce: 3, patients_per_year: 900, claims_per_month: 200, avg_reimbursement: 100, clearinghouse_function: true ISO}
systems:
  - {id: copier, name: Copier, kind: other, stores_data_on_device: true SAN}
data:
  - {id: claims, kind: claims_837}
policies:
  - {id: ir, kind: incident_response, exists: true AVAIL}
roles:
  - {id: biller, name: Biller, kind: biller, headcount: 1, location: onsite}
`
	stated := strings.NewReplacer(" ISO}", ", clearinghouse_isolated: false}", " SAN}", ", media_sanitized: false}", " AVAIL}", ", available: false}").Replace(text)
	res := runModel(t, loadText(t, "m.yaml", stated), nil)
	for _, id := range []string{"MED-01@copier", "POL-08@ir", "ACC-07@org"} {
		if !slices.ContainsFunc(res.Risks, func(r Risk) bool { return r.ID == id && len(r.RestsOn) == 0 }) {
			t.Errorf("no definite %s risk for a stated no", id)
		}
	}
	for _, c := range res.Coverage {
		if c.Citation == "164.310(d)(2)(ii)" && !slices.Contains(c.Rules, "MED-01") {
			t.Errorf("164.310(d)(2)(ii) examined by %v; want MED-01 among them", c.Rules)
		}
	}
	left := strings.NewReplacer(" ISO}", "}", " SAN}", "}", " AVAIL}", "}").Replace(text)
	res = runModel(t, loadText(t, "m.yaml", left), nil)
	for _, r := range res.Risks {
		if r.Rule == "MED-01" || r.Rule == "POL-08" || r.Rule == "ACC-07" {
			t.Errorf("risk %s from a fact the model leaves out", r.ID)
		}
	}
	for _, field := range []string{"systems[0].media_sanitized", "organization.clearinghouse_isolated"} {
		if !slices.ContainsFunc(res.Questions, func(q Question) bool { return q.Field == field }) {
			t.Errorf("no question about %s", field)
		}
	}
	// Left out, the fact is not examined: the rule does not count
	// towards the specification's coverage.
	for _, c := range res.Coverage {
		if c.Citation == "164.310(d)(2)(ii)" && slices.Contains(c.Rules, "MED-01") {
			t.Errorf("164.310(d)(2)(ii) examined by MED-01 although no device states its sanitization")
		}
	}
}
