package web

import (
	"errors"
	"fmt"
	"net/url"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"rcmguard/internal/model"
)

// The generic section editors edit one element of a list in the model
// (a system, a vendor, a role…) through a form derived from the model's
// own types: the yaml tags name the fields, the doc tags explain them, and
// enumerated types give their choices. Scalar fields, nested blocks (a
// system's backup, a vendor's BAA), optional blocks (a system's API) and
// lists of structures (a system's endpoints, a role's access list, a
// vendor's certifications and subcontractors) are editable; a list of
// structures is a table with one row per element (see section_rows.go).
//
// An optional block is a pointer to a structure in the model: absent, or
// present with its required keys. Its fields are shown in a fieldset; left
// all blank, the block is absent, as a blank row of a list is ignored and
// a nested block left blank is omitted; partly filled, it is validated
// like any other, so a missing required field is said beside it. Every
// optional block of the model has a required field, so a present block is
// never blank and nothing is lost (TestModelFormsEditEveryField checks).

// section is one editable list of the model.
type section struct {
	Key   string // yaml key in the model, also the URL segment
	Title string
	IDKey string // yaml key of the element's identifier
}

var sections = []section{
	{"systems", "Systems", "id"},
	{"data", "Data assets", "id"},
	{"vendors", "Vendors", "id"},
	{"roles", "Roles", "id"},
	{"workflow", "Workflow steps", "id"},
	{"policies", "Policies", "id"},
	{"clients", "Client practices", "id"},
	{"people", "People", "id"},
	{"answers", "Answers", "question"},
}

func sectionOf(key string) (section, bool) {
	for _, s := range sections {
		if s.Key == key {
			return s, true
		}
	}
	return section{}, false
}

// list returns the addressable slice of the model holding the section.
func (sec section) list(m *model.Model) reflect.Value {
	v := reflect.ValueOf(m).Elem()
	t := v.Type()
	for i := range t.NumField() {
		if yamlKey(t.Field(i)) == sec.Key {
			return v.Field(i)
		}
	}
	panic("web: model has no section " + sec.Key)
}

// index finds the element whose identifier is id.
func (sec section) index(list reflect.Value, id string) int {
	for i := range list.Len() {
		if f, ok := fieldByKey(list.Index(i), sec.IDKey); ok && f.String() == id {
			return i
		}
	}
	return -1
}

func yamlKey(f reflect.StructField) string {
	k, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
	return k
}

func fieldByKey(v reflect.Value, key string) (reflect.Value, bool) {
	t := v.Type()
	for i := range t.NumField() {
		if yamlKey(t.Field(i)) == key {
			return v.Field(i), true
		}
	}
	return reflect.Value{}, false
}

// formInput is one input of a section form.
type formInput struct {
	Key      string // dotted yaml path inside the element; rows of a list are numbered: endpoints.0.address
	Label    string
	Hint     string
	HintID   string // id of the text describing the input
	Kind     string // text, textarea, select, tri (Not stated/Yes/No), bool (a checkbox), int, float, date, list, rows, block
	Options  []string
	Names    map[string]string // the names of the options that are elements of the model (section_refs.go)
	Required bool
	Value    string
	Err      string
	List     *formList   // the rows of a list of structures (Kind "rows")
	Fields   []formInput // the fields of an optional block (Kind "block"), keyed api.auth
	// Group names the nested block the input belongs to ("Backup"), and
	// Short its label within that block ("Frequency"); the form shows a
	// block's inputs under one legend.
	Group, Short string
	index        []int
}

// formGroup is a run of inputs of the same nested block (Title), or of
// top-level inputs (no Title), in the order of the form.
type formGroup struct {
	Title  string
	Inputs []formInput
}

// Anchor is the id of the group's fieldset, for the form's list of parts.
func (g formGroup) Anchor() string {
	if len(g.Inputs) == 0 {
		return ""
	}
	k := g.Inputs[0].Key
	if i := strings.LastIndex(k, "."); i >= 0 {
		k = k[:i]
	}
	return "g-" + k
}

// groupInputs splits inputs into runs by their Group, for the forms to
// show each nested block (a system's patching, audit log, backup) as a
// fieldset rather than as a long list of prefixed labels.
func groupInputs(ins []formInput) []formGroup {
	var out []formGroup
	for _, in := range ins {
		if n := len(out); n > 0 && out[n-1].Title == in.Group {
			out[n-1].Inputs = append(out[n-1].Inputs, in)
			continue
		}
		out = append(out, formGroup{Title: in.Group, Inputs: []formInput{in}})
	}
	return out
}

// DescribedBy is the input's aria-describedby: its hint, and its error.
func (in formInput) DescribedBy() string {
	if in.Err != "" {
		return in.HintID + " e-" + in.Key
	}
	return in.HintID
}

// Unknown reports whether a choice holds a value that is not one of its
// options (a form posted by hand); the form shows it rather than
// silently choosing another.
func (in formInput) Unknown() bool {
	return (in.Kind == "select" && in.Value != "" && !slices.Contains(in.Options, in.Value)) ||
		(in.Kind == "refs" && slices.ContainsFunc(strings.Split(in.Value, ","), func(v string) bool {
			v = strings.TrimSpace(v)
			return v != "" && !slices.Contains(in.Options, v)
		}))
}

type enumer interface{ Enum() []string }

var (
	dateType = reflect.TypeOf(model.Date(""))
	enumType = reflect.TypeOf((*enumer)(nil)).Elem()
)

// inputsOf lists the editable fields of an element type. With lists, a list
// of structures becomes one input of Kind "rows" and an optional block one
// of Kind "block"; without (inside a row of such a list, or in a block),
// both are left as they are.
func inputsOf(t reflect.Type, prefix, labelPrefix string, index []int, lists bool) []formInput {
	var out []formInput
	for i := range t.NumField() {
		out = append(out, fieldInputs(t.Field(i), prefix, labelPrefix, append(append([]int{}, index...), i), lists)...)
	}
	return out
}

// fieldInputs lists the inputs of one field: one, or those of a nested
// block, or none for a field the forms do not edit. index locates the
// field in the value the inputs read and write.
func fieldInputs(f reflect.StructField, prefix, labelPrefix string, index []int, lists bool) []formInput {
	key := yamlKey(f)
	if key == "" || key == "-" || !f.IsExported() {
		return nil
	}
	in := formInput{Key: prefix + key, Label: labelPrefix + humanKey(key), Hint: plainText(f.Tag.Get("doc")),
		Required: f.Tag.Get("req") == "true", index: index,
		Group: strings.TrimSuffix(labelPrefix, ": "), Short: humanKey(key)}
	in.HintID = "h-" + in.Key
	ft := f.Type
	switch {
	case ft == dateType:
		in.Kind = "date"
	case ft.Kind() == reflect.String && ft.Implements(enumType):
		in.Kind, in.Options = "select", reflect.Zero(ft).Interface().(enumer).Enum()
	case ft.Kind() == reflect.String:
		in.Kind = "text"
		if key == "notes" || key == "description" || key == "note" || key == "action" || key == "retention" || key == "scope" {
			in.Kind = "textarea"
		}
	case ft.Kind() == reflect.Int, ft.Kind() == reflect.Pointer && ft.Elem().Kind() == reflect.Int:
		// An optional number (*int) is left out when the input is empty:
		// the model then says it is not known, where 0 is a stated 0.
		in.Kind = "int"
	case ft.Kind() == reflect.Float64:
		in.Kind = "float"
	case ft.Kind() == reflect.Bool:
		in.Kind = "bool"
	case ft.Kind() == reflect.Pointer && ft.Elem().Kind() == reflect.Bool:
		in.Kind = "tri"
	case ft.Kind() == reflect.Slice && ft.Elem().Kind() == reflect.String:
		in.Kind = "list"
		if key == "in_scope" || key == "out_of_scope" {
			// Statements hold commas; one a line.
			in.Kind = "textarea"
		}
	case ft.Kind() == reflect.Slice && ft.Elem().Kind() == reflect.Struct && lists:
		in.Kind, in.List = "rows", newFormList(in.Key, key, labelPrefix+humanKey(key), in.Hint, in.Required, ft.Elem())
	case ft.Kind() == reflect.Struct && ft != dateType:
		return inputsOf(ft, prefix+key+".", humanKey(key)+": ", in.index, lists)
	case ft.Kind() == reflect.Pointer && ft.Elem().Kind() == reflect.Struct && lists:
		in.Kind, in.Fields = "block", inputsOf(ft.Elem(), prefix+key+".", humanKey(key)+": ", nil, false)
		for i := range in.Fields {
			// An optional block is its own fieldset, its inputs labelled
			// in full ("API: Auth"); it is not one of the groups.
			in.Fields[i].Group = ""
		}
	default:
		return nil // lists of structures and optional blocks inside a row or a block
	}
	return []formInput{in}
}

// acronyms are the words of yaml keys a label spells in capitals.
var acronyms = []string{"phi", "mfa", "sso", "baa", "api", "tls", "id", "isa", "ar", "edi"}

// humanKey labels a yaml key: "days_in_ar" is "Days in AR".
func humanKey(k string) string {
	words := strings.Split(k, "_")
	for i, w := range words {
		if slices.Contains(acronyms, w) {
			words[i] = strings.ToUpper(w)
		}
	}
	s := strings.Join(words, " ")
	return strings.ToUpper(s[:1]) + s[1:]
}

// read fills each input's Value from an element.
func readInputs(elem reflect.Value, ins []formInput) {
	for i := range ins {
		f := elem.FieldByIndex(ins[i].index)
		switch ins[i].Kind {
		case "int":
			if f.Kind() == reflect.Pointer {
				if !f.IsNil() {
					ins[i].Value = strconv.FormatInt(f.Elem().Int(), 10)
				}
			} else if n := f.Int(); n != 0 {
				ins[i].Value = strconv.FormatInt(n, 10)
			}
		case "float":
			if x := f.Float(); x != 0 {
				ins[i].Value = strconv.FormatFloat(x, 'f', -1, 64)
			}
		case "bool":
			ins[i].Value = "no"
			if f.Bool() {
				ins[i].Value = "yes"
			}
		case "tri":
			if !f.IsNil() {
				ins[i].Value = "no"
				if f.Elem().Bool() {
					ins[i].Value = "yes"
				}
			}
		case "list":
			ins[i].Value = strings.Join(f.Interface().([]string), ", ")
		case "textarea":
			if f.Kind() == reflect.Slice {
				ins[i].Value = strings.Join(f.Interface().([]string), "\n")
			} else {
				ins[i].Value = f.String()
			}
		case "rows":
			ins[i].List.read(f)
		case "block":
			if !f.IsNil() {
				readInputs(f.Elem(), ins[i].Fields)
			}
		default:
			ins[i].Value = f.String()
		}
	}
}

// readForm fills each input's Value from a posted form, those of optional
// blocks included; the rows of lists are read by readPosted.
func readForm(form url.Values, ins []formInput) {
	for i := range ins {
		// A list of references posts one value per ticked box.
		ins[i].Value = strings.Join(form[ins[i].Key], ", ")
		readForm(form, ins[i].Fields)
	}
}

// allBlank reports whether nothing was typed in the inputs: an unticked
// yes/no box ("no", or nothing posted) is what an untouched form holds.
func allBlank(ins []formInput) bool {
	for _, in := range ins {
		if v := strings.TrimSpace(in.Value); v != "" && !(in.Kind == "bool" && v == "no") {
			return false
		}
		if !allBlank(in.Fields) {
			return false
		}
	}
	return true
}

var errNumber = errors.New("not a number")

// writeInputs sets an element's fields from the typed values; a value that
// does not even parse gets its message on the input and is left unset.
func writeInputs(elem reflect.Value, ins []formInput) (ok bool) {
	ok = true
	for i := range ins {
		in := &ins[i]
		f := elem.FieldByIndex(in.index)
		if in.Kind == "rows" {
			ok = in.List.write(f) && ok
			continue
		}
		if in.Kind == "block" {
			ok = writeBlock(f, in.Fields) && ok
			continue
		}
		v := strings.TrimSpace(in.Value)
		// The loader requires the key; an empty value would satisfy it in
		// form but not in spirit, so a required input must be filled in.
		if in.Required && v == "" && in.Kind != "bool" {
			in.Err, ok = "This is required.", false
		}
		switch in.Kind {
		case "int":
			n, err := formInt(v)
			if err != nil {
				in.Err, ok = "Enter a whole number.", false
				continue
			}
			if f.Kind() == reflect.Pointer {
				if v == "" {
					f.Set(reflect.Zero(f.Type()))
				} else {
					f.Set(reflect.ValueOf(&n))
				}
				continue
			}
			f.SetInt(int64(n))
		case "float":
			x := 0.0
			if v != "" {
				var err error
				if x, err = strconv.ParseFloat(v, 64); err != nil {
					in.Err, ok = "Enter a number, such as 118.40.", false
					continue
				}
			}
			f.SetFloat(x)
		case "bool":
			f.SetBool(v == "yes")
		case "tri":
			f.Set(reflect.ValueOf(triValue(v)))
		case "list":
			var items []string
			for _, s := range strings.Split(v, ",") {
				if s = strings.TrimSpace(s); s != "" {
					items = append(items, s)
				}
			}
			f.Set(reflect.ValueOf(items))
		case "textarea":
			if f.Kind() != reflect.Slice {
				f.SetString(v)
				continue
			}
			var lines []string
			for _, s := range strings.Split(v, "\n") {
				if s = strings.TrimSpace(s); s != "" {
					lines = append(lines, s)
				}
			}
			f.Set(reflect.ValueOf(lines))
		default:
			f.SetString(v)
		}
	}
	return ok
}

// writeBlock sets the optional block f from its inputs: absent when they
// are all blank, otherwise a copy of the block as it was (or a new one)
// with the typed values.
func writeBlock(f reflect.Value, ins []formInput) bool {
	if allBlank(ins) {
		f.Set(reflect.Zero(f.Type()))
		return true
	}
	el := reflect.New(f.Type().Elem())
	if !f.IsNil() {
		el.Elem().Set(f.Elem())
	}
	ok := writeInputs(el.Elem(), ins)
	f.Set(el)
	return ok
}

var missingKeyRE = regexp.MustCompile(`missing required key "([^"]+)"`)

// placeErrors puts the loader's errors about the element at prefix
// ("systems[3]"; "" when the inputs edit the model itself) on their
// inputs, nested rows and blocks included, and returns the others.
func placeErrors(el model.ErrorList, prefix string, ins []formInput) (general []string) {
	for _, e := range el {
		rest, ok := strings.CutPrefix(e.Path, prefix)
		if !ok || (prefix != "" && rest != "" && rest[0] != '.') {
			general = append(general, fmt.Sprintf("%s: %s", e.Path, e.Msg))
			continue
		}
		rest = strings.TrimPrefix(rest, ".")
		if m := missingKeyRE.FindStringSubmatch(e.Msg); m != nil {
			rest = strings.TrimPrefix(rest+"."+m[1], ".")
		}
		if dst := errTarget(ins, "", rest); dst != nil {
			if *dst == "" {
				*dst = e.Msg
			}
			continue
		}
		general = append(general, fmt.Sprintf("%s: %s", e.Path, e.Msg))
	}
	return general
}

// errTarget finds where an error at path (a YAML path inside the element,
// such as "kind", "backup.enabled", "data[2]" or "endpoints[1].address")
// is shown: the Err of the input whose Key is keyPrefix+path, up to its
// first index for a list of strings. A list of structures maps the index
// of the element as saved back to the row the user typed it in, which
// differs once rows are removed or left blank; an error about a whole row
// goes on its first input and one about the whole list on the list. An
// error inside an optional block ("api.auth") goes on its field, and one
// about the block as a whole on the block.
func errTarget(ins []formInput, keyPrefix, path string) *string {
	for i := range ins {
		in := &ins[i]
		key := strings.TrimPrefix(in.Key, keyPrefix)
		if in.Kind == "block" {
			rest, ok := strings.CutPrefix(path, key)
			if !ok || (rest != "" && rest[0] != '.') {
				continue
			}
			if dst := errTarget(in.Fields, keyPrefix, path); dst != nil {
				return dst
			}
			return &in.Err
		}
		if in.Kind != "rows" {
			if k, _, _ := strings.Cut(path, "["); k == key {
				return &in.Err
			}
			continue
		}
		rest, ok := strings.CutPrefix(path, key)
		if !ok || (rest != "" && rest[0] != '[') {
			continue
		}
		l := in.List
		idx, after, ok := strings.Cut(strings.TrimPrefix(rest, "["), "]")
		j, err := strconv.Atoi(idx)
		if rest == "" || !ok || err != nil || j < 0 || j >= len(l.saved) {
			return &l.Err
		}
		r := &l.Rows[l.saved[j]]
		if after = strings.TrimPrefix(after, "."); after == "" && len(r.Inputs) > 0 {
			return &r.Inputs[0].Err
		}
		return errTarget(r.Inputs, r.Prefix, after)
	}
	return nil
}
