package incident

import (
	"strings"
	"testing"
)

func mustParse(t *testing.T, src string) *Input {
	t.Helper()
	in, err := Parse("incident.yaml", []byte(src))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return in
}

// due is a compact view of a notice for comparison: to/state/client/form=date.
func dues(r Result) []string {
	var out []string
	for _, n := range r.Notices {
		k := n.To
		if n.State != "" {
			k += "/" + n.State
		}
		if n.Client != "" {
			k += "@" + n.Client
		}
		out = append(out, k+":"+n.Form+"="+n.Due.String())
	}
	return out
}

func TestClocks(t *testing.T) {
	today, _ := ParseDate("2026-03-10")
	tests := []struct {
		name   string
		src    string
		breach bool
		want   []string // every notice, in order
	}{
		{
			// 164.404(b): 60 calendar days; 164.408(c): fewer than 500 go to
			// the annual log, 60 days after 31 Dec 2026 = 1 Mar 2027.
			name:   "small breach: individuals at 60 days, HHS in the annual log",
			src:    "role: covered_entity\ndiscovered: 2026-03-02\naffected: {NY: 120, NJ: 3}\n",
			breach: true,
			want:   []string{"individuals:written=2026-05-01", "hhs:annual_log=2027-03-01"},
		},
		{
			// 2028 is a leap year: 60 days after 31 Dec 2027 is 29 Feb 2028.
			name:   "leap year: 2027 discovery, log due 2028-02-29",
			src:    "role: covered_entity\ndiscovered: 2027-06-15\naffected: {TX: 40}\n",
			breach: true,
			want:   []string{"individuals:written=2027-08-14", "hhs:annual_log=2028-02-29"},
		},
		{
			// Discovered on the last day of 2026: the individual notice runs
			// into 2027 but the log belongs to 2026, due 2027-03-01.
			name:   "year-end discovery: log for the year of discovery",
			src:    "role: covered_entity\ndiscovered: 2026-12-31\naffected: {OH: 12}\n",
			breach: true,
			want:   []string{"individuals:written=2027-03-01", "hhs:annual_log=2027-03-01"},
		},
		{
			name:   "year-start discovery: a whole year before the log is due",
			src:    "role: covered_entity\ndiscovered: 2027-01-01\naffected: {OH: 12}\n",
			breach: true,
			want:   []string{"individuals:written=2027-03-02", "hhs:annual_log=2028-02-29"},
		},
		{
			// 164.406: more than 500 residents; 500 exactly is not. 164.408(b):
			// 500 or more in total go to HHS with the individual notices.
			name:   "500 total: HHS contemporaneous, no media at 500 in one State",
			src:    "role: covered_entity\ndiscovered: 2026-03-02\naffected: {NY: 500, CT: 0}\n",
			breach: true,
			want:   []string{"individuals:written=2026-05-01", "hhs:breach_portal=2026-05-01"},
		},
		{
			name:   "501 in one State: media notice for that State only",
			src:    "role: covered_entity\ndiscovered: 2026-03-02\naffected: {NY: 501, NJ: 499, CT: 0}\n",
			breach: true,
			want:   []string{"individuals:written=2026-05-01", "media/NY:media=2026-05-01", "hhs:breach_portal=2026-05-01"},
		},
		{
			name:   "499 in total: annual log",
			src:    "role: covered_entity\ndiscovered: 2026-03-02\naffected: {NY: 499}\n",
			breach: true,
			want:   []string{"individuals:written=2026-05-01", "hhs:annual_log=2027-03-01"},
		},
		{
			name:   "substitute notice, fewer than 10",
			src:    "role: covered_entity\ndiscovered: 2026-03-02\naffected: {NY: 40}\ninsufficient_contact: 9\n",
			breach: true,
			want:   []string{"individuals:substitute=2026-05-01", "individuals:written=2026-05-01", "hhs:annual_log=2027-03-01"},
		},
		{
			name:   "substitute notice, 10 or more",
			src:    "role: covered_entity\ndiscovered: 2026-03-02\naffected: {NY: 40}\ninsufficient_contact: 10\n",
			breach: true,
			want:   []string{"individuals:substitute=2026-05-01", "individuals:written=2026-05-01", "hhs:annual_log=2027-03-01"},
		},
		{
			// 164.404(a)(2): a breach known to an agent is known to the
			// covered entity; the earlier day starts every clock.
			name:   "agent's discovery is the covered entity's",
			src:    "role: covered_entity\ndiscovered: 2026-03-20\nagent_discovered: 2026-03-02\naffected: {NY: 10}\n",
			breach: true,
			want:   []string{"individuals:written=2026-05-01", "hhs:annual_log=2027-03-01"},
		},
		{
			name:   "exception: workforce good faith",
			src:    "role: covered_entity\ndiscovered: 2026-03-02\nexception: workforce_good_faith\naffected: {NY: 900}\n",
			breach: false,
		},
		{
			name:   "exception: inadvertent disclosure between authorized persons",
			src:    "role: covered_entity\ndiscovered: 2026-03-02\nexception: inadvertent_authorized\naffected: {NY: 900}\n",
			breach: false,
		},
		{
			name:   "exception: recipient could not retain",
			src:    "role: covered_entity\ndiscovered: 2026-03-02\nexception: cannot_retain\naffected: {NY: 900}\n",
			breach: false,
		},
		{
			name:   "secured PHI is not unsecured PHI",
			src:    "role: covered_entity\ndiscovered: 2026-03-02\nphi_secured: true\naffected: {NY: 900}\n",
			breach: false,
		},
		{
			name:   "low probability of compromise",
			src:    "role: covered_entity\ndiscovered: 2026-03-02\nlow_probability: true\naffected: {NY: 900}\n",
			breach: false,
		},
		{
			// 164.412(a): a written statement delays for the period stated.
			name:   "written law-enforcement delay extends past the 60 days",
			src:    "role: covered_entity\ndiscovered: 2026-03-02\naffected: {NY: 600}\nlaw_enforcement_delay: {statement: 2026-04-01, written: true, until: 2026-06-15}\n",
			breach: true,
			want:   []string{"individuals:written=2026-06-15", "media/NY:media=2026-06-15", "hhs:breach_portal=2026-06-15"},
		},
		{
			// 164.412(b): an oral statement delays at most 30 days from it,
			// whatever period the official named.
			name:   "oral law-enforcement delay capped at 30 days",
			src:    "role: covered_entity\ndiscovered: 2026-03-02\naffected: {NY: 20}\nlaw_enforcement_delay: {statement: 2026-04-25, written: false, until: 2026-08-01}\n",
			breach: true,
			want:   []string{"individuals:written=2026-05-25", "hhs:annual_log=2027-03-01"},
		},
		{
			name:   "oral delay shorter than 30 days when the official says so",
			src:    "role: covered_entity\ndiscovered: 2026-03-02\naffected: {NY: 20}\nlaw_enforcement_delay: {statement: 2026-04-25, until: 2026-05-10}\n",
			breach: true,
			want:   []string{"individuals:written=2026-05-10", "hhs:annual_log=2027-03-01"},
		},
		{
			name:   "a delay requested after a notice was already due does not postpone it",
			src:    "role: covered_entity\ndiscovered: 2026-03-02\naffected: {NY: 20}\nlaw_enforcement_delay: {statement: 2026-05-05, written: true, until: 2026-07-01}\n",
			breach: true,
			want:   []string{"individuals:written=2026-05-01", "hhs:annual_log=2027-03-01"},
		},
		{
			// 164.410(b) with the strictest term per client.
			name: "business associate: 60 days, 5-day BAA, 24-hour BAA",
			src: `role: business_associate
discovered: 2026-03-02
discovered_time: "14:30"
clients:
  - {id: plain, affected: {NY: 3}}
  - {id: five-day, baa_notice_days: 5, affected: {NY: 3}}
  - {id: next-day, baa_notice_hours: 24, affected: {NY: 3}}
`,
			breach: true,
			want: []string{"covered_entity@next-day:written_to_covered_entity=2026-03-03",
				"covered_entity@five-day:written_to_covered_entity=2026-03-07",
				"covered_entity@plain:written_to_covered_entity=2026-05-01"},
		},
		{
			// Without a time of day the hours count from the start of the
			// discovery day: 24 hours end at midnight, so the notice is due
			// on the day of discovery.
			name:   "24-hour BAA without a time of day: due the day of discovery",
			src:    "role: business_associate\ndiscovered: 2026-03-02\nclients: [{id: c, baa_notice_hours: 24, affected: {NY: 3}}]\n",
			breach: true,
			want:   []string{"covered_entity@c:written_to_covered_entity=2026-03-02"},
		},
		{
			name:   "BAA term longer than 60 days: 164.410(b) still binds",
			src:    "role: business_associate\ndiscovered: 2026-03-02\nclients: [{id: c, baa_notice_days: 90, affected: {NY: 3}}]\n",
			breach: true,
			want:   []string{"covered_entity@c:written_to_covered_entity=2026-05-01"},
		},
		{
			// A business associate acting as the client's agent starts the
			// client's own clocks with its discovery (164.404(a)(2)).
			name:   "business associate as agent: client's clocks from the BA's discovery",
			src:    "role: business_associate\ndiscovered: 2026-03-02\nclients: [{id: c, agent: true, baa_notice_days: 10, affected: {NY: 700}}]\n",
			breach: true,
			want: []string{"covered_entity@c:written_to_covered_entity=2026-03-12",
				"individuals@c:written=2026-05-01", "media/NY@c:media=2026-05-01", "hhs@c:breach_portal=2026-05-01"},
		},
		{
			// Florida: individuals within 30 days (501.171(4)(a)); the
			// Department of Legal Affairs at 500 or more (501.171(3)(a)).
			name:   "Florida: 30-day State notices",
			src:    "role: covered_entity\ndiscovered: 2026-03-02\naffected: {FL: 500}\n",
			breach: true,
			want: []string{"individuals/FL:written=2026-04-01", "state_attorney_general/FL:written=2026-04-01",
				"individuals:written=2026-05-01", "hhs:breach_portal=2026-05-01"},
		},
		{
			// Colorado: residents and, at 500 or more, the Attorney General
			// within 30 days (6-1-716(2)); 499 is not enough.
			name:   "Colorado at 500 and 499",
			src:    "role: covered_entity\ndiscovered: 2026-03-02\naffected: {CO: 500}\n",
			breach: true,
			want: []string{"individuals/CO:written=2026-04-01", "state_attorney_general/CO:written=2026-04-01",
				"individuals:written=2026-05-01", "hhs:breach_portal=2026-05-01"},
		},
		{
			name:   "Colorado below 500: residents only",
			src:    "role: covered_entity\ndiscovered: 2026-03-02\naffected: {CO: 499}\n",
			breach: true,
			want:   []string{"individuals/CO:written=2026-04-01", "individuals:written=2026-05-01", "hhs:annual_log=2027-03-01"},
		},
		{
			// Texas: the Attorney General within 30 days at 250 or more
			// (521.053(i)); 249 is not enough.
			name:   "Texas at 250 and 249",
			src:    "role: covered_entity\ndiscovered: 2026-03-02\naffected: {TX: 250}\n",
			breach: true,
			want:   []string{"state_attorney_general/TX:written=2026-04-01", "individuals:written=2026-05-01", "hhs:annual_log=2027-03-01"},
		},
		{
			name:   "Texas below 250: HIPAA's notices only",
			src:    "role: covered_entity\ndiscovered: 2026-03-02\naffected: {TX: 249}\n",
			breach: true,
			want:   []string{"individuals:written=2026-05-01", "hhs:annual_log=2027-03-01"},
		},
		{
			name:   "Florida: fewer than 500, no Department notice",
			src:    "role: covered_entity\ndiscovered: 2026-03-02\naffected: {FL: 499}\n",
			breach: true,
			want:   []string{"individuals/FL:written=2026-04-01", "individuals:written=2026-05-01", "hhs:annual_log=2027-03-01"},
		},
		{
			name:   "Florida: a third-party agent's 10 days bind a BA with a 30-day BAA",
			src:    "role: business_associate\ndiscovered: 2026-03-02\nclients: [{id: c, baa_notice_days: 30, affected: {FL: 1}}]\n",
			breach: true,
			want:   []string{"covered_entity@c:written_to_covered_entity=2026-03-12"},
		},
		{
			name:   "Florida: a law-enforcement delay under 164.412 leaves the State clock alone",
			src:    "role: covered_entity\ndiscovered: 2026-03-02\naffected: {FL: 5}\nlaw_enforcement_delay: {statement: 2026-03-10, written: true, until: 2026-06-01}\n",
			breach: true,
			want:   []string{"individuals/FL:written=2026-04-01", "individuals:written=2026-06-01", "hhs:annual_log=2027-03-01"},
		},
		{
			name:   "zero residents everywhere: still a breach, log only",
			src:    "role: covered_entity\ndiscovered: 2026-03-02\naffected: {NY: 0, FL: 0}\n",
			breach: true,
			want:   []string{"individuals:written=2026-05-01", "hhs:annual_log=2027-03-01"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := Compute(mustParse(t, tt.src), today)
			if r.Breach != tt.breach {
				t.Fatalf("Breach = %v (%s); want %v", r.Breach, r.Reason, tt.breach)
			}
			got := strings.Join(dues(r), "\n")
			want := strings.Join(tt.want, "\n")
			if got != want {
				t.Errorf("notices:\n%s\nwant:\n%s", got, want)
			}
		})
	}
}
