package web

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"rcmguard/internal/app"
	"rcmguard/internal/incident"
)

// The incidents in the JSON API: list, read one with its clocks, and open
// one. The same use cases as the pages, so the same checks and audit.

type apiIncident struct {
	ID                  int64                  `json:"id"`
	Title               string                 `json:"title"`
	Status              string                 `json:"status"`
	Severity            string                 `json:"severity"`
	Owner               string                 `json:"owner"`
	Opened              time.Time              `json:"opened_at"`
	Updated             time.Time              `json:"updated_at"`
	Closed              *time.Time             `json:"closed_at,omitempty"`
	Discovered          string                 `json:"discovered"`
	Role                string                 `json:"role"`
	Individuals         int                    `json:"individuals"`
	Summary             string                 `json:"summary,omitempty"`
	Systems             []string               `json:"systems,omitempty"`
	Clients             []string               `json:"clients,omitempty"`
	DataTypes           []string               `json:"data_types,omitempty"`
	Counts              []app.Count            `json:"counts,omitempty"`
	InsufficientContact int                    `json:"insufficient_contact"`
	Playbook            string                 `json:"playbook,omitempty"`
	Assessment          *app.BreachAssessment  `json:"assessment,omitempty"`
	CorrectiveActions   []app.CorrectiveAction `json:"corrective_actions,omitempty"`
	Clocks              *incident.Result       `json:"clocks,omitempty"`
	Timeline            []apiIncidentEvent     `json:"timeline,omitempty"`
}

type apiIncidentEvent struct {
	At   time.Time `json:"at"`
	By   string    `json:"by"`
	Kind string    `json:"kind"`
	Text string    `json:"text"`
}

func (s *Server) apiIncidentOf(r *http.Request, in app.Incident, names map[int64]string) apiIncident {
	out := apiIncident{ID: in.ID, Title: in.Title, Status: in.Status, Severity: in.Severity, Owner: s.userEmail(r.Context(), in.OwnerID, names),
		Opened: in.Opened.UTC(), Updated: in.Updated.UTC(), Discovered: in.Discovered, Role: in.Role, Individuals: in.Individuals()}
	if !in.Closed.IsZero() {
		t := in.Closed.UTC()
		out.Closed = &t
	}
	return out
}

func (s *Server) apiIncidents(w http.ResponseWriter, r *http.Request, c *apiCall) (any, error) {
	list, err := s.app.Incidents(r.Context(), c.actor(), c.scope())
	if err != nil {
		return nil, err
	}
	names := map[int64]string{}
	out := struct {
		Incidents []apiIncident `json:"incidents"`
	}{Incidents: []apiIncident{}}
	for _, in := range list {
		out.Incidents = append(out.Incidents, s.apiIncidentOf(r, in, names))
	}
	return out, nil
}

func (s *Server) apiIncident(w http.ResponseWriter, r *http.Request, c *apiCall) (any, error) {
	id, err := incidentID(r)
	if err != nil {
		return nil, err
	}
	v, err := s.app.Incident(r.Context(), c.actor(), c.scope(), id)
	if err != nil {
		return nil, err
	}
	names := map[int64]string{}
	out := s.apiIncidentOf(r, v.Incident, names)
	out.Summary, out.Systems, out.Clients, out.DataTypes, out.Counts = v.Summary, v.Systems, v.Clients, v.DataTypes, v.Counts
	out.InsufficientContact, out.Playbook, out.Assessment, out.CorrectiveActions = v.InsufficientContact, v.IncidentRecord.Playbook, v.Assessment, v.Actions
	if v.ClocksErr == "" {
		out.Clocks = &v.Clocks
	}
	for _, ev := range v.Events {
		out.Timeline = append(out.Timeline, apiIncidentEvent{At: ev.At.UTC(), By: s.userEmail(r.Context(), ev.ActorID, names), Kind: ev.Kind, Text: ev.Text})
	}
	return out, nil
}

// apiIncidentIn is the body that opens an incident; owner defaults to
// the token's user and role to the workspace's (app.DefaultIncidentRole).
type apiIncidentIn struct {
	Title               string        `json:"title"`
	Summary             string        `json:"summary"`
	Severity            string        `json:"severity"`
	Owner               int64         `json:"owner_id"`
	Discovered          string        `json:"discovered"`
	Occurred            string        `json:"occurred"`
	Role                string        `json:"role"`
	Systems             []string      `json:"systems"`
	Clients             []string      `json:"clients"`
	DataTypes           []string      `json:"data_types"`
	Counts              []app.Count   `json:"counts"`
	InsufficientContact int           `json:"insufficient_contact"`
	Contact             string        `json:"contact"`
	Delay               *app.LawDelay `json:"law_enforcement_delay"`
}

func (s *Server) apiOpenIncident(w http.ResponseWriter, r *http.Request, c *apiCall) (any, error) {
	data, err := readAPIBody(r, maxFormBody, "application/json")
	if err != nil {
		return nil, err
	}
	var in apiIncidentIn
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		return nil, problem(app.ErrMalformed, "The body must be a JSON object with the incident's fields (docs/openapi.yaml).")
	}
	if in.Owner == 0 {
		in.Owner = c.P.User.ID
	}
	if in.Role == "" {
		in.Role = app.DefaultIncidentRole(c.WS)
	}
	opened, err := s.app.OpenIncident(r.Context(), c.actor(), c.scope(), app.IncidentForm{Title: in.Title, Summary: in.Summary,
		Severity: in.Severity, OwnerID: in.Owner, Discovered: in.Discovered, Occurred: in.Occurred, Role: in.Role, Systems: in.Systems,
		Clients: in.Clients, DataTypes: in.DataTypes, Counts: in.Counts, InsufficientContact: in.InsufficientContact, Contact: in.Contact, Delay: in.Delay})
	if err != nil {
		return nil, err
	}
	w.Header().Set("Location", "/api/v1/workspaces/"+strconv.FormatInt(c.WS.ID, 10)+"/incidents/"+strconv.FormatInt(opened.ID, 10))
	return apiCreated{s.apiIncidentOf(r, opened, map[int64]string{})}, nil
}
