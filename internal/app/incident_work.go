package app

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"rcmguard/internal/audit"
	"rcmguard/internal/auth"
	"rcmguard/internal/incident"
)

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
