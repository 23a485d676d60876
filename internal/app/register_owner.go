package app

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"rcmguard/internal/model"
	"rcmguard/internal/store"
)

// An owner of a risk or a plan item is a person: a member of the
// workspace, or (once the model lists its people) a person of the model.
// Decisions keep the owner as one string, so that the column, the reviews,
// the API and the model's tracking entries did not change shape: a
// reference "user:12" or "person:p-dana", or, for owners written before
// owners were people, the text as it was ("it", "Northgate IT"), shown as
// written.

// OwnerKind says what an owner reference names.
type OwnerKind string

// The kinds of owner.
const (
	OwnerNone   OwnerKind = ""
	OwnerMember OwnerKind = "user"   // a member of the workspace, by user ID
	OwnerPerson OwnerKind = "person" // a person of the model (Model.People), by ID
	OwnerText   OwnerKind = "text"   // a name or role as written before owners were people
)

// Owner is who is answerable for a risk or a plan item.
type Owner struct {
	Kind OwnerKind
	ID   string // the user ID, the person's ID, or the text
}

// ParseOwner reads an owner as stored.
func ParseOwner(s string) Owner {
	s = strings.TrimSpace(s)
	if s == "" {
		return Owner{}
	}
	if id, ok := strings.CutPrefix(s, string(OwnerMember)+":"); ok {
		if n, err := strconv.ParseInt(id, 10, 64); err == nil && n > 0 {
			return Owner{Kind: OwnerMember, ID: id}
		}
	}
	if id, ok := strings.CutPrefix(s, string(OwnerPerson)+":"); ok && id != "" {
		return Owner{Kind: OwnerPerson, ID: id}
	}
	return Owner{Kind: OwnerText, ID: s}
}

// MemberOwner is the owner reference of a workspace member.
func MemberOwner(userID int64) Owner {
	return Owner{Kind: OwnerMember, ID: strconv.FormatInt(userID, 10)}
}

// String is the owner as stored.
func (o Owner) String() string {
	switch o.Kind {
	case OwnerNone:
		return ""
	case OwnerText:
		return o.ID
	}
	return string(o.Kind) + ":" + o.ID
}

// OwnerChoice is a person a form offers as owner.
type OwnerChoice struct {
	Ref  string // Owner.String()
	Name string
}

// Owners is the directory of a workspace's possible owners: who a form
// offers, and the name every page shows for a stored owner.
type Owners struct {
	Choices []OwnerChoice // by name
	names   map[string]string
}

// Name is how pages show a stored owner: the person's name, or the text
// as written (a role slug as words).
func (o Owners) Name(stored string) string {
	if n, ok := o.names[stored]; ok {
		return n
	}
	ow := ParseOwner(stored)
	switch ow.Kind {
	case OwnerNone:
		return ""
	case OwnerMember:
		return "Former member (user " + ow.ID + ")"
	case OwnerPerson:
		return ow.ID
	}
	return OwnerLabel(ow.ID)
}

// Has reports whether stored is one of the choices.
func (o Owners) Has(stored string) bool { _, ok := o.names[stored]; return ok }

// WorkspaceOwners returns the people who may own work in a workspace: its
// members, named by their sign-in address (accounts carry no other name),
// and the people the workspace's model lists, by name and role. A person
// who has left is still named on what they owned but no longer offered.
func (a *App) WorkspaceOwners(ctx context.Context, wsID int64) (Owners, error) {
	ms, err := a.st.MemberUsers(ctx, wsID)
	if err != nil {
		return Owners{}, err
	}
	people, err := a.modelPeople(ctx, wsID)
	if err != nil {
		return Owners{}, err
	}
	o := Owners{names: make(map[string]string, len(ms)+len(people))}
	for _, m := range ms {
		ref := MemberOwner(m.UserID).String()
		o.names[ref] = m.Email
		o.Choices = append(o.Choices, OwnerChoice{Ref: ref, Name: m.Email})
	}
	for _, p := range people {
		ref := Owner{Kind: OwnerPerson, ID: p.id}.String()
		o.names[ref] = p.name
		if !p.left {
			o.Choices = append(o.Choices, OwnerChoice{Ref: ref, Name: p.name})
		}
	}
	sort.Slice(o.Choices, func(i, j int) bool { return o.Choices[i].Name < o.Choices[j].Name })
	return o, nil
}

// modelPerson is a person of a workspace's model as owner lists need it.
type modelPerson struct {
	id, name string
	left     bool // an end date before today
}

// modelPeople lists the people of a workspace's current model, parsed once
// per model revision: every register page asks.
func (a *App) modelPeople(ctx context.Context, wsID int64) ([]modelPerson, error) {
	wm, err := a.st.WorkspaceModel(ctx, wsID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	key := peopleKey{ws: wsID, revision: wm.Revision}
	if ps, ok := a.people.Get(key); ok {
		return ps, nil
	}
	_, m, err := model.LoadCurrent(ModelFile, wm.YAML)
	if err != nil {
		return nil, fmt.Errorf("app: stored model of workspace %d: %w", wsID, err)
	}
	roles := make(map[string]string, len(m.Roles))
	for _, r := range m.Roles {
		roles[r.ID] = r.Name
	}
	today := a.now()
	ps := make([]modelPerson, 0, len(m.People))
	for _, p := range m.People {
		name := p.Name
		if r := roles[p.Role]; r != "" {
			name += " (" + r + ")"
		}
		days, ok := p.End.DaysSince(today)
		ps = append(ps, modelPerson{id: p.ID, name: name, left: ok && days > 0})
	}
	a.people.Add(key, ps, int64(len(ps)+1))
	return ps, nil
}

// peopleKey names one revision of a workspace's model. A saved model gets
// a new revision, so another server's save is never served stale.
type peopleKey struct {
	ws       int64
	revision int
}

// checkOwner refuses an owner reference that names nobody of the
// workspace. Text owners are kept as written: they are how owners were
// recorded before, and the API still takes them.
func (a *App) checkOwner(ctx context.Context, wsID int64, stored string) *Error {
	ow := ParseOwner(stored)
	switch ow.Kind {
	case OwnerMember:
		n, _ := strconv.ParseInt(ow.ID, 10, 64)
		if _, err := a.st.Membership(ctx, wsID, n); err != nil {
			return &Error{Kind: ErrInvalid, Field: "owner", Msg: "Choose the owner among the workspace's members.",
				Err: fmt.Errorf("user %d is not a member of workspace %d: %w", n, wsID, err)}
		}
	case OwnerPerson:
		people, err := a.modelPeople(ctx, wsID)
		if err != nil {
			return &Error{Kind: ErrInvalid, Field: "owner", Msg: "The model's people could not be read: choose a member of the workspace.", Err: err}
		}
		for _, p := range people {
			if p.id != ow.ID {
				continue
			}
			if p.left {
				return &Error{Kind: ErrInvalid, Field: "owner", Msg: "That person has left (the model gives an end date): choose someone who is still here."}
			}
			return nil
		}
		return &Error{Kind: ErrInvalid, Field: "owner", Msg: "Choose the owner among the workspace's members and the model's people."}
	}
	return nil
}

// OwnerLabel writes an owner recorded as text the way people read it:
// the rules' default owners are role slugs ("security_official").
func OwnerLabel(s string) string {
	if s == "" || strings.ContainsAny(s, " @") {
		return s
	}
	words := strings.Split(strings.ReplaceAll(s, "-", "_"), "_")
	for i, w := range words {
		switch w {
		case "it", "hr", "ehr", "edi", "ceo", "cfo", "cio", "ciso", "msp":
			words[i] = strings.ToUpper(w)
		default:
			if i == 0 && w != "" {
				words[i] = strings.ToUpper(w[:1]) + w[1:]
			}
		}
	}
	return strings.Join(words, " ")
}
