package risk

import "testing"

func TestMatrixTableI2(t *testing.T) {
	// Rows and columns as printed in SP 800-30 Rev. 1, Table I-2.
	want := map[[2]Level]Level{
		{VeryHigh, VeryLow}: VeryLow, {VeryHigh, Low}: Low, {VeryHigh, Moderate}: Moderate, {VeryHigh, High}: High, {VeryHigh, VeryHigh}: VeryHigh,
		{High, VeryLow}: VeryLow, {High, Low}: Low, {High, Moderate}: Moderate, {High, High}: High, {High, VeryHigh}: VeryHigh,
		{Moderate, VeryLow}: VeryLow, {Moderate, Low}: Low, {Moderate, Moderate}: Moderate, {Moderate, High}: Moderate, {Moderate, VeryHigh}: High,
		{Low, VeryLow}: VeryLow, {Low, Low}: Low, {Low, Moderate}: Low, {Low, High}: Low, {Low, VeryHigh}: Moderate,
		{VeryLow, VeryLow}: VeryLow, {VeryLow, Low}: VeryLow, {VeryLow, Moderate}: VeryLow, {VeryLow, High}: Low, {VeryLow, VeryHigh}: Low,
	}
	for k, w := range want {
		if got := Matrix(k[0], k[1]); got != w {
			t.Errorf("Matrix(%s, %s) = %s, want %s", k[0], k[1], got, w)
		}
	}
}

func TestBands(t *testing.T) {
	cases := map[int]Level{-5: VeryLow, 0: VeryLow, 4: VeryLow, 5: Low, 20: Low, 21: Moderate, 79: Moderate, 80: High, 95: High, 96: VeryHigh, 100: VeryHigh, 150: VeryHigh}
	for v, w := range cases {
		if got := LevelOf(v); got != w {
			t.Errorf("LevelOf(%d) = %s, want %s", v, got, w)
		}
	}
}

func TestScoreStaysInBand(t *testing.T) {
	for l := 0; l <= 100; l += 3 {
		for i := 0; i <= 100; i += 7 {
			v, lvl := Score(l, i)
			b := BandOf(lvl)
			if v < b.Lo || v > b.Hi {
				t.Fatalf("Score(%d,%d) = %d outside %s band %v", l, i, v, lvl, b)
			}
			if lvl != Matrix(LevelOf(l), LevelOf(i)) {
				t.Fatalf("Score(%d,%d) level %s disagrees with the matrix", l, i, lvl)
			}
		}
	}
}

func TestRatingArithmetic(t *testing.T) {
	r := NewRating(50, "base").Finish()
	r = NewRating(50, "base")
	r.Add("internet-facing", 15, "x")
	r.Add("MFA", -10, "y")
	r.Finish()
	if r.Value != 55 || r.Level != Moderate {
		t.Fatalf("got %d %s", r.Value, r.Level)
	}
	if got, want := r.Arithmetic(), "50 base + 15 internet-facing − 10 MFA = 55 (moderate)"; got != want {
		t.Errorf("Arithmetic() = %q, want %q", got, want)
	}
	r = NewRating(90, "base")
	r.Add("a", 30, "")
	r.Finish()
	if r.Value != 100 || r.Arithmetic() != "90 base + 30 a = 120, limited to 100 (very high)" {
		t.Errorf("clamp: %d %q", r.Value, r.Arithmetic())
	}
}

func TestMatch(t *testing.T) {
	cases := []struct {
		p, id string
		want  bool
	}{
		{"EDI-01@f1", "EDI-01@f1", true},
		{"EDI-01@*", "EDI-01@f1", true},
		{"EDI-*@f1", "EDI-02@f1", true},
		{"EDI-01@*", "EDI-01@f1@f2", true},
		{"EDI-01@*@f2", "EDI-01@f1@f2", true},
		{"EDI-01@*@f3", "EDI-01@f1@f2", false},
		{"EDI-01@f1", "EDI-01@f2", false},
		{"EDI-01", "EDI-01@f1", false},
		{"EDI-01@f1@f2", "EDI-01@f1", false},
	}
	for _, c := range cases {
		if got := Match(c.p, c.id); got != c.want {
			t.Errorf("Match(%q, %q) = %v, want %v", c.p, c.id, got, c.want)
		}
	}
}

func TestParseLevel(t *testing.T) {
	for s, w := range map[string]Level{"very_high": VeryHigh, "Very High": VeryHigh, "high": High, "medium": Moderate, "vl": VeryLow} {
		if got, err := ParseLevel(s); err != nil || got != w {
			t.Errorf("ParseLevel(%q) = %v, %v", s, got, err)
		}
	}
	if _, err := ParseLevel("severe"); err == nil {
		t.Error("ParseLevel accepted an unknown level")
	}
}
