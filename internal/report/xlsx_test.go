package report

import (
	"bytes"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// TestXLSXOpensBack: the workbook opens with excelize and holds every sheet
// with its header, one row per entry, an autofilter and a frozen header.
func TestXLSXOpensBack(t *testing.T) {
	for name, path := range examples {
		t.Run(name, func(t *testing.T) {
			res := run(t, path)
			var buf bytes.Buffer
			if err := Write(&buf, res, "xlsx"); err != nil {
				t.Fatal(err)
			}
			f, err := excelize.OpenReader(&buf)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			if got, want := f.GetSheetList(), []string{"Register", "Plan", "Inventory", "Vendors", "Coverage", "Pairs"}; !slices.Equal(got, want) {
				t.Fatalf("sheets %v, want %v", got, want)
			}
			inv := res.Inventory
			wantRows := map[string]int{
				"Register":  len(res.Risks),
				"Plan":      len(res.Plan),
				"Inventory": len(inv.Systems) + len(inv.Data) + len(inv.Flows) + len(inv.Roles) + len(inv.Clients),
				"Vendors":   len(inv.Vendors),
				"Coverage":  len(res.Coverage),
				"Pairs":     len(res.Pairs),
			}
			wantHeader := map[string]string{
				"Register":  "ID,Title,Elements,Likelihood,Impact,Level,Residual,Status,Owner,Due,Citations",
				"Plan":      "Rank,Risk ID,Title,Level,Value,Owner,Owner name,Action,Effort,Due,Status,Residual,Citations,Elements",
				"Pairs":     "ID,Title,Safeguard,Current measures,Verified share,Likelihood (G-5),Impact (H-3),Level (I-2)",
				"Inventory": "Type,ID,Name,Kind,PHI,Where,Safeguards,Open risks,Highest open level",
				"Vendors":   "ID,Name,BAA,BAA expires,PHI access,Offshore,Services,Open risks",
				"Coverage":  "Citation,Name,Type,Status,Rules,Risks,Answer,Note,Evidence,Why not reasonable and appropriate,Equivalent measure",
			}
			for sh, n := range wantRows {
				rows, err := f.GetRows(sh)
				if err != nil {
					t.Fatal(err)
				}
				if n == 0 {
					t.Errorf("%s: the example has no entries to check", sh)
				}
				if len(rows) != n+1 {
					t.Errorf("%s: %d rows, want header + %d", sh, len(rows), n)
				}
				if got := strings.Join(rows[0], ","); got != wantHeader[sh] {
					t.Errorf("%s header %q", sh, got)
				}
				panes, err := f.GetPanes(sh)
				if err != nil || !panes.Freeze || panes.YSplit != 1 {
					t.Errorf("%s: header not frozen: %+v %v", sh, panes, err)
				}
				last, _ := excelize.ColumnNumberToName(len(rows[0]))
				if !hasAutoFilter(t, f, sh, "A1:"+last+itoa(n+1)) {
					t.Errorf("%s: no autofilter over A1:%s%d", sh, last, n+1)
				}
			}
			reg, _ := f.GetRows("Register")
			if reg[1][0] != res.Risks[0].ID || reg[1][5] != res.Risks[0].Level.Title() {
				t.Errorf("register row 1 = %v", reg[1])
			}
		})
	}
}

// TestXLSXFormulaInjection: model text that looks like a formula is stored
// as text with the defusing quote, never as a formula.
func TestXLSXFormulaInjection(t *testing.T) {
	res := run(t, examples["billing-company"])
	res.Risks[0].Title = "=1+2"
	res.Plan[0].Action = "@SUM(A1:A9)"
	res.Plan[0].OwnerName = "=HYPERLINK(\"http://x\")"
	res.Pairs[0].Title = "+1+1"
	res.Inventory.Vendors[0].Name = "-2+3"
	res.Coverage[0].Note = "+cmd|' /C calc'!A0"
	var buf bytes.Buffer
	if err := XLSX(&buf, res); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, c := range []struct{ sheet, ref, want string }{
		{"Register", "B2", "'=1+2"}, {"Plan", "H2", "'@SUM(A1:A9)"}, {"Plan", "G2", "'=HYPERLINK(\"http://x\")"}, {"Pairs", "B2", "'+1+1"}, {"Vendors", "B2", "'-2+3"}, {"Coverage", "H2", "'+cmd|' /C calc'!A0"},
	} {
		got, err := f.GetCellValue(c.sheet, c.ref)
		if err != nil || got != c.want {
			t.Errorf("%s!%s = %q (%v), want %q", c.sheet, c.ref, got, err, c.want)
		}
		if fm, _ := f.GetCellFormula(c.sheet, c.ref); fm != "" {
			t.Errorf("%s!%s holds a formula %q", c.sheet, c.ref, fm)
		}
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

// hasAutoFilter reports whether the sheet has a filter over ref (A1:K9).
func hasAutoFilter(t *testing.T, f *excelize.File, sheet, ref string) bool {
	t.Helper()
	from, to, _ := strings.Cut(ref, ":")
	want := "'" + sheet + "'!" + abs(from) + ":" + abs(to)
	for _, d := range f.GetDefinedName() {
		if d.Name == "_xlnm._FilterDatabase" && d.Scope == sheet && d.RefersTo == want {
			return true
		}
	}
	t.Logf("defined names: %+v; want %s", f.GetDefinedName(), want)
	return false
}

// abs turns K9 into $K$9.
func abs(ref string) string {
	i := strings.IndexFunc(ref, func(r rune) bool { return r >= '0' && r <= '9' })
	return "$" + ref[:i] + "$" + ref[i:]
}

// TestXLSXReproducible: the same result gives the same bytes, so an export
// can be checked against a stored one.
func TestXLSXReproducible(t *testing.T) {
	res := run(t, examples["practice"])
	var a, b bytes.Buffer
	if err := XLSX(&a, res); err != nil {
		t.Fatal(err)
	}
	if err := XLSX(&b, res); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Error("two exports of one result differ")
	}
}
