package probe

import (
	"bytes"
	"context"
	"reflect"
	"strings"
	"testing"

	"rcmguard/internal/evidence"
)

func TestReadEvidenceRoundTrip(t *testing.T) {
	targets := []Target{
		{Protocol: ProtoFTP, Address: serveFTP(t, false), Element: "flow-837-upload"},
		{Protocol: ProtoSMTP, Address: serveSMTP(t, nil), Element: "sys-mail"},
	}
	results := ProbeAll(context.Background(), targets, Options{})
	var buf bytes.Buffer
	if err := NewDocument(results).WriteJSON(&buf); err != nil {
		t.Fatal(err)
	}
	facts, err := ReadEvidence(&buf)
	if err != nil {
		t.Fatal(err)
	}
	var want []evidence.Fact
	for _, r := range results {
		want = append(want, r.Facts...)
	}
	evidence.Sort(want)
	if !reflect.DeepEqual(facts, want) {
		t.Errorf("ReadEvidence = %+v\nwant %+v", facts, want)
	}
	checks := factChecks(facts)
	if !checks[CheckFTPNoAuthTLS] || !checks[CheckSMTPNoSTARTTLS] {
		t.Errorf("facts lack the findings: %s", factSummaries(facts))
	}
	for _, f := range facts {
		if f.Source != evidence.SourceProbe || f.Attrs["element"] == "" {
			t.Errorf("fact %+v lacks source or element", f)
		}
	}
}

func TestReadEvidenceRejects(t *testing.T) {
	tests := map[string]string{
		"not json":       `nope`,
		"wrong kind":     `{"kind":"rcmguard.scan","version":1,"results":[]}`,
		"wrong version":  `{"kind":"rcmguard.probe","version":7,"results":[]}`,
		"unknown field":  `{"kind":"rcmguard.probe","version":1,"results":[],"extra":1}`,
		"bad severity":   `{"kind":"rcmguard.probe","version":1,"results":[{"protocol":"tls","address":"a:1","facts":[{"source":"probe","check":"tls.summary","target":"a:1","severity":"dire","summary":"x"}]}]}`,
		"foreign source": `{"kind":"rcmguard.probe","version":1,"results":[{"protocol":"tls","address":"a:1","facts":[{"source":"scan","check":"phi.ssn","target":"a:1","severity":"high","summary":"x"}]}]}`,
		"missing target": `{"kind":"rcmguard.probe","version":1,"results":[{"protocol":"tls","address":"a:1","facts":[{"source":"probe","check":"tls.summary","severity":"info","summary":"x"}]}]}`,
	}
	for name, in := range tests {
		if _, err := ReadEvidence(strings.NewReader(in)); err == nil {
			t.Errorf("%s: ReadEvidence succeeded; want error", name)
		} else if !strings.HasPrefix(err.Error(), "probe: ") {
			t.Errorf("%s: error %q lacks the package prefix", name, err)
		}
	}
	facts, err := ReadEvidence(strings.NewReader(`{"kind":"rcmguard.probe","version":1,"results":[]}`))
	if err != nil || len(facts) != 0 {
		t.Errorf("empty document = %v, %v; want no facts", facts, err)
	}
}
