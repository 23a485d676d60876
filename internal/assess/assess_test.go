package assess

import (
	"encoding/json"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"rcmguard/internal/evidence"
	"rcmguard/internal/model"
	"rcmguard/internal/risk"
	"rcmguard/internal/rules"
)

var now = time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)

func load(t testing.TB, path string) *model.Model {
	t.Helper()
	m, err := model.LoadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

var (
	setOnce sync.Once
	set     *rules.Set
	setErr  error
)

func ruleSet(t testing.TB) *rules.Set {
	t.Helper()
	setOnce.Do(func() { set, setErr = rules.Load(rules.Builtin()) })
	if setErr != nil {
		t.Fatal(setErr)
	}
	return set
}

func runModel(t testing.TB, m *model.Model, facts []evidence.Fact) *Result {
	t.Helper()
	res, err := Run(Input{Model: m, Facts: facts, Rules: ruleSet(t), Now: now, Tool: "test"})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestDeterministic(t *testing.T) {
	for _, p := range []string{"../../examples/practice.yaml", "../../examples/billing-company.yaml"} {
		a, _ := json.Marshal(runModel(t, load(t, p), nil))
		b, _ := json.Marshal(runModel(t, load(t, p), nil))
		if string(a) != string(b) {
			t.Errorf("%s: two runs differ", p)
		}
	}
}

func TestCoverageIsComplete(t *testing.T) {
	res := runModel(t, load(t, "../../examples/practice.yaml"), nil)
	c := res.Summary.Coverage
	if c.Specifications != 43 || c.Standards != 7 {
		t.Fatalf("coverage counts %d specifications and %d standards; want 43 and 7", c.Specifications, c.Standards)
	}
	if c.ByRules+c.ByAnswers+c.NotApplicable+c.Open != 50 {
		t.Fatalf("coverage does not add up: %+v", c)
	}
	open := 0
	for _, q := range res.Questions {
		if q.Field == "" {
			open++
		}
	}
	if c.Open != open {
		t.Fatalf("%d open coverage rows but %d coverage questions", c.Open, open)
	}
	for _, q := range res.Questions {
		if q.Question == "" {
			t.Errorf("%s: empty question", q.Citation)
		}
	}
}

func TestRatingsExplainThemselves(t *testing.T) {
	res := runModel(t, load(t, "../../examples/billing-company.yaml"), nil)
	if len(res.Risks) == 0 {
		t.Fatal("no risks")
	}
	for _, r := range res.Risks {
		l := r.Likelihood
		if l.Table != risk.TableOverall || len(l.Steps) != 2 {
			t.Fatalf("%s: likelihood is not the two-step rating of Table G-5: %+v", r.ID, l)
		}
		if tb := l.Steps[0].Table; tb != risk.TableInitiation && tb != risk.TableOccurrence || l.Steps[1].Table != risk.TableAdverseImpact {
			t.Errorf("%s: steps on tables %s, %s", r.ID, l.Steps[0].Table, l.Steps[1].Table)
		}
		for _, st := range l.Steps {
			sum := st.Base
			for _, f := range st.Factors {
				sum += f.Points
				if f.Reason == "" {
					t.Errorf("%s: %s factor %q without a reason", r.ID, st.Table, f.Name)
				}
			}
			if max(1, risk.Clamp(sum)) != st.Value {
				t.Errorf("%s: %s value %d does not equal its factors' sum %d", r.ID, st.Table, st.Value, sum)
			}
		}
		if v, lvl := risk.Combine(l.Steps[0].Value, l.Steps[1].Value); v != l.Value || lvl != l.Level {
			t.Errorf("%s: overall likelihood %d/%s, Table G-5 gives %d/%s", r.ID, l.Value, l.Level, v, lvl)
		}
		if l.Uncertainty == "" || r.Impact.Table != risk.TableImpact {
			t.Errorf("%s: no uncertainty stated, or impact not on Table H-3", r.ID)
		}
		if v, lvl := risk.Score(r.Likelihood.Value, r.Impact.Value); v != r.Value || lvl != r.Level {
			t.Errorf("%s: value %d/%s, want %d/%s", r.ID, r.Value, r.Level, v, lvl)
		}
		if len(r.Citations) == 0 || r.Mitigation == "" || r.Why == "" && r.Rule != "ANSWER" {
			t.Errorf("%s: missing citations, mitigation or reasons", r.ID)
		}
		if r.Residual.Value > r.Value {
			t.Errorf("%s: residual %d above inherent %d", r.ID, r.Residual.Value, r.Value)
		}
	}
}

const tracked = `version: 1
organization: {name: T, kind: provider_practice, workforce: 3, patients_per_year: 900, claims_per_month: 200, avg_reimbursement: 100}
assessment: {date: 2026-11-27}
systems:
  - {id: pm, name: PM, kind: pm_billing}
  - {id: ch, name: CH, kind: clearinghouse_sftp, vendor: v}
data:
  - {id: claims, kind: claims_837}
flows:
  - {id: f1, from: pm, to: ch, data: [claims], channel: ftp, auth: shared_password, automated: true, stage: edi_submission}
  - {id: f2, from: pm, to: ch, data: [claims], channel: ftp, auth: key, automated: true, stage: edi_submission}
vendors:
  - {id: v, name: V, clearinghouse: true, baa: {status: signed, signed: 2025-01-01}}
roles:
  - {id: biller, name: Biller, kind: biller, headcount: 1}
answers:
  - {question: "164.310(a)(2)(iv)", answer: "no", why_not_reasonable: leased suite, equivalent_measure: landlord notifies changes}
tracking:
  - {risk: "EDI-01@f1", status: mitigated, justification: moved to SFTP last week}
  - {risk: "EDI-01@*", status: accepted, justification: partner constraint, approver: Owner, expires: 2026-10-01}
  - {risk: "NOPE-99@*", status: in_progress}
`

func TestTrackingAndAnswers(t *testing.T) {
	m, err := model.Load("t.yaml", []byte(tracked))
	if err != nil {
		t.Fatal(err)
	}
	res := runModel(t, m, nil)
	byID := map[string]Risk{}
	for _, r := range res.Risks {
		byID[r.ID] = r
	}
	f1, f2 := byID["EDI-01@f1"], byID["EDI-01@f2"]
	if f1.Status != risk.Mitigated || f1.Open() {
		t.Errorf("exact tracking lost: %+v", f1.Status)
	}
	if f2.Status != risk.Accepted || f2.Tracking == nil || !f2.Tracking.AcceptanceExpired || !f2.Open() {
		t.Errorf("wildcard acceptance with a past expiry should be open again: %+v %+v", f2.Status, f2.Tracking)
	}
	joined := strings.Join(res.Warnings, "\n")
	if !strings.Contains(joined, `"NOPE-99@*" matches no risk`) || !strings.Contains(joined, "expired on 2026-10-01") {
		t.Errorf("warnings: %s", joined)
	}
	if a, ok := byID["ANSWER@164.310(a)(2)(iv)"]; !ok || a.Citations[0].Name != "Maintenance records" {
		t.Errorf("a 'no' answer did not become a risk: %+v", a)
	}
	for _, p := range res.Plan {
		if p.RiskID == "EDI-01@f1" {
			t.Error("mitigated risk in the plan")
		}
	}
	for i := 1; i < len(res.Plan); i++ {
		if res.Plan[i].Level > res.Plan[i-1].Level {
			t.Fatalf("plan not in priority order at %d", i)
		}
	}
}

func TestUnknownAnswerRejected(t *testing.T) {
	m, err := model.Load("t.yaml", []byte(strings.Replace(tracked, `"164.310(a)(2)(iv)"`, `"164.310(z)"`, 1)))
	if err != nil {
		t.Fatal(err)
	}
	_, err = Run(Input{Model: m, Rules: ruleSet(t), Now: now})
	if err == nil || !strings.Contains(err.Error(), "t.yaml:17:") || !strings.Contains(err.Error(), `"164.310(z)" is not`) {
		t.Fatalf("got %v", err)
	}
}

// TestEvidenceBeatsDeclaration: the model declares SFTP with a key, but a
// probe observed password authentication and legacy TLS; the observation
// raises a finding the declaration alone would not.
func TestEvidenceBeatsDeclaration(t *testing.T) {
	m := load(t, "../../examples/billing-company.yaml")
	before := runModel(t, m, nil)
	facts := []evidence.Fact{
		{Source: evidence.SourceProbe, Check: "ssh.password-auth", Target: "sftp.meridian-ch.example:22", Severity: evidence.SeverityHigh, Summary: "password authentication offered"},
		{Source: evidence.SourceProbe, Check: "tls.legacy-protocol", Target: "api.revcyclecloud.example:443", Severity: evidence.SeverityHigh, Summary: "TLS 1.0 accepted"},
		{Source: evidence.SourceScan, Check: "phi.x12", Target: "/srv/ops/edi-archive/2026-11/claims.837!claims.txt", Severity: evidence.SeverityHigh, Summary: "X12 837"},
		{Source: evidence.SourceScan, Check: "phi.ssn", Target: "/home/shared/aging.xlsx", Severity: evidence.SeverityHigh, Summary: "SSNs"},
	}
	after := runModel(t, m, facts)
	if after.Evidence.Facts != 4 || len(after.Evidence.Unmatched) != 1 {
		t.Errorf("evidence summary: %+v", after.Evidence)
	}
	newRisks := map[string]bool{}
	for _, r := range after.Risks {
		newRisks[r.ID] = true
	}
	for _, r := range before.Risks {
		delete(newRisks, r.ID)
	}
	var evidenceBacked int
	for id := range newRisks {
		for _, r := range after.Risks {
			if r.ID == id && r.Evidence {
				evidenceBacked++
			}
		}
	}
	if evidenceBacked < 3 {
		t.Errorf("evidence raised %d evidence-backed risks (%v); want at least 3 (legacy TLS, password SSH, X12 outside EDI folder)", evidenceBacked, newRisks)
	}
}

func TestNPRMOverlay(t *testing.T) {
	m := load(t, "../../examples/practice.yaml")
	cur := runModel(t, m, nil)
	res, err := Run(Input{Model: m, Rules: ruleSet(t), Now: now, Regulation: "nprm-2025-proposed"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Regulation != "nprm-2025-proposed" || len(res.Risks) <= len(cur.Risks) {
		t.Errorf("overlay added no risks: %d vs %d", len(res.Risks), len(cur.Risks))
	}
	for _, c := range res.Coverage {
		if c.Citation == "164.312(a)(2)(iv)" && !strings.Contains(c.Type, "Required under the 2025 proposal") {
			t.Errorf("addressable encryption under the overlay: %q", c.Type)
		}
	}
	if _, err := Run(Input{Model: m, Rules: ruleSet(t), Now: now, Regulation: "2031"}); err == nil {
		t.Error("unknown regulation accepted")
	}
}

func TestResultJSONFieldsStable(t *testing.T) {
	res := runModel(t, load(t, "../../examples/practice.yaml"), nil)
	b, _ := json.Marshal(res)
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	want := []string{"schema", "tool", "as_of", "regulation", "organization", "assessment", "method", "summary", "risks", "pairs", "plan", "coverage", "questions", "inventory", "evidence", "ocr_elements", "document_control", "warnings"}
	var got []string
	for k := range doc {
		got = append(got, k)
	}
	for _, k := range want {
		if _, ok := doc[k]; !ok {
			t.Errorf("JSON lacks %q", k)
		}
	}
	if len(got) != len(want) {
		t.Errorf("JSON has keys %v; the documented format has %v", got, want)
	}
	if doc["schema"] != SchemaVersion {
		t.Errorf("schema = %v", doc["schema"])
	}
	r := doc["risks"].([]any)[0].(map[string]any)
	for _, k := range []string{"id", "rule", "title", "elements", "citations", "likelihood", "impact", "level", "value", "residual", "mitigation", "status", "why"} {
		if _, ok := r[k]; !ok {
			t.Errorf("risk JSON lacks %q", k)
		}
	}
	if !reflect.DeepEqual(doc["ocr_elements"].([]any)[0].(map[string]any)["number"], float64(1)) {
		t.Error("ocr_elements not numbered")
	}
}
