package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"

	"rcmguard/internal/assess"
)

// testdata/result-v1.json is the practice example's result as rcmguard
// wrote it under rcmguard.assessment/v1. Unlike the golden files it is
// never regenerated: it stands for the results signed off and stored
// before any later change, which must go on reading as they were written.
const storedV1 = "testdata/result-v1.json"

func TestDecodeResultReadsStoredV1(t *testing.T) {
	data, err := os.ReadFile(storedV1)
	if err != nil {
		t.Fatal(err)
	}
	res, err := DecodeResult(data)
	if err != nil {
		t.Fatalf("DecodeResult(%s) = %v", storedV1, err)
	}
	if res.Schema != assess.SchemaVersion || res.Organization.Name != "Riverbend Family Medicine" {
		t.Errorf("read schema %q, organization %q", res.Schema, res.Organization.Name)
	}
	if res.Summary.Risks != 103 || len(res.Risks) != 103 || res.Risks[0].ID != "TEC-03@manager@ch-portal" {
		t.Errorf("read %d risks (summary says %d), first %q; the stored result has 103, first TEC-03@manager@ch-portal",
			len(res.Risks), res.Summary.Risks, firstRisk(res))
	}
	// Every key a v1 result holds must still be a field after migration:
	// a field removed or renamed without its migration would silently drop
	// part of a stored analysis.
	mig, err := migrateV1(data)
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(mig))
	dec.DisallowUnknownFields()
	var strict assess.Result
	if err := dec.Decode(&strict); err != nil {
		t.Errorf("a migrated v1 result has a key the current Result lacks (add it to the migration): %v", err)
	}
	// It reads as it was rated: one-step likelihoods with their values,
	// the method saying so, the SRA Tool's middle level named Medium.
	r := res.Risks[0]
	if len(r.Likelihood.Steps) != 0 || r.Likelihood.Table != "" || r.Likelihood.Value == 0 || !strings.Contains(res.Method.Name, "schema v1") {
		t.Errorf("migrated likelihood %+v, method %q", r.Likelihood, res.Method.Name)
	}
	for _, r := range res.Risks {
		if r.SRATool == "Moderate" {
			t.Errorf("%s: SRA Tool level still Moderate after migration", r.ID)
		}
	}
}

func firstRisk(res *assess.Result) string {
	if len(res.Risks) == 0 {
		return ""
	}
	return res.Risks[0].ID
}

func TestDecodeResultRefuses(t *testing.T) {
	cases := map[string]struct{ data, want string }{
		"newer schema": {`{"schema": "rcmguard.assessment/v3", "risks": []}`, `"rcmguard.assessment/v3"; this rcmguard reads rcmguard.assessment/v2`},
		"other tool":   {`{"schema": "someone.else/v1"}`, "written by a newer rcmguard (upgrade to read it) or by another tool"},
		"no schema":    {`{"risks": []}`, "names no schema"},
		"empty schema": {`{"schema": ""}`, "names no schema"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			res, err := DecodeResult([]byte(tc.data))
			if !errors.Is(err, ErrUnsupportedSchema) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("DecodeResult(%s) = %v, %v; want ErrUnsupportedSchema saying %q", tc.data, res, err, tc.want)
			}
		})
	}
	for _, bad := range []string{``, `[1]`, `"x"`, `{"schema": 1}`, `{"schema": "rcmguard.assessment/v2", "risks": 7}`, `{"schema": "rcmguard.assessment/v1", "risks": 7}`} {
		if res, err := DecodeResult([]byte(bad)); err == nil {
			t.Errorf("DecodeResult(%q) = %v, nil; want an error", bad, res)
		}
	}
}

// TestDecodeResultFindsSchemaAnywhere: the schema is usually the first key,
// but a result whose keys were reordered is still recognised.
func TestDecodeResultFindsSchemaAnywhere(t *testing.T) {
	res, err := DecodeResult([]byte(`{"tool": "t", "schema": "rcmguard.assessment/v2", "summary": {"risks": 2}}`))
	if err != nil || res.Summary.Risks != 2 {
		t.Fatalf("got %+v, %v", res, err)
	}
	if _, err := DecodeResult([]byte(`{"tool": "t", "schema": "rcmguard.assessment/v9"}`)); !errors.Is(err, ErrUnsupportedSchema) {
		t.Fatalf("a reordered v9 result: %v; want ErrUnsupportedSchema", err)
	}
}

// TestDecodeResultMigrates runs the migration hook with a made-up older
// schema whose summary key was named differently.
func TestDecodeResultMigrates(t *testing.T) {
	const v0, v1 = "example/v0", "example/v1"
	migrations := map[string]resultMigration{
		v0: {to: v1, migrate: func(b []byte) ([]byte, error) {
			var doc map[string]any
			if err := json.Unmarshal(b, &doc); err != nil {
				return nil, err
			}
			doc["schema"], doc["summary"] = v1, doc["totals"]
			delete(doc, "totals")
			return json.Marshal(doc)
		}},
	}
	res, err := decodeResult([]byte(`{"schema": "example/v0", "totals": {"risks": 4}}`), v1, migrations)
	if err != nil || res.Schema != v1 || res.Summary.Risks != 4 {
		t.Fatalf("migrated result %+v, %v; want schema %s with 4 risks", res, err, v1)
	}

	// A migration that does not reach the version it promises, and a
	// registry that goes round in circles, are refused rather than looped.
	broken := map[string]resultMigration{v0: {to: v1, migrate: func(b []byte) ([]byte, error) { return b, nil }}}
	if _, err := decodeResult([]byte(`{"schema": "example/v0"}`), v1, broken); err == nil || !strings.Contains(err.Error(), `produced a "example/v0" result`) {
		t.Errorf("a migration that changes nothing: %v", err)
	}
	swap := func(to string) resultMigration {
		return resultMigration{to: to, migrate: func([]byte) ([]byte, error) { return []byte(`{"schema": "` + to + `"}`), nil }}
	}
	circle := map[string]resultMigration{"a": swap("b"), "b": swap("a")}
	if _, err := decodeResult([]byte(`{"schema": "a"}`), "c", circle); !errors.Is(err, ErrUnsupportedSchema) {
		t.Errorf("a circular registry: %v; want ErrUnsupportedSchema", err)
	}
}

// The registry itself: every migration leads, step by step, to the
// current schema, and none starts from it.
func TestResultMigrationsReachCurrent(t *testing.T) {
	for from, m := range resultMigrations {
		if from == assess.SchemaVersion {
			t.Errorf("a migration starts from the current schema %s", from)
		}
		at, steps := m.to, 0
		for at != assess.SchemaVersion && steps <= len(resultMigrations) {
			next, ok := resultMigrations[at]
			if !ok {
				t.Errorf("the migration from %s leads to %s, which has no way on to %s", from, at, assess.SchemaVersion)
				break
			}
			at, steps = next.to, steps+1
		}
	}
}

// TestStoredV1RendersInEveryFormat: a result stored under v1 still makes
// every report and export, its one-step ratings shown as they were.
func TestStoredV1RendersInEveryFormat(t *testing.T) {
	data, err := os.ReadFile(storedV1)
	if err != nil {
		t.Fatal(err)
	}
	res, err := DecodeResult(data)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range AllFormats() {
		var buf bytes.Buffer
		if err := Write(&buf, res, f); err != nil {
			t.Errorf("%s: %v", f, err)
		}
		if f == "html" && !strings.Contains(buf.String(), "Likelihood (one step, schema v1)") {
			t.Error("the HTML report does not say the v1 likelihood is one step")
		}
	}
}
