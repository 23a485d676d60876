package app

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"path"
	"slices"
	"strings"
	"time"

	"rcmguard/internal/audit"
	"rcmguard/internal/auth"
	"rcmguard/internal/incident"
	"rcmguard/internal/store"
)

// BreachAssessment is the documented answer to "is it a breach?" (45 CFR
// 164.402), in the order the definition reads: the three exclusions of
// paragraph (1), whether the PHI was secured (not "unsecured" under HHS's
// guidance), and otherwise the four factors of paragraph (2)(i)–(iv), each
// with its reason. A person concludes and signs it; it is kept as the
// record that carries the burden of proof of 164.414(b).
type BreachAssessment struct {
	Exception       string   `json:"exception"` // incident.Exception
	ExceptionReason string   `json:"exception_reason,omitempty"`
	Secured         bool     `json:"secured"`
	SecuredReason   string   `json:"secured_reason,omitempty"`
	Factors         []Factor `json:"factors"`
	LowProbability  bool     `json:"low_probability"`
	Conclusion      string   `json:"conclusion"`
	SignedName      string   `json:"signed_name"`
	SignedBy        int64    `json:"signed_by"`
	SignedOn        string   `json:"signed_on"` // YYYY-MM-DD
}

// Factor is one of the four factors of 164.402(2) as assessed.
type Factor struct {
	Key    string `json:"key"`
	Risk   string `json:"risk"` // "low" or "not_low"
	Reason string `json:"reason"`
}

// Factors are the four factors of 164.402(2), with the questions the
// assessment asks.
var Factors = []struct{ Key, Title, Citation, Question string }{
	{"nature", "The nature and extent of the PHI involved", "164.402(2)(i)",
		"Which identifiers and how sensitive (diagnoses, SSNs, financial data)? How likely is re-identification?"},
	{"recipient", "The unauthorized person who used the PHI or to whom it was disclosed", "164.402(2)(ii)",
		"Who received or used it? Are they bound by HIPAA or another duty of confidentiality (another covered entity, a business associate)?"},
	{"acquired", "Whether the PHI was actually acquired or viewed", "164.402(2)(iii)",
		"Is there evidence (logs, forensics, a returned envelope unopened) that it was or was not acquired or viewed?"},
	{"mitigation", "The extent to which the risk to the PHI has been mitigated", "164.402(2)(iv)",
		"Were satisfactory assurances obtained (a signed attestation of destruction)? Was the data recovered or wiped?"},
}

// Exceptions are the exclusions of 164.402(1), by the clocks engine's key.
var Exceptions = []struct{ Key, Title, Citation string }{
	{string(incident.ExceptionWorkforceGoodFaith), "Unintentional acquisition, access or use by a workforce member or person acting under authority, in good faith, within the scope of authority, not further used or disclosed impermissibly", "164.402(1)(i)"},
	{string(incident.ExceptionInadvertentAuthorized), "Inadvertent disclosure by a person authorized to access PHI to another person authorized at the same covered entity, business associate or organized health care arrangement, not further used or disclosed impermissibly", "164.402(1)(ii)"},
	{string(incident.ExceptionCannotRetain), "A disclosure where there is a good-faith belief that the unauthorized person could not reasonably have retained the information", "164.402(1)(iii)"},
}

// Determination is what the clocks engine concludes from the assessment;
// a nil or unsigned assessment presumes a breach.
func (b *BreachAssessment) Determination() incident.Determination {
	return incident.Determine(b.input())
}

func (b *BreachAssessment) input() *incident.Input {
	in := &incident.Input{Exception: incident.ExceptionNone, DiscoveredMinute: -1}
	if b != nil && b.SignedBy != 0 {
		in.Exception = incident.Exception(b.Exception)
		in.PHISecured = b.Secured
		in.LowProbability = b.LowProbability
	}
	return in
}

// AssessmentForm is a breach assessment as a person fills it in.
type AssessmentForm struct {
	Exception       string
	ExceptionReason string
	Secured         bool
	SecuredReason   string
	Factors         map[string]Factor // by key
	LowProbability  bool
	Conclusion      string
	SignedName      string
}

// AssessIncident records and signs the breach assessment of an incident.
// Only an owner or compliance officer signs. The rules follow 164.402: an
// exclusion claimed or PHI secured needs its reason; otherwise the four
// factors each need a finding and a reason, and a low probability of
// compromise can be concluded only when no factor points the other way.
// Signing again replaces the assessment; the timeline keeps both.
func (a *App) AssessIncident(ctx context.Context, who Actor, ws Scope, id int64, f AssessmentForm) (Incident, error) {
	if err := a.CheckIncident(ctx, who, ws, id, auth.ActIncidentDecide); err != nil {
		if errors.Is(err, ErrForbidden) {
			return Incident{}, &Error{Kind: ErrForbidden, Msg: "Only an owner or compliance officer signs a breach assessment.", Err: err}
		}
		return Incident{}, err
	}
	b, err := checkAssessment(f)
	if err != nil {
		return Incident{}, err
	}
	b.SignedBy = who.User.ID
	b.SignedOn = incident.DateOf(a.now().UTC()).String()
	return a.mutateIncident(ctx, who, ws, id, 0, audit.IncidentAssess, func(in *Incident, now time.Time) (string, string, map[string]any, error) {
		in.Assessment = &b
		d := b.Determination()
		verdict := "not a breach requiring notice"
		if d.Breach {
			verdict = "a breach of unsecured PHI"
		}
		text := fmt.Sprintf("Signed the breach assessment as %s on %s: %s (%s). %s", b.SignedName, b.SignedOn, verdict, d.Citation, b.Conclusion)
		return "assessment", text, map[string]any{"breach": d.Breach}, nil
	})
}

func checkAssessment(f AssessmentForm) (BreachAssessment, error) {
	var errs Errors
	b := BreachAssessment{Exception: f.Exception, ExceptionReason: freeText(f.ExceptionReason), Secured: f.Secured,
		SecuredReason: freeText(f.SecuredReason), LowProbability: f.LowProbability,
		Conclusion: freeText(f.Conclusion), SignedName: strings.TrimSpace(f.SignedName)}
	if b.Exception == "" {
		b.Exception = string(incident.ExceptionNone)
	}
	known := b.Exception == string(incident.ExceptionNone)
	for _, e := range Exceptions {
		known = known || e.Key == b.Exception
	}
	if !known {
		errs = append(errs, &Error{Kind: ErrMalformed, Field: "exception", Msg: "Choose an exception from the list, or none."})
	}
	long := func(s string) bool { return len(s) > maxIncidentText }
	if b.Exception != string(incident.ExceptionNone) && b.ExceptionReason == "" {
		errs = append(errs, invalid("exception_reason", "Say why the exception applies: the record must show it (164.414(b))."))
	}
	if b.Secured && b.SecuredReason == "" {
		errs = append(errs, invalid("secured_reason", "Say how the PHI was secured: the encryption (and that its key was not compromised) or the destruction, as HHS's guidance describes."))
	}
	// The factors decide only when no exclusion applies and the PHI was
	// unsecured; they are still recorded when given.
	needFactors := b.Exception == string(incident.ExceptionNone) && !b.Secured
	anyNotLow := false
	for _, q := range Factors {
		fa, ok := f.Factors[q.Key]
		fa.Key, fa.Reason = q.Key, freeText(fa.Reason)
		switch {
		case !ok && !needFactors:
			continue
		case fa.Risk != "low" && fa.Risk != "not_low" && (needFactors || fa.Risk != ""):
			errs = append(errs, invalid("factor_"+q.Key, "Say whether this factor points to a low probability of compromise or not ("+q.Citation+")."))
		case needFactors && fa.Reason == "":
			errs = append(errs, invalid("factor_"+q.Key, "Give the reason for this factor's finding ("+q.Citation+")."))
		case long(fa.Reason):
			errs = append(errs, invalid("factor_"+q.Key, "Keep the reason under 8,000 characters."))
		}
		anyNotLow = anyNotLow || fa.Risk == "not_low"
		b.Factors = append(b.Factors, fa)
	}
	if b.LowProbability && !needFactors {
		b.LowProbability = false // an exclusion or secured PHI decides first
	}
	if b.LowProbability && anyNotLow {
		errs = append(errs, invalid("low_probability", "A low probability of compromise cannot be concluded while a factor points the other way: a breach is presumed (164.402(2))."))
	}
	switch {
	case b.Conclusion == "":
		errs = append(errs, invalid("conclusion", "Write the conclusion in a sentence or two: it is what an investigator reads first."))
	case long(b.Conclusion) || long(b.ExceptionReason) || long(b.SecuredReason):
		errs = append(errs, invalid("conclusion", "Keep each text under 8,000 characters."))
	}
	if b.SignedName == "" || len(b.SignedName) > maxIncidentTitle {
		errs = append(errs, invalid("signed_name", "Sign with your full name: a person decides, and the record says who."))
	}
	if len(errs) > 0 {
		return b, errs
	}
	return b, nil
}

// incidentClocks runs the clocks engine on the incident as recorded. A
// business associate's clients take their BAA's notice term from the
// model. The second result says why the clocks could not run, if so.
func (a *App) incidentClocks(ctx context.Context, wsID int64, in Incident) (incident.Result, string, error) {
	terms, err := a.baaTerms(ctx, wsID, in)
	if err != nil {
		return incident.Result{}, "", err
	}
	r, why := a.clocksOf(in, terms)
	return r, why, nil
}

// baaTerms are the notice terms of the clients' BAAs, from the model,
// when the incident's clocks need them (a business associate's).
func (a *App) baaTerms(ctx context.Context, wsID int64, in Incident) (map[string]int, error) {
	terms := map[string]int{}
	if in.Role != string(incident.RoleBusinessAssociate) {
		return terms, nil
	}
	_, m, _, err := a.CurrentModel(ctx, wsID)
	if err != nil || m == nil {
		return terms, err
	}
	for _, c := range m.Clients {
		// A term the model leaves out is not known: the statute's 60
		// days (164.410(b)) apply until the BAA is read.
		if d := c.BAA.BreachNoticeDays; d != nil {
			terms[c.ID] = *d
		}
	}
	return terms, nil
}

// clocksOf runs the engine on the incident with the BAA terms given.
func (a *App) clocksOf(in Incident, terms map[string]int) (incident.Result, string) {
	today := incident.DateOf(a.now().UTC())
	input := in.Assessment.input()
	input.Role = incident.Role(in.Role)
	var ok bool
	if input.Discovered, ok = incident.ParseDate(in.Discovered); !ok {
		return incident.Result{}, "The discovery date is missing."
	}
	if d := in.Delay; d != nil {
		st, _ := incident.ParseDate(d.Statement)
		until, _ := incident.ParseDate(d.Until)
		input.LawEnforcementDelay = &incident.Delay{Statement: st, Written: d.Written, Until: until}
	}
	if input.Role == incident.RoleCoveredEntity {
		input.Affected = map[string]int{}
		for _, c := range in.Counts {
			input.Affected[c.State] += c.Individuals
		}
		input.InsufficientContact = in.InsufficientContact
		return incident.Compute(input, today), ""
	}
	if len(in.Clients) == 0 {
		return incident.Result{}, "Name the affected clients: a business associate's clocks run per client (164.410)."
	}
	for _, id := range in.Clients {
		c := incident.Client{ID: id, BAANoticeDays: terms[id], Affected: map[string]int{}}
		for _, n := range in.Counts {
			if n.Client == id {
				c.Affected[n.State] += n.Individuals
			}
		}
		input.Clients = append(input.Clients, c)
	}
	return incident.Compute(input, today), ""
}

// IncidentRow is an incident with its clocks, for a list.
type IncidentRow struct {
	Incident
	Clocks    incident.Result
	ClocksErr string
}

// IncidentsWithClocks lists the workspace's incidents, newest first, each
// with its clocks; the model is read once for all of them.
func (a *App) IncidentsWithClocks(ctx context.Context, who Actor, ws Scope) ([]IncidentRow, error) {
	list, err := a.Incidents(ctx, who, ws)
	if err != nil {
		return nil, err
	}
	terms, err := a.baaTerms(ctx, ws.WS.ID, Incident{IncidentRecord: IncidentRecord{Role: string(incident.RoleBusinessAssociate)}})
	if err != nil {
		return nil, err
	}
	out := make([]IncidentRow, 0, len(list))
	for _, in := range list {
		r, why := a.clocksOf(in, terms)
		out = append(out, IncidentRow{Incident: in, Clocks: r, ClocksErr: why})
	}
	return out, nil
}

// incidentFileTypes are the kinds of evidence an incident takes, by the
// type sniffed from the content (never the name or the browser's claim),
// with the extensions a file of that kind may have.
var incidentFileTypes = map[string][]string{
	"application/pdf":           {".pdf"},
	"image/png":                 {".png"},
	"image/jpeg":                {".jpg", ".jpeg"},
	"image/gif":                 {".gif"},
	"text/plain; charset=utf-8": {".txt", ".log", ".csv", ".eml", ".json"},
}

// AttachIncidentFile adds a piece of evidence to an incident, sealed at
// rest. Only PDFs, images and text (logs, CSV exports, saved e-mails) up
// to MaxIncidentFile are taken; the type is sniffed from the content.
func (a *App) AttachIncidentFile(ctx context.Context, who Actor, ws Scope, id int64, name string, data []byte) (store.IncidentFile, error) {
	if err := a.CheckIncident(ctx, who, ws, id, auth.ActIncidentEdit); err != nil {
		return store.IncidentFile{}, err
	}
	if len(data) > MaxIncidentFile {
		return store.IncidentFile{}, &Error{Kind: ErrTooLarge, Field: "file", Msg: "The file is larger than 4 MiB: attach an excerpt, or a PDF of it."}
	}
	if len(data) == 0 {
		return store.IncidentFile{}, Errors{invalid("file", "The file is empty.")}
	}
	base := path.Base(strings.ReplaceAll(name, `\`, "/"))
	if base == "." || base == "/" || len(base) > 200 {
		return store.IncidentFile{}, Errors{invalid("file", "Give the file a name of up to 200 characters.")}
	}
	ctype := http.DetectContentType(data)
	exts, ok := incidentFileTypes[ctype]
	if !ok || !slices.Contains(exts, strings.ToLower(path.Ext(base))) {
		return store.IncidentFile{}, &Error{Kind: ErrUnsupported, Field: "file",
			Msg: "Attach a PDF, a PNG, JPEG or GIF image, or a text file (.txt, .log, .csv, .eml, .json) whose content matches its name."}
	}
	sum := sha256.Sum256(data)
	var f store.IncidentFile
	_, err := a.mutateIncident(ctx, who, ws, id, 0, audit.IncidentFileAdd, func(in *Incident, now time.Time) (string, string, map[string]any, error) {
		f = store.IncidentFile{IncidentID: id, WorkspaceID: ws.WS.ID, Name: base, ContentType: ctype, Data: data,
			SHA256: hex.EncodeToString(sum[:]), AddedBy: who.User.ID, Added: now}
		return "evidence", "", map[string]any{"sha256": f.SHA256, "size": len(data)}, nil
	}, func(tx *store.Tx, ev *store.IncidentEvent) error {
		files, err := tx.IncidentFiles(ctx, ws.WS.ID, id)
		if err != nil {
			return err
		}
		if len(files) >= maxIncidentFiles {
			return &Error{Kind: ErrConflict, Field: "file", Msg: "An incident holds at most 50 files."}
		}
		if f, err = tx.CreateIncidentFile(ctx, f); err != nil {
			return err
		}
		ev.Text = fmt.Sprintf("Attached evidence %q (%d bytes, SHA-256 %s).", f.Name, f.Size, f.SHA256)
		return nil
	})
	return f, err
}

// IncidentFile returns a piece of an incident's evidence with its
// contents; opening it is recorded in the audit log.
func (a *App) IncidentFile(ctx context.Context, who Actor, ws Scope, id, fileID int64) (store.IncidentFile, error) {
	if err := a.Allowed(who, ws, auth.ActIncidentView, ""); err != nil {
		return store.IncidentFile{}, err
	}
	f, err := a.st.IncidentFileData(ctx, ws.WS.ID, id, fileID)
	if err != nil {
		return f, err
	}
	err = a.st.InTx(ctx, func(tx *store.Tx) error {
		return a.record(ctx, tx, who, ws, audit.IncidentFileRead, incidentObject(id), map[string]any{"file": f.ID})
	})
	return f, err
}

// AddCorrectiveAction records a corrective action on the incident.
func (a *App) AddCorrectiveAction(ctx context.Context, who Actor, ws Scope, id int64, text, owner, due string) error {
	if err := a.CheckIncident(ctx, who, ws, id, auth.ActIncidentEdit); err != nil {
		return err
	}
	text, owner = freeText(text), freeText(owner)
	var errs Errors
	switch {
	case text == "":
		errs = append(errs, invalid("action", "Say what will change."))
	case len(text) > maxIncidentText:
		errs = append(errs, invalid("action", "Keep the action under 8,000 characters."))
	}
	if owner == "" || len(owner) > maxIncidentTitle {
		errs = append(errs, invalid("action_owner", "Name who is responsible (up to 200 characters)."))
	}
	if _, ok := incident.ParseDate(due); due != "" && !ok {
		errs = append(errs, invalid("action_due", "Enter the due date as YYYY-MM-DD."))
	}
	if len(errs) > 0 {
		return errs
	}
	_, err := a.mutateIncident(ctx, who, ws, id, 0, audit.IncidentActionAdd, func(in *Incident, now time.Time) (string, string, map[string]any, error) {
		if len(in.Actions) >= maxIncidentActions {
			return "", "", nil, &Error{Kind: ErrConflict, Field: "action", Msg: "An incident holds at most 100 corrective actions."}
		}
		ac := CorrectiveAction{ID: len(in.Actions) + 1, Text: text, Owner: owner, Due: due, AddedBy: who.User.ID}
		in.Actions = append(in.Actions, ac)
		return "action", fmt.Sprintf("Recorded corrective action %d: %s (owner %s%s).", ac.ID, text, owner, dueText(due)), map[string]any{"action": ac.ID}, nil
	})
	return err
}

func dueText(due string) string {
	if due == "" {
		return ""
	}
	return ", due " + due
}

// CompleteCorrectiveAction marks a corrective action done.
func (a *App) CompleteCorrectiveAction(ctx context.Context, who Actor, ws Scope, id int64, actionID int) error {
	if err := a.CheckIncident(ctx, who, ws, id, auth.ActIncidentEdit); err != nil {
		return err
	}
	_, err := a.mutateIncident(ctx, who, ws, id, 0, audit.IncidentActionDone, func(in *Incident, now time.Time) (string, string, map[string]any, error) {
		for i := range in.Actions {
			ac := &in.Actions[i]
			if ac.ID != actionID {
				continue
			}
			if ac.Done {
				return "", "", nil, &Error{Kind: ErrConflict, Field: "action", Msg: "That corrective action is done already."}
			}
			ac.Done, ac.DoneBy, ac.DoneAt = true, who.User.ID, now
			return "action_done", fmt.Sprintf("Completed corrective action %d: %s", ac.ID, ac.Text), map[string]any{"action": ac.ID}, nil
		}
		return "", "", nil, &Error{Kind: ErrMalformed, Field: "action", Msg: "No such corrective action on this incident."}
	})
	return err
}
