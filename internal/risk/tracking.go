package risk

import "strings"

// Status is where a risk stands in its treatment.
type Status string

const (
	Unchecked     Status = "unchecked"
	InDiscussion  Status = "in_discussion"
	Accepted      Status = "accepted"
	InProgress    Status = "in_progress"
	Mitigated     Status = "mitigated"
	FalsePositive Status = "false_positive"
)

// Statuses lists every status, in the order a person moves a risk
// through them. It is the one list: the model's tracking entries
// (model.TrackingStatus), the stored decisions and the forms all take
// exactly these.
var Statuses = []Status{Unchecked, InDiscussion, Accepted, InProgress, Mitigated, FalsePositive}

var statusTitles = map[Status]string{
	Unchecked: "Unchecked", InDiscussion: "In discussion", Accepted: "Accepted",
	InProgress: "Mitigation in progress", Mitigated: "Mitigated", FalsePositive: "False positive",
}

// Valid reports whether s is one of Statuses.
func (s Status) Valid() bool { _, ok := statusTitles[s]; return ok }

// Title is the status as people read it.
func (s Status) Title() string {
	if t, ok := statusTitles[s]; ok {
		return t
	}
	return string(s)
}

// NeedsJustification reports whether a decision to this status must say
// why: an acceptance and a closure are claims someone must stand behind.
func (s Status) NeedsJustification() bool {
	return s == Accepted || s == Mitigated || s == FalsePositive
}

// StillAtRisk reports whether the risk still counts as open exposure.
// An accepted risk still counts: acceptance is a decision, not a control.
func (s Status) StillAtRisk() bool {
	switch s {
	case Mitigated, FalsePositive:
		return false
	}
	return true
}

// ID builds a stable risk ID from a rule ID and the IDs of the elements the
// risk concerns: "EDI-02@f-claims-sftp". The same rule on the same elements
// always yields the same ID, so tracking decisions survive re-runs.
func ID(rule string, elements ...string) string {
	return rule + "@" + strings.Join(elements, "@")
}

// Match reports whether a tracking pattern matches a risk ID. A "*" part
// matches any one @-separated part; a trailing "*" part also matches any
// number of remaining parts ("PORTAL-*@*" matches "PORTAL-01@portal@billers").
// Within a part, a trailing "*" matches any suffix ("EDI-*").
func Match(pattern, id string) bool {
	pp := strings.Split(pattern, "@")
	ip := strings.Split(id, "@")
	for i, p := range pp {
		last := i == len(pp)-1
		if i >= len(ip) {
			return false
		}
		if p == "*" && last {
			return true
		}
		if !matchPart(p, ip[i]) {
			return false
		}
	}
	return len(pp) == len(ip)
}

func matchPart(p, s string) bool {
	if p == "*" {
		return true
	}
	if strings.HasSuffix(p, "*") {
		return strings.HasPrefix(s, strings.TrimSuffix(p, "*"))
	}
	return p == s
}
