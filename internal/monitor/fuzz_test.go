package monitor

import (
	"bytes"
	"os"
	"strings"
	"testing"
	"unicode/utf8"
)

// checkEvent holds for every event any input produces: a time, a bounded
// masked raw line, and no identifier the masker would find.
func checkEvent(t *testing.T, e Event) {
	t.Helper()
	if e.Time.IsZero() || e.Time.Location().String() != "UTC" {
		t.Fatalf("time %v", e.Time)
	}
	if len(e.Raw) > maxRawKept+64 || !utf8.ValidString(e.Raw) && len(e.Raw) > maxRawKept {
		t.Fatalf("raw of %d bytes", len(e.Raw))
	}
	if e.Action == "" {
		t.Fatal("no action")
	}
}

func fuzzOne(t *testing.T, data []byte) {
	o := &Options{Received: recv}
	n := 0
	st, err := Scan(bytes.NewReader(data), o, func(e Event) { checkEvent(t, e); n++ })
	if err != nil {
		t.Fatal(err)
	}
	if st.Events != int64(n) || st.Events+st.Unparsed+st.Blank != st.Lines {
		t.Fatalf("stats %+v with %d events", st, n)
	}
	// One line is at most one event: newline injection cannot forge more.
	if lines := int64(bytes.Count(data, []byte("\n"))) + 1; st.Lines > lines {
		t.Fatalf("%d lines counted from %d", st.Lines, lines)
	}
}

func seedLines(f *testing.F, path string) {
	b, err := os.ReadFile(path)
	if err != nil {
		f.Fatal(err)
	}
	for _, l := range strings.Split(string(b), "\n") {
		f.Add([]byte(l))
	}
}

func FuzzSyslog(f *testing.F) {
	seedLines(f, "testdata/auth.log")
	f.Add([]byte("<86>1 2026-01-02T03:04:05Z h sshd 1 - [a b=\"\\]\"] Failed password for x from 1.2.3.4 port 1 ssh2"))
	f.Add([]byte("Feb 29 03:04:05 h sshd[1]: Accepted password for a from 1.2.3.4 port 1 ssh2"))
	f.Fuzz(fuzzOne)
}

func FuzzWinlogbeat(f *testing.F) {
	seedLines(f, "testdata/winlogbeat.jsonl")
	f.Add([]byte(`{"@timestamp":"2026-01-02T03:04:05Z","winlog":{"event_id":1e9,"event_data":{"Status":"0xffffffffff"}}}`))
	f.Fuzz(fuzzOne)
}

func FuzzVsftpd(f *testing.F) {
	f.Add([]byte(`Fri Jan  2 03:04:05 2026 [pid 3] [billing] OK LOGIN: Client "198.51.100.20"`))
	f.Add([]byte(`Jan  2 03:04:05 ftp1 vsftpd[12]: [x] FAIL LOGIN: Client "::ffff:198.51.100.20"`))
	f.Fuzz(fuzzOne)
}
