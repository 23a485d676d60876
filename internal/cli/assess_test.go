package cli

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const (
	practiceModel = "../../examples/practice.yaml"
	billingModel  = "../../examples/billing-company.yaml"
)

func TestAssessFormats(t *testing.T) {
	st, out, errs := runCLI("assess", practiceModel)
	if st != exitOK || !strings.Contains(out, "Security risk analysis — Riverbend Family Medicine") || !strings.Contains(out, "Coverage: all 43 implementation specifications") {
		t.Fatalf("text: status %d\n%s\n%s", st, out, errs)
	}
	st, out, _ = runCLI("assess", billingModel, "--format", "json")
	var doc struct {
		Schema  string `json:"schema"`
		Summary struct {
			Risks int `json:"risks"`
		} `json:"summary"`
	}
	if st != exitOK || json.Unmarshal([]byte(out), &doc) != nil || doc.Schema != "rcmguard.assessment/v2" || doc.Summary.Risks == 0 {
		t.Fatalf("json: status %d, %+v", st, doc)
	}
	dir := t.TempDir()
	html := filepath.Join(dir, "report.html")
	st, _, errs = runCLI("assess", billingModel, "--format", "html", "-o", html)
	b, err := os.ReadFile(html)
	if st != exitOK || err != nil || !strings.HasPrefix(string(b), "<!DOCTYPE html>") || !strings.Contains(errs, "wrote "+html) {
		t.Fatalf("html: status %d, %v, %s", st, err, errs)
	}
}

func TestAssessFailOn(t *testing.T) {
	st, _, errs := runCLI("assess", billingModel, "--fail-on", "high")
	if st != exitFailOn || !strings.Contains(errs, "at or above --fail-on high") {
		t.Fatalf("status %d, %s", st, errs)
	}
	if st, _, _ := runCLI("assess", billingModel, "--fail-on", "very_high", "--format", "json"); st != exitFailOn {
		t.Fatalf("very_high: status %d", st)
	}
	if st, _, errs := runCLI("assess", practiceModel, "--fail-on", "catastrophic"); st != exitInvalid || !strings.Contains(errs, "unknown level") {
		t.Fatalf("bad level: %d %s", st, errs)
	}
}

// TestAssessInvalidWritesNothing: bad input exits 2, names the place, and
// leaves no partial report behind.
func TestAssessInvalidWritesNothing(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yaml")
	src, err := os.ReadFile(practiceModel)
	if err != nil {
		t.Fatal(err)
	}
	broken := strings.Replace(string(src), "    channel: sftp\n    auth: shared_password", "    channel: sftpp\n    auth: shared_password", 1)
	broken = strings.Replace(broken, "    to: ch-portal\n    data: [claims]", "    to: ch-portl\n    data: [claims]", 1)
	if err := os.WriteFile(bad, []byte(broken), 0o600); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "report.html")
	st, _, errs := runCLI("assess", bad, "--format", "html", "-o", out)
	if st != exitInvalid {
		t.Fatalf("status %d", st)
	}
	for _, want := range []string{bad + ":", `"ch-portl" is not the ID of any system`, `unknown value "sftpp"`, "is not a valid model (2 problems)"} {
		if !strings.Contains(errs, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errs)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("files left behind: %v", entries)
	}
	junk := filepath.Join(dir, "junk.yaml")
	os.WriteFile(junk, []byte{0x7f, 'E', 'L', 'F', 0, 0, 1}, 0o600)
	if st, _, errs := runCLI("assess", junk); st != exitInvalid || !strings.Contains(errs, "binary") {
		t.Errorf("binary: %d %s", st, errs)
	}
	if st, _, errs := runCLI("assess", filepath.Join(dir, "missing.yaml")); st != exitInvalid || !strings.Contains(errs, "no such file") {
		t.Errorf("missing: %d %s", st, errs)
	}
	if st, _, _ := runCLI("assess", practiceModel, "--format", "docx"); st != exitInvalid {
		t.Errorf("unknown format: %d", st)
	}
	if st, _, _ := runCLI("assess"); st != exitInvalid {
		t.Errorf("no model: %d", st)
	}
}

func TestAssessEvidenceFiles(t *testing.T) {
	dir := t.TempDir()
	facts := filepath.Join(dir, "facts.jsonl")
	os.WriteFile(facts, []byte(`{"source":"probe","check":"tls.legacy-protocol","target":"app.claimworks.example:443","severity":"high","summary":"TLS 1.0 accepted"}`+"\n"), 0o600)
	when := time.Date(2026, 11, 3, 12, 0, 0, 0, time.UTC)
	if err := os.Chtimes(facts, when, when); err != nil {
		t.Fatal(err)
	}
	st, out, errs := runCLI("assess", practiceModel, "--evidence", facts, "--format", "json")
	if st != exitOK || !strings.Contains(out, `"evidence_backed": true`) {
		t.Fatalf("status %d: %s", st, errs)
	}
	// The file is a named, dated evidence set: the analysis names it
	// where it verifies a measure.
	var doc struct {
		Evidence struct {
			Sets []struct{ Name, Source, Date string } `json:"sets"`
		} `json:"evidence"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil || len(doc.Evidence.Sets) != 1 {
		t.Fatalf("evidence sets: %v %+v", err, doc.Evidence.Sets)
	}
	if s := doc.Evidence.Sets[0]; s.Name != "facts.jsonl" || s.Date != "2026-11-03" {
		t.Errorf("evidence set %+v, want facts.jsonl dated 2026-11-03", s)
	}
	junk := filepath.Join(dir, "junk.json")
	os.WriteFile(junk, []byte(`{"hello": "world"}`), 0o600)
	if st, _, errs := runCLI("assess", practiceModel, "--evidence", junk); st != exitInvalid || !strings.Contains(errs, "not recognised as rcmguard evidence") {
		t.Fatalf("junk evidence: %d %s", st, errs)
	}
}

// TestAssessPrevious: --previous reads the previous analysis's result,
// of this schema or an older one, and the document control's change log
// accounts for every risk; a file that is no result is refused.
func TestAssessPrevious(t *testing.T) {
	dir := t.TempDir()
	prev := filepath.Join(dir, "prev.json")
	if st, _, errs := runCLI("assess", practiceModel, "--format", "json", "-o", prev); st != exitOK {
		t.Fatalf("previous: %d %s", st, errs)
	}
	for _, p := range []string{prev, "../report/testdata/result-v1.json"} {
		st, out, errs := runCLI("assess", practiceModel, "--format", "json", "--previous", p)
		if st != exitOK {
			t.Fatalf("--previous %s: %d %s", p, st, errs)
		}
		var doc struct {
			Risks []struct{ ID string } `json:"risks"`
			DC    struct {
				Changes *struct {
					New, Resolved, Rerated []struct{ ID string }
					Unchanged              int
				} `json:"changes"`
			} `json:"document_control"`
		}
		if err := json.Unmarshal([]byte(out), &doc); err != nil || doc.DC.Changes == nil {
			t.Fatalf("--previous %s: no change log (%v)", p, err)
		}
		c := doc.DC.Changes
		if n := len(c.New) + len(c.Rerated) + c.Unchanged; n != len(doc.Risks) {
			t.Errorf("--previous %s: %d new + %d re-rated + %d unchanged ≠ %d risks", p, len(c.New), len(c.Rerated), c.Unchanged, len(doc.Risks))
		}
		if p == prev && (len(c.New)+len(c.Resolved)+len(c.Rerated) != 0) {
			t.Errorf("against itself: %+v", c)
		}
	}
	junk := filepath.Join(dir, "junk.json")
	os.WriteFile(junk, []byte(`{"risks": []}`), 0o600)
	if st, _, errs := runCLI("assess", practiceModel, "--previous", junk); st != exitInvalid || !strings.Contains(errs, "--previous "+junk) || !strings.Contains(errs, "names no schema") {
		t.Errorf("junk --previous: %d %s", st, errs)
	}
}

func TestAssessUserRules(t *testing.T) {
	dir := t.TempDir()
	rule := `- id: LOCAL-01
  title: Fax machine in the waiting room
  area: followup
  applies_to: system
  when: system.kind == "fax"
  citations: ["164.310(c)"]
  threat: Patients read faxed claims and records as they print.
  vulnerability: The fax prints where the public can see it.
  threat_class: unauthorized_disclosure
  cia: [confidentiality]
  detection: Any fax system.
  rating: Unauthorized disclosure base.
  mitigation: Move the fax or use cloud fax to a protected inbox.
  false_positives: A fax in a locked room.
  owner: practice_manager
  examples:
    trigger: [{system: {kind: fax}}]
    no_trigger: [{system: {kind: email}}]
`
	os.WriteFile(filepath.Join(dir, "local.yaml"), []byte(rule), 0o600)
	st, out, errs := runCLI("assess", practiceModel, "--rules", dir, "--format", "json")
	if st != exitOK || !strings.Contains(out, `"LOCAL-01@fax"`) {
		t.Fatalf("status %d %s", st, errs)
	}
	st, out, _ = runCLI("rules", "--rules", dir)
	if st != exitOK || !strings.Contains(out, "LOCAL-01") {
		t.Fatalf("rules listing lacks the user rule")
	}
}

func TestCatalogJSON(t *testing.T) {
	st, out, _ := runCLI("catalog", "--format", "json")
	var entries []map[string]any
	if st != exitOK || json.Unmarshal([]byte(out), &entries) != nil {
		t.Fatalf("status %d", st)
	}
	var std, spec int
	for _, e := range entries {
		for _, k := range []string{"citation", "name", "kind", "required"} {
			if _, ok := e[k]; !ok {
				t.Fatalf("entry %v lacks %q", e, k)
			}
		}
		switch e["kind"] {
		case "standard":
			std++
			if e["required"] != nil {
				t.Errorf("standard %v has required=%v", e["citation"], e["required"])
			}
		case "implementation_specification":
			spec++
			if _, ok := e["required"].(bool); !ok {
				t.Errorf("spec %v has required=%v", e["citation"], e["required"])
			}
		}
	}
	if std != 22 || spec != 43 {
		t.Fatalf("%d standards, %d specifications", std, spec)
	}
	if !strings.Contains(out, `"citation": "164.308(a)(1)(ii)(A)"`) {
		t.Error("risk analysis citation not written as 164.308(a)(1)(ii)(A)")
	}
	if st, out, _ := runCLI("catalog", "--proposed", "--related"); st != exitOK || !strings.Contains(out, "PROPOSED, NOT FINAL") || !strings.Contains(out, "164.502(b)") {
		t.Errorf("text catalog: %d", st)
	}
}

func TestRulesCommand(t *testing.T) {
	st, out, _ := runCLI("rules", "--format", "json")
	var rs []map[string]any
	if st != exitOK || json.Unmarshal([]byte(out), &rs) != nil || len(rs) < 60 {
		t.Fatalf("status %d, %d rules", st, len(rs))
	}
	for _, r := range rs {
		if c, _ := r["citations"].([]any); len(c) == 0 {
			t.Errorf("rule %v has no citations", r["id"])
		}
	}
	if st, out, _ := runCLI("rules", "--attributes"); st != exitOK || !strings.Contains(out, "flow.auth") {
		t.Errorf("attributes: %d", st)
	}
}

func TestInitAndValidate(t *testing.T) {
	dir := t.TempDir()
	for _, tmpl := range []string{"practice", "billing-company"} {
		p := filepath.Join(dir, tmpl+".yaml")
		if st, _, errs := runCLI("init", "--template", tmpl, p); st != exitOK {
			t.Fatalf("init %s: %d %s", tmpl, st, errs)
		}
		if st, out, errs := runCLI("validate", p); st != exitOK || !strings.Contains(out, "valid") {
			t.Fatalf("validate %s: %d %s", tmpl, st, errs)
		}
		if st, _, errs := runCLI("init", "--template", tmpl, p); st != exitInvalid || !strings.Contains(errs, "already exists") {
			t.Fatalf("init over an existing file: %d %s", st, errs)
		}
	}
	if st, _, _ := runCLI("init", "--template", "hospital", filepath.Join(dir, "x.yaml")); st != exitInvalid {
		t.Error("unknown template accepted")
	}
}

// TestAssessExports: each export format reaches standard output or a file.
func TestAssessExports(t *testing.T) {
	st, out, errs := runCLI("assess", practiceModel, "--format", "csv")
	recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if st != exitOK || err != nil || len(recs) < 2 || recs[0][0] != "ID" {
		t.Fatalf("csv: status %d, %v, %s", st, err, errs)
	}
	path := filepath.Join(t.TempDir(), "register.csv")
	if st, _, errs := runCLI("assess", billingModel, "--format", "csv", "-o", path); st != exitOK || !strings.Contains(errs, "wrote "+path) {
		t.Fatalf("csv -o: status %d, %s", st, errs)
	}
	if b, err := os.ReadFile(path); err != nil || !strings.HasPrefix(string(b), "ID,Title,") {
		t.Fatalf("csv file: %v %.40q", err, b)
	}
	for format, root := range map[string]string{"oscal-ar": "assessment-results", "oscal-poam": "plan-of-action-and-milestones"} {
		st, out, errs := runCLI("assess", practiceModel, "--format", format)
		var doc map[string]struct {
			Metadata struct {
				OSCALVersion string `json:"oscal-version"`
			} `json:"metadata"`
		}
		if st != exitOK || json.Unmarshal([]byte(out), &doc) != nil || doc[root].Metadata.OSCALVersion != "1.1.3" {
			t.Errorf("%s: status %d, %s", format, st, errs)
		}
	}
}

// TestAssessBinaryNotToTerminal: a workbook is never written onto a
// terminal; with -o, or to a non-terminal such as /dev/null, it is.
func TestAssessBinaryNotToTerminal(t *testing.T) {
	tty, err := os.OpenFile("/dev/ptmx", os.O_RDWR, 0)
	if err != nil {
		t.Skipf("no pseudo-terminal to test with: %v", err)
	}
	defer tty.Close()
	var errb strings.Builder
	if st := Main([]string{"assess", practiceModel, "--format", "xlsx"}, strings.NewReader(""), tty, &errb); st != exitInvalid || !strings.Contains(errb.String(), "name it with -o PATH") {
		t.Fatalf("to a terminal: status %d, %s", st, errb.String())
	}
	null, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer null.Close()
	if st := Main([]string{"assess", practiceModel, "--format", "xlsx"}, strings.NewReader(""), null, &errb); st != exitOK {
		t.Fatalf("to %s: status %d, %s", os.DevNull, st, errb.String())
	}
	path := filepath.Join(t.TempDir(), "sra.xlsx")
	if st := Main([]string{"assess", practiceModel, "--format", "xlsx", "-o", path}, strings.NewReader(""), tty, &errb); st != exitOK {
		t.Fatalf("-o: status %d, %s", st, errb.String())
	}
	if b, err := os.ReadFile(path); err != nil || !bytes.HasPrefix(b, []byte("PK\x03\x04")) {
		t.Fatalf("%s is not a zip (xlsx): %v", path, err)
	}
	errb.Reset()
	if st := Main([]string{"assess", practiceModel, "--format", "pdf"}, strings.NewReader(""), tty, &errb); st != exitInvalid || !strings.Contains(errb.String(), "--format pdf is a binary file") {
		t.Fatalf("pdf to a terminal: status %d, %s", st, errb.String())
	}
	path = filepath.Join(t.TempDir(), "sra.pdf")
	if st := Main([]string{"assess", practiceModel, "--format", "pdf", "-o", path}, strings.NewReader(""), tty, &errb); st != exitOK {
		t.Fatalf("pdf -o: status %d, %s", st, errb.String())
	}
	if b, err := os.ReadFile(path); err != nil || !bytes.HasPrefix(b, []byte("%PDF-")) {
		t.Fatalf("%s is not a PDF: %v", path, err)
	}
}
