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
