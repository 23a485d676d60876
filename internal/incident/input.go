package incident

import (
	"fmt"
	"sort"
	"strings"
)

// Role is who reports: a covered entity notifies individuals, the media and
// HHS (164.404–164.408); a business associate notifies each covered entity
// (164.410).
type Role string

// The reporting roles.
const (
	RoleCoveredEntity     Role = "covered_entity"
	RoleBusinessAssociate Role = "business_associate"
)

// Exception is one of the three exclusions from the definition of breach in
// 45 CFR 164.402(1), or none.
type Exception string

// The exclusions of 164.402(1)(i)–(iii).
const (
	ExceptionNone                  Exception = "none"
	ExceptionWorkforceGoodFaith    Exception = "workforce_good_faith"   // 164.402(1)(i)
	ExceptionInadvertentAuthorized Exception = "inadvertent_authorized" // 164.402(1)(ii)
	ExceptionCannotRetain          Exception = "cannot_retain"          // 164.402(1)(iii)
)

// Delay is a law-enforcement official's statement that notice would impede
// a criminal investigation or damage national security (164.412).
type Delay struct {
	Statement Date // the day the statement was made
	Written   bool // 164.412(a) when true, (b) when oral
	Until     Date // the end of the period stated; required when written
}

// Client is a covered entity for which a business associate handled the
// PHI, with the notice term of its business associate agreement.
type Client struct {
	ID string
	// BAANoticeDays and BAANoticeHours are the BAA's term, at most one set;
	// zero means the BAA sets none and 164.410(b)'s 60 days apply.
	BAANoticeDays, BAANoticeHours int
	// Agent is true when the business associate acts as the covered
	// entity's agent, so its discovery is the covered entity's
	// (164.404(a)(2)) and the client's own clocks start with it.
	Agent               bool
	Affected            map[string]int // State code → individuals
	InsufficientContact int
}

// Input is one incident as the clocks see it.
type Input struct {
	Role       Role
	Discovered Date
	// DiscoveredMinute is the time of day of discovery in minutes after
	// midnight, or -1 when not given; it only matters for BAA terms in hours.
	DiscoveredMinute int
	// AgentDiscovered is, for a covered entity, the day an agent (often a
	// business associate acting as its agent) discovered the breach; by
	// 164.404(a)(2) that is the covered entity's discovery too.
	AgentDiscovered     Date
	PHISecured          bool
	Exception           Exception
	LowProbability      bool
	Affected            map[string]int // State code → individuals
	InsufficientContact int
	LawEnforcementDelay *Delay
	Clients             []Client

	file string
	pos  map[string]Pos // key path → where it was written
}

// Pos is a place in an incident file.
type Pos struct{ Line, Col int }

// Error is one problem in an incident file, at its place.
type Error struct {
	File string
	Pos  Pos
	Msg  string
}

func (e Error) Error() string {
	if e.Pos.Line > 0 {
		return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Pos.Line, e.Pos.Col, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.File, e.Msg)
}

// ErrorList is every problem found in an incident file, in file order.
type ErrorList []Error

func (l ErrorList) Error() string {
	s := make([]string, len(l))
	for i, e := range l {
		s[i] = e.Error()
	}
	return strings.Join(s, "\n")
}

func (l ErrorList) sorted() ErrorList {
	sort.SliceStable(l, func(i, j int) bool {
		a, b := l[i].Pos, l[j].Pos
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Col < b.Col
	})
	return l
}

// CheckToday reports a discovery date after today, at its place: the clocks
// of an incident not yet discovered mean nothing.
func (in *Input) CheckToday(today Date) error {
	if today.Before(in.Discovered) {
		return ErrorList{{File: in.file, Pos: in.pos["discovered"],
			Msg: fmt.Sprintf("discovered: %s is after today (%s)", in.Discovered, today)}}
	}
	return nil
}

// total is the number of individuals in a State → count map.
func total(m map[string]int) int {
	n := 0
	for _, c := range m {
		n += c
	}
	return n
}

// States lists the codes that 164.406's "State or jurisdiction" can mean
// here: the 50 States, the District of Columbia and the territories.
var stateCodes = map[string]string{
	"AL": "Alabama", "AK": "Alaska", "AZ": "Arizona", "AR": "Arkansas", "CA": "California",
	"CO": "Colorado", "CT": "Connecticut", "DE": "Delaware", "FL": "Florida", "GA": "Georgia",
	"HI": "Hawaii", "ID": "Idaho", "IL": "Illinois", "IN": "Indiana", "IA": "Iowa",
	"KS": "Kansas", "KY": "Kentucky", "LA": "Louisiana", "ME": "Maine", "MD": "Maryland",
	"MA": "Massachusetts", "MI": "Michigan", "MN": "Minnesota", "MS": "Mississippi", "MO": "Missouri",
	"MT": "Montana", "NE": "Nebraska", "NV": "Nevada", "NH": "New Hampshire", "NJ": "New Jersey",
	"NM": "New Mexico", "NY": "New York", "NC": "North Carolina", "ND": "North Dakota", "OH": "Ohio",
	"OK": "Oklahoma", "OR": "Oregon", "PA": "Pennsylvania", "RI": "Rhode Island", "SC": "South Carolina",
	"SD": "South Dakota", "TN": "Tennessee", "TX": "Texas", "UT": "Utah", "VT": "Vermont",
	"VA": "Virginia", "WA": "Washington", "WV": "West Virginia", "WI": "Wisconsin", "WY": "Wyoming",
	"DC": "District of Columbia", "PR": "Puerto Rico", "GU": "Guam", "VI": "U.S. Virgin Islands",
	"AS": "American Samoa", "MP": "Northern Mariana Islands",
}

// StateName is the name of a State code, or "" for an unknown code.
func StateName(code string) string { return stateCodes[code] }
