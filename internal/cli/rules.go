package cli

import (
	"bufio"
	"encoding/json"
	"fmt"
	"strings"

	"rcmguard/internal/rules"
)

func runRules(e *env, args []string) int {
	fs := e.newFlagSet("rules", "rules [--format text|json] [--rules DIR]... [--attributes]")
	format := fs.String("format", "text", "output format: text or json")
	attrs := fs.Bool("attributes", false, "list the attributes rule conditions can read, per element kind")
	var dirs stringList
	fs.Var(&dirs, "rules", "`DIR` of additional rule files (repeatable)")
	if ok, st := e.parseFlags(fs, args); !ok {
		return st
	}
	if fs.NArg() != 0 {
		e.errorf("rules", "takes no arguments")
		return exitInvalid
	}
	if *format != "text" && *format != "json" {
		e.errorf("rules", "unknown --format %q (want text or json)", *format)
		return exitInvalid
	}
	if *attrs {
		return e.printAttributes(*format)
	}
	set, err := loadRules(dirs)
	if err != nil {
		e.errorf("rules", "%v", err)
		return exitInvalid
	}
	if *format == "json" {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		if err := enc.Encode(set.Rules); err != nil {
			e.errorf("rules", "%v", err)
			return exitInvalid
		}
		return exitOK
	}
	w := bufio.NewWriter(e.stdout)
	fmt.Fprintf(w, "%d rules\n\n", len(set.Rules))
	for _, r := range set.Rules {
		fmt.Fprintf(w, "%-9s %-7s %s\n          %s\n", r.ID, r.AppliesTo, r.Title, strings.Join(r.Citations, ", "))
	}
	if err := w.Flush(); err != nil {
		return exitInvalid
	}
	return exitOK
}

func (e *env) printAttributes(format string) int {
	type attr struct {
		Name string `json:"name"`
		Type string `json:"type"`
		Doc  string `json:"doc"`
	}
	out := map[string][]attr{}
	for _, k := range rules.Kinds {
		for _, a := range rules.Attrs(k) {
			out[string(k)] = append(out[string(k)], attr{a.Name, string(a.Type), a.Doc})
		}
	}
	if format == "json" {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(out); err != nil {
			return exitInvalid
		}
		return exitOK
	}
	w := bufio.NewWriter(e.stdout)
	for _, k := range rules.Kinds {
		fmt.Fprintf(w, "%s\n", k)
		for _, a := range out[string(k)] {
			fmt.Fprintf(w, "  %s.%-28s %-13s %s\n", k, a.Name, a.Type, a.Doc)
		}
		fmt.Fprintln(w)
	}
	if err := w.Flush(); err != nil {
		return exitInvalid
	}
	return exitOK
}
