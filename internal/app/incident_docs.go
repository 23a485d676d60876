package app

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"rcmguard/internal/audit"
	"rcmguard/internal/auth"
	"rcmguard/internal/incident"
	"rcmguard/internal/store"
)

// The documents of a breach: drafts of the notices (a person edits, signs
// and sends them; rcmguard sends nothing) and the fields of HHS's breach
// portal. The elements of a notice to individuals are those of 45 CFR
// 164.404(c)(1)(A)–(E) and the plain-language rule of (c)(2), as read on
// 2026-12-07 (brickergraydon.com, "Content of Notification to Individuals
// - § 164.404(c)"; compliancewiki.org); 164.406(c) requires the same of a
// media notice; 164.410(c) asks a business associate for the
// identification of each individual and the other information the
// covered entity needs for its own notice.

// DraftSection is one element of a notice: what it must say, the rule,
// and the text drafted from the record. Missing marks an element the
// record cannot fill yet (the text says what to add).
type DraftSection struct {
	Element  string `json:"element"`
	Citation string `json:"citation"`
	Text     string `json:"text"`
	Missing  bool   `json:"missing,omitempty"`
}

// NoticeDraft is the draft of one notice.
type NoticeDraft struct {
	Title    string         `json:"title"`
	To       string         `json:"to"`
	Due      string         `json:"due"`
	Citation string         `json:"citation"`
	Sections []DraftSection `json:"sections"`
	// Contents are what the rule (a State statute) asks of a notice the
	// record cannot draft, listed to be written by hand.
	Contents []string `json:"contents,omitempty"`
}

// PortalField is one field of HHS's breach portal with its value drafted
// from the record ("" and Fill set when a person must supply it).
type PortalField struct {
	Section string `json:"section"`
	Field   string `json:"field"`
	Value   string `json:"value"`
	Fill    bool   `json:"to_complete,omitempty"`
}

// IncidentDocuments are the drafts of an incident's notices.
type IncidentDocuments struct {
	Incident Incident
	Clocks   incident.Result
	Notices  []NoticeDraft
	Portal   []PortalField
	Org      string // the covered entity or business associate's name
}

// playbookPortal maps a playbook to the portal's type of breach and
// location of the information, the portal's own words (the form at
// ocrnotifications.hhs.gov, and its description at hldataprotection.com
// and huntonprivacyblog.com, read 2026-12-07).
var playbookPortal = map[string][2]string{
	"portal-credentials":     {"Hacking/IT Incident", "Other (payer or clearinghouse web portal)"},
	"lost-laptop":            {"Theft or Loss (choose one)", "Laptop"},
	"misdirected-statements": {"Unauthorized Access/Disclosure", "Paper/Films"},
	"misdirected-email":      {"Unauthorized Access/Disclosure", "Email"},
	"ransomware-pm":          {"Hacking/IT Incident", "Network Server"},
	"vendor-breach":          {"Hacking/IT Incident (as the vendor reports it)", "Other (business associate's systems)"},
	"diverted-payments":      {"Hacking/IT Incident", "Other (payer enrolment and remittances)"},
	"insider-snooping":       {"Unauthorized Access/Disclosure", "Electronic Medical Record"},
}

// phiKinds are the portal's types of PHI, by data type.
var phiKinds = map[string]string{
	"name": "Demographic", "address": "Demographic", "dob": "Demographic", "ssn": "Demographic", "contact": "Demographic",
	"member_id": "Demographic", "account": "Financial", "financial": "Financial", "claims": "Financial",
	"diagnosis": "Clinical", "clinical": "Clinical",
}

// IncidentDocuments drafts the incident's notices from its record and its
// clocks.
func (a *App) IncidentDocuments(ctx context.Context, who Actor, ws Scope, id int64) (IncidentDocuments, error) {
	v, err := a.Incident(ctx, who, ws, id)
	if err != nil {
		return IncidentDocuments{}, err
	}
	d := IncidentDocuments{Incident: v.Incident, Clocks: v.Clocks, Org: ws.WS.Name}
	_, m, ok, err := a.CurrentModel(ctx, ws.WS.ID)
	if err != nil {
		return d, err
	}
	clientNames := map[string]string{}
	if ok {
		if m.Organization.Name != "" {
			d.Org = m.Organization.Name
		}
		for _, c := range m.Clients {
			clientNames[c.ID] = c.Name
		}
	}
	if v.ClocksErr != "" || !v.Clocks.Breach {
		return d, nil
	}
	body := individualSections(v.Incident, d.Org)
	for _, n := range v.Clocks.Notices {
		nd := NoticeDraft{To: n.To, Due: n.Due.String(), Citation: n.Citation}
		switch {
		case n.To == "individuals" && strings.HasPrefix(n.Citation, "45 CFR"):
			nd.Title = "Notice to individuals"
			if n.Form == "substitute" {
				nd.Title = "Substitute notice to individuals"
				nd.Contents = n.Contents
			}
			if n.Client != "" {
				nd.Title += " (for " + nameOr(clientNames, n.Client) + ")"
			}
			nd.Sections = body
		case n.To == "media":
			nd.Title = "Notice to prominent media serving " + incident.StateName(n.State)
			nd.Sections = body
		case n.To == "covered_entity" && strings.HasPrefix(n.Citation, "45 CFR"):
			nd.Title = "Business associate's notice to " + nameOr(clientNames, n.Client)
			nd.Sections = clientSections(v.Incident, n.Client, d.Org)
		case n.To == "hhs":
			nd.Title = "Notice to the Secretary of HHS (breach portal)"
			if n.Form == "annual_log" {
				nd.Title = "Annual log to the Secretary of HHS (breach portal, under 500)"
			}
			nd.Contents = []string{"Submit the portal's fields below (download them as CSV or JSON)."}
		default:
			nd.Title = "State notice: " + n.Citation
			if n.Client != "" {
				nd.Title += " (" + nameOr(clientNames, n.Client) + ")"
			}
			nd.Contents = n.Contents
		}
		d.Notices = append(d.Notices, nd)
	}
	d.Portal = portalFields(v.Incident, v.Clocks, d.Org, ws.WS.Kind)
	return d, nil
}

func nameOr(names map[string]string, id string) string {
	if n := names[id]; n != "" {
		return n + " (" + id + ")"
	}
	return id
}

// individualSections drafts the elements of 164.404(c)(1) from the record.
func individualSections(in Incident, org string) []DraftSection {
	when := "on a date we are still establishing"
	if in.Occurred != "" {
		when = "on " + in.Occurred
	}
	what := strings.TrimSpace(in.Summary)
	if what == "" {
		what = in.Title + "."
	}
	var kinds []string
	for _, k := range in.DataTypes {
		kinds = append(kinds, strings.ToLower(DataTypeTitle(k)))
	}
	types := DraftSection{Element: "The types of unsecured PHI involved", Citation: "45 CFR 164.404(c)(1)(B)"}
	if len(kinds) == 0 {
		types.Missing, types.Text = true, "Record the data involved on the incident: the notice must say which types of information were involved."
	} else {
		types.Text = "The information involved was: " + strings.Join(kinds, ", ") + "."
	}
	steps := []string{"Be wary of calls, e-mails or letters that mention this incident and ask for personal or payment details; we will not ask for them."}
	if slices.Contains(in.DataTypes, "member_id") || slices.Contains(in.DataTypes, "claims") {
		steps = append(steps, "Review the explanation of benefits statements from your health plan and tell it about any service you did not receive.")
	}
	if slices.Contains(in.DataTypes, "ssn") || slices.Contains(in.DataTypes, "financial") || slices.Contains(in.DataTypes, "dob") {
		steps = append(steps, "Consider a free fraud alert or security freeze with the credit bureaus, and review your bank and card statements.")
	}
	var doing []string
	for _, ac := range in.Actions {
		doing = append(doing, ac.Text)
	}
	do := DraftSection{Element: "What we are doing to investigate, mitigate harm and protect against further breaches", Citation: "45 CFR 164.404(c)(1)(D)"}
	if len(doing) == 0 {
		do.Missing, do.Text = true, "Record the corrective actions on the incident: the notice must say what is being done."
	} else {
		do.Text = "We investigated what happened and are taking these steps: " + strings.Join(doing, "; ") + "."
	}
	contact := DraftSection{Element: "How to ask questions", Citation: "45 CFR 164.404(c)(1)(E)"}
	if in.Contact == "" {
		contact.Missing, contact.Text = true, "Record the contact for questions on the incident: a toll-free telephone number, an e-mail address, a web site or a postal address."
	} else {
		contact.Text = "If you have questions, contact " + org + ": " + in.Contact + "."
	}
	return []DraftSection{
		{Element: "What happened, with the date of the breach and of its discovery", Citation: "45 CFR 164.404(c)(1)(A)",
			Text: fmt.Sprintf("%s Something went wrong %s and we discovered it on %s. %s", "We are writing to tell you about an incident involving your information held by "+org+".", when, in.Discovered, what)},
		types,
		{Element: "Steps you should take to protect yourself", Citation: "45 CFR 164.404(c)(1)(C)", Text: strings.Join(steps, " ")},
		do,
		contact,
		{Element: "Plain language", Citation: "45 CFR 164.404(c)(2)", Text: "Read the draft aloud before sending: short sentences, no legal or technical terms."},
	}
}

// clientSections drafts a business associate's notice to one covered
// entity (164.410(c)).
func clientSections(in Incident, client, org string) []DraftSection {
	n, byState := 0, []string{}
	for _, c := range in.Counts {
		if c.Client == client {
			n += c.Individuals
			byState = append(byState, fmt.Sprintf("%s %d", c.State, c.Individuals))
		}
	}
	secs := []DraftSection{
		{Element: "Identification of each individual affected", Citation: "45 CFR 164.410(c)(1)", Missing: true,
			Text: fmt.Sprintf("%d of your patients are affected (%s). Attach the list identifying each of them, to the extent possible: rcmguard holds the counts, not the identities.", n, strings.Join(byState, ", "))},
	}
	for _, s := range individualSections(in, org) {
		s.Citation = "45 CFR 164.410(c)(2), for " + strings.TrimPrefix(s.Citation, "45 CFR ")
		secs = append(secs, s)
	}
	return secs
}

// portalFields drafts the fields of HHS's breach portal (ocrnotifications.hhs.gov).
func portalFields(in Incident, r incident.Result, org, kind string) []PortalField {
	over := "Fewer than 500 individuals"
	if r.Individuals >= 500 {
		over = "500 or more individuals"
	}
	bp := playbookPortal[in.Playbook]
	fill := func(s string) (string, bool) { return s, s == "" }
	var kinds []string
	for _, k := range in.DataTypes {
		if p := phiKinds[k]; p != "" && !slices.Contains(kinds, p) {
			kinds = append(kinds, p)
		}
	}
	sort.Strings(kinds)
	var actions []string
	for _, ac := range in.Actions {
		actions = append(actions, ac.Text)
	}
	media := "No"
	for _, n := range r.Notices {
		if n.To == "media" {
			media = "Yes"
		}
	}
	substitute := "No"
	if in.InsufficientContact > 0 {
		substitute = "Yes"
	}
	ce, ba := org, ""
	if in.Role == string(incident.RoleBusinessAssociate) {
		ce, ba = "", org
	}
	out := []PortalField{
		{Section: "General", Field: "Breach affecting", Value: over},
		{Section: "General", Field: "Report type", Value: "Initial breach report"},
	}
	add := func(sec, field, value string) {
		v, f := fill(value)
		out = append(out, PortalField{Section: sec, Field: field, Value: v, Fill: f})
	}
	add("1 - Covered entity", "Name of covered entity", ce)
	if kind == "practice" {
		add("1 - Covered entity", "Type of covered entity", "Healthcare Provider")
	} else {
		add("1 - Covered entity", "Type of covered entity", "")
	}
	add("1 - Covered entity", "Address, contact name, e-mail and phone", "")
	add("2 - Business associate", "Name of business associate (if the breach occurred at or by one)", ba)
	add("3 - Breach", "Breach start date", in.Occurred)
	add("3 - Breach", "Breach end date", "")
	add("3 - Breach", "Discovery date", in.Discovered)
	add("3 - Breach", "Approximate number of individuals affected", strconv.Itoa(r.Individuals))
	add("3 - Breach", "Type of breach", bp[0])
	add("3 - Breach", "Location of breached information", bp[1])
	add("3 - Breach", "Type of protected health information involved", strings.Join(kinds, ", "))
	add("3 - Breach", "Brief description of the breach", strings.TrimSpace(in.Title+". "+in.Summary))
	add("3 - Breach", "Safeguards in place prior to the breach", "")
	add("4 - Notice and actions", "Date(s) individual notice provided", "")
	add("4 - Notice and actions", "Was substitute notice required?", substitute)
	add("4 - Notice and actions", "Was media notice required?", media)
	add("4 - Notice and actions", "Actions taken in response to the breach", strings.Join(actions, "; "))
	add("5 - Attestation", "Name of the person attesting", "")
	return out
}

// ExportIncidentPortal writes the breach portal's fields as CSV or JSON,
// to paste or upload, and records the export.
func (a *App) ExportIncidentPortal(ctx context.Context, who Actor, ws Scope, id int64, format string) ([]byte, error) {
	if err := a.Allowed(who, ws, auth.ActExport, ""); err != nil {
		return nil, err
	}
	d, err := a.IncidentDocuments(ctx, who, ws, id)
	if err != nil {
		return nil, err
	}
	if len(d.Portal) == 0 {
		return nil, &Error{Kind: ErrConflict, Msg: "No notice to HHS is owed for this incident as recorded: the clocks found no breach requiring notice."}
	}
	var out []byte
	switch format {
	case "csv":
		var b bytes.Buffer
		w := csv.NewWriter(&b)
		w.Write([]string{"section", "field", "value", "to_complete"})
		for _, f := range d.Portal {
			fill := ""
			if f.Fill {
				fill = "yes"
			}
			w.Write([]string{f.Section, f.Field, csvSafe(f.Value), fill})
		}
		w.Flush()
		out = b.Bytes()
	case "json":
		if out, err = json.MarshalIndent(map[string]any{"incident": id, "fields": d.Portal}, "", "  "); err != nil {
			return nil, err
		}
	default:
		return nil, &Error{Kind: ErrMalformed, Msg: "Choose CSV or JSON."}
	}
	err = a.st.InTx(ctx, func(tx *store.Tx) error {
		return a.record(ctx, tx, who, ws, audit.IncidentExport, incidentObject(id), map[string]any{"format": format, "document": "hhs_portal"})
	})
	return out, err
}

// csvSafe keeps a cell from being read as a formula by a spreadsheet.
func csvSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// LogEntry is one breach of fewer than 500 individuals in the annual log.
type LogEntry struct {
	Incident     Incident
	CoveredBy    string // the covered entity: the workspace, or a business associate's client
	Individuals  int
	Due          string // when the log is due at HHS (164.408(c))
	Notified     bool
	AssessmentOn string
}

// BreachLog lists, for a calendar year of discovery, the breaches of
// fewer than 500 individuals that 164.408(c) has logged and reported to
// HHS within 60 days of the year's end, per covered entity.
func (a *App) BreachLog(ctx context.Context, who Actor, ws Scope, year int) ([]LogEntry, error) {
	list, err := a.Incidents(ctx, who, ws)
	if err != nil {
		return nil, err
	}
	var out []LogEntry
	for _, in := range list {
		disc, ok := incident.ParseDate(in.Discovered)
		if !ok || disc.Year() != year {
			continue
		}
		signed := ""
		if in.Assessment != nil {
			signed = in.Assessment.SignedOn
		}
		// Each covered entity logs its own breaches: the workspace when
		// it reports as one, else each client of the business associate,
		// whose log entry the engine computes as that client's.
		byCE := map[string]map[string]int{}
		if in.Role == string(incident.RoleCoveredEntity) {
			byCE[ws.WS.Name] = map[string]int{}
		}
		for _, c := range in.Counts {
			ce := ws.WS.Name
			if in.Role == string(incident.RoleBusinessAssociate) {
				ce = c.Client
			}
			if byCE[ce] == nil {
				byCE[ce] = map[string]int{}
			}
			byCE[ce][c.State] += c.Individuals
		}
		for ce, affected := range byCE {
			input := in.Assessment.input()
			input.Role, input.Discovered, input.Affected = incident.RoleCoveredEntity, disc, affected
			r := incident.Compute(input, incident.DateOf(a.now().UTC()))
			if !r.Breach {
				continue
			}
			for _, n := range r.Notices {
				if n.To == "hhs" && n.Form == "annual_log" {
					out = append(out, LogEntry{Incident: in, CoveredBy: ce, Individuals: n.Individuals, Due: n.Due.String(),
						Notified: in.Status == IncidentNotified || in.Status == IncidentClosed, AssessmentOn: signed})
				}
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].CoveredBy != out[j].CoveredBy {
			return out[i].CoveredBy < out[j].CoveredBy
		}
		return out[i].Incident.Discovered < out[j].Incident.Discovered
	})
	return out, nil
}
