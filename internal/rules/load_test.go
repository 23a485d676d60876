package rules

import (
	"errors"
	"strings"
	"testing"
	"testing/fstest"
)

// userRule is a rule a compliance officer might write, line by line so
// that the tests can say where each refusal must point.
const userRule = `- id: LOCAL-01
  title: Claims leave over an unapproved channel
  area: edi
  applies_to: flow
  when: flow.edi && flow.channel == "email"
  citations: ["164.312(e)(1)"]
  threat: Claims are read in transit.
  vulnerability: Email is not an approved EDI channel.
  threat_class: email
  cia: [confidentiality]
  detection: An EDI flow over email.
  rating: Email base.
  mitigation: Send claims over SFTP.
  false_positives: None.
  owner: it
  examples:
    trigger: [{flow: {edi: true, channel: email}}]
    no_trigger: [{flow: {channel: sftp}}]
`

func loadUser(t *testing.T, text string) (*Set, error) {
	t.Helper()
	return Load(Builtin(), Source{Name: "local", FS: fstest.MapFS{"mine.yaml": {Data: []byte(text)}}})
}

// TestLoadRefusesWithLine: each kind of mistake in a user's rule is refused
// when the rules load, with the file and the line to look at.
func TestLoadRefusesWithLine(t *testing.T) {
	if _, err := loadUser(t, userRule); err != nil {
		t.Fatalf("the unmutated rule: %v", err)
	}
	cases := map[string]struct {
		old, new string
		line     int
		want     string
	}{
		"trigger example that does not trigger": {
			"trigger: [{flow: {edi: true, channel: email}}]", "trigger: [{flow: {edi: false, channel: email}}]",
			17, "examples.trigger[0] does not trigger the rule"},
		"no_trigger example that triggers": {
			"no_trigger: [{flow: {channel: sftp}}]", "no_trigger:\n      - {flow: {channel: sftp}}\n      - {flow: {channel: email}}",
			20, "examples.no_trigger[1] triggers the rule"},
		"misspelt enum value in the condition": {
			`flow.channel == "email"`, `flow.channel == "e-mail"`,
			5, `flow.channel is never "e-mail"; its values are "sftp"`},
		"misspelt enum value in a list": {
			`flow.channel == "email"`, `flow.channel in ["email", "fax", "phone_call"]`,
			5, `flow.channel is never "phone_call"`},
		"misspelt value inside a list macro": {
			`flow.channel == "email"`, `flow.channel == "email" && flow.data_kinds.exists(k, k == "claims837")`,
			5, `flow.data_kinds is never "claims837"`},
		"misspelt tri-state": {
			`flow.channel == "email"`, `flow.channel == "email" && flow.integrity_check != "No"`,
			5, `flow.integrity_check is never "No"; its values are "yes", "no", "unknown"`},
		"unknown evidence check": {
			`flow.channel == "email"`, `flow.channel == "email" && "tls.legacy-protocl" in flow.observed`,
			5, `flow.observed never holds "tls.legacy-protocl": no rcmguard engine writes that check`},
		"misspelt value in an adjustment": {
			"  mitigation:", "  likelihood:\n    - {when: 'org.kind == \"billing_co\"', points: 5, name: n, reason: r}\n  mitigation:",
			14, `org.kind is never "billing_co"`},
		"misspelt value in an example": {
			"no_trigger: [{flow: {channel: sftp}}]", "no_trigger: [{flow: {channel: sftpp}}]",
			18, `flow.channel is never "sftpp"`},
		"@ in the ID": {
			"- id: LOCAL-01", "- id: LOCAL-01@fax",
			1, `ID "LOCAL-01@fax": a rule ID is upper-case letters and digits`},
		"lower-case ID": {
			"- id: LOCAL-01", "- id: local-01",
			1, "no @ or *"},
		"wildcard in the ID": {
			"- id: LOCAL-01", "- id: LOCAL-*",
			1, "no @ or *"},
		"silent replacement of a built-in": {
			"- id: LOCAL-01", "- id: EDI-02",
			1, "ID EDI-02 is already the rule at builtin/edi.yaml:"},
		"replaces a rule that does not exist": {
			"  title:", "  replaces: EDI-99\n  title:",
			2, "replaces EDI-99, which no earlier rule has"},
		"replaces one rule under the ID of another": {
			"- id: LOCAL-01", "- id: EDI-03\n  replaces: EDI-02",
			1, "ID EDI-03 is already the rule at builtin/edi.yaml:"},
		"unknown citation": {
			`["164.312(e)(1)"]`, `["164.312(e)(1)", "164.999(z)"]`,
			6, `citation "164.999(z)" is not in the catalog`},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			text := strings.Replace(userRule, tc.old, tc.new, 1)
			if text == userRule {
				t.Fatalf("mutation %q not applied", tc.old)
			}
			_, err := loadUser(t, text)
			var le *LoadError
			if !errors.As(err, &le) {
				t.Fatalf("Load = %v; want a *LoadError", err)
			}
			if le.File != "local/mine.yaml" || le.Line != tc.line || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Load = %v (at %s:%d); want local/mine.yaml:%d and %q", err, le.File, le.Line, tc.line, tc.want)
			}
			if !strings.HasPrefix(err.Error(), "rules: local/mine.yaml:") {
				t.Errorf("message %q does not start with the file and line", err)
			}
		})
	}
}

// TestLoadAcceptsOtherToolsChecks: facts files from other tools carry
// checks in namespaces of their own, which a rule may read.
func TestLoadAcceptsOtherToolsChecks(t *testing.T) {
	text := strings.Replace(userRule, `flow.channel == "email"`, `flow.channel == "email" || "acme.open-rdp" in flow.observed`, 1)
	if _, err := loadUser(t, text); err != nil {
		t.Fatal(err)
	}
}

// TestLoadReplacesWhenAsked: with `replaces:` a user rule takes a
// built-in's place (under the same ID or its own), keeping its position in
// the order.
func TestLoadReplacesWhenAsked(t *testing.T) {
	base := loadBuiltin(t)
	pos := func(s *Set, id string) int {
		for i, r := range s.Rules {
			if r.ID == id {
				return i
			}
		}
		return -1
	}
	for _, tc := range []struct{ header, id string }{
		{"- id: EDI-02\n  replaces: EDI-02", "EDI-02"},
		{"- id: LOCAL-EDI-02\n  replaces: EDI-02", "LOCAL-EDI-02"},
	} {
		s, err := loadUser(t, strings.Replace(userRule, "- id: LOCAL-01", tc.header, 1))
		if err != nil {
			t.Fatalf("%s: %v", tc.header, err)
		}
		r, ok := s.Get(tc.id)
		if !ok || r.Title != "Claims leave over an unapproved channel" || pos(s, tc.id) != pos(base, "EDI-02") || len(s.Rules) != len(base.Rules) {
			t.Errorf("%s: rule %+v at %d of %d; want it at EDI-02's place %d of %d", tc.header, r, pos(s, tc.id), len(s.Rules), pos(base, "EDI-02"), len(base.Rules))
		}
		if _, still := s.Get("EDI-02"); tc.id != "EDI-02" && still {
			t.Errorf("%s: the replaced EDI-02 is still loaded", tc.header)
		}
	}
}

// TestLoadRefusesRetiredID: an ID that belonged to a withdrawn rule is not
// given to a new one, built in or not.
func TestLoadRefusesRetiredID(t *testing.T) {
	retired["LOCAL-01"] = "withdrawn in a test"
	defer delete(retired, "LOCAL-01")
	_, err := loadUser(t, userRule)
	var le *LoadError
	if !errors.As(err, &le) || le.Line != 1 || !strings.Contains(err.Error(), "belonged to a withdrawn rule (withdrawn in a test)") {
		t.Fatalf("Load = %v; want the retired ID refused at line 1", err)
	}
}
