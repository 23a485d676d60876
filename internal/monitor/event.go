// Package monitor turns log lines into normalised authentication and audit
// events and runs detections over them. Parsers never fail a whole input on
// one bad line: each line is either an event or counted as unparsed, and
// what a line carried is kept only masked. Detections are data (rules.go):
// Sigma-like selections plus windowed correlations evaluated on event
// timestamps, never the wall clock.
package monitor

import (
	"time"
	"unicode/utf8"

	"rcmguard/internal/phiscan"
)

// Outcome is whether an authentication or action succeeded.
type Outcome string

// Outcomes. An event that is neither (a logoff, a log clear) has none.
const (
	Success Outcome = "success"
	Failure Outcome = "failure"
)

// Actions the parsers assign. Rules match on these, so they are stable
// names, not display text.
const (
	ActionLogon        = "logon"         // an authentication attempt (sshd, PAM, vsftpd, 4624/4625, 4776, 4771, 4768)
	ActionLogoff       = "logoff"        // 4634, sshd/PAM session closed
	ActionInvalidUser  = "invalid_user"  // sshd "Invalid user", 4625 0xC0000064
	ActionLockout      = "lockout"       // 4740, 4625 0xC0000234
	ActionLogCleared   = "log_cleared"   // Windows 1102
	ActionSudo         = "sudo"          // sudo command or its failure
	ActionSu           = "su"            // su session or its failure
	ActionAccountAdmin = "account_admin" // 4720–4726: account created, enabled, changed, reset, disabled, deleted
	ActionGroupAdd     = "group_add"     // 4732: member added to a security-enabled local group
	ActionOther        = "other"         // a parsed line that is not about authentication
)

// Event is one normalised log record.
type Event struct {
	Time    time.Time         `json:"time"` // UTC
	Source  string            `json:"source"`
	Host    string            `json:"host,omitempty"`
	Program string            `json:"program,omitempty"`
	User    string            `json:"user,omitempty"`
	SrcIP   string            `json:"source_ip,omitempty"`
	Outcome Outcome           `json:"outcome,omitempty"`
	Action  string            `json:"action"`
	Fields  map[string]string `json:"fields,omitempty"`
	Raw     string            `json:"raw"`            // masked, at most maxRawKept bytes
	File    string            `json:"file,omitempty"` // set by the caller that knows it, masked
	Line    int64             `json:"line"`
}

// maxRawKept bounds the raw text an event carries into window state and
// alerts; evidence needs the shape of the line, not a megabyte of it.
const maxRawKept = 2048

// keepRaw returns the line as it may be kept: cut to maxRawKept on a rune
// boundary and with every identifier masked.
func keepRaw(line []byte) string {
	if len(line) > maxRawKept {
		cut := maxRawKept
		for cut > maxRawKept-utf8.UTFMax && !utf8.RuneStart(line[cut]) {
			cut--
		}
		line = line[:cut]
	}
	return phiscan.MaskText(string(line))
}

// Field returns the value a rule sees for name: the normalised fields by
// their JSON names, then the detail fields.
func (e *Event) Field(name string) (string, bool) {
	switch name {
	case "source":
		return e.Source, true
	case "host":
		return e.Host, e.Host != ""
	case "program":
		return e.Program, e.Program != ""
	case "user":
		return e.User, e.User != ""
	case "source_ip":
		return e.SrcIP, e.SrcIP != ""
	case "outcome":
		return string(e.Outcome), e.Outcome != ""
	case "action":
		return e.Action, true
	}
	v, ok := e.Fields[name]
	return v, ok
}

func (e *Event) set(k, v string) {
	if v == "" {
		return
	}
	if e.Fields == nil {
		e.Fields = make(map[string]string, 4)
	}
	e.Fields[k] = v
}
