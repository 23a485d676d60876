package cli

import (
	"bufio"
	"encoding/json"
	"fmt"

	"rcmguard/internal/catalog"
)

func runCatalog(e *env, args []string) int {
	fs := e.newFlagSet("catalog", "catalog [--format text|json] [--proposed] [--related]")
	format := fs.String("format", "text", "output format: text or json")
	proposed := fs.Bool("proposed", false, "also list the 2025 proposed rule's requirements (proposed, not final)")
	related := fs.Bool("related", false, "also list the linked requirements outside 164.308–164.316")
	if ok, st := e.parseFlags(fs, args); !ok {
		return st
	}
	if fs.NArg() != 0 {
		e.errorf("catalog", "takes no arguments")
		return exitInvalid
	}
	cat, err := catalog.Load()
	if err != nil {
		e.errorf("catalog", "%v", err)
		return exitInvalid
	}
	switch *format {
	case "json":
		var v any = cat.Entries
		if *proposed || *related {
			doc := map[string]any{"entries": cat.Entries}
			if *proposed {
				doc["proposed_2025"] = cat.Proposed
			}
			if *related {
				doc["related"] = cat.Related
			}
			v = doc
		}
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(v); err != nil {
			e.errorf("catalog", "%v", err)
			return exitInvalid
		}
	case "text":
		w := bufio.NewWriter(e.stdout)
		fmt.Fprintf(w, "HIPAA Security Rule, 45 CFR 164.308–164.316: %d standards, %d implementation specifications\n", len(cat.Standards()), len(cat.Specs()))
		section := ""
		for _, en := range cat.Entries {
			if s := en.Citation[:7]; s != section {
				section = s
				fmt.Fprintf(w, "\n§ %s\n", section)
			}
			indent := ""
			if en.IsSpec() {
				indent = "  "
			}
			fmt.Fprintf(w, "%s%-24s %-12s %s\n", indent, en.Citation, en.RA(), en.Name)
		}
		if *related {
			fmt.Fprintln(w, "\nLinked requirements")
			for _, r := range cat.Related {
				fmt.Fprintf(w, "  %-22s %s — %s\n", r.Citation, r.Name, r.Summary)
			}
		}
		if *proposed {
			fmt.Fprintln(w, "\n2025 proposed rule (90 FR 898) — PROPOSED, NOT FINAL")
			for _, p := range cat.Proposed {
				fmt.Fprintf(w, "  %-8s %s — %s\n", p.ID, p.Name, p.Summary)
			}
		}
		if err := w.Flush(); err != nil {
			return exitInvalid
		}
	default:
		e.errorf("catalog", "unknown --format %q (want text or json)", *format)
		return exitInvalid
	}
	return exitOK
}
