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

// Since is the date something last happened — a training, a restore test,
// a review — written YYYY-MM-DD, or the word never. It is its own type
// because leaving it out says nothing: "never" is a fact the author
// states, and a missing date is a question.
type Since string

// NeverHappened is the value of a Since that states the event never took
// place.
const NeverHappened Since = "never"

// Never reports whether the model states the event never happened.
func (s Since) Never() bool { return s == NeverHappened }

// IsZero reports whether the model leaves the date out.
func (s Since) IsZero() bool { return s == "" }

// Date returns the date, empty when it is left out or never.
func (s Since) Date() Date {
	if s.Never() {
		return ""
	}
	return Date(s)
}

// DaysSince returns whole days from the date to now; ok is false when the
// date is left out, never or invalid.
func (s Since) DaysSince(now time.Time) (int, bool) { return s.Date().DaysSince(now) }

func (s Since) check() error {
	if s.Never() {
		return nil
	}
	if err := s.Date().check(); err != nil {
		return fmt.Errorf("invalid date %q: want YYYY-MM-DD or never", string(s))
	}
	return nil
}
