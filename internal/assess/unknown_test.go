package assess

import (
	"os"
	"slices"
	"strings"
	"testing"

	"rcmguard/internal/model"
)

func loadText(t *testing.T, name, text string) *model.Model {
	t.Helper()
	m, err := model.Load(name, []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// ratings lists a register as "ID likelihood impact level" lines.
func ratings(res *Result) []string {
	var out []string
	for _, r := range res.Risks {
		out = append(out, strings.Join([]string{r.ID, r.Likelihood.Level.Slug(), r.Impact.Level.Slug(), r.Level.Slug()}, " "))
	}
	return out
}

// TestVersionOneAssessesAsBefore: a version 1 model (each example as it
// was before version 2) assesses the same read as it is and rewritten by
// `rcmguard migrate`, and finds the risks version 1 found: the same risk
// IDs. testdata/*-v1.risks was written by the rcmguard of commit 879d7f6,
// before version 2 existed; its ratings are those of the one-step
// likelihood of result schema v1, so only its IDs are compared — the
// ratings of the two readings are compared with each other.
func TestVersionOneAssessesAsBefore(t *testing.T) {
	for _, name := range []string{"practice", "billing-company"} {
		data, err := os.ReadFile("testdata/" + name + "-v1.yaml")
		if err != nil {
			t.Fatal(err)
		}
		golden, err := os.ReadFile("testdata/" + name + "-v1.risks")
		if err != nil {
			t.Fatal(err)
		}
		mig, err := model.Migrate(name+".yaml", data)
		if err != nil {
			t.Fatal(err)
		}
		if mig.From != 1 || !mig.Changed() {
			t.Fatalf("%s: the fixture is version %d; want a version 1 file that needs migrating", name, mig.From)
		}
		var want []string
		for _, l := range strings.Split(strings.TrimSpace(string(golden)), "\n") {
			id, _, _ := strings.Cut(l, " ")
			want = append(want, id)
		}
		slices.Sort(want)
		var first []string
		for _, label := range []string{"as written", "migrated"} {
			text := data
			if label == "migrated" {
				text = mig.Data
			}
			res := runModel(t, loadText(t, name+".yaml", string(text)), nil)
			var ids []string
			for _, r := range res.Risks {
				ids = append(ids, r.ID)
			}
			slices.Sort(ids)
			if !slices.Equal(ids, want) {
				t.Errorf("%s %s: risk IDs differ from version 1's:\n%s", name, label, diffLines(want, ids))
			}
			if got := ratings(res); first == nil {
				first = got
			} else if !slices.Equal(got, first) {
				t.Errorf("%s: the migrated model rates differently from the version 1 file:\n%s", name, diffLines(first, got))
			}
			for _, q := range res.Questions {
				if q.Field != "" {
					t.Errorf("%s %s asks %q: version 1 answered every left-out key", name, label, q.Question)
				}
			}
		}
	}
}

func diffLines(want, got []string) string {
	var b strings.Builder
	for _, w := range want {
		if !slices.Contains(got, w) {
			b.WriteString("- " + w + "\n")
		}
	}
	for _, g := range got {
		if !slices.Contains(want, g) {
			b.WriteString("+ " + g + "\n")
		}
	}
	if b.Len() == 0 {
		return "(same lines in another order)"
	}
	return b.String()
}

// TestUnknownIsAQuestion: a version 2 model that leaves a system's
// automatic logoff out gets a question about it and no finding; stating 0
// gives the finding.
func TestUnknownIsAQuestion(t *testing.T) {
	const text = `version: 2
organization: {name: T, kind: provider_practice, workforce: 3, patients_per_year: 900, claims_per_month: 200, avg_reimbursement: 100}
systems:
  - {id: pm, name: PM, kind: pm_billing, hosting: on_prem, encryption_at_rest: true}
data:
  - {id: claims, kind: claims_837}
roles:
  - {id: biller, name: Biller, kind: biller, headcount: 1, location: onsite, access: [{system: pm, level: write}]}
`
	res := runModel(t, loadText(t, "m.yaml", text), nil)
	for _, r := range res.Risks {
		if r.Rule == "TEC-11" {
			t.Errorf("risk %s from a timeout the model does not state", r.ID)
		}
	}
	var asked *Question
	for i, q := range res.Questions {
		if q.Field == "systems[0].auto_logoff_minutes" {
			asked = &res.Questions[i]
		}
	}
	if asked == nil || asked.Citation != "164.312(a)(2)(iii)" || asked.Where != "m.yaml:4" || !strings.Contains(asked.Question, "system pm (PM)") {
		t.Fatalf("question about the timeout %+v; want one cited to 164.312(a)(2)(iii) at m.yaml:4", asked)
	}
	if c := res.Summary.Confidence; c.UnknownFacts == 0 || c.Level == "high" {
		t.Errorf("confidence %+v; want the unknown counted and the level lowered", c)
	}

	stated := runModel(t, loadText(t, "m.yaml", strings.Replace(text, "encryption_at_rest: true}", "encryption_at_rest: true, auto_logoff_minutes: 0}", 1)), nil)
	if !slices.ContainsFunc(stated.Risks, func(r Risk) bool { return r.Rule == "TEC-11" && len(r.RestsOn) == 0 }) {
		t.Errorf("no definite TEC-11 risk for a stated 0-minute timeout")
	}
}

// TestRestsOnUnknowns: a rule that fires on an unknown tri-state (MFA
// coverage not stated) is marked as resting on it, and one that fires on
// a stated answer is not.
func TestRestsOnUnknowns(t *testing.T) {
	const text = `version: 2
organization: {name: T, kind: provider_practice, workforce: 3, patients_per_year: 900, claims_per_month: 200, avg_reimbursement: 100}
systems:
  - {id: pm, name: PM, kind: pm_billing, hosting: vendor_saas, encryption_at_rest: true, auto_logoff_minutes: 15MFA}
data:
  - {id: claims, kind: claims_837}
roles:
  - {id: biller, name: Biller, kind: biller, headcount: 1, location: onsite, access: [{system: pm, level: write}]}
`
	find := func(res *Result) *Risk {
		for i, r := range res.Risks {
			if r.Rule == "TEC-01" {
				return &res.Risks[i]
			}
		}
		return nil
	}
	unknown := find(runModel(t, loadText(t, "m.yaml", strings.Replace(text, "MFA", "", 1)), nil))
	if unknown == nil || !slices.Contains(unknown.RestsOn, "system.mfa") {
		t.Fatalf("TEC-01 on unknown MFA: %+v; want it resting on system.mfa", unknown)
	}
	none := find(runModel(t, loadText(t, "m.yaml", strings.Replace(text, "MFA", ", mfa: none", 1)), nil))
	if none == nil || len(none.RestsOn) != 0 {
		t.Fatalf("TEC-01 on stated no MFA: %+v; want a definite finding", none)
	}
}
