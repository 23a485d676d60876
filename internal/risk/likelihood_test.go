package risk

import (
	"strings"
	"testing"
)

func TestOverallTableG5(t *testing.T) {
	// Rows and columns as printed in SP 800-30 Rev. 1, Table G-5: rows the
	// likelihood of initiation or occurrence, columns the likelihood of
	// adverse impact, very low … very high.
	want := [5][5]Level{
		VeryHigh: {Low, Moderate, High, VeryHigh, VeryHigh},
		High:     {Low, Moderate, Moderate, High, VeryHigh},
		Moderate: {Low, Low, Moderate, Moderate, High},
		Low:      {VeryLow, Low, Low, Moderate, Moderate},
		VeryLow:  {VeryLow, VeryLow, Low, Low, Low},
	}
	for i := VeryLow; i <= VeryHigh; i++ {
		for a := VeryLow; a <= VeryHigh; a++ {
			if got := Overall(i, a); got != want[i][a] {
				t.Errorf("Overall(%s, %s) = %s, want %s", i, a, got, want[i][a])
			}
		}
	}
	// SP 800-66r2's worked examples of the same table: a very likely
	// phishing attack with a moderate chance of harm is high; an unlikely
	// tornado with a moderate chance of harm is low.
	if Overall(VeryHigh, Moderate) != High || Overall(Low, Moderate) != Low {
		t.Error("the worked examples of the overall-likelihood table disagree")
	}
}

func TestCombineStaysInBand(t *testing.T) {
	for i := 0; i <= 100; i += 3 {
		for a := 0; a <= 100; a += 7 {
			v, l := Combine(i, a)
			if b := BandOf(l); v < b.Lo || v > b.Hi {
				t.Fatalf("Combine(%d,%d) = %d outside the %s band", i, a, v, l)
			}
			if l != Overall(LevelOf(i), LevelOf(a)) {
				t.Fatalf("Combine(%d,%d) level %s disagrees with Table G-5", i, a, l)
			}
		}
	}
}

func TestMidpointsSitInTheirBands(t *testing.T) {
	for l := VeryLow; l <= VeryHigh; l++ {
		if LevelOf(Midpoint(l)) != l {
			t.Errorf("Midpoint(%s) = %d is not %s", l, Midpoint(l), l)
		}
	}
}

func TestTwoStepShowsBothSteps(t *testing.T) {
	in := OnTable(TableInitiation, 82, "hacking share").Finish()
	ad := OnTable(TableAdverseImpact, 50, "safeguard missing")
	ad.Add("observed", 15, "seen in evidence")
	ad.Finish()
	r := TwoStep(in, ad, "")
	if r.Level != Moderate || r.Table != TableOverall || len(r.Steps) != 2 {
		t.Fatalf("TwoStep = %+v", r)
	}
	got := r.Arithmetic()
	for _, w := range []string{"G-2 initiation [82 base = 82 (high)]", "G-4 adverse impact [50 base + 15 observed = 65 (moderate)]", "→ G-5"} {
		if !strings.Contains(got, w) {
			t.Errorf("Arithmetic() = %q; lacks %q", got, w)
		}
	}
	if s := SpreadText(High, Moderate); s != "Moderate to High" {
		t.Errorf("SpreadText = %q", s)
	}
}

func TestSRAToolMiddleIsMedium(t *testing.T) {
	for l, w := range map[Level]string{VeryLow: "Low", Low: "Low", Moderate: "Medium", High: "High", VeryHigh: "High"} {
		if got := SRATool(l); got != w {
			t.Errorf("SRATool(%s) = %q, want %q", l, got, w)
		}
	}
}
