package model

import (
	"fmt"
	"time"
)

// Date is a calendar date written YYYY-MM-DD. It is kept as written and
// parsed on use, so an invalid date is reported by the validator with its
// position rather than by the YAML decoder.
type Date string

const dateLayout = "2006-01-02"

// Time returns the date at midnight UTC; ok is false when the date is empty
// or invalid.
func (d Date) Time() (t time.Time, ok bool) {
	if d == "" {
		return time.Time{}, false
	}
	t, err := time.Parse(dateLayout, string(d))
	return t, err == nil
}

// IsZero reports whether no date was given.
func (d Date) IsZero() bool { return d == "" }

func (d Date) check() error {
	if d == "" {
		return nil
	}
	if _, err := time.Parse(dateLayout, string(d)); err != nil {
		return fmt.Errorf("invalid date %q: want YYYY-MM-DD", string(d))
	}
	return nil
}

// DaysSince returns whole days from the date to now (negative when the date
// is in the future); ok is false when the date is empty or invalid.
func (d Date) DaysSince(now time.Time) (days int, ok bool) {
	t, ok := d.Time()
	if !ok {
		return 0, false
	}
	y, m, dd := now.Date()
	today := time.Date(y, m, dd, 0, 0, 0, 0, time.UTC)
	return int(today.Sub(t).Hours() / 24), true
}
