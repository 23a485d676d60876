package model

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"strings"
	"testing"

	"github.com/goccy/go-yaml"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

var update = flag.Bool("update", false, "rewrite golden files")

const schemaPath = "../../schema/rcmguard-model.schema.json"

var examples = []string{"../../examples/practice.yaml", "../../examples/billing-company.yaml"}

func TestExamplesLoad(t *testing.T) {
	for _, p := range examples {
		m, err := LoadFile(p)
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		if len(m.Systems) == 0 || len(m.Flows) == 0 || len(m.Roles) == 0 {
			t.Errorf("%s: loaded an empty model", p)
		}
	}
	m, _ := LoadFile(examples[1])
	if len(m.Clients) != 40 {
		t.Errorf("billing-company example has %d clients, want 40", len(m.Clients))
	}
}

func TestSchemaUpToDate(t *testing.T) {
	got, err := Schema()
	if err != nil {
		t.Fatal(err)
	}
	if *update {
		if err := os.WriteFile(schemaPath, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(schemaPath)
	if err != nil {
		t.Fatalf("%v (run go test ./internal/model -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("%s is stale; run go test ./internal/model -update", schemaPath)
	}
}

// TestExamplesMatchSchema validates the examples with an independent JSON
// Schema validator, so the schema editors use accepts what the loader does.
func TestExamplesMatchSchema(t *testing.T) {
	c := jsonschema.NewCompiler()
	sch, err := c.Compile(schemaPath)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range examples {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		js, err := yaml.YAMLToJSON(data)
		if err != nil {
			t.Fatal(err)
		}
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(js))
		if err != nil {
			t.Fatal(err)
		}
		if err := sch.Validate(doc); err != nil {
			t.Errorf("%s does not match the schema: %v", p, err)
		}
	}
	// And the schema rejects what the loader rejects: an unknown key.
	bad, _ := jsonschema.UnmarshalJSON(strings.NewReader(`{"version":1,"organisation":{}}`))
	if sch.Validate(bad) == nil {
		t.Error("schema accepted an unknown top-level key")
	}
}

const minimal = `version: 3
organization:
  name: Test Practice
  kind: provider_practice
  workforce: 3
  patients_per_year: 900
  claims_per_month: 200
  avg_reimbursement: 100
systems:
  - {id: pm, name: PM, kind: pm_billing, auto_logoff_minutes: 15}
  - {id: ch, name: CH, kind: clearinghouse_sftp, auto_logoff_minutes: 0}
data:
  - {id: claims, kind: claims_837}
flows:
  - {id: f1, from: pm, to: ch, data: [claims], channel: sftp, automated: true}
roles:
  - {id: biller, name: Biller, kind: biller, headcount: 1, location: onsite}
`

func TestBadInput(t *testing.T) {
	replace := func(old, new string) []byte {
		if !strings.Contains(minimal, old) {
			t.Fatalf("fixture lacks %q", old)
		}
		return []byte(strings.Replace(minimal, old, new, 1))
	}
	cases := []struct {
		name string
		data []byte
		want []string // substrings of the error, including file:line:col
	}{
		{"wrong type int", replace("workforce: 3", "workforce: three"), []string{"m.yaml:5:14:", "organization.workforce", "want a whole number", `"three"`}},
		{"wrong type bool", replace("kind: pm_billing,", "kind: pm_billing, sso: maybe,"), []string{"m.yaml:10:", "systems[0].sso", "want true or false"}},
		{"wrong type list", replace("data: [claims], channel", "data: claims, channel"), []string{"m.yaml:15:", "flows[0].data", "want a list"}},
		{"unknown key", replace("  kind: provider_practice", "  kind: provider_practice\n  colour: blue"), []string{"m.yaml:5:3:", `unknown key "colour"`, "expected one of: name, kind, workforce"}},
		{"unknown top key", append([]byte(minimal), "extras: 1\n"...), []string{`unknown key "extras"`}},
		{"dangling reference", replace("to: ch,", "to: chx,"), []string{"m.yaml:15:", "flows[0].to", `"chx" is not the ID of any system`}},
		{"wrong kind reference", replace("data: [claims], channel", "data: [pm], channel"), []string{"flows[0].data[0]", `"pm" is defined at systems[0], which is not one of data`}},
		{"duplicate ID", replace("{id: ch, name: CH", "{id: pm, name: CH"), []string{"m.yaml:11:", `duplicate ID "pm": already used at systems[0] (line 10)`}},
		{"bad enum", replace("channel: sftp", "channel: carrier-pigeon"), []string{"flows[0].channel", `unknown value "carrier-pigeon"`, "expected one of: sftp, ftps"}},
		{"bad date", replace("  avg_reimbursement: 100", "  avg_reimbursement: 100\nassessment: {date: 2026-13-45}"), []string{"assessment.date", "want YYYY-MM-DD"}},
		{"missing required", replace("  workforce: 3\n", ""), []string{"m.yaml:3:", `missing required key "workforce"`}},
		{"bad version", replace("version: 3", "version: 7"), []string{"version", "unsupported version 7"}},
		{"syntax", replace("  name: Test Practice", "  name: [Test"), []string{"YAML syntax error"}},
		{"binary junk", []byte("version: 1\n\x00\x01\x02\xff"), []string{"m.yaml:2:1:", "binary"}},
		{"not utf8", []byte("version: 1\norganization: \xff\xfe"), []string{"m.yaml:2:", "not UTF-8"}},
		{"empty", []byte("# nothing\n"), []string{"file is empty"}},
		{"two documents", append([]byte(minimal), "---\nversion: 1\n"...), []string{"one YAML document"}},
		{"accepted needs approver", append([]byte(minimal), "tracking:\n  - {risk: EDI-01@f1, status: accepted, justification: ok}\n"...), []string{"tracking[0].approver", "needs an approver", "tracking[0].expires"}},
		{"bad endpoint", replace("kind: clearinghouse_sftp,", "kind: clearinghouse_sftp, endpoints: [{protocol: ssh, address: nohost}],"), []string{"endpoints[0].address", "want host:port"}},
		{"flow to itself", replace("to: ch,", "to: pm,"), []string{"flows[0].to", "both ends"}},
		{"unknown stage", replace("channel: sftp,", "channel: sftp, stage: billing,"), []string{"flows[0].stage", `unknown stage "billing"`}},
		{"negative number", replace("workforce: 3", "workforce: -3"), []string{"organization.workforce", "from 0"}},
		{"alias bomb", []byte("a: &a [x,x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"), []string{`unknown key "a"`}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m, err := Load("m.yaml", tc.data)
			if err == nil {
				t.Fatalf("loaded %+v; want an error", m)
			}
			var list ErrorList
			if !errors.As(err, &list) {
				t.Fatalf("error %T is not an ErrorList: %v", err, err)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error\n%v\nlacks %q", err, w)
				}
			}
		})
	}
}

func TestMinimalLoads(t *testing.T) {
	m, err := Load("m.yaml", []byte(minimal))
	if err != nil {
		t.Fatal(err)
	}
	if got := m.PosOf("flows[0].to"); got.Line != 15 {
		t.Errorf("PosOf(flows[0].to) = %+v, want line 15", got)
	}
	eps := m.Endpoints()
	if len(eps) != 0 {
		t.Errorf("endpoints = %v", eps)
	}
}

func TestHugeFileRejected(t *testing.T) {
	big := bytes.Repeat([]byte("# padding padding padding padding padding padding\n"), (50<<20)/50)
	_, err := Load("big.yaml", big)
	if err == nil || !strings.Contains(err.Error(), "larger than the 4 MiB limit") {
		t.Fatalf("50 MB file: got %v", err)
	}
}

func TestEndpointsFromExample(t *testing.T) {
	m, err := LoadFile(examples[0])
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range m.Endpoints() {
		got = append(got, e.Protocol+" "+e.Address+" "+e.Element)
	}
	want := []string{
		"tls app.claimworks.example:443 pm",
		"tls portal.clearpath.example:443 ch-portal",
		"smtp riverbend-mail.example:25 email",
		"ssh sftp.clearpath.example:22 ch-portal",
		"ssh sftp.clearpath.example:22 f-claims-sftp",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("endpoints:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func FuzzLoad(f *testing.F) {
	f.Add([]byte(minimal))
	for _, p := range examples {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte("version: 1\norganization: {name: x}\n"))
	f.Add([]byte("a: &a [1]\nb: *a\n"))
	// The limits' shapes, just past them (limits_test.go).
	f.Add(nestedFlow(MaxDepth + 1))
	f.Add(nestedDashes(MaxDepth + 1))
	f.Add(aliasFan(20, 20))
	f.Add([]byte("a: {b: [c, {d: e}], f: g}\n? h\n: - i\n  - {j: k}\n---\n...\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := Load("fuzz.yaml", data)
		if err == nil && m == nil {
			t.Fatal("nil model without error")
		}
		if err != nil && m != nil {
			t.Fatal("model returned with an error")
		}
		if err != nil && err.Error() == "" {
			t.Fatal("empty error message")
		}
	})
}
