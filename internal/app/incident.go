package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"rcmguard/internal/audit"
	"rcmguard/internal/auth"
	"rcmguard/internal/incident"
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
