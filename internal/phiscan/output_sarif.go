package phiscan

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net/url"
)

// sarifWriter writes SARIF 2.1.0, one rule per kind, one result per
// finding, so code-scanning dashboards can track PHI like any other alert.
type sarifWriter struct {
	w       *bufio.Writer
	started bool
	n       int
}

var kindHelp = map[Kind]string{
	KindSSN:         "Social Security number (SSA issuing rules applied)",
	KindMBI:         "Medicare Beneficiary Identifier (CMS format)",
	KindHICN:        "Legacy Medicare health insurance claim number",
	KindNPI:         "National Provider Identifier (Luhn with 80840); provider data, not PHI alone",
	KindCard:        "Payment card number (Luhn and issuer prefix)",
	KindBankAccount: "Bank account beside an ABA routing number",
	KindDOB:         "Date of birth",
	KindMemberID:    "Health plan member or subscriber ID",
	KindMRN:         "Medical record number",
	KindX12:         "X12 EDI interchange carrying PHI",
	KindName:        "Person name beside PHI",
	KindAddress:     "Street address beside PHI",
	KindPhone:       "Phone number beside PHI",
	KindEmail:       "Email address beside PHI",
}

func (s *sarifWriter) start() {
	if s.started {
		return
	}
	s.started = true
	type rule struct {
		ID   string `json:"id"`
		Name string `json:"name"`
		Desc struct {
			Text string `json:"text"`
		} `json:"shortDescription"`
	}
	var rules []rule
	for _, k := range Kinds {
		r := rule{ID: "phi." + string(k), Name: string(k)}
		r.Desc.Text = kindHelp[k]
		rules = append(rules, r)
	}
	tool := map[string]any{"driver": map[string]any{
		"name": "rcmguard scan", "rules": rules,
	}}
	tb, _ := json.Marshal(tool)
	s.w.WriteString(`{"$schema":"https://json.schemastore.org/sarif-2.1.0.json","version":"2.1.0","runs":[{"tool":`)
	s.w.Write(tb)
	s.w.WriteString(`,"results":[`)
}

func sarifLevel(sev string) string {
	switch sev {
	case "critical", "high":
		return "error"
	case "medium":
		return "warning"
	}
	return "note"
}

func (s *sarifWriter) Write(r Result) error {
	s.start()
	for _, f := range r.Files {
		for _, x := range f.Findings {
			line := x.Line
			if line < 1 {
				line = 1
			}
			res := map[string]any{
				"ruleId":  "phi." + string(x.Kind),
				"level":   sarifLevel(x.Severity),
				"message": map[string]string{"text": fmt.Sprintf("%s: %s", x.Kind, x.Excerpt)},
				"locations": []any{map[string]any{"physicalLocation": map[string]any{
					"artifactLocation": map[string]string{"uri": (&url.URL{Path: x.Path}).String()},
					"region":           map[string]int{"startLine": line},
				}}},
				"properties": map[string]any{"confidence": x.Confidence, "fileType": x.FileType, "severity": x.Severity},
			}
			b, err := json.Marshal(res)
			if err != nil {
				return fmt.Errorf("phiscan: write sarif: %w", err)
			}
			if s.n > 0 {
				s.w.WriteByte(',')
			}
			s.n++
			s.w.WriteByte('\n')
			s.w.Write(b)
		}
	}
	return nil
}

func (s *sarifWriter) Close() error {
	s.start()
	s.w.WriteString("\n]}]}\n")
	return s.w.Flush()
}
