package evidence

import (
	"strings"
	"testing"
)

func TestReadFacts(t *testing.T) {
	jsonl := `{"source":"probe","check":"tls.legacy-protocol","target":"h:443","severity":"high","summary":"TLS 1.0"}

{"source":"scan","check":"phi.ssn","target":"a.csv","severity":"high","summary":"2 SSNs","attrs":{"count":"2"}}
`
	facts, err := ReadFacts(strings.NewReader(jsonl))
	if err != nil || len(facts) != 2 || facts[1].Attrs["count"] != "2" {
		t.Fatalf("jsonl: %v %+v", err, facts)
	}
	arr := `[{"source":"edi","check":"edi.isa-credentials","target":"x.837","severity":"critical","summary":"ISA password"}]`
	if facts, err := ReadFacts(strings.NewReader(arr)); err != nil || len(facts) != 1 {
		t.Fatalf("array: %v %+v", err, facts)
	}
	bad := map[string]string{
		"unknown source": `{"source":"rumour","check":"x","target":"y","severity":"low","summary":""}`,
		"no check":       `{"source":"scan","target":"y","severity":"low","summary":""}`,
		"no target":      `{"source":"scan","check":"phi.ssn","severity":"low","summary":""}`,
		"bad severity":   `{"source":"scan","check":"phi.ssn","target":"y","severity":"dire","summary":""}`,
		"unknown field":  `{"source":"scan","check":"phi.ssn","target":"y","severity":"low","summary":"","value":"123-45-6789"}`,
		"not json":       `hello`,
	}
	for name, in := range bad {
		if _, err := ReadFacts(strings.NewReader("\n" + in)); err == nil || !strings.Contains(err.Error(), "line 2") {
			t.Errorf("%s: got %v, want an error naming line 2", name, err)
		}
	}
	if _, err := ReadFacts(strings.NewReader(`[{"source":"scan"}]`)); err == nil || !strings.Contains(err.Error(), "fact 1") {
		t.Errorf("array error should name the fact: %v", err)
	}
}

func TestSeverityAndSort(t *testing.T) {
	if s, err := ParseSeverity(" HIGH "); err != nil || s != SeverityHigh {
		t.Fatalf("ParseSeverity: %v %v", s, err)
	}
	if _, err := ParseSeverity("urgent"); err == nil {
		t.Fatal("accepted an unknown severity")
	}
	facts := []Fact{{Source: SourceScan, Target: "b"}, {Source: SourceEDI, Target: "z"}, {Source: SourceScan, Target: "a"}}
	Sort(facts)
	if facts[0].Source != SourceEDI || facts[1].Target != "a" {
		t.Fatalf("sorted: %+v", facts)
	}
}
