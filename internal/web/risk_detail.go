package web

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"rcmguard/internal/auth"
	"rcmguard/internal/store"
)

// decisionForm is the status change form, as typed.
type decisionForm struct {
	Status, Justification, Owner, Due, Expires string
	Errors                                     map[string]string
	Saved                                      bool
}

type riskData struct {
	Row       riskRow
	Version   int
	Decision  store.RiskDecision
	Decided   bool
	Approver  string
	Form      decisionForm
	Statuses  []string
	CanAccept bool
	// Assignees are the contributors this risk is assigned to by name;
	// Candidates the workspace's contributors, offered to those who
	// assign work.
	Assignees  []memberChoice
	Candidates []memberChoice
}

// memberChoice is a member offered or shown as an assignee.
type memberChoice struct {
	ID       int64
	Email    string
	Assigned bool
}

// loadAssignees fills who the risk is assigned to and, for those who may
// assign, the contributors to choose from.
func (s *Server) loadAssignees(ctx context.Context, c *call, d *riskData) error {
	ids, err := s.st.ObjectAssignees(ctx, c.WS.ID, store.RiskObject+d.Row.R.ID)
	if err != nil {
		return err
	}
	assigned := map[int64]bool{}
	names := map[int64]string{}
	for _, id := range ids {
		assigned[id] = true
		d.Assignees = append(d.Assignees, memberChoice{ID: id, Email: s.userEmail(ctx, id, names), Assigned: true})
	}
	if !auth.Can(c.Role, auth.ActAssign) {
		return nil
	}
	ms, err := s.st.Members(ctx, c.WS.ID)
	if err != nil {
		return err
	}
	for _, m := range ms {
		if auth.Role(m.Role) == auth.RoleContributor {
			d.Candidates = append(d.Candidates, memberChoice{ID: m.UserID, Email: s.userEmail(ctx, m.UserID, names), Assigned: assigned[m.UserID]})
		}
	}
	return nil
}

// riskAssign sets the contributors a risk is assigned to.
func (s *Server) riskAssign(w http.ResponseWriter, r *http.Request, c *call) error {
	_, row, err := s.findRisk(r, c)
	if err != nil {
		return err
	}
	ctx := r.Context()
	ms, err := s.st.Members(ctx, c.WS.ID)
	if err != nil {
		return err
	}
	contributors := map[string]int64{}
	for _, m := range ms {
		if auth.Role(m.Role) == auth.RoleContributor {
			contributors[itoa(m.UserID)] = m.UserID
		}
	}
	var users []int64
	var emails []string
	names := map[int64]string{}
	for _, v := range r.PostForm["assignee"] {
		id, ok := contributors[v]
		if !ok {
			// Only the workspace's contributors can be chosen; anything
			// else was not offered by the form.
			return errBadInput
		}
		users = append(users, id)
		emails = append(emails, s.userEmail(ctx, id, names))
	}
	object := store.RiskObject + row.R.ID
	err = s.st.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.SetObjectAssignees(ctx, c.WS.ID, object, users, c.User.ID, s.now()); err != nil {
			return err
		}
		return s.audit(ctx, tx, c, "risk.assign", object, map[string]any{"assignees": emails})
	})
	if err != nil {
		return err
	}
	http.Redirect(w, r, wsPath(c.WS.ID, "/risks/"+escapeRiskID(row.R.ID)+"?assigned=1"), http.StatusSeeOther)
	return nil
}

// findRisk returns the {risk} row of the latest assessment.
func (s *Server) findRisk(r *http.Request, c *call) (store.Assessment, riskRow, error) {
	a, rows, ok, err := s.registerRows(r, c)
	if err != nil {
		return a, riskRow{}, err
	}
	if !ok {
		return a, riskRow{}, errNotFound
	}
	id := r.PathValue("risk")
	for _, row := range rows {
		if row.R.ID == id {
			return a, row, nil
		}
	}
	return a, riskRow{}, errNotFound
}

func (s *Server) riskDetail(w http.ResponseWriter, r *http.Request, c *call) error {
	a, row, err := s.findRisk(r, c)
	if err != nil {
		return err
	}
	d := riskData{Row: row, Version: a.Version, Statuses: decisionStatuses, CanAccept: auth.Can(c.Role, auth.ActRiskAccept)}
	d.Form = decisionForm{Status: row.Status, Owner: row.Owner, Due: row.Due}
	if err := s.loadDecision(r, c, &d); err != nil {
		return err
	}
	if d.Decided {
		d.Form.Justification, d.Form.Expires = d.Decision.Justification, fmtISO(d.Decision.Expires)
	}
	d.Form.Saved = r.URL.Query().Get("saved") == "1"
	if err := s.loadAssignees(r.Context(), c, &d); err != nil {
		return err
	}
	return s.render(w, http.StatusOK, "risk", page{Title: row.R.Title, Nav: "risks", C: c, Data: d})
}

func (s *Server) loadDecision(r *http.Request, c *call, d *riskData) error {
	dec, err := s.st.RiskDecision(r.Context(), c.WS.ID, d.Row.R.ID)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	d.Decision, d.Decided = dec, true
	if dec.ApproverID != 0 {
		d.Approver = s.userEmail(r.Context(), dec.ApproverID, map[int64]string{})
	}
	return nil
}

// riskDecide records a status change from the register's form.
func (s *Server) riskDecide(w http.ResponseWriter, r *http.Request, c *call) error {
	a, row, err := s.findRisk(r, c)
	if err != nil {
		return err
	}
	f := decisionForm{Status: r.PostFormValue("status"), Justification: strings.TrimSpace(r.PostFormValue("justification")),
		Owner: strings.TrimSpace(r.PostFormValue("owner")), Due: strings.TrimSpace(r.PostFormValue("due")),
		Expires: strings.TrimSpace(r.PostFormValue("expires"))}
	dec, err := s.checkDecision(c, row.R.ID, &f)
	if err != nil {
		return err
	}
	if len(f.Errors) > 0 {
		d := riskData{Row: row, Version: a.Version, Statuses: decisionStatuses, CanAccept: auth.Can(c.Role, auth.ActRiskAccept), Form: f}
		if err := s.loadDecision(r, c, &d); err != nil {
			return err
		}
		if err := s.loadAssignees(r.Context(), c, &d); err != nil {
			return err
		}
		return s.render(w, http.StatusUnprocessableEntity, "risk", page{Title: row.R.Title, Nav: "risks", C: c, Data: d})
	}
	if err := s.saveDecision(r.Context(), c, dec, "web"); err != nil {
		return err
	}
	http.Redirect(w, r, wsPath(c.WS.ID, "/risks/"+escapeRiskID(row.R.ID)+"?saved=1"), http.StatusSeeOther)
	return nil
}

// checkDecision applies the rules of a status change, the same for the
// register's form and the API, and fills f.Errors by field. Accepting a
// risk is a decision only an owner or compliance officer may take (any
// other role gets errForbidden), with a justification and an expiry; the
// person accepting is recorded as the approver. Accepted, mitigated and
// false positive all need a justification.
func (s *Server) checkDecision(c *call, riskID string, f *decisionForm) (store.RiskDecision, error) {
	f.Errors = map[string]string{}
	dec := store.RiskDecision{WorkspaceID: c.WS.ID, RiskID: riskID, Status: f.Status, Justification: f.Justification,
		Owner: f.Owner, UpdatedBy: c.User.ID, Updated: s.now()}
	if !isDecisionStatus(f.Status) {
		f.Errors["status"] = "Choose a status."
	}
	if f.Status == "accepted" && auth.Allowed(c.Member, auth.ActRiskAccept, s.now()) != nil {
		return dec, errForbidden
	}
	switch f.Status {
	case "accepted", "mitigated", "false_positive":
		if f.Justification == "" {
			f.Errors["justification"] = "Say why: a justification is required for this status."
		}
	}
	if len(f.Justification) > 4000 {
		f.Errors["justification"] = "Keep the justification under 4,000 characters."
	}
	if len(f.Owner) > 200 {
		f.Errors["owner"] = "Keep the owner under 200 characters."
	}
	var err error
	if dec.Due, err = parseFormDate(f.Due); err != nil {
		f.Errors["due"] = "Enter the due date as YYYY-MM-DD."
	}
	if dec.Expires, err = parseFormDate(f.Expires); err != nil {
		f.Errors["expires"] = "Enter the expiry as YYYY-MM-DD."
	}
	if f.Status == "accepted" {
		dec.ApproverID = c.User.ID
		switch {
		case f.Expires == "":
			f.Errors["expires"] = "An acceptance needs an expiry date, when it must be reviewed again."
		case f.Errors["expires"] == "" && !dec.Expires.After(s.today()):
			f.Errors["expires"] = "The expiry must be after today."
		}
	} else {
		dec.Expires = time.Time{}
	}
	return dec, nil
}

// saveDecision stores a checked decision with its audit entry; via says
// whether it came from the web form or the API.
func (s *Server) saveDecision(ctx context.Context, c *call, dec store.RiskDecision, via string) error {
	return s.st.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.PutRiskDecision(ctx, dec); err != nil {
			return err
		}
		details := map[string]any{"status": dec.Status}
		if via != "web" {
			details["via"] = via
		}
		if !dec.Due.IsZero() {
			details["due"] = fmtISO(dec.Due)
		}
		if !dec.Expires.IsZero() {
			details["expires"] = fmtISO(dec.Expires)
		}
		return s.audit(ctx, tx, c, "risk.decide", "risk:"+dec.RiskID, details)
	})
}

func parseFormDate(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	return time.Parse("2006-01-02", s)
}

func fmtISO(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02")
}
