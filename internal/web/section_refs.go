package web

import (
	"slices"
	"strings"

	"rcmguard/internal/app"
	"rcmguard/internal/model"
)

// References: a field of the model that holds the ID of another element
// (a system's vendor, an access row's system, a step's role) is chosen
// from the elements of the current model by name, not typed; a field that
// lists IDs (a step's data assets) is a set of checkboxes. The form still
// posts the IDs, so the loader checks them as it checks a YAML file.

// refKinds maps the yaml key of a referring field to the list of the
// model it refers to.
var refKinds = map[string]string{
	"vendor": "vendors", "third_party": "vendors", "client": "clients", "system": "systems",
	"role": "roles", "from": "systems", "to": "systems", "question": "questions", "stage": "stages", "after": "stages", "data": "data", "flows": "flows",
	"person": "people", "clients": "clients", "covers": "systems",
}

// refChoices are the elements a reference may name, by list: IDs in the
// model's order, and their names.
type refChoices struct {
	ids   map[string][]string
	names map[string]map[string]string
}

func newRefChoices(m *model.Model) refChoices {
	rc := refChoices{ids: map[string][]string{}, names: map[string]map[string]string{}}
	add := func(list, id, name string) {
		if rc.names[list] == nil {
			rc.names[list] = map[string]string{}
		}
		if name == "" {
			name = id
		}
		rc.ids[list] = append(rc.ids[list], id)
		rc.names[list][id] = name
	}
	for _, s := range model.StandardStages {
		add("stages", s, Label(s))
	}
	for _, q := range app.Questions() {
		add("questions", q.Citation, q.Name+" ("+q.Citation+"): "+q.Text)
	}
	if m == nil {
		return rc
	}
	for _, s := range m.Stages {
		add("stages", s.ID, s.Title)
	}
	for _, v := range m.Vendors {
		add("vendors", v.ID, v.Name)
	}
	for _, c := range m.Clients {
		add("clients", c.ID, c.Name)
	}
	for _, s := range m.Systems {
		add("systems", s.ID, s.Name)
	}
	for _, r := range m.Roles {
		add("roles", r.ID, r.Name)
	}
	for _, d := range m.Data {
		add("data", d.ID, d.Name)
	}
	for _, p := range m.People {
		add("people", p.ID, p.Name)
	}
	for _, f := range m.Flows {
		add("flows", f.ID, rc.names["systems"][f.From]+" → "+rc.names["systems"][f.To])
	}
	return rc
}

// apply turns the referring text inputs into choices, in blocks and the
// rows of lists too. An ID field of the element itself is never one.
func (rc refChoices) apply(ins []formInput) {
	for i := range ins {
		in := &ins[i]
		rc.apply(in.Fields)
		if in.List != nil {
			rc.apply(in.List.Cols)
			for r := range in.List.Rows {
				rc.apply(in.List.Rows[r].Inputs)
			}
			rc.apply(in.List.Blank.Inputs)
		}
		key := in.Key[strings.LastIndex(in.Key, ".")+1:]
		list, ok := refKinds[key]
		if !ok || (in.Kind != "text" && in.Kind != "list") {
			continue
		}
		in.Options, in.Names = rc.ids[list], rc.names[list]
		if in.Kind == "list" {
			// The ticked come first, in the order the model lists them,
			// so that a form posted back unchanged keeps the list as it
			// was.
			in.Kind = "refs"
			var picked []string
			for _, v := range strings.Split(in.Value, ",") {
				if v = strings.TrimSpace(v); v != "" && slices.Contains(in.Options, v) && !slices.Contains(picked, v) {
					picked = append(picked, v)
				}
			}
			in.Options = append(picked, slices.DeleteFunc(slices.Clone(in.Options), func(v string) bool { return slices.Contains(picked, v) })...)
		} else {
			in.Kind = "select"
		}
		in.Hint = refHint(in.Hint)
	}
}

// refHint drops the YAML-writer's "ID of …" from a description: the form
// offers names.
func refHint(h string) string {
	for _, p := range []string{"IDs of ", "ID of "} {
		if rest, ok := strings.CutPrefix(h, p); ok {
			return strings.ToUpper(rest[:1]) + rest[1:]
		}
	}
	return h
}

// Picked reports whether a list of references holds id.
func (in formInput) Picked(id string) bool {
	for _, v := range strings.Split(in.Value, ",") {
		if strings.TrimSpace(v) == id {
			return true
		}
	}
	return false
}

// OptionText is how a choice reads: an element's name, or an enum value's
// label.
func (in formInput) OptionText(v string) string {
	if n, ok := in.Names[v]; ok {
		return n
	}
	return Label(v)
}
