package cli

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeLog(t *testing.T, name, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// bruteForce is 8 sshd failures from one address in 70 s, New York time,
// written on 31 December and read on 2 January: the year is the one
// before the receive date, the zone the declared one.
func bruteForce() string {
	var b strings.Builder
	for i := 0; i < 8; i++ {
		b.WriteString("Dec 31 23:58:" + []string{"00", "10", "20", "30", "40", "50"}[i%6] + " web1 sshd[9]: Failed password for root from 203.0.113.7 port 4000 ssh2\n")
	}
	return b.String()
}

func TestMonitorJSONLOneAlertPerLine(t *testing.T) {
	p := writeLog(t, "auth.log", bruteForce()+"not a syslog line\n\x1b]0;pwned\x07\n")
	status, out, errs := runCLI("monitor", p, "--format", "jsonl", "--source-zone", "America/New_York", "--year-from", "2026-01-02")
	if status != exitOK {
		t.Fatalf("status %d: %s", status, errs)
	}
	var d01 int
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var a map[string]any
		if err := json.Unmarshal([]byte(line), &a); err != nil {
			t.Fatalf("line %q: %v", line, err)
		}
		for _, k := range []string{"detection", "severity", "citation", "user", "source_ip", "first", "last", "count"} {
			if _, ok := a[k]; !ok {
				t.Errorf("alert lacks %s: %s", k, line)
			}
		}
		if a["detection"] == "D01" {
			d01++
			if a["first"] != "2026-01-01T04:58:00Z" || a["source_ip"] != "203.0.113.7" || a["count"] != 8.0 || a["severity"] != "high" {
				t.Errorf("D01 alert %s", line)
			}
		}
	}
	if d01 != 1 {
		t.Fatalf("%d D01 alerts in %s", d01, out)
	}
	if !strings.Contains(errs, "10 lines, 8 events, 2 unparsed, first unparsed at line 9") {
		t.Fatalf("stderr lacks the unparsed count: %q", errs)
	}
}

func TestMonitorTextEscapesAndFailOn(t *testing.T) {
	// A user name carrying an escape sequence and a bidi override must
	// reach the terminal escaped.
	body := strings.ReplaceAll(bruteForce(), "for root", "for r\x1b[2J\u202eoot")
	p := writeLog(t, "auth.log", body)
	status, out, errs := runCLI("monitor", p, "--year-from", "2026-01-02", "--fail-on", "high")
	if status != exitFailOn {
		t.Fatalf("status %d, want %d: %s", status, exitFailOn, errs)
	}
	if strings.ContainsAny(out, "\x1b\u202e") || !strings.Contains(out, `r\x1b[2J\u202eoot`) {
		t.Fatalf("unescaped or missing user in %q", out)
	}
	if !strings.Contains(out, "D01 high") || !strings.Contains(out, "164.308(a)(5)(ii)(C), 164.312(b)") || !strings.Contains(out, "auth.log:8: ") {
		t.Fatalf("text output: %s", out)
	}
	if status, _, _ := runCLI("monitor", p, "--year-from", "2026-01-02", "--fail-on", "critical"); status != exitOK {
		t.Fatalf("--fail-on critical: status %d", status)
	}
}

func TestMonitorMergesFilesInTimeOrder(t *testing.T) {
	// Four failures in each of two files, interleaved in time: only the
	// merged stream holds eight within 120 s.
	var a, b strings.Builder
	for i := 0; i < 8; i++ {
		line := "2026-03-02T09:00:" + fmt.Sprintf("%02d", 5*i) + "Z web1 sshd[9]: Failed password for root from 203.0.113.7 port 4000 ssh2\n"
		if i%2 == 0 {
			a.WriteString(line)
		} else {
			b.WriteString(line)
		}
	}
	status, out, errs := runCLI("monitor", writeLog(t, "a.log", a.String()), writeLog(t, "b.log", b.String()), "--format", "json")
	if status != exitOK {
		t.Fatalf("status %d: %s", status, errs)
	}
	var rep struct {
		Files []struct {
			Events int `json:"events"`
		} `json:"files"`
		Alerts []struct {
			Detection string `json:"detection"`
			Count     int    `json:"count"`
		} `json:"alerts"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, al := range rep.Alerts {
		found = found || al.Detection == "D01" && al.Count == 8
	}
	if !found || len(rep.Files) != 2 || rep.Files[0].Events != 4 {
		t.Fatalf("report %+v", rep)
	}
}

func TestMonitorBadInput(t *testing.T) {
	p := writeLog(t, "auth.log", bruteForce())
	rules := t.TempDir()
	os.WriteFile(filepath.Join(rules, "x.yaml"), []byte("name: x\ndetection: {sel: {user|bogus: a}, condition: sel}\n"), 0o600)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{}, "no file given"},
		{[]string{"/nonexistent/auth.log"}, "no such file"},
		{[]string{p, "--source-zone", "Mars/Olympus"}, "not an IANA time zone"},
		{[]string{p, "--year-from", "02/01/2026"}, "YYYY-MM-DD"},
		{[]string{p, "--format", "xml"}, "--format must be"},
		{[]string{p, "--fail-on", "urgent"}, "--fail-on"},
		{[]string{p, "--rules", rules}, `unknown modifier "bogus"`},
		{[]string{t.TempDir()}, "is a directory"},
	} {
		status, out, errs := runCLI(append([]string{"monitor"}, tc.args...)...)
		if status != exitInvalid || out != "" || !strings.Contains(errs, tc.want) {
			t.Errorf("%v: status %d, stdout %q, stderr %q; want %q", tc.args, status, out, errs, tc.want)
		}
	}
}

// A rule in --rules with a built-in's name replaces it: here D01 tuned
// down to 4 failures.
func TestMonitorRulesTuneABuiltin(t *testing.T) {
	rules := t.TempDir()
	os.WriteFile(filepath.Join(rules, "tuned.yaml"), []byte(`name: d01_brute_force_source
id: D01
title: Brute force from one source (tuned)
level: high
citation: 164.308(a)(5)(ii)(C), 164.312(b)
correlation: {type: event_count, rules: [auth_failure], group-by: [source_ip], timespan: 120s, condition: {gte: 4}}
`), 0o600)
	p := writeLog(t, "auth.log", bruteForce())
	_, out, errs := runCLI("monitor", p, "--year-from", "2026-01-02", "--rules", rules, "--format", "jsonl")
	if n := strings.Count(out, `"detection":"D01"`); n != 2 {
		t.Fatalf("%d D01 alerts with threshold 4 over 8 failures: %s %s", n, out, errs)
	}
}
