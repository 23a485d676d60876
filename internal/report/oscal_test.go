package report

import (
	"bytes"
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"rcmguard/internal/assess"
	"rcmguard/internal/sharedtest"
)

// oscalSchema compiles NIST's OSCAL 1.1.3 complete JSON schema from
// ../shared/testdata, asserting formats (date-time, uri) as well.
func oscalSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	path := sharedtest.Path(t, "oscal/oscal_complete_schema-1.1.3.json")
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	sch, err := c.Compile(path)
	if err != nil {
		t.Fatal(err)
	}
	return sch
}

func validate(t *testing.T, sch *jsonschema.Schema, doc []byte) error {
	t.Helper()
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	return sch.Validate(v)
}

var oscalFormats = map[string]func(*bytes.Buffer, *assess.Result) error{
	"oscal-ar":   func(b *bytes.Buffer, r *assess.Result) error { return OSCALAssessmentResults(b, r) },
	"oscal-poam": func(b *bytes.Buffer, r *assess.Result) error { return OSCALPOAM(b, r) },
}

// TestOSCALValidates: both documents of both examples conform to NIST's
// schema, keep every reference inside the document, and the practice's
// match their golden files.
func TestOSCALValidates(t *testing.T) {
	sch := oscalSchema(t)
	for name, path := range examples {
		res := run(t, path)
		for format := range oscalFormats {
			t.Run(name+"."+format, func(t *testing.T) {
				var buf bytes.Buffer
				if err := Write(&buf, res, format); err != nil {
					t.Fatal(err)
				}
				if err := validate(t, sch, buf.Bytes()); err != nil {
					t.Fatalf("not valid OSCAL %s: %v", OSCALVersion, err)
				}
				checkReferences(t, buf.Bytes())
				// One example's documents are kept as golden files; they
				// are large, and the other is validated all the same.
				if name == "practice" {
					golden(t, name+"."+format+".json", buf.Bytes())
				}
			})
		}
	}
}

var uuidRE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

// checkReferences does what the JSON schema cannot: every UUID defined
// once and version 5, and every reference to a UUID resolving.
func checkReferences(t *testing.T, doc []byte) {
	t.Helper()
	var v any
	if err := json.Unmarshal(doc, &v); err != nil {
		t.Fatal(err)
	}
	defined := map[string]int{}
	var refs []string
	var walk func(any)
	walk = func(n any) {
		switch n := n.(type) {
		case map[string]any:
			for k, c := range n {
				s, _ := c.(string)
				switch {
				case k == "uuid":
					defined[s]++
				case k == "href" && strings.HasPrefix(s, "#"):
					refs = append(refs, s[1:])
				case strings.HasSuffix(k, "-uuid"):
					refs = append(refs, s)
				case k == "party-uuids":
					for _, p := range c.([]any) {
						refs = append(refs, p.(string))
					}
				}
				walk(c)
			}
		case []any:
			for _, c := range n {
				walk(c)
			}
		}
	}
	walk(v)
	if len(defined) == 0 {
		t.Fatal("no UUIDs defined")
	}
	for id, n := range defined {
		if n != 1 {
			t.Errorf("UUID %s defined %d times", id, n)
		}
		if !uuidRE.MatchString(id) {
			t.Errorf("UUID %s is not a version 5 UUID", id)
		}
	}
	for _, r := range refs {
		if defined[r] == 0 {
			t.Errorf("reference to %s resolves to nothing in the document", r)
		}
	}
}

// TestOSCALSchemaRejects: the validation is not vacuous — a document the
// schema forbids fails it.
func TestOSCALSchemaRejects(t *testing.T) {
	sch := oscalSchema(t)
	res := run(t, examples["practice"])
	var buf bytes.Buffer
	if err := OSCALAssessmentResults(&buf, res); err != nil {
		t.Fatal(err)
	}
	for name, bad := range map[string][2]string{
		"risk status with a space":      {`"status": "open"`, `"status": "not open"`},
		"timestamp without a zone":      {`"last-modified": "` + res.AsOf + `T00:00:00Z"`, `"last-modified": "` + res.AsOf + `T00:00:00"`},
		"finding state not in the list": {`"state": "not-satisfied"`, `"state": "unsatisfied"`},
	} {
		doc := strings.Replace(buf.String(), bad[0], bad[1], 1)
		if doc == buf.String() {
			t.Fatalf("%s: %q not in the document", name, bad[0])
		}
		if validate(t, sch, []byte(doc)) == nil {
			t.Errorf("%s: the schema accepted it", name)
		}
	}
}

// TestOSCALIdentity: a risk keeps its UUID from one analysis to the next,
// while the document and its observations are new for each.
func TestOSCALIdentity(t *testing.T) {
	res := run(t, examples["billing-company"])
	first := oscalIDs(t, res)
	res.AsOf = "2027-11-20"
	second := oscalIDs(t, res)
	if first["risk"] != second["risk"] || first["risk"] == "" {
		t.Errorf("risk UUID changed between analyses: %s, %s", first["risk"], second["risk"])
	}
	if first["doc"] == second["doc"] || first["observation"] == second["observation"] {
		t.Error("two analyses share a document or observation UUID")
	}
}

func oscalIDs(t *testing.T, res *assess.Result) map[string]string {
	t.Helper()
	var buf bytes.Buffer
	if err := OSCALAssessmentResults(&buf, res); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		AR struct {
			UUID    string `json:"uuid"`
			Results []struct {
				Observations []struct{ UUID string } `json:"observations"`
				Risks        []struct{ UUID string } `json:"risks"`
			} `json:"results"`
		} `json:"assessment-results"`
	}
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	r := doc.AR.Results[0]
	return map[string]string{"doc": doc.AR.UUID, "observation": r.Observations[0].UUID, "risk": r.Risks[0].UUID}
}

func TestControlID(t *testing.T) {
	for in, want := range map[string]string{
		"164.308(a)(1)(ii)(A)": "hipaa-164.308.a.1.ii.a",
		"164.316(b)(2)(ii)":    "hipaa-164.316.b.2.ii",
		"164.310(d)(1)":        "hipaa-164.310.d.1",
	} {
		if got := controlID(in); got != want {
			t.Errorf("controlID(%q) = %q, want %q", in, got, want)
		}
	}
}
