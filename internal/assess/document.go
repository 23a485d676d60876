package assess

import (
	"fmt"
	"slices"
	"sort"

	"rcmguard/internal/model"
	"rcmguard/internal/rules"
)

// DocumentControl makes the analysis a controlled document: its version
// and what changed since the previous analysis, who took part, what it
// drew on, what it assumes, who owns the remediation by name, and who
// approved the risk management plan (164.308(a)(1)(ii)(B)) and the
// analysis.
type DocumentControl struct {
	Version      string              `json:"version"`
	Changes      *ChangeLog          `json:"changes,omitempty"` // nil when no previous result was given
	Participants []model.Participant `json:"participants"`
	Sources      []DocumentSource    `json:"sources"`
	Assumptions  []string            `json:"assumptions"`
	Owners       []NamedOwner        `json:"owners"`
	PlanApproval *PlanApproval       `json:"plan_approval,omitempty"`
	SignOff      *SignOff            `json:"sign_off,omitempty"`
	// Missing lists what the document control lacks, for the assessor to
	// complete before the analysis is signed off.
	Missing []string `json:"missing"`
}

// DocumentSource is an interview, a document reviewed, or an evidence
// set the analysis used.
type DocumentSource struct {
	Title string `json:"title"`
	Kind  string `json:"kind"` // interview, document, system, observation, evidence
	Date  string `json:"date,omitempty"`
	Note  string `json:"note,omitempty"`
}

// NamedOwner is the person behind a remediation owner role, with the
// number of open plan items the role holds.
type NamedOwner struct {
	Role  string `json:"role"`
	Name  string `json:"name,omitempty"`
	Items int    `json:"plan_items"`
}

// PlanApproval is the approval of the risk management plan.
type PlanApproval struct {
	Name      string `json:"name"`
	Title     string `json:"title,omitempty"`
	Date      string `json:"date"`
	Resources string `json:"resources,omitempty"`
}

// ChangeLog is what changed against the previous analysis, risk by
// stable ID.
type ChangeLog struct {
	PreviousAsOf    string      `json:"previous_as_of"`
	PreviousVersion string      `json:"previous_version,omitempty"`
	New             []RiskDelta `json:"new"`
	Resolved        []RiskDelta `json:"resolved"`
	Rerated         []RiskDelta `json:"rerated"`
	Unchanged       int         `json:"unchanged"`
}

// RiskDelta is one risk in the change log: its level before (empty for a
// new risk) and after (empty for a resolved one).
type RiskDelta struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	From  string `json:"from,omitempty"`
	To    string `json:"to,omitempty"`
}

// Diff is how the risks of two analyses differ, by stable risk ID: risks
// only in the later one, risks only in the earlier one, and risks in both
// at another level. The server's comparison of stored assessments and the
// report's change log both read it.
type Diff struct {
	New, Resolved []Risk
	Rerated       []Rerated
	Unchanged     int
}

// Rerated is a risk present in both analyses at another level.
type Rerated struct{ From, To Risk }

// Compare diffs two results' risks; either may be nil (no risks).
func Compare(from, to *Result) Diff {
	var d Diff
	var fr, tr []Risk
	if from != nil {
		fr = from.Risks
	}
	if to != nil {
		tr = to.Risks
	}
	old := make(map[string]Risk, len(fr))
	for _, r := range fr {
		old[r.ID] = r
	}
	seen := make(map[string]bool, len(tr))
	for _, r := range tr {
		seen[r.ID] = true
		o, ok := old[r.ID]
		switch {
		case !ok:
			d.New = append(d.New, r)
		case o.Level != r.Level:
			d.Rerated = append(d.Rerated, Rerated{From: o, To: r})
		default:
			d.Unchanged++
		}
	}
	for _, r := range fr {
		if !seen[r.ID] {
			d.Resolved = append(d.Resolved, r)
		}
	}
	sort.Slice(d.Rerated, func(i, j int) bool { return d.Rerated[i].To.ID < d.Rerated[j].To.ID })
	return d
}

// ChangeLogOf is the change log of res against the previous analysis:
// the server calls it with the prior stored result, `rcmguard assess
// --previous` with the file named.
func ChangeLogOf(prev, res *Result) *ChangeLog {
	if prev == nil {
		return nil
	}
	d := Compare(prev, res)
	cl := &ChangeLog{PreviousAsOf: prev.AsOf, PreviousVersion: prev.DocumentControl.Version,
		New: []RiskDelta{}, Resolved: []RiskDelta{}, Rerated: []RiskDelta{}, Unchanged: d.Unchanged}
	for _, r := range d.New {
		cl.New = append(cl.New, RiskDelta{ID: r.ID, Title: r.Title, To: r.Level.Slug()})
	}
	for _, r := range d.Resolved {
		cl.Resolved = append(cl.Resolved, RiskDelta{ID: r.ID, Title: r.Title, From: r.Level.Slug()})
	}
	for _, r := range d.Rerated {
		cl.Rerated = append(cl.Rerated, RiskDelta{ID: r.To.ID, Title: r.To.Title, From: r.From.Level.Slug(), To: r.To.Level.Slug()})
	}
	sort.Slice(cl.New, func(i, j int) bool { return cl.New[i].ID < cl.New[j].ID })
	sort.Slice(cl.Resolved, func(i, j int) bool { return cl.Resolved[i].ID < cl.Resolved[j].ID })
	return cl
}

// SetPrevious records the change log against the previous analysis in
// res, for a result computed before the previous one was at hand.
func SetPrevious(res, prev *Result) {
	res.DocumentControl.Changes = ChangeLogOf(prev, res)
	res.DocumentControl.Missing = missing(res)
}

// documentControl assembles the document control from the model, the
// evidence sets and the plan.
func documentControl(m *model.Model, res *Result, sets []EvidenceSet) DocumentControl {
	dc := DocumentControl{Version: res.AsOf, Participants: []model.Participant{}, Sources: []DocumentSource{},
		Assumptions: []string{}, Owners: []NamedOwner{}, SignOff: res.Assessment.SignOff}
	names := map[string]string{}
	d := &m.Assessment.Document
	if d.Version != "" {
		dc.Version = d.Version
	}
	dc.Participants = append(dc.Participants, d.Participants...)
	for _, s := range d.Sources {
		dc.Sources = append(dc.Sources, DocumentSource{Title: s.Title, Kind: s.Kind, Date: string(s.Date), Note: s.Note})
	}
	dc.Assumptions = append(dc.Assumptions, d.Assumptions...)
	for _, o := range d.Owners {
		names[o.Role] = o.Name
	}
	if a := d.PlanApproval; a != nil {
		dc.PlanApproval = &PlanApproval{Name: a.Name, Title: a.Title, Date: string(a.Date), Resources: a.Resources}
	}
	for _, s := range sets {
		dc.Sources = append(dc.Sources, DocumentSource{Title: s.Name, Kind: "evidence", Date: s.Date,
			Note: fmt.Sprintf("%d facts from %s", s.Count, s.Source)})
	}
	if m.Organization.SecurityOfficial != "" && names["security_official"] == "" {
		names["security_official"] = m.Organization.SecurityOfficial
	}
	items := map[string]int{}
	for _, p := range res.Plan {
		items[p.Owner]++
	}
	roles := slices.Clone(rules.Owners)
	for r := range items {
		if !slices.Contains(roles, r) {
			roles = append(roles, r)
		}
	}
	for r := range names {
		if !slices.Contains(roles, r) {
			roles = append(roles, r)
		}
	}
	for _, r := range roles {
		if items[r] > 0 || names[r] != "" {
			dc.Owners = append(dc.Owners, NamedOwner{Role: r, Name: names[r], Items: items[r]})
		}
	}
	for i := range res.Plan {
		if n := names[res.Plan[i].Owner]; n != "" {
			res.Plan[i].OwnerName = n
		}
	}
	return dc
}

// missing lists what the document control lacks.
func missing(res *Result) []string {
	dc := res.DocumentControl
	out := []string{}
	if len(dc.Participants) == 0 {
		out = append(out, "No participants are recorded: name who was interviewed and who reviewed (assessment.document.participants).")
	}
	hasDoc := slices.ContainsFunc(dc.Sources, func(s DocumentSource) bool { return s.Kind != "evidence" })
	if !hasDoc {
		out = append(out, "No interviews or documents reviewed are recorded (assessment.document.sources).")
	}
	for _, o := range dc.Owners {
		if o.Name == "" && o.Items > 0 {
			out = append(out, fmt.Sprintf("Owner %s holds %d plan items and has no named person (assessment.document.owners).", o.Role, o.Items))
		}
	}
	if dc.PlanApproval == nil {
		out = append(out, "The risk management plan is not approved (164.308(a)(1)(ii)(B)): record who approved it, when, and the resources committed (assessment.document.plan_approval).")
	}
	if dc.SignOff == nil {
		out = append(out, "The analysis is not signed off (assessment.sign_off).")
	}
	if dc.Changes == nil && res.Assessment.Previous != "" {
		out = append(out, fmt.Sprintf("The previous analysis (%s) was not supplied, so the change log is empty: pass its result with --previous.", res.Assessment.Previous))
	}
	return out
}
