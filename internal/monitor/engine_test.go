package monitor

import (
	"strconv"
	"strings"
	"testing"
	"time"
)

var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

func run(t *testing.T, lines []string, lim Limits) ([]Alert, *Engine) {
	t.Helper()
	rs, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	eng := NewEngine(rs, lim)
	var alerts []Alert
	o := &Options{Received: t0.Add(48 * time.Hour)}
	st, err := Scan(strings.NewReader(strings.Join(lines, "\n")), o, func(e Event) {
		alerts = append(alerts, eng.Process(&e)...)
	})
	if err != nil || st.Unparsed != 0 {
		t.Fatalf("scan: %+v %v", st, err)
	}
	return alerts, eng
}

func TestScenarios(t *testing.T) {
	for _, s := range Scenarios(t0) {
		t.Run(s.Detection+" "+s.Name, func(t *testing.T) {
			alerts, _ := run(t, s.Lines, DefaultLimits())
			n := 0
			for _, a := range alerts {
				if a.Detection != s.Detection {
					continue
				}
				n++
				if a.Citation == "" || a.Severity == "" || a.Title == "" || a.Count < 1 || a.Last.Before(a.First) || len(a.Evidence) == 0 {
					t.Errorf("incomplete alert %+v", a)
				}
			}
			if n != s.Want {
				t.Errorf("%d %s alerts, want %d", n, s.Detection, s.Want)
			}
		})
	}
}

func TestAlertCarriesWhoWhenAndMaskedEvidence(t *testing.T) {
	lines := burst(t0, 5, 30*time.Second, func(i int, tm time.Time) string { return sshFail(tm, "root", "203.0.113.7") })
	lines = append(lines, sshOK(t0.Add(4*time.Minute), "root", "203.0.113.7")+" SSN 078-05-1120")
	alerts, _ := run(t, lines, DefaultLimits())
	var d06 *Alert
	for i := range alerts {
		if alerts[i].Detection == "D06" {
			d06 = &alerts[i]
		}
	}
	if d06 == nil {
		t.Fatalf("no D06 in %+v", alerts)
	}
	if d06.User != "root" || d06.SrcIP != "203.0.113.7" || d06.Count != 6 || !d06.First.Equal(t0) || !d06.Last.Equal(t0.Add(4*time.Minute)) ||
		d06.Severity != "critical" || d06.Citation != "164.308(a)(5)(ii)(C), 164.308(a)(6)(ii)" || len(d06.Evidence) != 6 {
		t.Fatalf("D06 alert: %+v", d06)
	}
	for _, e := range d06.Evidence {
		if strings.Contains(e.Raw, "078-05-1120") {
			t.Fatalf("unmasked evidence %q", e.Raw)
		}
	}
}

// State stays bounded however many distinct addresses arrive: with a cap
// of 100 windows per rule, 10,000 one-off failures keep at most 100 open
// and count what was dropped.
func TestWindowStateIsBounded(t *testing.T) {
	lines := burst(t0, 10000, time.Second, func(i int, tm time.Time) string {
		return sshFail(tm, "u"+itoa(i), "10."+itoa(i/65536)+"."+itoa(i/256%256)+"."+itoa(i%256))
	})
	_, eng := run(t, lines, Limits{MaxGroups: 100, MaxEvidence: 3})
	for _, cs := range eng.order {
		if len(cs.groups) > 100 || len(cs.pending) > 100 {
			t.Fatalf("%s holds %d windows", cs.r.Name, len(cs.groups))
		}
	}
	if eng.Stats().Dropped == 0 {
		t.Fatal("nothing counted as dropped")
	}
	// Expiry alone (no cap pressure) also empties windows: one-off
	// failures a second apart leave D01's 120 s windows few.
	_, eng = run(t, lines, DefaultLimits())
	for _, cs := range eng.order {
		if cs.r.Name == "d01_brute_force_source" && len(cs.groups) > 4096+130 {
			t.Fatalf("D01 holds %d windows after sweeps", len(cs.groups))
		}
	}
}

func itoa(i int) string { return strconv.Itoa(i) }
