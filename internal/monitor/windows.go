package monitor

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"
)

// winlogbeatEvent is the part of a Winlogbeat (7.x/8.x) document we read;
// see Elastic's "Winlogbeat fields" (winlog.*) and "Security module"
// pages. Older Winlogbeat wrote event_id as a number, newer as a string,
// and NXLog-style forwarders write event data values as numbers, so the
// variable parts are decoded loosely.
type winlogbeatEvent struct {
	Timestamp string `json:"@timestamp"`
	Event     struct {
		Code json.RawMessage `json:"code"`
	} `json:"event"`
	Host struct {
		Name string `json:"name"`
	} `json:"host"`
	Winlog *struct {
		Channel      string          `json:"channel"`
		ComputerName string          `json:"computer_name"`
		EventID      json.RawMessage `json:"event_id"`
		ProviderName string          `json:"provider_name"`
		EventData    map[string]any  `json:"event_data"`
		UserData     map[string]any  `json:"user_data"`
		Logon        struct {
			Failure struct {
				Status    string `json:"status"`
				SubStatus string `json:"sub_status"`
				Reason    string `json:"reason"`
			} `json:"failure"`
		} `json:"logon"`
	} `json:"winlog"`
}

var accountChange = map[int]string{
	4720: "created", 4722: "enabled", 4723: "password_change", 4724: "password_reset",
	4725: "disabled", 4726: "deleted", 4738: "changed",
}

// parseWinlogbeat reads one Winlogbeat JSON document. It reports false for
// JSON that is not a Windows event (no winlog object, no event id, no
// time): such a line is counted as unparsed, not guessed at.
func parseWinlogbeat(line []byte, e *Event) bool {
	var w winlogbeatEvent
	if err := json.Unmarshal(line, &w); err != nil || w.Winlog == nil {
		return false
	}
	id, ok := jsonInt(w.Winlog.EventID)
	if !ok {
		if id, ok = jsonInt(w.Event.Code); !ok {
			return false
		}
	}
	t, err := time.Parse(time.RFC3339Nano, w.Timestamp)
	if err != nil || !plausible(t) {
		return false
	}
	e.Time = t.UTC()
	e.Source = "windows"
	e.Host = w.Winlog.ComputerName
	if e.Host == "" {
		e.Host = w.Host.Name
	}
	e.Program = w.Winlog.ProviderName
	e.Action = ActionOther
	e.set("event_id", strconv.Itoa(id))
	d := func(k string) string { return anyString(w.Winlog.EventData[k]) }
	ip := func() {
		if v := d("IpAddress"); v != "" && v != "-" {
			setHost(e, v)
		}
	}
	switch id {
	case 4624:
		e.Action, e.Outcome, e.User = ActionLogon, Success, d("TargetUserName")
		ip()
		e.set("logon_type", d("LogonType"))
		e.set("workstation", d("WorkstationName"))
		e.set("domain", d("TargetDomainName"))
	case 4625:
		e.Action, e.Outcome, e.User = ActionLogon, Failure, d("TargetUserName")
		ip()
		status, sub := hexStatus(d("Status")), hexStatus(d("SubStatus"))
		e.set("sub_status", sub)
		// The status is the class (0xC000006D bad user name or password,
		// 0xC000006E account restriction); the sub-status, when given,
		// says which, and is what detections match.
		e.set("top_status", status)
		if sub != "" && sub != "0x0" {
			status = sub
		}
		e.set("status", status)
		if status == "0xC0000064" {
			e.set("unknown_user", "true")
		}
		e.set("logon_type", d("LogonType"))
		e.set("workstation", d("WorkstationName"))
		e.set("reason", w.Winlog.Logon.Failure.Reason)
	case 4634:
		e.Action, e.User = ActionLogoff, d("TargetUserName")
		e.set("logon_type", d("LogonType"))
	case 4740:
		e.Action, e.User = ActionLockout, d("TargetUserName")
		e.set("caller_computer", d("TargetDomainName"))
	case 4720, 4722, 4723, 4724, 4725, 4726, 4738:
		e.Action, e.Outcome, e.User = ActionAccountAdmin, Success, d("SubjectUserName")
		e.set("target_user", d("TargetUserName"))
		e.set("change", accountChange[id])
	case 4732:
		e.Action, e.Outcome, e.User = ActionGroupAdd, Success, d("SubjectUserName")
		e.set("group", d("TargetUserName"))
		e.set("member", firstNonEmpty(d("MemberName"), d("MemberSid")))
	case 4768, 4771, 4776:
		e.Action, e.User = ActionLogon, d("TargetUserName")
		ip()
		status := hexStatus(firstNonEmpty(d("Status"), d("FailureCode")))
		e.set("status", status)
		e.Outcome = Failure
		if status == "0x0" {
			e.Outcome = Success
		}
		e.set("workstation", d("Workstation"))
		e.set("kerberos", map[int]string{4768: "tgt", 4771: "preauth"}[id])
	case 1102:
		e.Action = ActionLogCleared
		e.User = anyString(w.Winlog.UserData["SubjectUserName"])
		if e.User == "" {
			e.User = d("SubjectUserName")
		}
	}
	if e.User == "-" {
		e.User = ""
	}
	return true
}

func jsonInt(raw json.RawMessage) (int, bool) {
	s := strings.Trim(string(raw), `"`)
	n, err := strconv.Atoi(s)
	return n, err == nil && n > 0
}

func anyString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(x)
	}
	return ""
}

// hexStatus writes an NTSTATUS or Kerberos code one way ("0xC0000064",
// "0x18", "0x0"), whatever case or padding the forwarder used.
func hexStatus(s string) string {
	s = strings.TrimSpace(s)
	if s == "" || s == "-" {
		return ""
	}
	h, ok := strings.CutPrefix(strings.ToLower(s), "0x")
	if !ok {
		return s
	}
	n, err := strconv.ParseUint(h, 16, 32)
	if err != nil {
		return s
	}
	return "0x" + strings.ToUpper(strconv.FormatUint(n, 16))
}

func firstNonEmpty(a ...string) string {
	for _, s := range a {
		if s != "" && s != "-" {
			return s
		}
	}
	return ""
}
