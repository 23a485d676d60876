package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"rcmguard/internal/audit"
	"rcmguard/internal/auth"
	"rcmguard/internal/incident"
	"rcmguard/internal/model"
	"rcmguard/internal/phiscan"
	"rcmguard/internal/store"
)

// The response to a security incident (164.308(a)(6)(ii)) and the breach
// notification that may follow (164.400–414): an incident's record, its
// append-only timeline, evidence, playbook, four-factor assessment,
// corrective actions and the clocks of the notices it requires. The clocks
// are internal/incident's, the same engine as `rcmguard breach clocks`.

// The statuses of an incident, in the order it moves through them.
const (
	IncidentOpen      = "open"
	IncidentContained = "contained"
	IncidentAssessed  = "assessed"
	IncidentNotified  = "notified"
	IncidentClosed    = "closed"
)

// IncidentStatuses lists the statuses in order.
var IncidentStatuses = []string{IncidentOpen, IncidentContained, IncidentAssessed, IncidentNotified, IncidentClosed}

// IncidentSeverities lists the severities, least first.
var IncidentSeverities = []string{"low", "moderate", "high", "critical"}

// DataTypes are the kinds of PHI and identifiers an incident may involve,
// in the words of 164.404(c)(1)(B) and of billing work, by key.
var DataTypes = []struct{ Key, Title string }{
	{"name", "Full name"},
	{"address", "Home address"},
	{"dob", "Date of birth"},
	{"ssn", "Social Security number"},
	{"member_id", "Health plan member ID or Medicare number"},
	{"account", "Patient account number"},
	{"diagnosis", "Diagnosis or procedure codes"},
	{"claims", "Claims, remittances (ERA/EOB) and payments"},
	{"clinical", "Clinical notes or records"},
	{"financial", "Bank account or payment card details"},
	{"contact", "Phone number or e-mail address"},
}

// DataTypeTitle names a data type key.
func DataTypeTitle(k string) string {
	for _, d := range DataTypes {
		if d.Key == k {
			return d.Title
		}
	}
	return k
}

// Bounds of an incident's record. An evidence file is limited in size and
// kind: screenshots, exported logs, PDFs of letters and police reports.
const (
	maxIncidentTitle   = 200
	maxIncidentText    = 8000
	maxIncidentCounts  = 500
	maxIncidentActions = 100
	maxIncidentFiles   = 50
	// MaxIncidentFile is the largest evidence file an incident takes.
	MaxIncidentFile = 4 << 20
)

// Count is the number of individuals affected who reside in one State,
// for a business associate per client.
type Count struct {
	Client      string `json:"client,omitempty"`
	State       string `json:"state"`
	Individuals int    `json:"individuals"`
}

// LawDelay is a law-enforcement official's statement delaying notice
// (164.412), as recorded on an incident.
type LawDelay struct {
	Statement string `json:"statement"` // YYYY-MM-DD
	Written   bool   `json:"written"`
	Until     string `json:"until,omitempty"`
	Official  string `json:"official"` // identity of the official (164.412(b))
}

// Tick is a checklist item done: who and when.
type Tick struct {
	By int64     `json:"by"`
	At time.Time `json:"at"`
}

// CorrectiveAction is something to change so that the incident does not
// happen again; it is closed with the incident.
type CorrectiveAction struct {
	ID      int       `json:"id"`
	Text    string    `json:"text"`
	Owner   string    `json:"owner"`
	Due     string    `json:"due,omitempty"`
	Done    bool      `json:"done"`
	DoneBy  int64     `json:"done_by,omitempty"`
	DoneAt  time.Time `json:"done_at,omitzero"`
	AddedBy int64     `json:"added_by"`
}

// IncidentRecord is what an incident's sealed body holds.
type IncidentRecord struct {
	Title               string             `json:"title"`
	Summary             string             `json:"summary"`
	Discovered          string             `json:"discovered"`         // YYYY-MM-DD, 164.404(a)(2)
	Occurred            string             `json:"occurred,omitempty"` // the date of the breach, if known
	Role                string             `json:"role"`               // covered_entity or business_associate
	Systems             []string           `json:"systems"`            // model system IDs
	Clients             []string           `json:"clients"`            // model client IDs
	DataTypes           []string           `json:"data_types"`
	Counts              []Count            `json:"counts"`
	InsufficientContact int                `json:"insufficient_contact"`
	Delay               *LawDelay          `json:"law_enforcement_delay,omitempty"`
	Playbook            string             `json:"playbook,omitempty"`
	Ticks               map[string]Tick    `json:"ticks,omitempty"`
	Assessment          *BreachAssessment  `json:"assessment,omitempty"`
	Actions             []CorrectiveAction `json:"corrective_actions,omitempty"`
	Contact             string             `json:"contact,omitempty"` // toll-free number, e-mail, web site or address for questions
}

// Incident is one incident as the application shows it.
type Incident struct {
	ID       int64
	Status   string
	Severity string
	OwnerID  int64
	OpenedBy int64
	Opened   time.Time
	Updated  time.Time
	Closed   time.Time
	Revision int
	IncidentRecord
}

// Individuals is the number of individuals affected, over every State
// and client.
func (in Incident) Individuals() int {
	n := 0
	for _, c := range in.Counts {
		n += c.Individuals
	}
	return n
}

// IncidentForm is an incident's details as a person enters them, to open
// or edit one. Dates are YYYY-MM-DD.
type IncidentForm struct {
	Title               string
	Summary             string
	Severity            string
	OwnerID             int64
	Discovered          string
	Occurred            string
	Role                string
	Systems             []string
	Clients             []string
	DataTypes           []string
	Counts              []Count
	InsufficientContact int
	Contact             string
	Delay               *LawDelay
}

func incidentOf(s store.Incident) (Incident, error) {
	in := Incident{ID: s.ID, Status: s.Status, Severity: s.Severity, OwnerID: s.OwnerID, OpenedBy: s.OpenedBy,
		Opened: s.Opened, Updated: s.Updated, Closed: s.Closed, Revision: s.Revision}
	if err := json.Unmarshal(s.Body, &in.IncidentRecord); err != nil {
		return in, fmt.Errorf("app: incident %d: %w", s.ID, err)
	}
	return in, nil
}

func (in Incident) stored(wsID int64) (store.Incident, error) {
	body, err := json.Marshal(in.IncidentRecord)
	if err != nil {
		return store.Incident{}, fmt.Errorf("app: incident %d: %w", in.ID, err)
	}
	return store.Incident{ID: in.ID, WorkspaceID: wsID, Status: in.Status, Severity: in.Severity, OwnerID: in.OwnerID,
		OpenedBy: in.OpenedBy, Opened: in.Opened, Updated: in.Updated, Closed: in.Closed, Revision: in.Revision, Body: body}, nil
}

// DefaultIncidentRole is the reporting role of a workspace's incidents: a
// billing company is its clients' business associate; a practice is a
// covered entity.
func DefaultIncidentRole(ws store.Workspace) string {
	if ws.Kind == store.KindBillingCompany {
		return string(incident.RoleBusinessAssociate)
	}
	return string(incident.RoleCoveredEntity)
}

// IncidentChoices are what an incident form offers: the workspace's
// members (owners of the incident) and, from its current model, its
// systems and clients.
type IncidentChoices struct {
	Members []Choice
	Systems []Choice
	Clients []Choice
}

// IncidentChoices lists what the incident form may offer.
func (a *App) IncidentChoices(ctx context.Context, who Actor, ws Scope) (IncidentChoices, error) {
	var ch IncidentChoices
	if err := a.Allowed(who, ws, auth.ActIncidentView, ""); err != nil {
		return ch, err
	}
	ms, err := a.st.Members(ctx, ws.WS.ID)
	if err != nil {
		return ch, err
	}
	for _, m := range ms {
		u, err := a.st.User(ctx, m.UserID)
		if err != nil {
			return ch, err
		}
		ch.Members = append(ch.Members, Choice{Value: strconv.FormatInt(u.ID, 10), Label: u.Email})
	}
	_, m, ok, err := a.CurrentModel(ctx, ws.WS.ID)
	if err != nil || !ok {
		return ch, err
	}
	for _, s := range m.Systems {
		ch.Systems = append(ch.Systems, Choice{Value: s.ID, Label: s.Name})
	}
	for _, c := range m.Clients {
		ch.Clients = append(ch.Clients, Choice{Value: c.ID, Label: c.Name})
	}
	return ch, nil
}

// checkIncidentForm applies the rules of an incident's details and
// returns every problem by field.
func (a *App) checkIncidentForm(ctx context.Context, ws Scope, f IncidentForm) (IncidentRecord, error) {
	var errs Errors
	rec := IncidentRecord{Title: freeText(f.Title), Summary: freeText(f.Summary), Discovered: f.Discovered,
		Occurred: f.Occurred, Role: f.Role, InsufficientContact: f.InsufficientContact, Contact: freeText(f.Contact)}
	switch {
	case rec.Title == "":
		errs = append(errs, invalid("title", "Give the incident a title."))
	case len(rec.Title) > maxIncidentTitle:
		errs = append(errs, invalid("title", "Keep the title under 200 characters."))
	}
	if len(rec.Summary) > maxIncidentText {
		errs = append(errs, invalid("summary", "Keep the description under 8,000 characters."))
	}
	if len(rec.Contact) > maxIncidentTitle {
		errs = append(errs, invalid("contact", "Keep the contact details under 200 characters."))
	}
	if !slices.Contains(IncidentSeverities, f.Severity) {
		errs = append(errs, invalid("severity", "Choose a severity."))
	}
	today := incident.DateOf(a.now().UTC())
	disc, ok := incident.ParseDate(f.Discovered)
	switch {
	case !ok:
		errs = append(errs, invalid("discovered", "Enter the day the incident was discovered as YYYY-MM-DD: the first day anyone in the workforce knew, or should have known (164.404(a)(2))."))
	case today.Before(disc):
		errs = append(errs, invalid("discovered", "The discovery date is after today."))
	}
	if f.Occurred != "" {
		if occ, ok := incident.ParseDate(f.Occurred); !ok {
			errs = append(errs, invalid("occurred", "Enter the date of the breach as YYYY-MM-DD, or leave it blank if unknown."))
		} else if disc, ok2 := incident.ParseDate(f.Discovered); ok2 && disc.Before(occ) {
			errs = append(errs, invalid("occurred", "The breach cannot have happened after it was discovered."))
		}
	}
	if rec.Role != string(incident.RoleCoveredEntity) && rec.Role != string(incident.RoleBusinessAssociate) {
		errs = append(errs, &Error{Kind: ErrMalformed, Field: "role", Msg: "Choose who reports: a covered entity or a business associate."})
	}
	if rec.InsufficientContact < 0 {
		errs = append(errs, invalid("insufficient_contact", "The number of individuals without usable contact details cannot be negative."))
	}
	// The owner is a member of the workspace, as offered.
	if _, err := a.st.Membership(ctx, ws.WS.ID, f.OwnerID); err != nil {
		if !errors.Is(err, store.ErrNotFound) {
			return rec, err
		}
		errs = append(errs, &Error{Kind: ErrMalformed, Field: "owner", Msg: "Choose the incident's owner from the workspace's members."})
	}
	_, m, ok, err := a.CurrentModel(ctx, ws.WS.ID)
	if err != nil {
		return rec, err
	}
	if !ok {
		m = &model.Model{}
	}
	systems, clients := map[string]bool{}, map[string]bool{}
	for _, s := range m.Systems {
		systems[s.ID] = true
	}
	for _, c := range m.Clients {
		clients[c.ID] = true
	}
	rec.Systems = dedupe(f.Systems)
	for _, s := range rec.Systems {
		if !systems[s] {
			errs = append(errs, &Error{Kind: ErrMalformed, Field: "systems", Msg: "Choose the affected systems from the model's systems."})
			break
		}
	}
	rec.Clients = dedupe(f.Clients)
	for _, c := range rec.Clients {
		if !clients[c] {
			errs = append(errs, &Error{Kind: ErrMalformed, Field: "clients", Msg: "Choose the affected clients from the model's clients."})
			break
		}
	}
	rec.DataTypes = dedupe(f.DataTypes)
	for _, d := range rec.DataTypes {
		if DataTypeTitle(d) == d {
			errs = append(errs, &Error{Kind: ErrMalformed, Field: "data_types", Msg: "Choose the data types from the list."})
			break
		}
	}
	if msg := checkCounts(f.Counts, rec.Role, rec.Clients); msg != "" {
		errs = append(errs, invalid("counts", msg))
	}
	rec.Counts = mergeCounts(f.Counts)
	if d := f.Delay; d != nil {
		d.Official = freeText(d.Official)
		if msg := checkDelay(d); msg != "" {
			errs = append(errs, invalid("delay", msg))
		}
		rec.Delay = d
	}
	if len(errs) > 0 {
		return rec, errs
	}
	return rec, nil
}

func checkCounts(counts []Count, role string, clients []string) string {
	if len(counts) > maxIncidentCounts {
		return "Give at most 500 lines of counts."
	}
	for _, c := range counts {
		switch {
		case incident.StateName(c.State) == "":
			return fmt.Sprintf("%q is not a State code (use the two-letter postal code, e.g. FL, NY, DC).", c.State)
		case c.Individuals < 0:
			return "A count of individuals cannot be negative."
		case role == string(incident.RoleBusinessAssociate) && !slices.Contains(clients, c.Client):
			return fmt.Sprintf("A business associate counts individuals per client: name one of the affected clients on each line (%q is not one).", c.Client)
		case role == string(incident.RoleCoveredEntity) && c.Client != "":
			return "A covered entity counts individuals by State only: leave the client out."
		}
	}
	return ""
}

func checkDelay(d *LawDelay) string {
	st, ok := incident.ParseDate(d.Statement)
	if !ok {
		return "Enter the day of the law-enforcement statement as YYYY-MM-DD."
	}
	if strings.TrimSpace(d.Official) == "" || len(d.Official) > maxIncidentTitle {
		return "Name the official and their agency (164.412(b) requires their identity to be documented)."
	}
	switch until, ok := incident.ParseDate(d.Until); {
	case d.Until == "" && d.Written:
		return "A written statement specifies the time for which notice is delayed: enter its end date (164.412(a))."
	case d.Until != "" && !ok:
		return "Enter the end of the delay as YYYY-MM-DD."
	case d.Until != "" && until.Before(st):
		return "The delay cannot end before the statement was made."
	}
	return ""
}

// mergeCounts adds up lines for the same client and State and sorts them.
func mergeCounts(counts []Count) []Count {
	sum := map[[2]string]int{}
	for _, c := range counts {
		sum[[2]string{c.Client, c.State}] += c.Individuals
	}
	out := make([]Count, 0, len(sum))
	for k, n := range sum {
		out = append(out, Count{Client: k[0], State: k[1], Individuals: n})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Client != out[j].Client {
			return out[i].Client < out[j].Client
		}
		return out[i].State < out[j].State
	})
	return out
}

// freeText is what an incident keeps of text a person typed: trimmed,
// and with every identifier a content scan would report (an SSN, a card
// or Medicare number) masked, as evidence is, because a narrative or a
// note quoting a patient's record is the likeliest place for one.
func freeText(s string) string { return phiscan.MaskText(strings.TrimSpace(s)) }

func dedupe(xs []string) []string {
	out := []string{}
	for _, x := range xs {
		if x != "" && !slices.Contains(out, x) {
			out = append(out, x)
		}
	}
	return out
}

// ParseCounts reads the counts of individuals as a form's text area holds
// them: one "STATE COUNT" per line ("FL 620"), or for a business
// associate "CLIENT STATE COUNT" ("lakeside FL 620"); blank lines are
// skipped. A problem is reported with its line.
func ParseCounts(text string) ([]Count, error) {
	var out []Count
	for i, line := range strings.Split(text, "\n") {
		f := strings.Fields(strings.NewReplacer(":", " ", ",", " ").Replace(line))
		if len(f) == 0 {
			continue
		}
		bad := func(msg string) error {
			return Errors{invalid("counts", fmt.Sprintf("Line %d (%q): %s", i+1, strings.TrimSpace(line), msg))}
		}
		var c Count
		switch len(f) {
		case 2:
			c.State = strings.ToUpper(f[0])
		case 3:
			c.Client, c.State = f[0], strings.ToUpper(f[1])
		default:
			return nil, bad("write the State's code and the number, e.g. FL 620 (a business associate puts the client first).")
		}
		n, err := strconv.Atoi(f[len(f)-1])
		if err != nil || n < 0 {
			return nil, bad("the number of individuals is a whole number of 0 or more.")
		}
		c.Individuals = n
		out = append(out, c)
	}
	return out, nil
}

// FormatCounts writes counts back as ParseCounts reads them.
func FormatCounts(counts []Count) string {
	var b strings.Builder
	for _, c := range counts {
		if c.Client != "" {
			b.WriteString(c.Client + " ")
		}
		fmt.Fprintf(&b, "%s %d\n", c.State, c.Individuals)
	}
	return b.String()
}

// OpenIncident opens an incident by hand and starts its timeline.
func (a *App) OpenIncident(ctx context.Context, who Actor, ws Scope, f IncidentForm) (Incident, error) {
	if err := a.Allowed(who, ws, auth.ActIncidentEdit, ""); err != nil {
		return Incident{}, err
	}
	rec, err := a.checkIncidentForm(ctx, ws, f)
	if err != nil {
		return Incident{}, err
	}
	now := a.now()
	in := Incident{Status: IncidentOpen, Severity: f.Severity, OwnerID: f.OwnerID, OpenedBy: who.User.ID, Opened: now, Updated: now,
		IncidentRecord: rec}
	err = a.st.InTx(ctx, func(tx *store.Tx) error {
		s, err := in.stored(ws.WS.ID)
		if err != nil {
			return err
		}
		s, err = tx.CreateIncident(ctx, s)
		if err != nil {
			return err
		}
		in.ID, in.Revision = s.ID, s.Revision
		text := fmt.Sprintf("Opened the incident (severity %s, discovered %s, %d individuals counted).", in.Severity, in.Discovered, in.Individuals())
		if _, err := tx.AppendIncidentEvent(ctx, ws.WS.ID, store.IncidentEvent{IncidentID: in.ID, At: now, ActorID: who.User.ID, Kind: "opened", Text: text}); err != nil {
			return err
		}
		return a.record(ctx, tx, who, ws, audit.IncidentOpen, incidentObject(in.ID), map[string]any{"severity": in.Severity})
	})
	return in, err
}

func incidentObject(id int64) string { return "incident:" + strconv.FormatInt(id, 10) }

// Incidents lists the workspace's incidents, newest first.
func (a *App) Incidents(ctx context.Context, who Actor, ws Scope) ([]Incident, error) {
	if err := a.Allowed(who, ws, auth.ActIncidentView, ""); err != nil {
		return nil, err
	}
	list, err := a.st.Incidents(ctx, ws.WS.ID)
	if err != nil {
		return nil, err
	}
	out := make([]Incident, 0, len(list))
	for _, s := range list {
		in, err := incidentOf(s)
		if err != nil {
			return nil, err
		}
		out = append(out, in)
	}
	return out, nil
}

// loadIncident reads one incident of the workspace; another workspace's
// is not found.
func (a *App) loadIncident(ctx context.Context, c interface {
	Incident(context.Context, int64, int64) (store.Incident, error)
}, wsID, id int64) (Incident, error) {
	s, err := c.Incident(ctx, wsID, id)
	if errors.Is(err, store.ErrNotFound) {
		return Incident{}, fmt.Errorf("%w: incident %d in workspace %d", ErrNotFound, id, wsID)
	}
	if err != nil {
		return Incident{}, err
	}
	return incidentOf(s)
}

// CheckIncident reports whether the workspace has the incident, and the
// actor may act on it as act says: the first check of every change, so
// that another workspace's incident is not found whatever the input.
func (a *App) CheckIncident(ctx context.Context, who Actor, ws Scope, id int64, act auth.Action) error {
	if err := a.Allowed(who, ws, act, ""); err != nil {
		return err
	}
	_, err := a.loadIncident(ctx, a.st, ws.WS.ID, id)
	return err
}

// IncidentView is an incident with its timeline, evidence and clocks.
type IncidentView struct {
	Incident
	Events []store.IncidentEvent
	Files  []store.IncidentFile
	// Clocks is the clocks engine's result for the incident as recorded
	// now: breach presumed until a signed assessment says otherwise.
	Clocks incident.Result
	// ClocksErr is why the clocks could not run (no counts for a business
	// associate's clients, say), "" when they ran.
	ClocksErr string
	Playbook  *incident.Playbook
}

// Incident returns one incident with its timeline, evidence and clocks.
func (a *App) Incident(ctx context.Context, who Actor, ws Scope, id int64) (IncidentView, error) {
	if err := a.Allowed(who, ws, auth.ActIncidentView, ""); err != nil {
		return IncidentView{}, err
	}
	in, err := a.loadIncident(ctx, a.st, ws.WS.ID, id)
	if err != nil {
		return IncidentView{}, err
	}
	v := IncidentView{Incident: in}
	if v.Events, err = a.st.IncidentEvents(ctx, ws.WS.ID, id); err != nil {
		return v, err
	}
	if v.Files, err = a.st.IncidentFiles(ctx, ws.WS.ID, id); err != nil {
		return v, err
	}
	if p, ok := incident.PlaybookByID(in.Playbook); ok {
		v.Playbook = &p
	}
	v.Clocks, v.ClocksErr, err = a.incidentClocks(ctx, ws.WS.ID, in)
	return v, err
}

// mutateIncident runs change on an incident read at revision (0: the
// latest, for the small changes that cannot overwrite a form's work: a
// note, a tick) and saves it with the timeline entry change returns and
// the audit entry; also runs in the same transaction before the entry is
// appended, for what is stored beside the record (evidence).
func (a *App) mutateIncident(ctx context.Context, who Actor, ws Scope, id int64, revision int, act audit.Action,
	change func(in *Incident, now time.Time) (kind, text string, details map[string]any, err error),
	also ...func(tx *store.Tx, ev *store.IncidentEvent) error) (Incident, error) {
	var out Incident
	err := a.st.InTx(ctx, func(tx *store.Tx) error {
		in, err := a.loadIncident(ctx, tx, ws.WS.ID, id)
		if err != nil {
			return err
		}
		if revision != 0 && revision != in.Revision {
			return &Error{Kind: ErrConflict, Msg: "Someone saved this incident since you opened it: reload the page and enter your change again."}
		}
		if in.Status == IncidentClosed && act != audit.IncidentNote {
			return &Error{Kind: ErrConflict, Msg: "The incident is closed: only notes can be added to its timeline."}
		}
		now := a.now()
		kind, text, details, err := change(&in, now)
		if err != nil {
			return err
		}
		in.Updated = now
		s, err := in.stored(ws.WS.ID)
		if err != nil {
			return err
		}
		s, err = tx.UpdateIncident(ctx, s)
		if errors.Is(err, store.ErrConflict) {
			return &Error{Kind: ErrConflict, Msg: "Someone saved this incident at the same moment: reload the page and try again.", Err: err}
		}
		if err != nil {
			return err
		}
		in.Revision = s.Revision
		ev := store.IncidentEvent{IncidentID: id, At: now, ActorID: who.User.ID, Kind: kind, Text: text}
		for _, fn := range also {
			if err := fn(tx, &ev); err != nil {
				return err
			}
		}
		if _, err := tx.AppendIncidentEvent(ctx, ws.WS.ID, ev); err != nil {
			return err
		}
		out = in
		return a.record(ctx, tx, who, ws, act, incidentObject(id), details)
	})
	return out, err
}

// UpdateIncident saves an incident's edited details. A change of the
// counts is a recount: the timeline says so, and the clocks, computed
// from the record whenever it is read, are run again from the same
// discovery date.
func (a *App) UpdateIncident(ctx context.Context, who Actor, ws Scope, id int64, revision int, f IncidentForm) (Incident, error) {
	if err := a.CheckIncident(ctx, who, ws, id, auth.ActIncidentEdit); err != nil {
		return Incident{}, err
	}
	rec, err := a.checkIncidentForm(ctx, ws, f)
	if err != nil {
		return Incident{}, err
	}
	return a.mutateIncident(ctx, who, ws, id, revision, audit.IncidentUpdate, func(in *Incident, now time.Time) (string, string, map[string]any, error) {
		before := in.Individuals()
		keep := in.IncidentRecord
		in.IncidentRecord = rec
		in.Playbook, in.Ticks, in.Assessment, in.Actions = keep.Playbook, keep.Ticks, keep.Assessment, keep.Actions
		in.Severity, in.OwnerID = f.Severity, f.OwnerID
		after := in.Individuals()
		if after != before || !slices.Equal(keep.Counts, rec.Counts) {
			return "recount", fmt.Sprintf("Recounted the individuals affected: %d before, %d now. Every clock was run again.", before, after),
				map[string]any{"individuals_before": before, "individuals": after}, nil
		}
		return "edited", "Edited the incident's details.", nil, nil
	})
}

// AddIncidentNote appends a note to the timeline: what was done, found or
// decided, in the words of the person who did it.
func (a *App) AddIncidentNote(ctx context.Context, who Actor, ws Scope, id int64, text string) error {
	if err := a.CheckIncident(ctx, who, ws, id, auth.ActIncidentEdit); err != nil {
		return err
	}
	text = freeText(text)
	switch {
	case text == "":
		return Errors{invalid("note", "Write what was done, found or decided.")}
	case len(text) > maxIncidentText:
		return Errors{invalid("note", "Keep a note under 8,000 characters.")}
	}
	_, err := a.mutateIncident(ctx, who, ws, id, 0, audit.IncidentNote, func(*Incident, time.Time) (string, string, map[string]any, error) {
		return "note", text, nil, nil
	})
	return err
}

// SetIncidentStatus moves an incident on. It only moves forward; past
// "contained" it needs a signed breach assessment; "notified" is only for
// a breach; and it closes only when every corrective action is done.
func (a *App) SetIncidentStatus(ctx context.Context, who Actor, ws Scope, id int64, status, note string) (Incident, error) {
	if err := a.CheckIncident(ctx, who, ws, id, auth.ActIncidentDecide); err != nil {
		if errors.Is(err, ErrForbidden) {
			return Incident{}, &Error{Kind: ErrForbidden, Msg: "Only an owner or compliance officer moves an incident on.", Err: err}
		}
		return Incident{}, err
	}
	to := slices.Index(IncidentStatuses, status)
	if to < 0 {
		return Incident{}, &Error{Kind: ErrMalformed, Field: "status", Msg: "Choose a status."}
	}
	if len(note) > maxIncidentText {
		return Incident{}, Errors{invalid("note", "Keep the note under 8,000 characters.")}
	}
	return a.mutateIncident(ctx, who, ws, id, 0, audit.IncidentStatus, func(in *Incident, now time.Time) (string, string, map[string]any, error) {
		from := slices.Index(IncidentStatuses, in.Status)
		switch {
		case to <= from:
			return "", "", nil, &Error{Kind: ErrConflict, Field: "status", Msg: fmt.Sprintf("The incident is already %s: its status only moves forward.", in.Status)}
		case to >= slices.Index(IncidentStatuses, IncidentAssessed) && (in.Assessment == nil || in.Assessment.SignedBy == 0):
			return "", "", nil, &Error{Kind: ErrConflict, Field: "status", Msg: "Sign the breach assessment first: whether notice is owed is decided there."}
		case status == IncidentNotified && !in.Assessment.Determination().Breach:
			return "", "", nil, &Error{Kind: ErrConflict, Field: "status", Msg: "The signed assessment found no breach requiring notice: close the incident instead."}
		case status == IncidentClosed && len(in.Actions) == 0:
			return "", "", nil, &Error{Kind: ErrConflict, Field: "status", Msg: "Record at least one corrective action (or that none is needed, and why) before closing (164.308(a)(6)(ii))."}
		}
		if status == IncidentClosed {
			for _, ac := range in.Actions {
				if !ac.Done {
					return "", "", nil, &Error{Kind: ErrConflict, Field: "status", Msg: fmt.Sprintf("Corrective action %d is still open: complete it before closing the incident.", ac.ID)}
				}
			}
			in.Closed = now
		}
		prev := in.Status
		in.Status = status
		text := fmt.Sprintf("Moved the incident from %s to %s.", prev, status)
		if n := freeText(note); n != "" {
			text += " " + n
		}
		return "status", text, map[string]any{"from": prev, "to": status}, nil
	})
}

// ChooseIncidentPlaybook sets the playbook the incident is worked by.
// Items already ticked stay ticked where the new playbook has them.
func (a *App) ChooseIncidentPlaybook(ctx context.Context, who Actor, ws Scope, id int64, playbookID string) error {
	if err := a.CheckIncident(ctx, who, ws, id, auth.ActIncidentEdit); err != nil {
		return err
	}
	p, ok := incident.PlaybookByID(playbookID)
	if !ok {
		return &Error{Kind: ErrMalformed, Field: "playbook", Msg: "Choose a playbook from the list."}
	}
	_, err := a.mutateIncident(ctx, who, ws, id, 0, audit.IncidentPlaybook, func(in *Incident, now time.Time) (string, string, map[string]any, error) {
		in.Playbook = p.ID
		return "playbook", "Chose the playbook “" + p.Title + "”.", map[string]any{"playbook": p.ID}, nil
	})
	return err
}

// TickIncidentItem marks an item of the incident's playbook done, or not
// done again; each is a timeline entry.
func (a *App) TickIncidentItem(ctx context.Context, who Actor, ws Scope, id int64, key string, done bool) error {
	if err := a.CheckIncident(ctx, who, ws, id, auth.ActIncidentEdit); err != nil {
		return err
	}
	_, err := a.mutateIncident(ctx, who, ws, id, 0, audit.IncidentChecklist, func(in *Incident, now time.Time) (string, string, map[string]any, error) {
		p, ok := incident.PlaybookByID(in.Playbook)
		if !ok {
			return "", "", nil, &Error{Kind: ErrConflict, Field: "item", Msg: "Choose a playbook first."}
		}
		text := ""
		for _, s := range p.Steps {
			for _, it := range s.Checklist {
				if s.Key(it) == key {
					text = s.Title + ": " + it.Text
				}
			}
		}
		if text == "" {
			return "", "", nil, &Error{Kind: ErrMalformed, Field: "item", Msg: "That item is not in the incident's playbook."}
		}
		if _, was := in.Ticks[key]; was == done {
			return "", "", nil, &Error{Kind: ErrConflict, Field: "item", Msg: "Someone changed that item already: reload the page."}
		}
		if in.Ticks == nil {
			in.Ticks = map[string]Tick{}
		}
		if done {
			in.Ticks[key] = Tick{By: who.User.ID, At: now}
			return "tick", "Done: " + text, map[string]any{"item": key, "done": true}, nil
		}
		delete(in.Ticks, key)
		return "untick", "Not done after all: " + text, map[string]any{"item": key, "done": false}, nil
	})
	return err
}
