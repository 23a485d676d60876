package monitor

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

// recv is the receive time the samples are read at: early January, so a
// December stamp belongs to the year before.
var recv = time.Date(2026, 1, 3, 12, 0, 0, 0, time.UTC)

func opts(zone string) *Options {
	loc, err := time.LoadLocation(zone)
	if err != nil {
		panic(err)
	}
	return &Options{Zone: loc, Received: recv}
}

func TestParseSyslogAuthLines(t *testing.T) {
	ny := opts("America/New_York")
	tests := []struct {
		line    string
		o       *Options
		time    string
		user    string
		ip      string
		outcome Outcome
		action  string
		fields  map[string]string
	}{
		{line: "Jan  2 03:04:05 web1 sshd[811]: Failed password for root from 203.0.113.7 port 52211 ssh2",
			o: ny, time: "2026-01-02T08:04:05Z", user: "root", ip: "203.0.113.7", outcome: Failure, action: ActionLogon,
			fields: map[string]string{"method": "password"}},
		{line: "Dec 31 23:59:58 web1 sshd[811]: Failed password for invalid user oracle from 198.51.100.4 port 40022 ssh2",
			o: opts("UTC"), time: "2025-12-31T23:59:58Z", user: "oracle", ip: "198.51.100.4", outcome: Failure, action: ActionLogon,
			fields: map[string]string{"unknown_user": "true"}},
		{line: "Jan  2 03:04:05 web1 sshd[811]: Accepted publickey for alice from 2001:db8::5 port 50000 ssh2: ED25519 SHA256:abcDEF",
			o: opts("UTC"), time: "2026-01-02T03:04:05Z", user: "alice", ip: "2001:db8::5", outcome: Success, action: ActionLogon,
			fields: map[string]string{"method": "publickey", "key": "ED25519 SHA256:abcDEF"}},
		{line: "Jan  2 03:04:05 web1 sshd[811]: Accepted password for bob from ::ffff:192.0.2.10 port 50000 ssh2",
			o: opts("UTC"), time: "2026-01-02T03:04:05Z", user: "bob", ip: "192.0.2.10", outcome: Success, action: ActionLogon},
		{line: "Jan  2 03:04:05 web1 sshd[811]: Invalid user admin from 203.0.113.9 port 4242",
			o: opts("UTC"), time: "2026-01-02T03:04:05Z", user: "admin", ip: "203.0.113.9", outcome: Failure, action: ActionInvalidUser},
		{line: "Jan  2 03:04:05 web1 sshd[811]: Invalid user admin from 203.0.113.9",
			o: opts("UTC"), time: "2026-01-02T03:04:05Z", user: "admin", ip: "203.0.113.9", outcome: Failure, action: ActionInvalidUser},
		{line: "<38>Jan  2 03:04:05 web1 sshd(pam_unix)[77]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=203.0.113.7  user=root",
			o: opts("UTC"), time: "2026-01-02T03:04:05Z", user: "root", ip: "203.0.113.7", outcome: Failure, action: "pam_auth",
			fields: map[string]string{"service": "sshd"}},
		{line: "Jan  2 03:04:05 web1 su[900]: pam_unix(su:session): session opened for user root(uid=0) by alice(uid=1000)",
			o: opts("UTC"), time: "2026-01-02T03:04:05Z", user: "root", outcome: Success, action: "pam_session",
			fields: map[string]string{"by": "alice", "service": "su"}},
		{line: "Jan  2 03:04:05 web1 sudo:    alice : 3 incorrect password attempts ; TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/usr/bin/id",
			o: opts("UTC"), time: "2026-01-02T03:04:05Z", user: "alice", outcome: Failure, action: ActionSudo,
			fields: map[string]string{"target_user": "root", "command": "/usr/bin/id", "reason": "3 incorrect password attempts"}},
		{line: "Jan  2 03:04:05 web1 sudo:    alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/bin/sh -c a ; b",
			o: opts("UTC"), time: "2026-01-02T03:04:05Z", user: "alice", outcome: Success, action: ActionSudo,
			fields: map[string]string{"target_user": "root", "command": "/bin/sh -c a ; b"}},
		{line: "Jan  2 03:04:05 web1 su[900]: FAILED SU (to root) alice on pts/1",
			o: opts("UTC"), time: "2026-01-02T03:04:05Z", user: "alice", outcome: Failure, action: ActionSu,
			fields: map[string]string{"target_user": "root"}},
		{line: "Jan  2 03:04:05 web1 su[900]: (to root) alice on pts/1",
			o: opts("UTC"), time: "2026-01-02T03:04:05Z", user: "alice", outcome: Success, action: ActionSu},
		{line: `Jan  2 03:04:05 ftp1 vsftpd[12]: [billing] FAIL LOGIN: Client "::ffff:198.51.100.20"`,
			o: opts("UTC"), time: "2026-01-02T03:04:05Z", user: "billing", ip: "198.51.100.20", outcome: Failure, action: ActionLogon},
		{line: `Fri Jan  2 03:04:05 2026 [pid 3] [billing] OK LOGIN: Client "198.51.100.20"`,
			o: ny, time: "2026-01-02T08:04:05Z", user: "billing", ip: "198.51.100.20", outcome: Success, action: ActionLogon},
		{line: `<86>1 2026-01-02T03:04:05.123-05:00 web1 sshd 811 - [meta x="a\]b" y="q"] Failed password for root from 203.0.113.7 port 1 ssh2`,
			o: opts("UTC"), time: "2026-01-02T08:04:05.123Z", user: "root", ip: "203.0.113.7", outcome: Failure, action: ActionLogon},
		{line: "2026-01-02T03:04:05.000001+01:00 web1 sshd[1]: Accepted password for carol from 192.0.2.1 port 1 ssh2",
			o: opts("UTC"), time: "2026-01-02T02:04:05.000001Z", user: "carol", ip: "192.0.2.1", outcome: Success, action: ActionLogon},
		{line: "Jan  2 03:04:05 web1 CRON[5]: (root) CMD (run-parts /etc/cron.hourly)",
			o: opts("UTC"), time: "2026-01-02T03:04:05Z", action: ActionOther},
	}
	for _, tc := range tests {
		t.Run(tc.line[:min(len(tc.line), 60)], func(t *testing.T) {
			e, ok := Parse([]byte(tc.line), tc.o)
			if !ok {
				t.Fatalf("not parsed")
			}
			if got := e.Time.Format(time.RFC3339Nano); got != tc.time {
				t.Errorf("time = %s, want %s", got, tc.time)
			}
			if e.User != tc.user || e.SrcIP != tc.ip || e.Outcome != tc.outcome || e.Action != tc.action {
				t.Errorf("got user=%q ip=%q outcome=%q action=%q, want %q %q %q %q",
					e.User, e.SrcIP, e.Outcome, e.Action, tc.user, tc.ip, tc.outcome, tc.action)
			}
			for k, v := range tc.fields {
				if e.Fields[k] != v {
					t.Errorf("field %s = %q, want %q", k, e.Fields[k], v)
				}
			}
		})
	}
}

// A user name is chosen by whoever connects; written so that it reads like
// the rest of an sshd or vsftpd line, it must not supply the source
// address or the verdict (the fail2ban log-injection class of bug).
func TestUserNameCannotForgeAddressOrVerdict(t *testing.T) {
	o := opts("UTC")
	e, ok := Parse([]byte("Jan  2 03:04:05 h sshd[1]: Failed password for invalid user x from 10.9.9.9 port 22 ssh2 from 203.0.113.66 port 5000 ssh2"), o)
	if !ok || e.SrcIP != "203.0.113.66" || e.User != "x from 10.9.9.9 port 22 ssh2" {
		t.Fatalf("sshd: ip=%q user=%q", e.SrcIP, e.User)
	}
	e, ok = Parse([]byte(`Jan  2 03:04:05 h vsftpd[1]: [x] OK LOGIN: Client "10.9.9.9] FAIL LOGIN: Client "203.0.113.66"`), o)
	if !ok || e.Outcome != Failure || e.SrcIP != "203.0.113.66" {
		t.Fatalf("vsftpd: outcome=%q ip=%q user=%q", e.Outcome, e.SrcIP, e.User)
	}
	e, ok = Parse([]byte(`Jan  2 03:04:05 h sshd[1]: Invalid user a from 10.9.9.9 port 1 from 203.0.113.66 port 2`), o)
	if !ok || e.SrcIP != "203.0.113.66" {
		t.Fatalf("invalid user: ip=%q", e.SrcIP)
	}
}

func TestRawAndFieldsAreMasked(t *testing.T) {
	e, ok := Parse([]byte("Jan  2 03:04:05 h sudo: alice : TTY=pts/0 ; PWD=/ ; USER=root ; COMMAND=/usr/bin/grep SSN 078-05-1120 claims.csv"), opts("UTC"))
	if !ok {
		t.Fatal("not parsed")
	}
	if strings.Contains(e.Raw, "078-05-1120") || strings.Contains(e.Fields["command"], "078-05-1120") {
		t.Fatalf("identifier kept: raw=%q command=%q", e.Raw, e.Fields["command"])
	}
	if !strings.Contains(e.Raw, "1120") {
		t.Fatalf("raw lost its shape: %q", e.Raw)
	}
}

func TestScanCountsEveryLine(t *testing.T) {
	var in bytes.Buffer
	in.WriteString("Jan  2 03:04:05 h sshd[1]: Failed password for root from 203.0.113.7 port 1 ssh2\r\n")
	in.WriteString("garbage that is not syslog\n")
	in.WriteString("\n")
	in.WriteString("\x00\x01\xff\xfe binary\n")
	in.WriteString(strings.Repeat("A", 1<<20) + "\n") // a 1 MB line
	in.WriteString("Jan  2 03:04:06 h sshd[1]: Failed password for root from 203.0.113.7 port 1 ssh2\x1b[2J\n")
	in.WriteString(`{"not":"winlogbeat"}` + "\n")
	in.WriteString(`{"@timestamp":"2026-01-02T03:04:05Z","winlog":{"event_id":"4625","event_data":{"TargetUserName":"a\nJan  2 03:04:05 h sshd[1]: Accepted password for root from 1.2.3.4 port 1 ssh2","IpAddress":"203.0.113.8","Status":"0xc000006d","SubStatus":"0xc000006a"}}}` + "\n")
	in.WriteString("Jan  2 03:04:07 h sshd[1]: no newline at end")
	var events []Event
	st, err := Scan(&in, opts("UTC"), func(e Event) { events = append(events, e) })
	if err != nil {
		t.Fatal(err)
	}
	want := Stats{Lines: 9, Events: 4, Unparsed: 4, TooLong: 1, Blank: 1, FirstUnparsed: 2}
	if st != want {
		t.Fatalf("stats = %+v, want %+v", st, want)
	}
	if len(events) != 4 {
		t.Fatalf("%d events", len(events))
	}
	w := events[2]
	if w.Source != "windows" || w.Outcome != Failure || w.Fields["status"] != "0xC000006A" || !strings.Contains(w.User, "\n") {
		t.Fatalf("windows event with injected newline: %+v", w)
	}
	for _, e := range events {
		if e.Outcome == Success {
			t.Fatalf("an injected line became a success event: %+v", e)
		}
	}
	if events[1].Line != 6 || events[3].Line != 9 {
		t.Fatalf("line numbers %d %d", events[1].Line, events[3].Line)
	}
}

func TestParseRejectsBadHeaders(t *testing.T) {
	for _, l := range []string{
		"<999>Jan  2 03:04:05 h sshd: x",
		"Foo  2 03:04:05 h sshd: x",
		"Jan 32 03:04:05 h sshd: x",
		"Jan  2 25:04:05 h sshd: x",
		"<13>1 - h app - - - msg",
		"<13>1 2026-01-02T03:04:05Z h app - - [unterminated msg",
		"Jan  2 03:04:05 hostonly",
		"",
	} {
		if e, ok := Parse([]byte(l), opts("UTC")); ok {
			t.Errorf("%q parsed: %+v", l, e)
		}
	}
}
