// Package risk holds the NIST SP 800-30 Rev. 1 scales and risk matrix, the
// likelihood and impact arithmetic, stable risk IDs and tracking statuses.
// Ratings are stored as semi-quantitative values (0–100) and labels are
// derived from them, so one stored value can be shown on the 5-level NIST
// scale or the 3-level scale of the HHS SRA Tool.
package risk

import (
	"fmt"
	"strings"
)

// Level is a qualitative level of the NIST SP 800-30 Rev. 1 scales.
type Level int

const (
	VeryLow Level = iota
	Low
	Moderate
	High
	VeryHigh
)

var levelNames = [...]string{"very low", "low", "moderate", "high", "very high"}

func (l Level) String() string {
	if l < VeryLow || l > VeryHigh {
		return fmt.Sprintf("Level(%d)", int(l))
	}
	return levelNames[l]
}

// Title returns the level with capitals, as in reports ("Very High").
func (l Level) Title() string {
	words := strings.Fields(l.String())
	for i, w := range words {
		words[i] = strings.ToUpper(w[:1]) + w[1:]
	}
	return strings.Join(words, " ")
}

// Slug returns the level as an identifier ("very_high").
func (l Level) Slug() string { return strings.ReplaceAll(l.String(), " ", "_") }

// MarshalText writes the slug, so JSON carries "very_high".
func (l Level) MarshalText() ([]byte, error) { return []byte(l.Slug()), nil }

// UnmarshalText reads a slug back, so a stored JSON result can be decoded.
func (l *Level) UnmarshalText(b []byte) error {
	v, err := ParseLevel(string(b))
	if err != nil {
		return err
	}
	*l = v
	return nil
}

// ParseLevel accepts "very high", "very_high", "very-high", "vh" or "high"…
func ParseLevel(s string) (Level, error) {
	k := strings.NewReplacer("_", " ", "-", " ").Replace(strings.ToLower(strings.TrimSpace(s)))
	switch k {
	case "very low", "vl":
		return VeryLow, nil
	case "low", "l":
		return Low, nil
	case "moderate", "medium", "m":
		return Moderate, nil
	case "high", "h":
		return High, nil
	case "very high", "vh", "critical":
		return VeryHigh, nil
	}
	return 0, fmt.Errorf("risk: unknown level %q (want very_low, low, moderate, high or very_high)", s)
}

// Band is the semi-quantitative range of a level (Table I-3): very low 0–4,
// low 5–20, moderate 21–79, high 80–95, very high 96–100.
type Band struct{ Lo, Hi int }

var bands = [...]Band{{0, 4}, {5, 20}, {21, 79}, {80, 95}, {96, 100}}

// BandOf returns the range of a level.
func BandOf(l Level) Band { return bands[l] }

// LevelOf returns the level whose band holds v (clamped to 0–100).
func LevelOf(v int) Level {
	v = Clamp(v)
	for l := VeryHigh; l > VeryLow; l-- {
		if v >= bands[l].Lo {
			return l
		}
	}
	return VeryLow
}

// Clamp limits v to 0–100.
func Clamp(v int) int {
	if v < 0 {
		return 0
	}
	if v > 100 {
		return 100
	}
	return v
}

// matrix is Table I-2 of SP 800-30 Rev. 1: rows are likelihood (very low …
// very high), columns impact (very low … very high).
var matrix = [5][5]Level{
	{VeryLow, VeryLow, VeryLow, Low, Low},
	{VeryLow, Low, Low, Low, Moderate},
	{VeryLow, Low, Moderate, Moderate, High},
	{VeryLow, Low, Moderate, High, VeryHigh},
	{VeryLow, Low, Moderate, High, VeryHigh},
}

// Matrix returns the level of risk for a likelihood and an impact level.
func Matrix(likelihood, impact Level) Level { return matrix[likelihood][impact] }

// Score combines likelihood and impact values into the risk value: the
// matrix decides the level, and the product p = L×I/100 places the value
// within that level's band (value = low + (high − low) × p/100), so two
// risks of the same level still sort by their underlying arithmetic.
func Score(likelihood, impact int) (value int, level Level) {
	level = Matrix(LevelOf(likelihood), LevelOf(impact))
	p := Clamp(likelihood) * Clamp(impact)
	b := bands[level]
	return b.Lo + ((b.Hi-b.Lo)*p+5000)/10000, level
}

// SRATool maps a level onto the three levels of the HHS SRA Tool: Low,
// Medium and High. The tool's middle level is "Medium"; the NIST scales'
// is "Moderate", and the report keeps the two apart so neither is
// mistaken for the other.
func SRATool(l Level) string {
	switch {
	case l <= Low:
		return "Low"
	case l == Moderate:
		return "Medium"
	}
	return "High"
}
