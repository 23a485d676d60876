package web

import (
	"fmt"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"
)

// A list of structures inside an element (a system's endpoints, a role's
// access list) is edited as a table: one row per element, with an input
// per field named by the list, the row's number and the field
// ("endpoints.0.address"), a Remove checkbox ("endpoints.0._remove"; no
// yaml key of the model starts with "_"), and a blank row to add one. The
// form works without JavaScript: "Add another" submits the form, which
// comes back as typed with one more blank row and nothing saved;
// static/rows.js makes the same button add the row in place.
//
// A row numbered below the length of the list as stored edits that
// element, so fields the form does not show are kept; a row left entirely
// blank is ignored, and a partly filled one is validated like any other.

const (
	removeField  = "_remove" // suffix of a row's Remove checkbox
	addField     = "_add"    // the "Add another" button: the list's key
	maxListRows  = 500       // rows one list may post
	maxRowNumber = 100_000   // bound on the numbers in the field names
)

// formList is a list of structures in a section form.
type formList struct {
	Key      string // dotted yaml path inside the element: "endpoints"
	Label    string // "Endpoints"
	Hint     string
	Required bool
	Noun     string      // one element, for the button: "endpoint"
	Title    string      // the same, for row labels: "Endpoint"
	Cols     []formInput // the fields of one element, for the header
	Rows     []formRow
	Blank    formRow // the row rows.js copies: numbered __N__, labelled __POS__
	Err      string  // a problem with the list as a whole
	AddURL   string  // where "Add another" posts: the form's action, back at the list

	elem    reflect.Type
	origLen int   // elements the list held when the form was opened
	saved   []int // for each element saved, the row it came from
}

// formRow is one row of a formList.
type formRow struct {
	N      string // the row's number in the field names
	Prefix string // "endpoints.0."
	Label  string // "Endpoint 1", or "Endpoint 3 (new)"
	Short  string // what the row header shows: "1", or "New"
	New    bool   // not an element the list held
	Remove bool
	Inputs []formInput

	n int
}

// rowNouns names one element of a list whose key is not a plural ending in
// "s": a role's access list has one system's access per row.
var rowNouns = map[string]string{"access": "system_access"}

func newFormList(key, yamlKey, label, hint string, required bool, elem reflect.Type) *formList {
	noun, ok := rowNouns[yamlKey]
	if !ok {
		noun = yamlKey
		if !strings.HasSuffix(noun, "ss") {
			noun = strings.TrimSuffix(noun, "s")
		}
	}
	l := &formList{Key: key, Label: label, Hint: hint, Required: required, Noun: strings.ReplaceAll(noun, "_", " "),
		Title: humanKey(noun), elem: elem}
	l.Cols = inputsOf(elem, "", "", nil, false)
	for i := range l.Cols {
		l.Cols[i].HintID = "h-" + key + "." + l.Cols[i].Key
	}
	return l
}

func (l *formList) newRow(n int, isNew bool) formRow {
	num := strconv.Itoa(n)
	if n < 0 {
		num = "__N__"
	}
	r := formRow{N: num, Prefix: l.Key + "." + num + ".", New: isNew, n: n}
	r.Inputs = inputsOf(l.elem, r.Prefix, "", nil, false)
	for i := range r.Inputs {
		r.Inputs[i].HintID = l.Cols[i].HintID
	}
	return r
}

// blank reports whether nothing was typed in the row.
func (r formRow) blank() bool { return allBlank(r.Inputs) }

// CanRemove reports whether the row has a Remove checkbox: every element,
// but not a blank row for adding one.
func (r formRow) CanRemove() bool { return !r.New || !r.blank() }

// read makes one row per element of the list v.
func (l *formList) read(v reflect.Value) {
	l.origLen, l.Rows = v.Len(), nil
	for j := range v.Len() {
		r := l.newRow(j, false)
		readInputs(v.Index(j), r.Inputs)
		l.Rows = append(l.Rows, r)
	}
}

// readPosted fills the rows of every list in ins from a posted form, in
// the order of their numbers; v is the element being edited.
func readPosted(form url.Values, ins []formInput, v reflect.Value) error {
	for i := range ins {
		l := ins[i].List
		if l == nil {
			continue
		}
		l.origLen, l.Rows = v.FieldByIndex(ins[i].index).Len(), nil
		var nums []int
		for name := range form {
			rest, ok := strings.CutPrefix(name, l.Key+".")
			if !ok {
				continue
			}
			num, _, _ := strings.Cut(rest, ".")
			n, err := strconv.Atoi(num)
			if err != nil || n < 0 || n >= maxRowNumber || strconv.Itoa(n) != num {
				return fmt.Errorf("%w: field %q", errBadInput, name)
			}
			if !slices.Contains(nums, n) {
				if nums = append(nums, n); len(nums) > maxListRows {
					return fmt.Errorf("%w: more than %d rows in %s", errBadInput, maxListRows, l.Key)
				}
			}
		}
		slices.Sort(nums)
		for _, n := range nums {
			r := l.newRow(n, n >= l.origLen)
			for j := range r.Inputs {
				r.Inputs[j].Value = form.Get(r.Inputs[j].Key)
			}
			r.Remove = form.Get(r.Prefix+removeField) == "yes"
			l.Rows = append(l.Rows, r)
		}
	}
	return nil
}

// write sets the list f from the rows, leaving out removed and blank ones.
func (l *formList) write(f reflect.Value) bool {
	ok := true
	out := reflect.MakeSlice(f.Type(), 0, len(l.Rows))
	l.saved = nil
	for p := range l.Rows {
		r := &l.Rows[p]
		if r.Remove || r.blank() {
			continue
		}
		el := reflect.New(f.Type().Elem()).Elem()
		if r.n < f.Len() {
			el.Set(f.Index(r.n))
		}
		ok = writeInputs(el, r.Inputs) && ok
		out = reflect.Append(out, el)
		l.saved = append(l.saved, p)
	}
	if out.Len() == 0 {
		out = reflect.Zero(f.Type()) // as a model without the key loads
	}
	f.Set(out)
	return ok
}

// addBlank appends a blank row numbered after every other row and after
// every element the list held.
func (l *formList) addBlank() {
	n := l.origLen
	for _, r := range l.Rows {
		n = max(n, r.n+1)
	}
	l.Rows = append(l.Rows, l.newRow(n, true))
}

// prepare readies the list for display: a blank row at the end to add an
// element, labels by position, the row rows.js copies, and where "Add
// another" posts.
func (l *formList) prepare(action string) {
	if len(l.Rows) == 0 || !l.Rows[len(l.Rows)-1].New || !l.Rows[len(l.Rows)-1].blank() {
		l.addBlank()
	}
	for p := range l.Rows {
		l.label(&l.Rows[p], strconv.Itoa(p+1))
	}
	l.Blank = l.newRow(-1, true)
	l.label(&l.Blank, "__POS__")
	l.AddURL = action + "#l-" + l.Key
}

func (l *formList) label(r *formRow, pos string) {
	r.Label, r.Short = l.Title+" "+pos, pos
	if r.New {
		r.Label, r.Short = r.Label+" (new)", "New"
	}
	for i := range r.Inputs {
		r.Inputs[i].Label = r.Label + ": " + l.Cols[i].Label
	}
}

// listByKey finds the list an "Add another" button names.
func listByKey(ins []formInput, key string) *formList {
	for _, in := range ins {
		if in.List != nil && in.List.Key == key {
			return in.List
		}
	}
	return nil
}
