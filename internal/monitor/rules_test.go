package monitor

import (
	"strings"
	"testing"
)

func TestBuiltinRulesLoad(t *testing.T) {
	rs, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]bool{}
	for _, r := range rs {
		if r.ID != "" {
			ids[r.ID] = true
		}
	}
	for _, id := range []string{"D01", "D02", "D03", "D04", "D06", "D07", "D12", "D14", "D16"} {
		if !ids[id] {
			t.Errorf("%s not shipped", id)
		}
	}
}

func TestRuleErrorsSayWhat(t *testing.T) {
	tests := map[string]string{
		"name: a\ndetection: {sel: {user: x}}\n":                                                     "condition is required",
		"name: a\ndetection: {sel: {user|sorta: x}, condition: sel}\n":                               "unknown modifier",
		"name: a\ndetection: {sel: {user: x}, condition: sel and nope}\n":                            `no selection named "nope"`,
		"name: a\ndetection: {sel: {user: x}, condition: (sel}\n":                                    "missing )",
		"name: a\ncorrelation: {type: temporal, rules: [b], timespan: 1m}\n":                         `"temporal" is not supported`,
		"name: a\ncorrelation: {type: event_count, rules: [b], timespan: 1m, condition: {lt: 3}}\n":  `"lt" is not supported`,
		"name: a\ncorrelation: {type: event_count, rules: [b], timespan: 1y, condition: {gte: 3}}\n": "timespan",
		"name: a\nid: D99\ndetection: {sel: {user: x}, condition: sel}\n":                            "needs a title, a citation and a level",
		"name: a\ndetection: {sel: {source_ip|cidr: 10.0.0.0/33}, condition: sel}\n":                 "source_ip|cidr",
		"name: a\ndetection: {sel: {user|re: '('}, condition: sel}\n":                                "user|re",
		"name: a\nbogus: 1\ndetection: {sel: {user: x}, condition: sel}\n":                           "bogus",
	}
	for doc, want := range tests {
		_, err := ParseRules("t.yaml", []byte(doc))
		if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "t.yaml document 1") {
			t.Errorf("%q: err %v, want %q", doc, err, want)
		}
	}
	rs, err := ParseRules("t.yaml", []byte("name: a\ncorrelation: {type: event_count, rules: [b], timespan: 1m, condition: {gte: 3}}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if err := Link(rs); err == nil || !strings.Contains(err.Error(), `unknown rule "b"`) {
		t.Errorf("link: %v", err)
	}
}

func TestSelectionModifiers(t *testing.T) {
	doc := `name: a
detection:
  net:
    source_ip|cidr: [10.0.0.0/8, "2001:db8::/32"]
  who:
    user|startswith: svc_
  cmd:
    command|contains|all: [curl, "| sh"]
  tail:
    host|endswith: .corp.example
  rx:
    user|re: '^[a-z]+[0-9]{2}$'
  has:
    key|exists: true
  condition: (net and not who) or cmd or all of tail or 1 of rx or has
`
	rs, err := ParseRules("t.yaml", []byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	m := rs[0].match
	ev := func(user, ip, host string, fields map[string]string) *Event {
		return &Event{User: user, SrcIP: ip, Host: host, Fields: fields, Action: ActionOther}
	}
	cases := []struct {
		e    *Event
		want bool
	}{
		{ev("bob", "10.2.3.4", "", nil), true},
		{ev("svc_x", "10.2.3.4", "", nil), false},
		{ev("bob", "2001:db8::1", "", nil), true},
		{ev("Bob", "192.0.2.1", "", nil), false},
		{ev("x", "", "", map[string]string{"command": "CURL http://x | sh"}), true},
		{ev("x", "", "", map[string]string{"command": "curl http://x"}), false},
		{ev("x", "", "ws1.CORP.example", nil), true},
		{ev("abc12", "", "", nil), true},
		{ev("x", "", "", map[string]string{"key": "k"}), true},
	}
	for i, c := range cases {
		if got := m(c.e); got != c.want {
			t.Errorf("case %d: %v, want %v", i, got, c.want)
		}
	}
}
