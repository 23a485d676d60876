package catalog

import "testing"

func TestCounts(t *testing.T) {
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	var std, spec, req, addr int
	perSection := map[string][2]int{}
	for _, e := range c.Entries {
		sec := e.Citation[:7]
		n := perSection[sec]
		switch e.Kind {
		case Standard:
			std++
			n[0]++
			if e.Required != nil {
				t.Errorf("%s: a standard has required=%v, want null", e.Citation, *e.Required)
			}
		case ImplementationSpecification:
			spec++
			n[1]++
			if *e.Required {
				req++
			} else {
				addr++
			}
			if e.Question == "" {
				t.Errorf("%s: specification without a question", e.Citation)
			}
			if e.Standard == "" {
				t.Errorf("%s: no parent standard", e.Citation)
			}
		}
		perSection[sec] = n
	}
	if std != 22 || spec != 43 || req != 21 || addr != 22 {
		t.Fatalf("got %d standards, %d specifications (%d R, %d A); want 22, 43 (21 R, 22 A)", std, spec, req, addr)
	}
	want := map[string][2]int{"164.308": {9, 21}, "164.310": {4, 8}, "164.312": {5, 7}, "164.314": {2, 4}, "164.316": {2, 3}}
	for sec, w := range want {
		if perSection[sec] != w {
			t.Errorf("%s: got %v standards/specs, want %v", sec, perSection[sec], w)
		}
	}
	// Standards without specifications are assessed on their own.
	for _, cit := range []string{"164.308(a)(2)", "164.308(a)(8)", "164.310(b)", "164.310(c)", "164.312(b)", "164.312(d)", "164.316(a)"} {
		e, ok := c.Lookup(cit)
		if !ok || !e.Assessable() {
			t.Errorf("%s should be an assessable standard", cit)
		}
	}
}

func TestLookupAndCovers(t *testing.T) {
	c := MustLoad()
	for _, ref := range []string{"164.312(d)", "45 CFR § 164.312(d)", "TEC-04", "tec-04"} {
		if e, ok := c.Lookup(ref); !ok || e.Citation != "164.312(d)" {
			t.Errorf("Lookup(%q) = %v, %v", ref, e, ok)
		}
	}
	if _, ok := c.Lookup("164.999(z)"); ok {
		t.Error("Lookup of an unknown citation succeeded")
	}
	cases := []struct {
		cited, entry string
		want         bool
	}{
		{"164.312(e)(1)", "164.312(e)(2)(ii)", false}, // a standard does not examine its specifications
		{"164.312(e)(2)(ii)", "164.312(e)(2)(ii)", true},
		{"45 CFR § 164.312(e)(2)(ii)", "164.312(e)(2)(ii)", true},
		{"164.312(e)(2)(ii)", "164.312(e)(2)(i)", false},
		{"164.308(a)(7)(i)", "164.308(a)(7)(ii)(B)", false},
		{"164.502(b)", "164.308(a)(4)(ii)(B)", false},
	}
	for _, tc := range cases {
		if got := c.Covers(tc.cited, tc.entry); got != tc.want {
			t.Errorf("Covers(%s, %s) = %v, want %v", tc.cited, tc.entry, got, tc.want)
		}
	}
	if !c.Known("164.502(b)") || c.Known("164.000") {
		t.Error("Known mismatch for related requirements")
	}
}
