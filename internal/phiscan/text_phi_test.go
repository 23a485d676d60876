package phiscan

import (
	"slices"
	"testing"
	"time"
)

func TestTextPHI(t *testing.T) {
	s := New(Options{Now: time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)})
	for _, tc := range []struct {
		text string
		want []Kind
	}{
		{"share/123-45-6788.csv", []Kind{KindSSN}},
		{"card: 4111 1111 1111 1111", []Kind{KindCard}},
		{"member 1EG4-TE5-MK73 on file", []Kind{KindMBI}},
		// Text that sniffing would take for a table, JSON or a mail header
		// is read as text all the same.
		{"ssn,name\n123-45-6788,Avery Ashford", []Kind{KindSSN}},
		{`{"ssn": "123-45-6788"}`, []Kind{KindSSN}},
		{"From: a@example.org\nSSN 123-45-6788", []Kind{KindSSN, KindEmail}},
		// Nothing identifying: a provider's NPI, a name or an address
		// alone, a TLS summary.
		{"Rendering NPI 1234567893", nil},
		{"Avery Ashford", nil},
		{"TLS1.0 accepted", nil},
		{"", nil},
	} {
		got := s.TextPHI(tc.text)
		slices.Sort(got)
		want := slices.Clone(tc.want)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("TextPHI(%q) = %v; want %v", tc.text, got, want)
		}
	}
}
