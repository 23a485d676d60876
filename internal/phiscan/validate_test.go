package phiscan

import (
	"testing"
	"time"
)

func TestValidators(t *testing.T) {
	tests := []struct {
		name string
		fn   func([]byte) bool
		in   string
		want bool
	}{
		{"ssn", validSSN, "123456788", true},
		{"ssn", validSSN, "665123456", true},
		{"ssn", validSSN, "899991234", true},
		{"ssn", validSSN, "000123456", false}, // area 000
		{"ssn", validSSN, "666123456", false}, // area 666
		{"ssn", validSSN, "900123456", false}, // 900–999: never issued (and ITINs)
		{"ssn", validSSN, "999451234", false}, // Synthea's synthetic range
		{"ssn", validSSN, "123001234", false}, // group 00
		{"ssn", validSSN, "123450000", false}, // serial 0000
		{"ssn", validSSN, "111111111", false}, // one digit repeated
		{"ssn", validSSN, "078051120", false}, // the Woolworth wallet card
		{"ssn", validSSN, "123456789", false}, // sample number
		{"ssn", validSSN, "12345678", false},
		{"mbi", validMBI, "1EG4TE5MK73", true},
		{"mbi", validMBI, "9AA0AA0AA00", true},
		{"mbi", validMBI, "0EG4TE5MK73", false}, // position 1 must be 1–9
		{"mbi", validMBI, "1SG4TE5MK73", false}, // S excluded
		{"mbi", validMBI, "1EG4TL5MK73", false}, // L excluded
		{"mbi", validMBI, "1EG4TE5MO73", false}, // O excluded
		{"mbi", validMBI, "1EG4TE5MK7Z", false}, // position 11 must be a digit
		{"mbi", validMBI, "1E24TE5MK73", true},  // position 3 may be a digit
		{"mbi", validMBI, "1EGATE5MK73", false}, // position 4 must be a digit
		{"hicn", validHICN, "123456788A", true},
		{"hicn", validHICN, "123456788B1", true},
		{"hicn", validHICN, "123456788C0", false},
		{"hicn", validHICN, "666456788A", false}, // embedded SSN never issued
		{"hicn", validHICN, "123456788Z", false},
		{"rrb", rrbHICN, "MA123456", true},
		{"rrb", rrbHICN, "A123456788", true},
		{"rrb", rrbHICN, "T12345678A", false}, // Synthea's HICN shape
		{"npi", validNPI, "1234567893", true}, // CMS's worked example
		{"npi", validNPI, "1234567890", false},
		{"npi", validNPI, "3234567893", false}, // first digit 1 or 2
		{"npi", validNPI, "1111111112", false},
		{"card", validCard, "4111111111111111", true},
		{"card", validCard, "4111111111111112", false}, // Luhn
		{"card", validCard, "5555555555554444", true},
		{"card", validCard, "378282246310005", true},
		{"card", validCard, "6011111111111117", true},
		{"card", validCard, "9111111111111111", false},  // no issuer starts with 9
		{"card", validCard, "371111111111111", false},   // Amex prefix, Luhn fails
		{"card", validCard, "41111111111111111", false}, // Visa has no 17-digit numbers
		{"aba", validABA, "021000021", true},
		{"aba", validABA, "011000015", true},
		{"aba", validABA, "021000022", false},
		{"aba", validABA, "521000021", false}, // first digit not assigned
		{"aba", validABA, "000000000", false},
	}
	for _, tt := range tests {
		if got := tt.fn([]byte(tt.in)); got != tt.want {
			t.Errorf("%s(%q) = %v; want %v", tt.name, tt.in, got, tt.want)
		}
	}
}

func TestPlausibleBirth(t *testing.T) {
	now := time.Date(2026, 1, 15, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		y, m, d int
		want    bool
	}{
		{1960, 1, 2, true},
		{2025, 12, 31, true},
		{2026, 2, 1, false}, // future
		{1895, 1, 1, false}, // older than 130
		{2023, 2, 29, false},
		{2024, 2, 29, true},
		{1980, 13, 1, false},
		{1980, 4, 31, false},
	}
	for _, tt := range tests {
		if got := plausibleBirth(tt.y, tt.m, tt.d, now); got != tt.want {
			t.Errorf("plausibleBirth(%d, %d, %d) = %v; want %v", tt.y, tt.m, tt.d, got, tt.want)
		}
	}
}

func TestDistinct(t *testing.T) {
	for _, n := range []int{0, 1, 2, 10, 100, 1000, 50000} {
		var d distinct
		for i := range n {
			d.add(keyOf(KindSSN, []byte{byte(i), byte(i >> 8), byte(i >> 16)}))
			d.add(keyOf(KindSSN, []byte{byte(i), byte(i >> 8), byte(i >> 16)})) // repeats do not count
		}
		got := d.count()
		if diff := float64(got-n) / float64(max(n, 1)); diff > 0.05 || diff < -0.05 {
			t.Errorf("distinct count of %d values = %d", n, got)
		}
	}
}
