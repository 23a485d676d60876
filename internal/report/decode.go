package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"

	"rcmguard/internal/assess"
)

// ErrUnsupportedSchema means a stored result was written in a format this
// rcmguard cannot read without guessing: a newer one, or no rcmguard
// result at all. A signed-off assessment is evidence kept for six years;
// reading it under a meaning it did not have would be worse than refusing.
var ErrUnsupportedSchema = errors.New("report: unsupported result schema")

// resultMigration turns the JSON of one result schema into the JSON of
// the next. A new schema version (a field removed or changed in meaning,
// docs/assess.md) adds its migration here, keyed by the version it reads,
// so that results stored before it still read as what they said.
type resultMigration struct {
	to      string
	migrate func([]byte) ([]byte, error)
}

// resultMigrations holds one migration per older schema.
var resultMigrations = map[string]resultMigration{
	"rcmguard.assessment/v1": {to: "rcmguard.assessment/v2", migrate: migrateV1},
}

// v1Method is the method a v1 result was rated by, stated on migration so
// that a stored analysis reads as what it said.
var v1Method = map[string]any{
	"name":                      "rcmguard one-step likelihood (result schema v1): a base rate from the breach portal plus the element's factors on 0–100, read on the Table I-3 bands; no separate initiation and adverse-impact steps. Stored as written, not re-rated.",
	"base_rates":                []any{},
	"base_rates_measure":        "",
	"base_rates_do_not_measure": "",
	"assumptions":               []any{"Residual risk in this result lowers the likelihood by a fixed amount per rule; it does not follow from the controls.", "The result lists only the risks, the threat-vulnerability pairs whose safeguard is missing; pairs with safeguards in place were not rated."},
	"uncertainty":               "",
}

// migrateV1 reads a v1 result as v2. Its ratings keep their values and
// their one-step arithmetic (a likelihood with no steps and no table); the
// method says how they were made. The SRA Tool's middle level, written
// "Moderate" by v1, is that tool's "Medium": the label is corrected, the
// level is the same.
func migrateV1(b []byte) ([]byte, error) {
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil {
		return nil, err
	}
	doc["schema"] = "rcmguard.assessment/v2"
	doc["method"] = v1Method
	if rs, ok := doc["risks"].([]any); ok {
		for _, r := range rs {
			if m, ok := r.(map[string]any); ok && m["sra_tool_level"] == "Moderate" {
				m["sra_tool_level"] = "Medium"
			}
		}
	}
	return json.Marshal(doc)
}

// DecodeResult reads a result as it was stored with its assessment: it
// checks the schema the result names, migrates an older one to
// assess.SchemaVersion, and refuses any other with ErrUnsupportedSchema.
func DecodeResult(data []byte) (*assess.Result, error) {
	return decodeResult(data, assess.SchemaVersion, resultMigrations)
}

func decodeResult(data []byte, current string, migrations map[string]resultMigration) (*assess.Result, error) {
	schema, err := resultSchema(data)
	if err != nil {
		return nil, err
	}
	// Each step must move on to a schema not seen yet, or a mistaken
	// registry would loop for ever.
	seen := map[string]bool{}
	for schema != current {
		m, ok := migrations[schema]
		if !ok || seen[schema] {
			return nil, unsupported(schema, current)
		}
		seen[schema] = true
		if data, err = m.migrate(data); err != nil {
			return nil, fmt.Errorf("report: migrate result from %s to %s: %w", schema, m.to, err)
		}
		if schema, err = resultSchema(data); err != nil {
			return nil, err
		}
		if schema != m.to {
			return nil, fmt.Errorf("report: migration to %s produced a %q result", m.to, schema)
		}
	}
	var res assess.Result
	if err := json.Unmarshal(data, &res); err != nil {
		return nil, fmt.Errorf("report: decode %s result: %w", current, err)
	}
	return &res, nil
}

func unsupported(schema, current string) error {
	if schema == "" {
		return fmt.Errorf("%w: the JSON names no schema, so it is not an rcmguard assessment result", ErrUnsupportedSchema)
	}
	return fmt.Errorf("%w: %q; this rcmguard reads %s and the rcmguard schemas before it, so the result was written by a newer rcmguard (upgrade to read it) or by another tool",
		ErrUnsupportedSchema, schema, current)
}

// resultSchema returns the schema a result names. The encoder writes it as
// the first key, so a stored result of tens of megabytes is not parsed
// twice; a result whose keys were reordered is read in full.
func resultSchema(data []byte) (string, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return "", fmt.Errorf("report: a stored result is a JSON object: %w", firstErr(err, errors.New("it does not start with {")))
	}
	if tok, err := dec.Token(); err == nil && tok == "schema" {
		var s string
		if err := dec.Decode(&s); err != nil {
			return "", fmt.Errorf("report: result schema: %w", err)
		}
		return s, nil
	}
	var head struct {
		Schema string `json:"schema"`
	}
	if err := json.Unmarshal(data, &head); err != nil {
		return "", fmt.Errorf("report: result: %w", err)
	}
	return head.Schema, nil
}

func firstErr(errs ...error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}
