package monitor

import (
	"bufio"
	"fmt"
	"io"
	"math/rand/v2"
	"sort"
	"strconv"
	"time"
)

// Scenario is a labelled piece of log: lines and how many alerts of one
// detection they must raise. Near misses (Want 0) sit just below a
// threshold or just outside a window.
type Scenario struct {
	Name      string
	Detection string
	Want      int
	Lines     []string
}

func sysTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05Z07:00") }

func sshFail(t time.Time, user, ip string) string {
	return fmt.Sprintf("%s web1 sshd[811]: Failed password for %s from %s port 52211 ssh2", sysTime(t), user, ip)
}

func sshOK(t time.Time, user, ip string) string {
	return fmt.Sprintf("%s web1 sshd[811]: Accepted password for %s from %s port 52212 ssh2", sysTime(t), user, ip)
}

func sshInvalid(t time.Time, user, ip string) string {
	return fmt.Sprintf("%s web1 sshd[811]: Invalid user %s from %s port 40000", sysTime(t), user, ip)
}

func entraLine(t time.Time, user, ip string, code int) string {
	return fmt.Sprintf(`{"createdDateTime":%q,"userPrincipalName":%q,"appDisplayName":"Office 365 Exchange Online","ipAddress":%q,"status":{"errorCode":%d}}`,
		t.UTC().Format(time.RFC3339), user, ip, code)
}

func winEvent(t time.Time, id int, data string) string {
	return fmt.Sprintf(`{"@timestamp":%q,"winlog":{"computer_name":"DC01","event_id":"%d","event_data":{%s}}}`,
		t.UTC().Format(time.RFC3339Nano), id, data)
}

// burst writes n lines from f, step apart from start.
func burst(start time.Time, n int, step time.Duration, f func(i int, t time.Time) string) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = f(i, start.Add(time.Duration(i)*step))
	}
	return out
}

func cat(parts ...[]string) []string {
	var out []string
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

// Scenarios returns the labelled positives and near misses of every
// shipped detection, starting at t0.
func Scenarios(t0 time.Time) []Scenario {
	user := func(i int) string { return "user" + strconv.Itoa(i) }
	ip := func(i int) string { return "198.51.100." + strconv.Itoa(10+i) }
	const a = "203.0.113.7"
	fails := func(n int, step time.Duration, u func(int) string) []string {
		return burst(t0, n, step, func(i int, t time.Time) string { return sshFail(t, u(i), a) })
	}
	root := func(int) string { return "root" }
	return []Scenario{
		{"8 failures from one address in 105 s", "D01", 1, fails(8, 15*time.Second, root)},
		{"7 failures from one address (threshold 8)", "D01", 0, fails(7, 15*time.Second, root)},
		{"8 failures spread over 140 s (window 120 s)", "D01", 0, fails(8, 20*time.Second, root)},
		{"16 failures in 75 s: the second 8 fall in the 60 s suppression", "D01", 1, fails(16, 5*time.Second, root)},
		{"8 failures, then 8 more after the 60 s suppression", "D01", 2, cat(fails(8, 5*time.Second, root),
			burst(t0.Add(100*time.Second), 8, 5*time.Second, func(i int, t time.Time) string { return sshFail(t, "root", a) }))},
		{"8 Windows 4625 from one address", "D01", 1, burst(t0, 8, 10*time.Second, func(i int, t time.Time) string {
			return winEvent(t, 4625, `"TargetUserName":"bob","IpAddress":"203.0.113.8","Status":"0xC000006D","SubStatus":"0xC000006A"`)
		})},
		{"8 failures from 8 addresses", "D01", 0, burst(t0, 8, 5*time.Second, func(i int, t time.Time) string { return sshFail(t, "root", ip(i)) })},

		{"30 failures from one address in 26.6 min", "D02", 1, fails(30, 55*time.Second, root)},
		{"29 failures (threshold 30)", "D02", 0, fails(29, 55*time.Second, root)},
		{"30 failures over 31.4 min (window 30 min)", "D02", 0, fails(30, 65*time.Second, root)},

		{"5 failures for one account from 5 addresses in 8 min", "D03", 1, burst(t0, 5, 2*time.Minute, func(i int, t time.Time) string { return sshFail(t, "alice", ip(i)) })},
		{"4 failures for one account (threshold 5)", "D03", 0, burst(t0, 4, 2*time.Minute, func(i int, t time.Time) string { return sshFail(t, "alice", ip(i)) })},
		{"5 failures for one account over 12 min (window 10 min)", "D03", 0, burst(t0, 5, 3*time.Minute, func(i int, t time.Time) string { return sshFail(t, "alice", ip(i)) })},
		{"account locked out (4740)", "D03", 1, []string{winEvent(t0, 4740, `"TargetUserName":"bob","TargetDomainName":"WS-9"`)}},
		{"Entra sign-in refused, account locked (50053)", "D03", 1, []string{entraLine(t0, "bob@contoso.example", "203.0.113.44", 50053)}},
		{"logon refused on a locked account (4625 0xC0000234)", "D03", 1, []string{winEvent(t0, 4625, `"TargetUserName":"bob","IpAddress":"10.0.0.5","Status":"0xC0000234"`)}},

		{"one address fails for 5 users in 4 min", "D04", 1, fails(5, time.Minute, user)},
		{"Entra: one address fails for 5 mailboxes in 4 min", "D04", 1, burst(t0, 5, time.Minute, func(i int, t time.Time) string {
			return entraLine(t, user(i)+"@contoso.example", "203.0.113.44", 50126)
		})},
		{"one address fails 8 times for 4 users", "D04", 0, fails(8, time.Minute, func(i int) string { return user(i % 4) })},
		{"one address fails for 10 users over 18 h", "D04", 1, fails(10, 2*time.Hour, user)},
		{"one address fails for 10 users over 27 h (window 24 h)", "D04", 0, fails(10, 3*time.Hour, user)},

		{"5 failures then success, same address and user", "D06", 1, cat(fails(5, 30*time.Second, root), []string{sshOK(t0.Add(5*time.Minute), "root", a)})},
		{"4 failures then success (threshold 5)", "D06", 0, cat(fails(4, 30*time.Second, root), []string{sshOK(t0.Add(5*time.Minute), "root", a)})},
		{"5 failures then success 11 min after the fifth", "D06", 0, cat(fails(5, 30*time.Second, root), []string{sshOK(t0.Add(2*time.Minute+11*time.Minute), "root", a)})},
		{"5 failures then success from another address", "D06", 0, cat(fails(5, 30*time.Second, root), []string{sshOK(t0.Add(5*time.Minute), "root", ip(1))})},

		{"8 invalid users from one address in 70 s", "D07", 1, burst(t0, 8, 10*time.Second, func(i int, t time.Time) string { return sshInvalid(t, user(i), a) })},
		{"7 invalid users (threshold 8)", "D07", 0, burst(t0, 7, 10*time.Second, func(i int, t time.Time) string { return sshInvalid(t, user(i), a) })},
		{"8 Windows 4625 0xC0000064 from one address", "D07", 1, burst(t0, 8, 10*time.Second, func(i int, t time.Time) string {
			return winEvent(t, 4625, `"TargetUserName":"nosuch`+strconv.Itoa(i)+`","IpAddress":"203.0.113.9","Status":"0xC000006D","SubStatus":"0xC0000064"`)
		})},

		{"8 Entra sign-ins for users that do not exist (50034) from one address", "D07", 1, burst(t0, 8, 10*time.Second, func(i int, t time.Time) string {
			return entraLine(t, user(i)+"@contoso.example", "203.0.113.45", 50034)
		})},

		{"disabled account tries to log on (4625 0xC0000072)", "D12", 1, []string{winEvent(t0, 4625, `"TargetUserName":"gone","IpAddress":"10.0.0.5","Status":"0xC000006E","SubStatus":"0xC0000072"`)}},
		{"TGT refused, credentials revoked (4768 0x12)", "D12", 1, []string{winEvent(t0, 4768, `"TargetUserName":"gone","IpAddress":"::ffff:10.0.0.5","Status":"0x12"`)}},
		{"Entra sign-in by a disabled account (50057)", "D12", 1, []string{entraLine(t0, "gone@contoso.example", "198.51.100.3", 50057)}},
		{"bad password on an enabled account", "D12", 0, []string{winEvent(t0, 4625, `"TargetUserName":"here","IpAddress":"10.0.0.5","Status":"0xC000006D","SubStatus":"0xC000006A"`)}},

		{"success as frontdesk", "D14", 1, []string{sshOK(t0, "frontdesk", ip(1))}},
		{"failure as frontdesk", "D14", 0, []string{sshFail(t0, "frontdesk", ip(1))}},
		{"one account from 3 addresses in 40 min", "D14", 1, burst(t0, 3, 20*time.Minute, func(i int, t time.Time) string { return sshOK(t, "carol", ip(i)) })},
		{"one account from 2 addresses", "D14", 0, burst(t0, 4, 20*time.Minute, func(i int, t time.Time) string { return sshOK(t, "carol", ip(i%2)) })},
		{"one account from 3 addresses over 90 min (window 1 h)", "D14", 0, burst(t0, 3, 45*time.Minute, func(i int, t time.Time) string { return sshOK(t, "carol", ip(i)) })},

		{"security log cleared (1102)", "D16", 1, []string{`{"@timestamp":"` + t0.Format(time.RFC3339) + `","winlog":{"computer_name":"DC01","event_id":"1102","user_data":{"SubjectUserName":"admin1"}}}`}},
		{"logoff (4634)", "D16", 0, []string{winEvent(t0, 4634, `"TargetUserName":"alice"`)}},
	}
}

// GenerateAuthLog writes n lines of an RFC 3164 auth.log (the classic
// file format fail2ban reads) starting at start in UTC: ordinary
// successful logins, cron sessions and sudo from a pool of users, and
// brute-force bursts from attackers; it returns the attacking addresses
// (each made to fail at least 10 times within two minutes) in order.
func GenerateAuthLog(w io.Writer, seed uint64, n int, start time.Time) ([]string, error) {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	bw := bufio.NewWriter(w)
	t := start
	attackers := map[string]bool{}
	stamp := func() string { return t.UTC().Format("Jan _2 15:04:05") }
	var attack struct {
		ip   string
		left int
	}
	for i := 0; i < n; i++ {
		t = t.Add(time.Duration(rng.IntN(1500)) * time.Millisecond)
		var line string
		switch {
		case attack.left > 0:
			attack.left--
			if rng.IntN(3) == 0 {
				line = fmt.Sprintf("%s bill1 sshd[%d]: Invalid user %s from %s port %d", stamp(), 1000+i%5000, "u"+strconv.Itoa(rng.IntN(500)), attack.ip, 1024+rng.IntN(60000))
			} else {
				line = fmt.Sprintf("%s bill1 sshd[%d]: Failed password for root from %s port %d ssh2", stamp(), 1000+i%5000, attack.ip, 1024+rng.IntN(60000))
			}
		case rng.IntN(400) == 0:
			attack.ip = fmt.Sprintf("203.0.%d.%d", rng.IntN(256), 1+rng.IntN(254))
			attack.left = 20 + rng.IntN(40)
			attackers[attack.ip] = true
			line = fmt.Sprintf("%s bill1 sshd[%d]: Failed password for root from %s port %d ssh2", stamp(), 1000+i%5000, attack.ip, 1024+rng.IntN(60000))
		default:
			// Each of 80 staff works from their own workstation address
			// and mistypes a password now and then.
			k := rng.IntN(80)
			u := "staff" + strconv.Itoa(k)
			src := fmt.Sprintf("10.20.%d.%d", k/32, 10+k%32)
			switch rng.IntN(10) {
			case 0:
				if rng.IntN(20) != 0 {
					line = fmt.Sprintf("%s bill1 sshd[%d]: Accepted password for %s from %s port %d ssh2", stamp(), 1000+i%5000, u, src, 1024+rng.IntN(60000))
					break
				}
				line = fmt.Sprintf("%s bill1 sshd[%d]: Failed password for %s from %s port %d ssh2", stamp(), 1000+i%5000, u, src, 1024+rng.IntN(60000))
			case 1, 2, 3:
				line = fmt.Sprintf("%s bill1 sshd[%d]: Accepted publickey for %s from %s port %d ssh2: ED25519 SHA256:k%d", stamp(), 1000+i%5000, u, src, 1024+rng.IntN(60000), rng.IntN(80))
			case 4, 5:
				line = fmt.Sprintf("%s bill1 CRON[%d]: pam_unix(cron:session): session opened for user root(uid=0) by root(uid=0)", stamp(), 1000+i%5000)
			case 6:
				line = fmt.Sprintf("%s bill1 sudo:   %s : TTY=pts/%d ; PWD=/home/%s ; USER=root ; COMMAND=/usr/bin/systemctl restart billing", stamp(), u, rng.IntN(9), u)
			default:
				line = fmt.Sprintf("%s bill1 sshd[%d]: pam_unix(sshd:session): session closed for user %s", stamp(), 1000+i%5000, u)
			}
		}
		if _, err := bw.WriteString(line + "\n"); err != nil {
			return nil, err
		}
	}
	out := make([]string, 0, len(attackers))
	for ip := range attackers {
		out = append(out, ip)
	}
	sort.Strings(out)
	return out, bw.Flush()
}
