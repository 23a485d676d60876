package monitor

import (
	"bytes"
	"time"
)

// Options say what a source declares about its lines.
type Options struct {
	// Zone is the source's declared time zone, applied to timestamps that
	// carry none (RFC 3164, vsftpd.log). Nil means UTC.
	Zone *time.Location
	// Received is when the lines were received (a file's modification
	// time in batch review). RFC 3164 stamps carry no year: it is taken
	// from here, stepping back a year for stamps that would otherwise lie
	// in the future (a December line read in January).
	Received time.Time
}

func (o *Options) zone() *time.Location {
	if o.Zone == nil {
		return time.UTC
	}
	return o.Zone
}

// syslogHeader is what the syslog header of a line says.
type syslogHeader struct {
	time    time.Time
	host    string
	program string
	msg     []byte
}

var months = [...]string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}

// parseSyslog reads an RFC 5424 or RFC 3164 header (with or without PRI,
// as lines read back from a file usually are). It accepts RFC 3339 stamps
// in the RFC 3164 position too, which rsyslog writes by default on current
// distributions.
func parseSyslog(line []byte, o *Options) (syslogHeader, bool) {
	var h syslogHeader
	rest := line
	hasPRI := false
	if len(rest) > 0 && rest[0] == '<' {
		end := bytes.IndexByte(rest, '>')
		if end < 2 || end > 4 || !allDigits(rest[1:end]) || atoi(rest[1:end]) > 191 {
			return h, false
		}
		rest = rest[end+1:]
		hasPRI = true
	}
	if hasPRI && len(rest) > 2 && rest[0] == '1' && rest[1] == ' ' {
		return parse5424(rest[2:], o)
	}
	return parse3164(rest, o)
}

// parse5424 reads TIMESTAMP HOSTNAME APP-NAME PROCID MSGID SD [MSG].
func parse5424(rest []byte, o *Options) (syslogHeader, bool) {
	var h syslogHeader
	var f [5][]byte
	for i := range f {
		sp := bytes.IndexByte(rest, ' ')
		if sp <= 0 {
			return h, false
		}
		f[i], rest = rest[:sp], rest[sp+1:]
	}
	if string(f[0]) == "-" {
		return h, false // no time: nothing a detection could place in a window
	}
	t, err := time.Parse(time.RFC3339Nano, string(f[0]))
	if err != nil || !plausible(t) {
		return h, false
	}
	h.time = t.UTC()
	h.host = nilDash(f[1])
	h.program = nilDash(f[2])
	// Structured data: "-" or one or more [id param="value"...] elements,
	// where \" \\ and \] escape inside values.
	switch {
	case len(rest) > 0 && rest[0] == '-':
		rest = rest[1:]
	case len(rest) > 0 && rest[0] == '[':
		n, ok := skipSD(rest)
		if !ok {
			return h, false
		}
		rest = rest[n:]
	default:
		return h, false
	}
	if len(rest) > 0 {
		if rest[0] != ' ' {
			return h, false
		}
		rest = rest[1:]
	}
	rest = bytes.TrimPrefix(rest, []byte("\xef\xbb\xbf"))
	h.msg = rest
	return h, true
}

func skipSD(b []byte) (int, bool) {
	i := 0
	for i < len(b) && b[i] == '[' {
		inQuote := false
		i++
		for {
			if i >= len(b) {
				return 0, false
			}
			c := b[i]
			switch {
			case inQuote && c == '\\':
				i++
			case c == '"':
				inQuote = !inQuote
			case !inQuote && c == ']':
				goto next
			}
			i++
		}
	next:
		i++
	}
	return i, true
}

// parse3164 reads TIMESTAMP HOSTNAME TAG: MSG.
func parse3164(rest []byte, o *Options) (syslogHeader, bool) {
	var h syslogHeader
	if len(rest) >= 16 && rest[3] == ' ' && rest[15] == ' ' {
		t, ok := stamp3164(rest[:15], o)
		if !ok {
			return h, false
		}
		h.time, rest = t, rest[16:]
	} else {
		sp := bytes.IndexByte(rest, ' ')
		if sp < 19 {
			return h, false
		}
		t, err := time.Parse(time.RFC3339Nano, string(rest[:sp]))
		if err != nil || !plausible(t) {
			return h, false
		}
		h.time, rest = t.UTC(), rest[sp+1:]
	}
	sp := bytes.IndexByte(rest, ' ')
	if sp <= 0 {
		return h, false
	}
	h.host, rest = string(rest[:sp]), rest[sp+1:]
	// The tag ends at the first ':' (a "program[pid]:" tag); a program
	// name holds no spaces, though some hold parentheses: sshd(pam_unix).
	colon := bytes.IndexByte(rest, ':')
	if colon <= 0 || colon > 64 || bytes.IndexByte(rest[:colon], ' ') >= 0 {
		return h, false
	}
	tag := rest[:colon]
	if br := bytes.IndexByte(tag, '['); br > 0 {
		tag = tag[:br]
	}
	h.program = string(tag)
	h.msg = bytes.TrimPrefix(rest[colon+1:], []byte(" "))
	return h, true
}

// stamp3164 reads "Mmm dd hh:mm:ss" (day space-padded) in the source's
// zone, in the year that puts it at or before the receive time.
func stamp3164(b []byte, o *Options) (time.Time, bool) {
	mon := 0
	for i, m := range months {
		if string(b[:3]) == m {
			mon = i + 1
			break
		}
	}
	if mon == 0 || b[6] != ' ' || b[9] != ':' || b[12] != ':' {
		return time.Time{}, false
	}
	dayB := bytes.TrimLeft(b[4:6], " ")
	if len(dayB) == 0 || !allDigits(dayB) || !allDigits(b[7:9]) || !allDigits(b[10:12]) || !allDigits(b[13:15]) {
		return time.Time{}, false
	}
	day, hh, mm, ss := atoi(dayB), atoi(b[7:9]), atoi(b[10:12]), atoi(b[13:15])
	if day < 1 || day > 31 || hh > 23 || mm > 59 || ss > 60 {
		return time.Time{}, false
	}
	recv := o.Received
	if recv.IsZero() {
		recv = time.Now() // only when a caller declared nothing; the CLI always passes one
	}
	zone := o.zone()
	year := recv.In(zone).Year()
	for try := 0; try < 2; try++ {
		t := time.Date(year, time.Month(mon), day, hh, mm, ss, 0, zone)
		// A date that does not exist this year (Feb 29) normalises into
		// the next month; it belongs to an earlier, leap year.
		if t.Month() == time.Month(mon) && !t.After(recv.Add(48*time.Hour)) {
			return t.UTC(), true
		}
		year--
	}
	return time.Time{}, false
}

func nilDash(b []byte) string {
	if len(b) == 1 && b[0] == '-' {
		return ""
	}
	return string(b)
}

func allDigits(b []byte) bool {
	if len(b) == 0 {
		return false
	}
	for _, c := range b {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// atoi reads a short run of digits already checked by allDigits.
func atoi(b []byte) int {
	n := 0
	for _, c := range b {
		n = n*10 + int(c-'0')
		if n > 1<<20 {
			return n
		}
	}
	return n
}

// plausible rejects stamps no log of ours can carry: a year-1 time is the
// zero time, which detections would read as "no time".
func plausible(t time.Time) bool {
	y := t.UTC().Year()
	return y >= 1970 && y < 10000
}
