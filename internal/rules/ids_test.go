package rules

import (
	"bufio"
	"bytes"
	"cmp"
	"flag"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/rule-ids.golden with the built-in rules")

const idsGolden = "testdata/rule-ids.golden"

// TestRuleIDsKeepTheirMeaning holds the built-in rules to a golden list of
// IDs, each with the kind it applies to and its title, plus the retired
// list: an ID may be added (record it with -update), retitled (the diff of
// the golden file shows it in review), or retired, but never dropped
// silently or given back to another rule.
func TestRuleIDsKeepTheirMeaning(t *testing.T) {
	s := loadBuiltin(t)
	current := map[string]string{}
	for _, r := range s.Rules {
		current[r.ID] = fmt.Sprintf("%s %s", r.AppliesTo, r.Title)
	}
	golden, err := readIDsGolden()
	if err != nil {
		t.Fatal(err)
	}
	for id := range golden {
		if _, ok := current[id]; ok {
			continue
		}
		if _, ok := retired[id]; !ok {
			t.Errorf("rule %s is gone; retire its ID in retired.go with the reason instead of dropping it", id)
		}
	}
	for id := range current {
		if why, ok := retired[id]; ok {
			t.Errorf("rule %s reuses a retired ID (%s); give it a new one", id, why)
		}
	}
	if *update && !t.Failed() {
		if err := writeIDsGolden(current); err != nil {
			t.Fatal(err)
		}
		return
	}
	for id, meaning := range current {
		switch was, ok := golden[id]; {
		case !ok:
			t.Errorf("new rule %s is not in %s; run go test ./internal/rules -update to record it", id, idsGolden)
		case was != meaning:
			t.Errorf("rule %s was %q and is now %q; if it still means the same, run -update; if not, give it a new ID", id, was, meaning)
		}
	}
	if len(current) < 60 {
		t.Errorf("%d built-in rules; the product promises at least 60", len(current))
	}
}

func readIDsGolden() (map[string]string, error) {
	data, err := os.ReadFile(idsGolden)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		id, meaning, ok := strings.Cut(line, " ")
		if !ok {
			return nil, fmt.Errorf("%s:%d: want ID, kind and title", idsGolden, n)
		}
		if _, dup := out[id]; dup {
			return nil, fmt.Errorf("%s:%d: %s twice", idsGolden, n, id)
		}
		out[id] = meaning
	}
	return out, sc.Err()
}

func writeIDsGolden(current map[string]string) error {
	ids := make([]string, 0, len(current))
	for id := range current {
		ids = append(ids, id)
	}
	slices.SortFunc(ids, func(a, b string) int { return cmp.Compare(a, b) })
	var b bytes.Buffer
	b.WriteString("# The built-in rules: ID, the kind of element it applies to, title. Risk IDs and the\n")
	b.WriteString("# decisions stored on them are built from rule IDs, so an ID keeps its meaning for ever.\n")
	b.WriteString("# Written by go test ./internal/rules -update; retire an ID in retired.go, never reuse it.\n")
	for _, id := range ids {
		fmt.Fprintf(&b, "%s %s\n", id, current[id])
	}
	return os.WriteFile(idsGolden, b.Bytes(), 0o644)
}
