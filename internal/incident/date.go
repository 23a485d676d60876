package incident

import (
	"encoding/json"
	"time"
)

// Date is a calendar day. Breach deadlines are counted in calendar days
// (164.404(b): "60 calendar days after discovery"), so a Date carries no time
// of day and no zone: it is midnight UTC of the day, which makes adding days
// immune to daylight-saving shifts.
type Date struct{ t time.Time }

const dateLayout = "2006-01-02"

// ParseDate reads YYYY-MM-DD; it refuses 2026-02-30 and the like.
func ParseDate(s string) (Date, bool) {
	t, err := time.Parse(dateLayout, s)
	if err != nil {
		return Date{}, false
	}
	return Date{t}, true
}

// DateOf is the calendar day of t in t's own location.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{time.Date(y, m, d, 0, 0, 0, 0, time.UTC)}
}

// NewDate is the day y-m-d; out-of-range parts normalise as time.Date does.
func NewDate(y int, m time.Month, d int) Date {
	return Date{time.Date(y, m, d, 0, 0, 0, 0, time.UTC)}
}

// AddDays is the day n calendar days later (earlier when n is negative).
func (d Date) AddDays(n int) Date { return Date{d.t.AddDate(0, 0, n)} }

// Before reports whether d is an earlier day than e.
func (d Date) Before(e Date) bool { return d.t.Before(e.t) }

// IsZero reports whether no day was set.
func (d Date) IsZero() bool { return d.t.IsZero() }

// Year is the calendar year of the day.
func (d Date) Year() int { return d.t.Year() }

// DaysUntil is the number of calendar days from d to e (negative when e is
// earlier).
func (d Date) DaysUntil(e Date) int { return int(e.t.Sub(d.t).Hours() / 24) }

func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return d.t.Format(dateLayout)
}

// MarshalJSON writes the day as "YYYY-MM-DD".
func (d Date) MarshalJSON() ([]byte, error) { return json.Marshal(d.String()) }

// minDate is the earlier of two days.
func minDate(a, b Date) Date {
	if b.Before(a) {
		return b
	}
	return a
}
