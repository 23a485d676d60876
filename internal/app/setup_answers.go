package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"rcmguard/internal/audit"
	"rcmguard/internal/auth"
	"rcmguard/internal/store"
)

// secTemplate is the saved "section" that holds the chosen template.
const secTemplate = "template"

// Bounds of what one answer may hold.
const (
	maxAnswerText  = 200
	maxAnswerLines = 1000
	maxAnswerValue = 10_000_000
)

// guideAnswers are a workspace's saved answers: section → question → values.
type guideAnswers map[string]map[string][]string

func (g guideAnswers) get(sec, q string) string {
	if v := g[sec][q]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// merged reports whether the billing software is the EHR's own.
func (g guideAnswers) merged() bool {
	return g.get(secSystems, "pm.in_ehr") == "yes" && g.usesSlot("ehr")
}

func (g guideAnswers) usesSlot(id string) bool {
	v := g.get(secSystems, id+".use")
	return v == "yes" || v == DontKnow
}

// uses reports whether a system of the template is in use as a system of
// its own: answered yes, or "I don't know" (it stays in the analysis, to
// be checked). Billing software that is part of the EHR is the EHR.
func (g guideAnswers) uses(id string) bool {
	if id == "pm" && g.merged() {
		return false
	}
	return g.usesSlot(id)
}

// alias is the system that stands for id: the EHR for billing software
// that is part of it.
func (g guideAnswers) alias(id string) string {
	if id == "pm" && g.merged() {
		return "ehr"
	}
	return id
}

func (g guideAnswers) hosting(id string) string { return g.get(secSystems, id+".hosting") }

// systemName is what the guide and the model call a system.
func (g guideAnswers) systemName(s systemSlot) string {
	if n := strings.TrimSpace(g.get(secSystems, s.id+".name")); n != "" {
		return n
	}
	return s.short
}

// Guide is the guided setup of a workspace as its pages show it.
type Guide struct {
	Templates []SetupTemplate
	// Template is the chosen template; Chosen is false until one is.
	Template SetupTemplate
	Chosen   bool
	Sections []GuideSection
	// Values are the answers shown in each section's form: the saved ones,
	// or the template's defaults for a section not saved yet.
	Values map[string]map[string][]string
	Done   map[string]bool
	// Complete: every section is done; the model can be built.
	Complete bool
	// HasModel: the workspace has a model already; the guide does not
	// replace it.
	HasModel bool
	// Flows are the data flows the answers describe, in words; Notes say
	// what the model leaves out or assumes because an answer was "I don't
	// know".
	Flows []string
	Notes []string
}

// DoneCount is how many sections are done, for the progress indicator.
func (g Guide) DoneCount() int {
	n := 0
	for _, s := range g.Sections {
		if g.Done[s.ID] {
			n++
		}
	}
	return n
}

// Section returns a section of the questionnaire by ID, and the one after
// it ("" after the last).
func (g Guide) Section(id string) (sec GuideSection, next string, ok bool) {
	i := sectionIndex(g.Sections, id)
	if i < 0 {
		return GuideSection{}, "", false
	}
	if i+1 < len(g.Sections) {
		next = g.Sections[i+1].ID
	}
	return g.Sections[i], next, true
}

// guidePart is the assignable part the guide changes: the whole model.
const guidePart = store.ModelObject + store.AllObjects

// Guide returns the workspace's guided setup: the templates, the chosen
// one, its sections and the answers so far. Like the model's editors it
// needs the permission to change the whole model.
func (a *App) Guide(ctx context.Context, who Actor, ws Scope) (Guide, error) {
	if err := a.Allowed(who, ws, auth.ActModelEdit, guidePart); err != nil {
		return Guide{}, err
	}
	ans, err := a.guideAnswers(ctx, ws.WS.ID)
	if err != nil {
		return Guide{}, err
	}
	g := Guide{Templates: SetupTemplates(), Values: map[string]map[string][]string{}, Done: map[string]bool{}}
	if _, err := a.st.WorkspaceModel(ctx, ws.WS.ID); err == nil {
		g.HasModel = true
	} else if !errors.Is(err, store.ErrNotFound) {
		return Guide{}, err
	}
	g.Template, g.Chosen = setupTemplate(ans.get(secTemplate, "template"))
	if !g.Chosen {
		return g, nil
	}
	if ans[secClients] == nil && g.Template.clients {
		// The client workspaces made here are the clients to start from.
		cs, err := a.st.ClientWorkspaces(ctx, ws.WS.ID)
		if err != nil {
			return Guide{}, err
		}
		var names []string
		for _, c := range cs {
			names = append(names, c.Name)
		}
		if len(names) > 0 {
			g.Values[secClients] = map[string][]string{"names": {strings.Join(names, "\n")}}
		}
	}
	g.Sections = g.Template.sections(ans)
	g.Complete = true
	for _, s := range g.Sections {
		saved, ok := ans[s.ID]
		if !ok {
			if g.Values[s.ID] == nil {
				g.Values[s.ID] = map[string][]string{}
			}
			for _, q := range s.Questions {
				if len(q.Default) > 0 {
					g.Values[s.ID][q.ID] = q.Default
				}
			}
			if s.ID == secOrg {
				g.Values[s.ID]["name"] = []string{ws.WS.Name}
			}
			g.Complete = false
			continue
		}
		g.Values[s.ID] = saved
		g.Done[s.ID] = checkSection(g.Template, ans, s, saved) == nil
		g.Complete = g.Complete && g.Done[s.ID]
	}
	if g.Complete {
		b := newGuideBuild(g.Template, ans)
		if _, err := b.model(a.Today()); err != nil {
			return Guide{}, err
		}
		g.Flows, g.Notes = b.sentences, b.notes
	}
	return g, nil
}

func (a *App) guideAnswers(ctx context.Context, wsID int64) (guideAnswers, error) {
	rows, err := a.st.SetupAnswersOf(ctx, wsID)
	if err != nil {
		return nil, err
	}
	ans := guideAnswers{}
	for _, r := range rows {
		var m map[string][]string
		if err := json.Unmarshal(r.Answers, &m); err != nil {
			return nil, fmt.Errorf("app: guide answers of workspace %d, section %s: %w", wsID, r.Section, err)
		}
		ans[r.Section] = m
	}
	return ans, nil
}

// ChooseTemplate starts (or restarts) the guide from a template. Answers
// already saved are kept: the questions they answer are the same in every
// template that asks them.
func (a *App) ChooseTemplate(ctx context.Context, who Actor, ws Scope, id string) error {
	if err := a.Allowed(who, ws, auth.ActModelEdit, guidePart); err != nil {
		return err
	}
	t, ok := setupTemplate(id)
	if !ok {
		return invalid("template", "Choose the kind of organisation closest to yours.")
	}
	if (t.OrgKind == "billing_company") != (ws.WS.Kind == store.KindBillingCompany) {
		return invalid("template", "This workspace is "+kindPhrase(ws.WS.Kind)+": choose a template for one.")
	}
	return a.putGuideSection(ctx, who, ws, secTemplate, map[string][]string{"template": {t.ID}})
}

func kindPhrase(kind string) string {
	if kind == store.KindBillingCompany {
		return "a billing company"
	}
	return "a practice"
}

// SaveGuideSection checks and saves the answers of one section. A bad
// answer saves nothing and fails with Errors, one per question, each
// naming it; the page shows them beside the questions with what was typed.
func (a *App) SaveGuideSection(ctx context.Context, who Actor, ws Scope, section string, form map[string][]string) error {
	g, err := a.Guide(ctx, who, ws)
	if err != nil {
		return err
	}
	if !g.Chosen {
		return &Error{Kind: ErrConflict, Msg: "Choose the kind of organisation first."}
	}
	sec, _, ok := g.Section(section)
	if !ok {
		return fmt.Errorf("%w: the guide has no section %q", ErrNotFound, section)
	}
	ans, err := a.guideAnswers(ctx, ws.WS.ID)
	if err != nil {
		return err
	}
	vals := map[string][]string{}
	for _, q := range sec.Questions {
		var vs []string
		for _, v := range form[q.ID] {
			if v = strings.TrimSpace(v); v != "" {
				vs = append(vs, v)
			}
		}
		if len(vs) > 0 {
			vals[q.ID] = vs
		}
	}
	if err := checkSection(g.Template, ans, sec, vals); err != nil {
		return err
	}
	return a.putGuideSection(ctx, who, ws, section, vals)
}

func (a *App) putGuideSection(ctx context.Context, who Actor, ws Scope, section string, vals map[string][]string) error {
	b, err := json.Marshal(vals)
	if err != nil {
		return fmt.Errorf("app: save guide answers: %w", err)
	}
	return a.st.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.PutSetupAnswers(ctx, store.SetupAnswers{WorkspaceID: ws.WS.ID, Section: section, Answers: b,
			UpdatedBy: who.User.ID, Updated: a.now()}); err != nil {
			return err
		}
		return a.record(ctx, tx, who, ws, audit.SetupAnswersSave, fmt.Sprintf("workspace:%d/setup", ws.WS.ID),
			map[string]any{"section": section})
	})
}

// checkSection checks a section's answers against its questions; the
// errors name each question by its field and its words.
func checkSection(t SetupTemplate, ans guideAnswers, sec GuideSection, vals map[string][]string) error {
	var errs Errors
	bad := func(q Question, msg string) {
		errs = append(errs, invalid(q.ID, fmt.Sprintf("%s %s", strings.TrimSuffix(q.Label, "?")+":", msg)))
	}
	for _, q := range sec.Questions {
		vs := vals[q.ID]
		if len(vs) == 0 {
			if q.Required {
				if q.Unknown {
					bad(q, "answer it, or choose \"I don't know\".")
				} else {
					bad(q, "answer it.")
				}
			}
			continue
		}
		if slices.Contains(vs, DontKnow) && q.Kind != QSystems {
			switch {
			case !q.Unknown:
				bad(q, "this one needs an answer.")
			case len(vs) > 1:
				bad(q, "you gave an answer and ticked \"I don't know\": keep one of them.")
			}
			continue
		}
		if q.Kind != QSystems && len(vs) > 1 {
			bad(q, "give one answer.")
			continue
		}
		v := vs[0]
		switch q.Kind {
		case QText:
			if len(v) > maxAnswerText {
				bad(q, fmt.Sprintf("keep it under %d characters.", maxAnswerText))
			}
		case QLines:
			lines := splitLines(v)
			switch {
			case q.Required && len(lines) == 0:
				bad(q, "enter at least one, one per line.")
			case len(lines) > maxAnswerLines:
				bad(q, fmt.Sprintf("enter at most %d.", maxAnswerLines))
			case slices.ContainsFunc(lines, func(l string) bool { return len(l) > maxAnswerText }):
				bad(q, fmt.Sprintf("keep each line under %d characters.", maxAnswerText))
			}
		case QNumber:
			n, err := strconv.ParseFloat(v, 64)
			switch {
			case err != nil || math.IsNaN(n) || math.IsInf(n, 0):
				bad(q, fmt.Sprintf("%q is not a number; enter digits only, such as 12.", v))
			case n < 0 || n > maxAnswerValue:
				bad(q, "enter a number between 0 and 10,000,000.")
			case q.ID != "reimbursement" && n != math.Trunc(n):
				bad(q, "enter a whole number.")
			case q.ID == "workforce" && n < 1:
				bad(q, "count at least yourself.")
			}
		case QDate:
			d, err := time.Parse(time.DateOnly, v)
			switch {
			case err != nil:
				bad(q, fmt.Sprintf("%q is not a date; write it as YYYY-MM-DD, such as 2026-03-31.", v))
			case d.Year() < 1990:
				bad(q, "enter a date after 1990.")
			}
		case QChoice:
			if !slices.ContainsFunc(q.Choices, func(c Choice) bool { return c.Value == v }) {
				bad(q, fmt.Sprintf("%q is not one of the answers offered.", v))
			}
		case QSystems:
			for _, id := range vs {
				if !slices.ContainsFunc(t.systems, func(s systemSlot) bool { return s.id == id }) {
					bad(q, fmt.Sprintf("%q is not a system of this guide.", id))
					break
				}
			}
		}
	}
	if len(errs) > 0 {
		return errs
	}
	return nil
}

func splitLines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// BuildModelFromGuide turns the finished guide into the workspace's first
// model, checked by the same loader as any import and saved through
// SaveModel (versioned and audited). A workspace that has a model already
// keeps it (ErrConflict): the guide starts a model, the Model page edits it.
func (a *App) BuildModelFromGuide(ctx context.Context, who Actor, ws Scope) (store.WorkspaceModel, error) {
	g, err := a.Guide(ctx, who, ws)
	if err != nil {
		return store.WorkspaceModel{}, err
	}
	if g.HasModel {
		return store.WorkspaceModel{}, &Error{Kind: ErrConflict,
			Msg: "This workspace has a model already, so the guide did not replace it. Change it on the Model page."}
	}
	if !g.Complete {
		for _, s := range g.Sections {
			if !g.Done[s.ID] {
				return store.WorkspaceModel{}, &Error{Kind: ErrConflict, Msg: "Finish the section \"" + s.Title + "\" first."}
			}
		}
		return store.WorkspaceModel{}, &Error{Kind: ErrConflict, Msg: "Choose the kind of organisation first."}
	}
	ans, err := a.guideAnswers(ctx, ws.WS.ID)
	if err != nil {
		return store.WorkspaceModel{}, err
	}
	m, err := newGuideBuild(g.Template, ans).model(a.Today())
	if err != nil {
		return store.WorkspaceModel{}, err
	}
	checked, el, err := CheckModel(m)
	if err != nil {
		return store.WorkspaceModel{}, err
	}
	if len(el) > 0 {
		return store.WorkspaceModel{}, &Error{Kind: ErrInvalid, Msg: "The answers do not make a valid model: " + el.Error(), Err: el}
	}
	return a.SaveModel(ctx, who, ws, ModelChange{Model: checked, Revision: 0, Part: guidePart, Action: audit.ModelFromGuide,
		Details: map[string]any{"template": g.Template.ID}})
}
