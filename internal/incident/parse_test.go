package incident

import (
	"errors"
	"strings"
	"testing"
)

// A recount that raises the number affected re-runs every clock from the
// same discovery: the log entry becomes a contemporaneous HHS report and a
// media notice appears, both due 60 days after discovery, not after the
// recount.
func TestRecountRerunsEveryClock(t *testing.T) {
	today, _ := ParseDate("2026-04-20")
	before := Compute(mustParse(t, "role: covered_entity\ndiscovered: 2026-03-02\naffected: {NY: 450}\n"), today)
	after := Compute(mustParse(t, "role: covered_entity\ndiscovered: 2026-03-02\naffected: {NY: 620}\n"), today)
	if got, want := strings.Join(dues(before), " "), "individuals:written=2026-05-01 hhs:annual_log=2027-03-01"; got != want {
		t.Fatalf("before the recount: %s; want %s", got, want)
	}
	if got, want := strings.Join(dues(after), " "), "individuals:written=2026-05-01 media/NY:media=2026-05-01 hhs:breach_portal=2026-05-01"; got != want {
		t.Fatalf("after the recount: %s; want %s", got, want)
	}
	if after.Individuals != 620 || after.Notices[0].Individuals != 620 || after.Notices[0].DaysLeft != 11 {
		t.Errorf("after the recount: individuals %d, notice %d, days left %d; want 620, 620, 11",
			after.Individuals, after.Notices[0].Individuals, after.Notices[0].DaysLeft)
	}
}

func TestIndividualNoticeHasEveryElement(t *testing.T) {
	r := Compute(mustParse(t, "role: covered_entity\ndiscovered: 2026-03-02\naffected: {NY: 3}\n"), NewDate(2026, 3, 2))
	got := strings.Join(r.Notices[0].Contents, "\n")
	for _, el := range []string{"(A)", "(B)", "(C)", "(D)", "(E)", "164.404(c)(2)"} {
		if !strings.Contains(got, el) {
			t.Errorf("individual notice lacks 164.404(c)(1)%s:\n%s", el, got)
		}
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, src, want string
	}{
		{"unknown key", "role: covered_entity\ndiscovered: 2026-03-02\ncolour: red\n", "incident.yaml:3:1: incident: unknown key \"colour\""},
		{"bad date", "role: covered_entity\ndiscovered: 2026-02-30\n", "incident.yaml:2:13: discovered: \"2026-02-30\" is not a date"},
		{"bad State", "role: covered_entity\ndiscovered: 2026-03-02\naffected:\n  NY: 3\n  XX: 4\n", "incident.yaml:5:3: affected: \"XX\" is not a State code"},
		{"negative count", "role: covered_entity\ndiscovered: 2026-03-02\naffected: {NY: -3}\n", "incident.yaml:3:16: affected.NY: want a whole number from 0"},
		{"negative insufficient", "role: covered_entity\ndiscovered: 2026-03-02\ninsufficient_contact: -1\n", "incident.yaml:3:23: insufficient_contact: want a whole number from 0"},
		{"bad role", "role: vendor\ndiscovered: 2026-03-02\n", "incident.yaml:1:7: role: \"vendor\" is not a role"},
		{"missing role", "discovered: 2026-03-02\n", "incident.yaml:1:1: role is required"},
		{"bad exception", "role: covered_entity\ndiscovered: 2026-03-02\nexception: maybe\n", "incident.yaml:3:12: exception: \"maybe\""},
		{"duplicate key", "role: covered_entity\nrole: covered_entity\ndiscovered: 2026-03-02\n", "incident.yaml:2:1: not valid YAML: mapping key \"role\" already defined"},
		{"too many insufficient", "role: covered_entity\ndiscovered: 2026-03-02\naffected: {NY: 3}\ninsufficient_contact: 4\n", "incident.yaml:4:1: insufficient_contact: 4 is more than the 3"},
		{"written delay without until", "role: covered_entity\ndiscovered: 2026-03-02\nlaw_enforcement_delay: {statement: 2026-03-05, written: true}\n", "give until"},
		{"both BAA terms", "role: business_associate\ndiscovered: 2026-03-02\nclients:\n  - id: c\n    baa_notice_days: 5\n    baa_notice_hours: 24\n", "incident.yaml:6:23: clients[0]: give baa_notice_days or baa_notice_hours, not both"},
		{"duplicate client", "role: business_associate\ndiscovered: 2026-03-02\nclients: [{id: c}, {id: c}]\n", "already used"},
		{"BA with top-level affected", "role: business_associate\ndiscovered: 2026-03-02\naffected: {NY: 1}\nclients: [{id: c}]\n", "incident.yaml:3:1: affected: a business_associate gives affected"},
		{"BA without clients", "role: business_associate\ndiscovered: 2026-03-02\n", "clients: a business_associate lists"},
		{"bad time", "role: business_associate\ndiscovered: 2026-03-02\ndiscovered_time: \"25:00\"\nclients: [{id: c}]\n", "incident.yaml:3:18: discovered_time: want a time of day"},
		{"alias", "role: &r covered_entity\ndiscovered: 2026-03-02\n", "anchors, aliases"},
		{"second document", "role: covered_entity\n---\ndiscovered: 2026-03-02\n", "single YAML document"},
		{"empty", "", "file is empty"},
		{"too deep", "role: covered_entity\ndiscovered: 2026-03-02\naffected: [[[[[1]]]]]\n", "nesting is deeper"},
		{"too large", strings.Repeat("#", MaxFileSize+1), "larger than"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in, err := Parse("incident.yaml", []byte(tt.src))
			if err == nil {
				t.Fatalf("Parse(%q) = %+v, nil; want an error containing %q", tt.src, in, tt.want)
			}
			var list ErrorList
			if !errors.As(err, &list) {
				t.Fatalf("error is %T, want ErrorList", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %q; want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestCheckToday(t *testing.T) {
	in := mustParse(t, "role: covered_entity\n\ndiscovered: 2026-03-02\n")
	if err := in.CheckToday(NewDate(2026, 3, 2)); err != nil {
		t.Errorf("CheckToday(day of discovery) = %v; want nil", err)
	}
	err := in.CheckToday(NewDate(2026, 3, 1))
	if err == nil || !strings.Contains(err.Error(), "incident.yaml:3:1: discovered: 2026-03-02 is after today") {
		t.Errorf("CheckToday(day before) = %v; want an error at 3:1", err)
	}
}

func TestStatesTable(t *testing.T) {
	laws := StateLaws()
	if len(laws) == 0 {
		t.Fatal("no State laws loaded")
	}
	for _, l := range laws {
		for _, s := range l.Sources {
			if !strings.HasPrefix(s.URL, "http") || s.ReadFor == "" {
				t.Errorf("%s: source %+v lacks a URL or what it was read for", l.State, s)
			}
		}
	}
	bad := []string{
		"- {state: XX, statute: s, hipaa_satisfies: no, read: 2026-12-07, sources: [{url: http://x, read_for: y}]}",
		"- {state: FL, statute: s, hipaa_satisfies: no, read: 2026-12-07, sources: []}",
		"- {state: FL, statute: s, hipaa_satisfies: maybe, read: 2026-12-07, sources: [{url: http://x, read_for: y}]}",
		"- {state: FL, statute: s, hipaa_satisfies: no, read: yesterday, sources: [{url: http://x, read_for: y}]}",
		"- {state: FL, statute: s, hipaa_satisfies: no, read: 2026-12-07, sources: [{url: http://x, read_for: y}], colour: red}",
		"- {state: FL, statute: s, hipaa_satisfies: no, read: 2026-12-07, sources: [{url: http://x, read_for: y}], notices: [{to: individuals, citation: c, days: 0, min_residents: 1, role: covered_entity, contents: [x]}]}",
	}
	for _, src := range bad {
		if _, err := loadStates([]byte(src)); err == nil {
			t.Errorf("loadStates(%s) = nil error; want one", src)
		}
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte("role: covered_entity\ndiscovered: 2026-03-02\naffected: {NY: 600, FL: 3}\ninsufficient_contact: 2\n"))
	f.Add([]byte("role: business_associate\ndiscovered: 2026-03-02\ndiscovered_time: \"09:15\"\nclients:\n  - {id: a, baa_notice_hours: 48, agent: true, affected: {TX: 9}}\nlaw_enforcement_delay: {statement: 2026-03-04}\n"))
	f.Add([]byte("role: [\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		in, err := Parse("f.yaml", data)
		if err != nil {
			var list ErrorList
			if !errors.As(err, &list) || len(list) == 0 {
				t.Fatalf("error %v is not a non-empty ErrorList", err)
			}
			return
		}
		// Whatever parses must compute without panicking, with every
		// notice due on or after discovery.
		r := Compute(in, in.Discovered)
		for _, n := range r.Notices {
			if n.Due.Before(in.Discovered) && in.AgentDiscovered.IsZero() {
				t.Fatalf("notice %+v due before discovery %s", n, in.Discovered)
			}
		}
	})
}
