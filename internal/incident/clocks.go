package incident

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// Notice is one notification the incident requires.
type Notice struct {
	To          string `json:"to"` // individuals, media, hhs, covered_entity, state_attorney_general
	State       string `json:"state,omitempty"`
	Client      string `json:"client,omitempty"` // the covered entity, for a business associate
	Agency      string `json:"agency,omitempty"`
	Form        string `json:"form"` // written, substitute, media, breach_portal, annual_log, written_to_covered_entity
	Individuals int    `json:"individuals"`
	Due         Date   `json:"due"`
	// HoldUntil is set while a law-enforcement delay forbids sending.
	HoldUntil *Date    `json:"hold_until,omitempty"`
	DaysLeft  int      `json:"days_left"` // from today; negative when overdue
	Basis     string   `json:"basis"`     // how the due date was reached
	Citation  string   `json:"citation"`
	Contents  []string `json:"contents"`
}

// Result is the determination and every notice with its clock.
type Result struct {
	Determination
	Role        Role        `json:"role"`
	Discovered  Date        `json:"discovered"`
	Today       Date        `json:"today"`
	Individuals int         `json:"individuals"`
	Delay       *DelayClock `json:"law_enforcement_delay,omitempty"`
	Notices     []Notice    `json:"notices"`
	StateLaws   []string    `json:"state_laws_covered"`
}

// DelayClock is the law-enforcement delay as applied.
type DelayClock struct {
	Ends     Date   `json:"ends"`
	Citation string `json:"citation"`
	Note     string `json:"note"`
}

// individualContents are the elements of 164.404(c)(1)(A)–(E) and the plain
// language rule of (c)(2); 164.406(c) requires the same of a media notice.
var individualContents = []string{
	"A brief description of what happened, including the date of the breach and the date of its discovery, if known (164.404(c)(1)(A))",
	"The types of unsecured PHI involved, such as full name, Social Security number, date of birth, home address, account number, diagnosis, disability code (164.404(c)(1)(B))",
	"Any steps individuals should take to protect themselves from potential harm resulting from the breach (164.404(c)(1)(C))",
	"A brief description of what is being done to investigate the breach, mitigate harm to individuals and protect against further breaches (164.404(c)(1)(D))",
	"Contact procedures for questions, which include a toll-free telephone number, an e-mail address, a web site or a postal address (164.404(c)(1)(E))",
	"Written in plain language (164.404(c)(2))",
}

func contentsWith(extra ...string) []string {
	return append(append([]string(nil), individualContents...), extra...)
}

// Compute runs every clock for the incident. It is a function of the input
// alone: a recount that changes the numbers affected is a new Input, and
// every clock is computed again from the same discovery date.
func Compute(in *Input, today Date) Result {
	r := Result{Determination: Determine(in), Role: in.Role, Discovered: in.Discovered, Today: today, Notices: []Notice{}}
	for _, l := range StateLaws() {
		r.StateLaws = append(r.StateLaws, l.State)
	}
	if !r.Breach {
		return r
	}
	disc := in.Discovered
	if in.Role == RoleCoveredEntity {
		if !in.AgentDiscovered.IsZero() && in.AgentDiscovered.Before(disc) {
			disc = in.AgentDiscovered
		}
		r.Discovered = disc
		r.Individuals = total(in.Affected)
		r.Notices = coveredEntityNotices(disc, in.Affected, in.InsufficientContact, "")
	} else {
		for _, c := range in.Clients {
			r.Individuals += total(c.Affected)
			r.Notices = append(r.Notices, businessAssociateNotice(in, disc, c))
			if c.Agent {
				r.Notices = append(r.Notices, coveredEntityNotices(disc, c.Affected, c.InsufficientContact, c.ID)...)
			}
		}
	}
	if d := in.LawEnforcementDelay; d != nil {
		r.Delay = applyDelay(d, r.Notices)
	}
	for i := range r.Notices {
		r.Notices[i].DaysLeft = today.DaysUntil(r.Notices[i].Due)
	}
	sortNotices(r.Notices)
	return r
}

func sixtyDays(disc Date) (Date, string) {
	return disc.AddDays(60), fmt.Sprintf("no later than 60 calendar days after discovery on %s", disc)
}

// coveredEntityNotices are the covered entity's notices of 164.404–164.408
// and of the State laws; client is set when a business associate computes
// them for a client whose agent it is.
func coveredEntityNotices(disc Date, affected map[string]int, insufficient int, client string) []Notice {
	n := total(affected)
	due, basis := sixtyDays(disc)
	out := []Notice{{
		To: "individuals", Client: client, Form: "written", Individuals: n, Due: due,
		Basis:    "without unreasonable delay and " + basis,
		Citation: "45 CFR 164.404(b)",
		Contents: contentsWith("By first-class mail to the last known address, or by e-mail if the individual agreed; to the next of kin or personal representative if the individual is known to be deceased (164.404(d)(1))"),
	}}
	switch {
	case insufficient >= 10:
		out = append(out, Notice{
			To: "individuals", Client: client, Form: "substitute", Individuals: insufficient, Due: due,
			Basis:    fmt.Sprintf("contact information insufficient or out of date for %d individuals (10 or more); same deadline as the written notice", insufficient),
			Citation: "45 CFR 164.404(d)(2)(ii)",
			Contents: contentsWith(
				"Either a conspicuous posting for 90 days on the home page of the web site, or conspicuous notice in major print or broadcast media in the areas where the affected individuals likely reside (164.404(d)(2)(ii)(A))",
				"A toll-free telephone number, active for at least 90 days, where an individual can learn whether their unsecured PHI may be included in the breach (164.404(d)(2)(ii)(B))",
			),
		})
	case insufficient > 0:
		out = append(out, Notice{
			To: "individuals", Client: client, Form: "substitute", Individuals: insufficient, Due: due,
			Basis:    fmt.Sprintf("contact information insufficient or out of date for %d individuals (fewer than 10); same deadline as the written notice", insufficient),
			Citation: "45 CFR 164.404(d)(2)(i)",
			Contents: contentsWith("By an alternative form of written notice, by telephone or by other means reasonably calculated to reach the individual (164.404(d)(2)(i))"),
		})
	}
	for _, st := range sortedStates(affected) {
		if affected[st] > 500 { // "more than 500 residents" (164.406(a)): 500 exactly is not enough
			out = append(out, Notice{
				To: "media", State: st, Client: client, Form: "media", Individuals: affected[st], Due: due,
				Basis:    fmt.Sprintf("%d residents of %s affected, more than 500; without unreasonable delay and %s", affected[st], StateName(st), basis),
				Citation: "45 CFR 164.406(a)–(c)",
				Contents: contentsWith("To prominent media outlets serving " + StateName(st) + " (164.406(a))"),
			})
		}
	}
	if n >= 500 {
		out = append(out, Notice{
			To: "hhs", Client: client, Form: "breach_portal", Individuals: n, Due: due,
			Basis:    fmt.Sprintf("%d individuals, 500 or more: contemporaneously with the notice to individuals", n),
			Citation: "45 CFR 164.408(b)",
			Contents: []string{"The breach report on the HHS web site, in the manner HHS specifies there (164.408(b))"},
		})
	} else {
		// The log is due 60 days after the end of the calendar year of
		// discovery: 1 March, or 29 February when the next year is a
		// leap year (a 2027 discovery is due 2028-02-29).
		end := NewDate(disc.Year(), time.December, 31)
		out = append(out, Notice{
			To: "hhs", Client: client, Form: "annual_log", Individuals: n, Due: end.AddDays(60),
			Basis:    fmt.Sprintf("%d individuals, fewer than 500: keep in the breach log and report no later than 60 days after the end of %d", n, disc.Year()),
			Citation: "45 CFR 164.408(c)",
			Contents: []string{"An entry in the log of breaches discovered in the calendar year, reported on the HHS web site in the manner HHS specifies (164.408(c))"},
		})
	}
	for _, st := range sortedStates(affected) {
		law, ok := stateLaws[st]
		if !ok {
			continue
		}
		for _, sn := range law.Notices {
			if sn.Role != RoleCoveredEntity || affected[st] < sn.MinResidents {
				continue
			}
			if sn.To == "individuals" && law.HIPAASatisfies == "yes" {
				continue
			}
			out = append(out, Notice{
				To: sn.To, State: st, Client: client, Agency: sn.Agency, Form: "written", Individuals: affected[st],
				Due:      disc.AddDays(sn.Days),
				Basis:    fmt.Sprintf("%d residents of %s affected; no later than %d days after %s (counted from discovery, never later than the State's determination)", affected[st], StateName(st), sn.Days, disc),
				Citation: sn.Citation,
				Contents: sn.Contents,
			})
		}
	}
	return out
}

// businessAssociateNotice is the notice to one client: 164.410(b)'s 60 days,
// the BAA's shorter term, or a State law's third-party term, whichever ends
// first.
func businessAssociateNotice(in *Input, disc Date, c Client) Notice {
	due, basis := sixtyDays(disc)
	citation := "45 CFR 164.410(b)"
	if c.BAANoticeDays > 0 {
		if d := disc.AddDays(c.BAANoticeDays); d.Before(due) {
			due, basis, citation = d, fmt.Sprintf("the BAA's term of %d days after discovery on %s, shorter than 164.410(b)'s 60", c.BAANoticeDays, disc), "BAA with "+c.ID+"; 45 CFR 164.410(b)"
		}
	}
	if c.BAANoticeHours > 0 {
		start := disc.t
		from := "the start of " + disc.String() + " (no discovered_time given)"
		if in.DiscoveredMinute >= 0 {
			start = start.Add(time.Duration(in.DiscoveredMinute) * time.Minute)
			from = start.Format("2006-01-02 15:04")
		}
		end := start.Add(time.Duration(c.BAANoticeHours) * time.Hour)
		// The last day on which the notice is still in time is the day of
		// the last minute before the term ends.
		if d := DateOf(end.Add(-time.Minute)); d.Before(due) {
			due, citation = d, "BAA with "+c.ID+"; 45 CFR 164.410(b)"
			basis = fmt.Sprintf("the BAA's term of %d hours from %s, ending %s", c.BAANoticeHours, from, end.Format("2006-01-02 15:04"))
		}
	}
	for _, st := range sortedStates(c.Affected) {
		law, ok := stateLaws[st]
		if !ok {
			continue
		}
		for _, sn := range law.Notices {
			if sn.Role != RoleBusinessAssociate || c.Affected[st] < sn.MinResidents {
				continue
			}
			if d := disc.AddDays(sn.Days); d.Before(due) {
				due, citation = d, sn.Citation+"; 45 CFR 164.410(b)"
				basis = fmt.Sprintf("%s residents affected: %s's %d days after discovery on %s, shorter than the BAA and 164.410(b)", StateName(st), sn.Citation, sn.Days, disc)
			}
		}
	}
	return Notice{
		To: "covered_entity", Client: c.ID, Form: "written_to_covered_entity", Individuals: total(c.Affected), Due: due,
		Basis: "without unreasonable delay and " + basis, Citation: citation,
		Contents: []string{
			"The identification of each individual whose unsecured PHI has been, or is reasonably believed to have been, accessed, acquired, used or disclosed during the breach, to the extent possible (164.410(c)(1))",
			"Any other available information the covered entity must include in its notice to individuals under 164.404(c), now or promptly as it becomes available (164.410(c)(2)): what happened with the dates of breach and discovery, the types of PHI involved, steps individuals should take, what is being done to investigate, mitigate and protect, and contact procedures",
			"The date of discovery, which starts the covered entity's own 60 days if the business associate acts as its agent (164.404(a)(2))",
		},
	}
}

// applyDelay postpones the federal notices under 164.412. A written
// statement delays them for the period it specifies; an oral one, once
// documented, for at most 30 days from the statement, or less if the
// official said so. A notice already overdue when the statement was made is
// not rescued by it. State-law notices are left alone: 164.412 is federal,
// and each State statute has its own law-enforcement provision.
func applyDelay(d *Delay, notices []Notice) *DelayClock {
	dc := &DelayClock{}
	if d.Written {
		dc.Ends = d.Until
		dc.Citation = "45 CFR 164.412(a)"
		dc.Note = fmt.Sprintf("written statement of %s: notices are delayed for the period it specifies, to %s", d.Statement, d.Until)
	} else {
		dc.Ends = d.Statement.AddDays(30)
		if !d.Until.IsZero() && d.Until.Before(dc.Ends) {
			dc.Ends = d.Until
		}
		dc.Citation = "45 CFR 164.412(b)"
		dc.Note = fmt.Sprintf("oral statement of %s: document it with the official's identity; notices are delayed no longer than 30 days from it, to %s, unless a written statement is submitted in that time", d.Statement, dc.Ends)
	}
	for i := range notices {
		n := &notices[i]
		if !isFederal(n.Citation) || n.Due.Before(d.Statement) {
			continue
		}
		hold := dc.Ends
		n.HoldUntil = &hold
		if n.Due.Before(dc.Ends) {
			n.Basis += fmt.Sprintf("; postponed from %s by the law-enforcement delay ending %s", n.Due, dc.Ends)
			n.Due = dc.Ends
		}
		n.Citation += "; " + dc.Citation
	}
	return dc
}

// isFederal reports whether a notice's clock is the federal one (or a BAA
// term, which cannot require what 164.412 forbids) rather than a State's.
func isFederal(citation string) bool {
	return strings.HasPrefix(citation, "45 CFR") || strings.HasPrefix(citation, "BAA")
}

func sortedStates(m map[string]int) []string {
	out := make([]string, 0, len(m))
	for s := range m {
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}

var toOrder = map[string]int{"covered_entity": 0, "individuals": 1, "media": 2, "hhs": 3, "state_attorney_general": 4}

func sortNotices(ns []Notice) {
	sort.SliceStable(ns, func(i, j int) bool {
		a, b := ns[i], ns[j]
		if a.Due != b.Due {
			return a.Due.Before(b.Due)
		}
		if a.Client != b.Client {
			return a.Client < b.Client
		}
		if toOrder[a.To] != toOrder[b.To] {
			return toOrder[a.To] < toOrder[b.To]
		}
		if a.Form != b.Form {
			return a.Form < b.Form
		}
		return a.State < b.State
	})
}
