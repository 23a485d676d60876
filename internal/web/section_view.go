package web

import (
	"strings"
)

// Read-only views of the model: the pages of the model forms for those who
// may read the model but not change that part of it (auditors, and
// contributors not assigned to it) show each field's label and value
// instead of inputs, values named as the forms name them.

// Display is an input's value as a reader sees it.
func (in formInput) Display() string {
	v := strings.TrimSpace(in.Value)
	switch in.Kind {
	case "select":
		if v == "" {
			return "Not stated"
		}
		return in.OptionText(v)
	case "list":
		if v == "" {
			return "None"
		}
		return v
	case "refs":
		if v == "" {
			return "None"
		}
		var out []string
		for _, p := range strings.Split(v, ",") {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, in.OptionText(p))
			}
		}
		return strings.Join(out, ", ")
	case "tri":
		switch v {
		case "yes":
			return "Yes"
		case "no":
			return "No"
		}
		return "Not stated"
	case "bool":
		if v == "yes" {
			return "Yes"
		}
		return "No"
	case "date":
		if v == "" {
			return "Not stated"
		}
		return v
	}
	if v == "" {
		return "—"
	}
	return v
}

// IsID reports whether the input is an element's identifier, which the
// view shows as a code beside the names.
func (in formInput) IsID() bool { return in.Key == "id" || strings.HasSuffix(in.Key, ".id") }

// Blank reports whether an optional block holds nothing.
func (in formInput) Blank() bool { return in.Kind == "block" && allBlank(in.Fields) }

// SavedRows are the rows of a list that hold an element, without the
// blank row the form offers for adding one.
func (l *formList) SavedRows() []formRow {
	var out []formRow
	for _, r := range l.Rows {
		if !r.New || !r.blank() {
			out = append(out, r)
		}
	}
	return out
}

// fieldProblem is one line of a refused form's error summary: the field's
// label and message, and the id of the control it leads to.
type fieldProblem struct {
	Target, Label, Msg string
}

// problemsOf lists the errors beside the inputs, in the order of the form,
// those of blocks and list rows included.
func problemsOf(ins []formInput) []fieldProblem {
	var out []fieldProblem
	for _, in := range ins {
		switch {
		case in.Kind == "block":
			if in.Err != "" {
				out = append(out, fieldProblem{"b-" + in.Key, in.Label, in.Err})
			}
			out = append(out, problemsOf(in.Fields)...)
		case in.List != nil:
			if in.List.Err != "" {
				out = append(out, fieldProblem{"l-" + in.List.Key, in.List.Label, in.List.Err})
			}
			for _, r := range in.List.Rows {
				out = append(out, problemsOf(r.Inputs)...)
			}
		case in.Err != "":
			out = append(out, fieldProblem{"f-" + in.Key, in.Label, in.Err})
		}
	}
	return out
}
