package monitor

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"time"

	"rcmguard/internal/phiscan"
)

// MaxLine is the longest line parsed. A longer one is counted as unparsed
// and skipped to its end without being held in memory.
const MaxLine = 64 << 10

// Stats counts what happened to every line of one input. Every line read
// is exactly one of Events, Unparsed or Blank.
type Stats struct {
	Lines    int64 `json:"lines"`
	Events   int64 `json:"events"`
	Unparsed int64 `json:"unparsed"`
	TooLong  int64 `json:"too_long"` // part of Unparsed
	Blank    int64 `json:"blank"`
	// FirstUnparsed is the line number of the first unparsed line, 0 if
	// none, so an operator can look at it.
	FirstUnparsed int64 `json:"first_unparsed,omitempty"`
}

// Parse reads one line. JSON lines are taken as Winlogbeat Windows events
// or Microsoft Entra sign-ins (Graph signIn objects), anything else as syslog (RFC 5424, RFC 3164) or vsftpd.log. It reports
// false for a line it cannot read; the caller counts it.
func Parse(line []byte, o *Options) (Event, bool) {
	var e Event
	trimmed := bytes.TrimSpace(line)
	if len(trimmed) > 0 && trimmed[0] == '{' {
		if !parseWinlogbeat(trimmed, &e) && !parseEntra(trimmed, &e) {
			return Event{}, false
		}
	} else if !parseText(line, o, &e) {
		return Event{}, false
	}
	e.Raw = keepRaw(line)
	e.User = phiscan.MaskText(e.User)
	for k, v := range e.Fields {
		e.Fields[k] = phiscan.MaskText(v)
	}
	return e, true
}

func parseText(line []byte, o *Options, e *Event) bool {
	line = bytes.TrimRight(line, "\r")
	if e2, ok := parseVsftpdLog(line, o); ok {
		*e = e2
		return true
	}
	h, ok := parseSyslog(line, o)
	if !ok {
		return false
	}
	e.Time, e.Source, e.Host, e.Program = h.time, "syslog", h.host, h.program
	recognise(e, h.msg)
	return true
}

// parseVsftpdLog reads vsftpd's own log (xferlog_std_format=NO):
// "Mon Jan  2 03:04:05 2024 [pid 1234] [alice] OK LOGIN: Client "…"",
// which carries a year but no zone.
func parseVsftpdLog(line []byte, o *Options) (Event, bool) {
	const layout = "Mon Jan _2 15:04:05 2006"
	if len(line) < len(layout)+7 || line[3] != ' ' || line[len(layout)] != ' ' ||
		!bytes.HasPrefix(line[len(layout)+1:], []byte("[pid ")) {
		return Event{}, false
	}
	t, err := time.ParseInLocation(layout, string(line[:len(layout)]), o.zone())
	if err != nil || !plausible(t) {
		return Event{}, false
	}
	e := Event{Time: t.UTC(), Source: "vsftpd", Program: "vsftpd"}
	e.Action = ActionOther
	vsftpdMsg(&e, line[len(layout)+1:])
	return e, true
}

// Scan reads r line by line, calls fn for each event and returns the
// counts. Lines end at \n; a \r before it is dropped. Nothing a line holds
// can end it early or start another, so an injected newline inside a
// JSON string or a user name stays inside its one event.
func Scan(r io.Reader, o *Options, fn func(Event)) (Stats, error) {
	var st Stats
	br := bufio.NewReaderSize(r, MaxLine)
	for {
		line, err := br.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			st.Lines++
			st.Unparsed++
			st.TooLong++
			if st.FirstUnparsed == 0 {
				st.FirstUnparsed = st.Lines
			}
			for errors.Is(err, bufio.ErrBufferFull) {
				_, err = br.ReadSlice('\n')
			}
			if err == io.EOF {
				return st, nil
			}
			if err != nil {
				return st, fmt.Errorf("monitor: read: %w", err)
			}
			continue
		}
		if len(line) > 0 {
			st.Lines++
			body := bytes.TrimSuffix(line, []byte("\n"))
			if len(bytes.TrimSpace(body)) == 0 {
				st.Blank++
			} else if ev, ok := Parse(body, o); ok {
				ev.Line = st.Lines
				st.Events++
				fn(ev)
			} else {
				st.Unparsed++
				if st.FirstUnparsed == 0 {
					st.FirstUnparsed = st.Lines
				}
			}
		}
		if err == io.EOF {
			return st, nil
		}
		if err != nil {
			return st, fmt.Errorf("monitor: read: %w", err)
		}
	}
}
