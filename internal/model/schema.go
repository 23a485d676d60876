package model

import (
	"encoding/json"
	"reflect"
	"strings"
)

// Schema returns the JSON Schema (draft 2020-12) of the model format,
// generated from the Go types so that the editor schema, the loader and the
// documentation cannot drift apart. schema/rcmguard-model.schema.json is
// this output, kept in step by a test.
func Schema() ([]byte, error) {
	root := typeSchema(reflect.TypeOf(Model{}))
	// An editor should flag a version this rcmguard cannot read; older
	// ones are read through the migrations.
	version := root["properties"].(map[string]any)["version"].(map[string]any)
	version["minimum"], version["maximum"] = 1, CurrentVersion
	root["$schema"] = "https://json-schema.org/draft/2020-12/schema"
	root["$id"] = "https://rcmguard.dev/schema/rcmguard-model.schema.json"
	root["title"] = "rcmguard billing-operation model"
	root["description"] = "A medical billing operation: workflow, systems, data, flows, vendors, roles, policies and answers. See docs/model.md."
	b, err := json.MarshalIndent(root, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

var (
	dateType  = reflect.TypeOf(Date(""))
	sinceType = reflect.TypeOf(Since(""))
)

func typeSchema(t reflect.Type) map[string]any {
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == dateType {
		return map[string]any{"type": "string", "pattern": `^\d{4}-\d{2}-\d{2}$`, "description": "A date, YYYY-MM-DD."}
	}
	if t == sinceType {
		return map[string]any{"type": "string", "pattern": `^(\d{4}-\d{2}-\d{2}|never)$`, "description": "A date, YYYY-MM-DD, or never."}
	}
	if vals := enumValues(reflect.Zero(t).Interface()); vals != nil {
		return map[string]any{"type": "string", "enum": vals}
	}
	switch t.Kind() {
	case reflect.Struct:
		props := map[string]any{}
		var required []string
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			tag := f.Tag.Get("yaml")
			if tag == "" || !f.IsExported() {
				continue
			}
			name, _, _ := strings.Cut(tag, ",")
			s := typeSchema(f.Type)
			if d := f.Tag.Get("doc"); d != "" {
				s["description"] = d
			}
			props[name] = s
			if f.Tag.Get("req") == "true" {
				required = append(required, name)
			}
		}
		s := map[string]any{"type": "object", "properties": props, "additionalProperties": false}
		if len(required) > 0 {
			s["required"] = required
		}
		return s
	case reflect.Slice:
		return map[string]any{"type": "array", "items": typeSchema(t.Elem())}
	case reflect.String:
		return map[string]any{"type": "string"}
	case reflect.Int:
		return map[string]any{"type": "integer", "minimum": 0}
	case reflect.Float64:
		return map[string]any{"type": "number", "minimum": 0}
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	}
	return map[string]any{}
}
