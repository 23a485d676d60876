package web

import (
	"context"
	"errors"
	"io"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"rcmguard/internal/app"
	"rcmguard/internal/auth"
	"rcmguard/internal/incident"
	"rcmguard/internal/store"
)

// The incident pages: the list, the form that opens or edits one, the
// incident's own page (clocks, playbook, assessment summary, corrective
// actions, evidence, timeline) and the breach assessment's form. Every
// change goes through one app use case; the pages only read forms and
// show what comes back.

func init() {
	// The incident views are registered here, beside their handlers, so
	// that the shared list in render.go is not edited by every feature.
	views = append(views, "incidents", "incident", "incident_form", "incident_assessment", "incident_notices", "incident_log")
}

// maxIncidentBody bounds a request to the evidence upload: the file and
// its multipart envelope.
const maxIncidentBody = app.MaxIncidentFile + 64<<10

// incidentID reads the {inc} path value; anything but a positive number
// is not found.
func incidentID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("inc"), 10, 64)
	if err != nil || id <= 0 {
		return 0, errNotFound
	}
	return id, nil
}

func incidentPath(c *call, id int64, rest string) string {
	return wsPath(c.WS.ID, "/incidents/"+itoa(id)+rest)
}

type incidentListData struct {
	Rows    []incidentRow
	CanEdit bool
}

type incidentRow struct {
	app.Incident
	Owner    string
	NextDue  string // the earliest federal or State notice due, or ""
	Overdue  bool
	Breach   bool
	Assessed bool
}

func (s *Server) incidentList(w http.ResponseWriter, r *http.Request, c *call) error {
	ctx := r.Context()
	list, err := s.app.IncidentsWithClocks(ctx, c.actor(), c.scope())
	if err != nil {
		return err
	}
	d := incidentListData{CanEdit: auth.Can(c.Role, auth.ActIncidentEdit)}
	emails := map[int64]string{}
	for _, v := range list {
		in := v.Incident
		row := incidentRow{Incident: in, Owner: s.userEmail(ctx, in.OwnerID, emails), Assessed: in.Assessment != nil}
		row.Breach = v.Clocks.Breach
		if in.Status != app.IncidentClosed && in.Status != app.IncidentNotified && len(v.Clocks.Notices) > 0 {
			n := v.Clocks.Notices[0]
			row.NextDue, row.Overdue = n.Due.String(), n.DaysLeft < 0
		}
		d.Rows = append(d.Rows, row)
	}
	return s.render(w, http.StatusOK, "incidents", page{Title: "Incidents", Nav: "incidents", C: c, Data: d})
}

// incidentFormData is the form that opens or edits an incident.
type incidentFormData struct {
	ID        int64 // 0 for a new incident
	Revision  int
	Form      incidentFormValues
	Errs      map[string]string
	Choices   app.IncidentChoices
	DataTypes []app.Choice
	Roles     []app.Choice
	Sevs      []string
}

// incidentFormValues are the form's fields as typed.
type incidentFormValues struct {
	Title, Summary, Severity, Owner, Discovered, Occurred, Role, Counts, Insufficient, Contact string
	Systems, Clients, DataTypes                                                                []string
	DelayStatement, DelayUntil, DelayOfficial                                                  string
	DelayWritten                                                                               bool
}

func (v incidentFormValues) Has(list []string, x string) bool { return slices.Contains(list, x) }

func valuesOf(in app.Incident) incidentFormValues {
	v := incidentFormValues{Title: in.Title, Summary: in.Summary, Severity: in.Severity, Owner: itoa(in.OwnerID),
		Discovered: in.Discovered, Occurred: in.Occurred, Role: in.Role, Counts: app.FormatCounts(in.Counts),
		Insufficient: strconv.Itoa(in.InsufficientContact), Contact: in.Contact, Systems: in.Systems, Clients: in.Clients, DataTypes: in.DataTypes}
	if d := in.Delay; d != nil {
		v.DelayStatement, v.DelayUntil, v.DelayOfficial, v.DelayWritten = d.Statement, d.Until, d.Official, d.Written
	}
	return v
}

func readIncidentForm(r *http.Request) incidentFormValues {
	p := func(k string) string { return strings.TrimSpace(r.PostFormValue(k)) }
	_ = r.ParseForm()
	return incidentFormValues{Title: p("title"), Summary: p("summary"), Severity: p("severity"), Owner: p("owner"),
		Discovered: p("discovered"), Occurred: p("occurred"), Role: p("role"), Counts: r.PostFormValue("counts"),
		Insufficient: p("insufficient_contact"), Contact: p("contact"), Systems: r.PostForm["systems"], Clients: r.PostForm["clients"],
		DataTypes: r.PostForm["data_types"], DelayStatement: p("delay_statement"), DelayUntil: p("delay_until"),
		DelayOfficial: p("delay_official"), DelayWritten: p("delay_written") == "yes"}
}

// appForm turns the typed values into the use case's input; what does not
// parse is reported by field before the use case runs.
func (v incidentFormValues) appForm() (app.IncidentForm, app.Errors) {
	var errs app.Errors
	f := app.IncidentForm{Title: v.Title, Summary: v.Summary, Severity: v.Severity, Discovered: v.Discovered, Occurred: v.Occurred,
		Role: v.Role, Systems: v.Systems, Clients: v.Clients, DataTypes: v.DataTypes, Contact: v.Contact}
	f.OwnerID, _ = strconv.ParseInt(v.Owner, 10, 64)
	if v.Insufficient != "" {
		n, err := strconv.Atoi(v.Insufficient)
		if err != nil {
			errs = append(errs, &app.Error{Kind: app.ErrInvalid, Field: "insufficient_contact", Msg: "Enter a whole number."})
		}
		f.InsufficientContact = n
	}
	counts, err := app.ParseCounts(v.Counts)
	var ce app.Errors
	if errors.As(err, &ce) {
		errs = append(errs, ce...)
	}
	f.Counts = counts
	if v.DelayStatement != "" || v.DelayUntil != "" || v.DelayOfficial != "" {
		f.Delay = &app.LawDelay{Statement: v.DelayStatement, Until: v.DelayUntil, Official: v.DelayOfficial, Written: v.DelayWritten}
	}
	return f, errs
}

func (s *Server) incidentFormPage(w http.ResponseWriter, r *http.Request, c *call, status int, d incidentFormData) error {
	ch, err := s.app.IncidentChoices(r.Context(), c.actor(), c.scope())
	if err != nil {
		return err
	}
	d.Choices, d.Sevs = ch, app.IncidentSeverities
	for _, t := range app.DataTypes {
		d.DataTypes = append(d.DataTypes, app.Choice{Value: t.Key, Label: t.Title})
	}
	d.Roles = []app.Choice{{Value: string(incident.RoleCoveredEntity), Label: "Covered entity (a practice): we notify individuals, the media and HHS"},
		{Value: string(incident.RoleBusinessAssociate), Label: "Business associate (a billing company): we notify each client (164.410)"}}
	title := "Open an incident"
	if d.ID != 0 {
		title = "Edit incident: " + d.Form.Title
	}
	return s.render(w, status, "incident_form", page{Title: title, Nav: "incidents", C: c, Data: d})
}

func (s *Server) incidentNewForm(w http.ResponseWriter, r *http.Request, c *call) error {
	v := incidentFormValues{Severity: "moderate", Owner: itoa(c.User.ID), Role: app.DefaultIncidentRole(c.WS),
		Discovered: incident.DateOf(s.now().UTC()).String()}
	return s.incidentFormPage(w, r, c, http.StatusOK, incidentFormData{Form: v})
}

func (s *Server) incidentCreate(w http.ResponseWriter, r *http.Request, c *call) error {
	v := readIncidentForm(r)
	f, errs := v.appForm()
	var in app.Incident
	var err error = errs
	if len(errs) == 0 {
		in, err = s.app.OpenIncident(r.Context(), c.actor(), c.scope(), f)
	}
	var fields app.Errors
	if errors.As(err, &fields) {
		return s.incidentFormPage(w, r, c, statusOf(err), incidentFormData{Form: v, Errs: fields.ByField()})
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, incidentPath(c, in.ID, "?opened=1"), http.StatusSeeOther)
	return nil
}

func (s *Server) incidentEditForm(w http.ResponseWriter, r *http.Request, c *call) error {
	id, err := incidentID(r)
	if err != nil {
		return err
	}
	v, err := s.app.Incident(r.Context(), c.actor(), c.scope(), id)
	if err != nil {
		return err
	}
	return s.incidentFormPage(w, r, c, http.StatusOK, incidentFormData{ID: id, Revision: v.Revision, Form: valuesOf(v.Incident)})
}

func (s *Server) incidentUpdate(w http.ResponseWriter, r *http.Request, c *call) error {
	id, err := incidentID(r)
	if err != nil {
		return err
	}
	if err := s.app.CheckIncident(r.Context(), c.actor(), c.scope(), id, auth.ActIncidentEdit); err != nil {
		return err
	}
	v := readIncidentForm(r)
	rev, _ := strconv.Atoi(r.PostFormValue("revision"))
	f, errs := v.appForm()
	err = errs
	if len(errs) == 0 {
		if rev <= 0 {
			return errBadInput
		}
		_, err = s.app.UpdateIncident(r.Context(), c.actor(), c.scope(), id, rev, f)
	}
	var fields app.Errors
	if errors.As(err, &fields) {
		return s.incidentFormPage(w, r, c, statusOf(err), incidentFormData{ID: id, Revision: rev, Form: v, Errs: fields.ByField()})
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, incidentPath(c, id, "?saved=1"), http.StatusSeeOther)
	return nil
}

// incidentPageData is the incident's page.
type incidentPageData struct {
	V           app.IncidentView
	Owner       string
	Names       map[int64]string
	Systems     []string // names
	Clients     []string
	DataTypes   []string
	Events      []incidentEventRow
	Steps       []playbookStep
	Playbooks   []incident.Playbook
	Next        []string // the statuses it may move to
	Factors     []factorRow
	Exception   string
	Notices     []noticeRow
	Flash       string
	Err         string // a refusal of one of the page's forms
	ErrForm     string // which form Err is about
	CanEdit     bool
	CanDecide   bool
	Closed      bool
	ItemsDone   int
	ItemsTotal  int
	StatusTitle map[string]string
}

type incidentEventRow struct {
	store.IncidentEvent
	Who string
}

type playbookStep struct {
	incident.Step
	Items []playbookItem
}

type playbookItem struct {
	Key, Text, By string
	Done          bool
	At            string
}

type factorRow struct {
	Title, Citation, Risk, Reason string
}

type noticeRow struct {
	incident.Notice
	Overdue bool
	To      string
}

// noticeAudiences name a notice's recipient for people.
var noticeAudiences = map[string]string{
	"individuals": "Individuals", "media": "Media", "hhs": "HHS (Secretary)", "covered_entity": "Covered entity (client)",
	"state_attorney_general": "State regulator",
}

// incidentStatusTitles name the statuses.
var incidentStatusTitles = map[string]string{
	app.IncidentOpen: "Open", app.IncidentContained: "Contained", app.IncidentAssessed: "Assessed",
	app.IncidentNotified: "Notified", app.IncidentClosed: "Closed",
}

func (s *Server) incidentView(w http.ResponseWriter, r *http.Request, c *call) error {
	id, err := incidentID(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	flash := ""
	for k, msg := range map[string]string{"opened": "The incident is open. Choose a playbook and work through its checklist.",
		"saved": "Saved. The clocks were run again on the record as it stands.", "assessed": "The breach assessment is signed and recorded.",
		"moved": "The incident's status changed.", "attached": "The evidence was attached, sealed."} {
		if q.Get(k) == "1" {
			flash = msg
		}
	}
	return s.incidentPage(w, r, c, http.StatusOK, id, flash, "", nil)
}

// incidentPage shows the incident; formErr is a refusal of one of its
// forms (which one in errForm), shown beside it.
func (s *Server) incidentPage(w http.ResponseWriter, r *http.Request, c *call, status int, id int64, flash, errForm string, formErr error) error {
	ctx := r.Context()
	v, err := s.app.Incident(ctx, c.actor(), c.scope(), id)
	if err != nil {
		return err
	}
	d := incidentPageData{V: v, Flash: flash, CanEdit: auth.Can(c.Role, auth.ActIncidentEdit), CanDecide: auth.Can(c.Role, auth.ActIncidentDecide),
		Closed: v.Status == app.IncidentClosed, Playbooks: incident.Playbooks(), Names: map[int64]string{}, StatusTitle: incidentStatusTitles}
	if formErr != nil {
		d.Err, d.ErrForm = app.Message(formErr), errForm
		if d.Err == "" {
			d.Err = "That change could not be made."
		}
	}
	d.Owner = s.userEmail(ctx, v.OwnerID, d.Names)
	s.userEmail(ctx, v.OpenedBy, d.Names)
	ch, err := s.app.IncidentChoices(ctx, c.actor(), c.scope())
	if err != nil {
		return err
	}
	d.Systems = choiceLabels(ch.Systems, v.Systems)
	d.Clients = choiceLabels(ch.Clients, v.Clients)
	for _, k := range v.DataTypes {
		d.DataTypes = append(d.DataTypes, app.DataTypeTitle(k))
	}
	for _, ev := range v.Events {
		d.Events = append(d.Events, incidentEventRow{IncidentEvent: ev, Who: s.userEmail(ctx, ev.ActorID, d.Names)})
	}
	slices.Reverse(d.Events) // newest first
	if p := v.Playbook; p != nil {
		for _, st := range p.Steps {
			ps := playbookStep{Step: st}
			for _, it := range st.Checklist {
				k := st.Key(it)
				item := playbookItem{Key: k, Text: it.Text}
				if t, ok := v.Ticks[k]; ok {
					item.Done, item.By, item.At = true, s.userEmail(ctx, t.By, d.Names), fmtDateTime(t.At)
					d.ItemsDone++
				}
				d.ItemsTotal++
				ps.Items = append(ps.Items, item)
			}
			d.Steps = append(d.Steps, ps)
		}
	}
	if from := slices.Index(app.IncidentStatuses, v.Status); from >= 0 {
		d.Next = app.IncidentStatuses[from+1:]
	}
	if a := v.Assessment; a != nil {
		s.userEmail(ctx, a.SignedBy, d.Names)
		d.Exception = "None claimed"
		for _, e := range app.Exceptions {
			if e.Key == a.Exception {
				d.Exception = e.Title + " (" + e.Citation + ")"
			}
		}
		for _, q := range app.Factors {
			row := factorRow{Title: q.Title, Citation: q.Citation}
			for _, f := range a.Factors {
				if f.Key == q.Key {
					row.Risk, row.Reason = f.Risk, f.Reason
				}
			}
			d.Factors = append(d.Factors, row)
		}
	}
	for _, ac := range v.Actions {
		s.userEmail(ctx, ac.DoneBy, d.Names)
	}
	for _, f := range v.Files {
		s.userEmail(ctx, f.AddedBy, d.Names)
	}
	d.Notices = noticeRows(v.Clocks.Notices)
	return s.render(w, status, "incident", page{Title: "Incident: " + v.Title, Nav: "incidents", C: c, Data: d})
}

func noticeRows(ns []incident.Notice) []noticeRow {
	out := make([]noticeRow, 0, len(ns))
	for _, n := range ns {
		to := noticeAudiences[n.To]
		if to == "" {
			to = n.To
		}
		out = append(out, noticeRow{Notice: n, Overdue: n.DaysLeft < 0, To: to})
	}
	return out
}

// choiceLabels names the chosen values by the choices offered; a value no
// longer offered (a system since removed from the model) shows as it is.
func choiceLabels(choices []app.Choice, values []string) []string {
	var out []string
	for _, v := range values {
		name := v
		for _, c := range choices {
			if c.Value == v {
				name = c.Label
			}
		}
		out = append(out, name)
	}
	return out
}

// incidentChange runs one of the incident page's small forms: a refusal
// a person can act on is shown on the page beside the form; anything
// else is an error page.
func (s *Server) incidentChange(w http.ResponseWriter, r *http.Request, c *call, form, done string, fn func(ctx context.Context, id int64) error) error {
	id, err := incidentID(r)
	if err != nil {
		return err
	}
	if err := s.app.CheckIncident(r.Context(), c.actor(), c.scope(), id, auth.ActIncidentView); err != nil {
		return err
	}
	err = fn(r.Context(), id)
	var fields app.Errors
	if errors.As(err, &fields) || (app.Message(err) != "" && !errors.Is(err, app.ErrNotFound) && !errors.Is(err, app.ErrForbidden)) {
		return s.incidentPage(w, r, c, statusOf(err), id, "", form, err)
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, incidentPath(c, id, done+"#"+form), http.StatusSeeOther)
	return nil
}

func (s *Server) incidentNote(w http.ResponseWriter, r *http.Request, c *call) error {
	return s.incidentChange(w, r, c, "timeline", "", func(ctx context.Context, id int64) error {
		return s.app.AddIncidentNote(ctx, c.actor(), c.scope(), id, r.PostFormValue("note"))
	})
}

func (s *Server) incidentStatus(w http.ResponseWriter, r *http.Request, c *call) error {
	return s.incidentChange(w, r, c, "status", "?moved=1", func(ctx context.Context, id int64) error {
		_, err := s.app.SetIncidentStatus(ctx, c.actor(), c.scope(), id, r.PostFormValue("status"), r.PostFormValue("note"))
		return err
	})
}

func (s *Server) incidentPlaybook(w http.ResponseWriter, r *http.Request, c *call) error {
	return s.incidentChange(w, r, c, "playbook", "", func(ctx context.Context, id int64) error {
		return s.app.ChooseIncidentPlaybook(ctx, c.actor(), c.scope(), id, r.PostFormValue("playbook"))
	})
}

func (s *Server) incidentChecklist(w http.ResponseWriter, r *http.Request, c *call) error {
	return s.incidentChange(w, r, c, "playbook", "", func(ctx context.Context, id int64) error {
		return s.app.TickIncidentItem(ctx, c.actor(), c.scope(), id, r.PostFormValue("item"), r.PostFormValue("done") == "yes")
	})
}

func (s *Server) incidentActionAdd(w http.ResponseWriter, r *http.Request, c *call) error {
	return s.incidentChange(w, r, c, "actions", "", func(ctx context.Context, id int64) error {
		return s.app.AddCorrectiveAction(ctx, c.actor(), c.scope(), id, r.PostFormValue("action"), r.PostFormValue("action_owner"), strings.TrimSpace(r.PostFormValue("action_due")))
	})
}

func (s *Server) incidentActionDone(w http.ResponseWriter, r *http.Request, c *call) error {
	n, _ := strconv.Atoi(r.PathValue("action")) // an action that does not parse is none of the incident's
	return s.incidentChange(w, r, c, "actions", "", func(ctx context.Context, id int64) error {
		return s.app.CompleteCorrectiveAction(ctx, c.actor(), c.scope(), id, n)
	})
}

func (s *Server) incidentFileAdd(w http.ResponseWriter, r *http.Request, c *call) error {
	return s.incidentChange(w, r, c, "evidence", "?attached=1", func(ctx context.Context, id int64) error {
		file, hdr, err := r.FormFile("file")
		if err != nil {
			return app.Errors{{Kind: app.ErrInvalid, Field: "file", Msg: "Choose a file to attach."}}
		}
		defer file.Close()
		if hdr.Size > app.MaxIncidentFile {
			return &app.Error{Kind: app.ErrTooLarge, Field: "file", Msg: "The file is larger than 4 MiB: attach an excerpt, or a PDF of it."}
		}
		data, err := io.ReadAll(io.LimitReader(file, app.MaxIncidentFile+1))
		if err != nil {
			return err
		}
		_, err = s.app.AttachIncidentFile(ctx, c.actor(), c.scope(), id, hdr.Filename, data)
		return err
	})
}

// incidentFileDownload sends a piece of evidence as an attachment of the
// type sniffed when it was attached, never rendered in the page's origin.
func (s *Server) incidentFileDownload(w http.ResponseWriter, r *http.Request, c *call) error {
	id, err := incidentID(r)
	if err != nil {
		return err
	}
	fid, err := strconv.ParseInt(r.PathValue("file"), 10, 64)
	if err != nil || fid <= 0 {
		return errNotFound
	}
	f, err := s.app.IncidentFile(r.Context(), c.actor(), c.scope(), id, fid)
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", f.ContentType)
	cd := mime.FormatMediaType("attachment", map[string]string{"filename": f.Name})
	if cd == "" {
		// A name FormatMediaType cannot encode still downloads, never inline.
		cd = "attachment"
	}
	h.Set("Content-Disposition", cd)
	h.Set("Content-Security-Policy", csp+"; sandbox")
	_, err = w.Write(f.Data)
	return err
}
