package web

import (
	"strings"

	"rcmguard/internal/model"
)

// fieldErrors sorts a model's validation errors onto the fields of a form
// editing the element at prefix ("organization" or "flows[3]"): an error at
// "flows[3].channel" or "flows[3].data[1]" belongs to the field "channel"
// or "data". Errors elsewhere in the model (a flow referring to a deleted
// system, say) are returned as general messages.
func fieldErrors(el model.ErrorList, prefix string) (fields map[string]string, general []string) {
	fields = map[string]string{}
	for _, e := range el {
		rest, ok := strings.CutPrefix(e.Path, prefix+".")
		if !ok {
			general = append(general, e.Path+": "+e.Msg)
			continue
		}
		name := rest
		if i := strings.IndexAny(name, ".["); i >= 0 {
			name = name[:i]
		}
		if _, dup := fields[name]; !dup {
			fields[name] = e.Msg
		}
	}
	return fields, general
}
