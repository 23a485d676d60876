package phiscan

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"rcmguard/internal/evidence"
)

func TestFactsAggregate(t *testing.T) {
	r := scanString(t, "aging.csv", "Patient Name,SSN,DOB\nAvery Ashford,123-45-6788,01/02/1960\nRiley Brightwater,234-56-7891,03/04/1970\n")
	var fs []Finding
	for _, f := range r.Files {
		fs = append(fs, f.Findings...)
	}
	facts := Facts(fs)
	if len(facts) != 3 {
		t.Fatalf("facts = %+v; want 3 (dob, name, ssn), one per kind", facts)
	}
	for _, f := range facts {
		if err := f.Validate(); err != nil {
			t.Error(err)
		}
		if f.Source != evidence.SourceScan || f.Target != "aging.csv" || !strings.HasPrefix(f.Check, "phi.") {
			t.Errorf("fact %+v: want source scan, target aging.csv, check phi.*", f)
		}
		if f.Attrs["count"] != "2" || f.Attrs["file_type"] != "csv" || f.Attrs["kind"] != strings.TrimPrefix(f.Check, "phi.") {
			t.Errorf("fact %s attrs %v; want count 2, file_type csv", f.Check, f.Attrs)
		}
		if f.Severity != evidence.SeverityHigh {
			t.Errorf("fact %s severity %s; want high (identifiers with names)", f.Check, f.Severity)
		}
	}
}

func TestReadEvidenceFormats(t *testing.T) {
	r := scanString(t, "notes.txt", "Patient: Avery Ashford\nSSN 123-45-6788\nRendering NPI 1234567893\n")
	for _, format := range []string{"jsonl", "json"} {
		var out bytes.Buffer
		w, _ := NewWriter(format, &out)
		w.Write(r)
		w.Close()
		facts, err := ReadEvidence(&out)
		if err != nil {
			t.Fatalf("%s: %v", format, err)
		}
		checks := map[string]evidence.Severity{}
		for _, f := range facts {
			checks[f.Check] = f.Severity
		}
		if len(checks) != 3 || checks["phi.npi"] != evidence.SeverityInfo || checks["phi.ssn"] != evidence.SeverityHigh {
			t.Errorf("%s: facts %v; want ssn high, name, npi info", format, checks)
		}
	}
	// A scan file saved by an editor that adds a byte-order mark still
	// reads, and a bad line is named.
	var out bytes.Buffer
	w, _ := NewWriter("jsonl", &out)
	w.Write(r)
	w.Close()
	if facts, err := ReadEvidence(strings.NewReader("\xef\xbb\xbf" + out.String())); err != nil || len(facts) != 3 {
		t.Errorf("jsonl with a byte-order mark: %d facts, %v; want 3", len(facts), err)
	}
	if _, err := ReadEvidence(strings.NewReader(out.String() + "{\"path\": 3}\n")); err == nil || !strings.Contains(err.Error(), "phiscan: evidence: line ") {
		t.Errorf("a bad line: %v; want an error naming its line", err)
	}
	for _, bad := range []string{"", "not json", `{"path":"x","kind":"weird"}`, "[1,2]"} {
		if _, err := ReadEvidence(strings.NewReader(bad)); err == nil {
			t.Errorf("ReadEvidence(%q) succeeded; want an error", bad)
		}
	}
}

func TestOutputFormats(t *testing.T) {
	r := scanString(t, "notes.txt", "Patient: Avery Ashford\nSSN 123-45-6788\n")
	r.Notices = append(r.Notices, Notice{Path: "x.pdf", Message: "page 2 not inspected"})

	var sarif bytes.Buffer
	w, _ := NewWriter("sarif", &sarif)
	w.Write(r)
	w.Close()
	var doc struct {
		Version string `json:"version"`
		Runs    []struct {
			Tool struct {
				Driver struct {
					Rules []struct{ ID string } `json:"rules"`
				} `json:"driver"`
			} `json:"tool"`
			Results []struct {
				RuleID    string `json:"ruleId"`
				Level     string `json:"level"`
				Locations []struct {
					Physical struct {
						Region struct{ StartLine int } `json:"region"`
					} `json:"physicalLocation"`
				} `json:"locations"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(sarif.Bytes(), &doc); err != nil {
		t.Fatalf("sarif is not JSON: %v\n%s", err, sarif.String())
	}
	if doc.Version != "2.1.0" || len(doc.Runs) != 1 || len(doc.Runs[0].Results) != 2 || len(doc.Runs[0].Tool.Driver.Rules) != len(Kinds) {
		t.Fatalf("sarif = %+v", doc)
	}
	if res := doc.Runs[0].Results[0]; res.RuleID != "phi.ssn" || res.Level != "error" || res.Locations[0].Physical.Region.StartLine != 2 {
		t.Errorf("sarif result %+v; want phi.ssn, error, line 2", res)
	}

	var js bytes.Buffer
	w, _ = NewWriter("json", &js)
	w.Write(r)
	w.Close()
	var full struct {
		Findings []Finding      `json:"findings"`
		Files    []FileSummary  `json:"files"`
		Notices  []Notice       `json:"notices"`
		Totals   map[string]any `json:"totals"`
	}
	if err := json.Unmarshal(js.Bytes(), &full); err != nil {
		t.Fatalf("json: %v\n%s", err, js.String())
	}
	if len(full.Findings) != 2 || len(full.Files) != 1 || full.Files[0].Severity != "high" || full.Files[0].Individuals != 1 || len(full.Notices) != 1 {
		t.Errorf("json = %+v", full)
	}

	var text bytes.Buffer
	w, _ = NewWriter("text", &text)
	w.Write(r)
	w.Close()
	for _, want := range []string{"HIGH", "notes.txt", "ssn ×1", "page 2 not inspected", "1 file(s) scanned"} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("text output lacks %q:\n%s", want, text.String())
		}
	}
	if _, err := NewWriter("xml", &text); err == nil {
		t.Error("NewWriter(xml) succeeded")
	}
}
