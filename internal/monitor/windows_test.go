package monitor

import (
	"os"
	"testing"
)

func TestWinlogbeatSamples(t *testing.T) {
	f, err := os.Open("testdata/winlogbeat.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var got []Event
	st, err := Scan(f, opts("UTC"), func(e Event) { got = append(got, e) })
	if err != nil || st.Unparsed != 0 || len(got) != 12 {
		t.Fatalf("stats %+v err %v", st, err)
	}
	want := []struct {
		id, user, ip string
		outcome      Outcome
		action       string
		field, value string
	}{
		{"4624", "alice", "10.1.2.3", Success, ActionLogon, "logon_type", "10"},
		{"4625", "nosuch", "203.0.113.30", Failure, ActionLogon, "status", "0xC0000064"},
		{"4625", "bob", "203.0.113.31", Failure, ActionLogon, "status", "0xC0000234"},
		{"4634", "alice", "", "", ActionLogoff, "logon_type", "10"},
		{"4740", "bob", "", "", ActionLockout, "caller_computer", "WS-9"},
		{"4720", "admin1", "", Success, ActionAccountAdmin, "change", "created"},
		{"4726", "admin1", "", Success, ActionAccountAdmin, "target_user", "oldie"},
		{"4732", "admin1", "", Success, ActionGroupAdd, "group", "Administrators"},
		{"4768", "carol", "10.1.2.9", Failure, ActionLogon, "status", "0x12"},
		{"4771", "dave", "10.1.2.10", Failure, ActionLogon, "status", "0x18"},
		{"4776", "erin", "", Success, ActionLogon, "workstation", "WS-3"},
		{"1102", "admin1", "", "", ActionLogCleared, "event_id", "1102"},
	}
	for i, w := range want {
		e := got[i]
		if e.Fields["event_id"] != w.id || e.User != w.user || e.SrcIP != w.ip || e.Outcome != w.outcome ||
			e.Action != w.action || e.Fields[w.field] != w.value || e.Source != "windows" {
			t.Errorf("event %d: got %+v, want %+v", i, e, w)
		}
	}
	if got[1].Fields["unknown_user"] != "true" || got[7].Fields["member"] != "S-1-5-21-1-2-3-1107" {
		t.Errorf("unknown_user=%q member=%q", got[1].Fields["unknown_user"], got[7].Fields["member"])
	}
}
