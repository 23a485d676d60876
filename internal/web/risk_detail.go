package web

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"rcmguard/internal/app"
	"rcmguard/internal/auth"
	"rcmguard/internal/risk"
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
	Statuses  []risk.Status
	CanAccept bool
	// Review is the closure proposed for this risk, waiting for an owner
	// or compliance officer or rejected by one; nil when there is none.
	Review      *store.RiskReview
	RequestedBy string // who proposed it
	ReviewedBy  string // who rejected it
	ReviewNote  string // the note as typed, when a rejection is refused
	ReviewErr   string
	Proposed    bool // the viewer's closure was just sent for review
	Reviewed    string
	// Assignees are the contributors this risk is assigned to by name;
	// Candidates the workspace's contributors, offered to those who
	// assign work.
	Assignees  []memberChoice
	Candidates []memberChoice
	// Owners are the people the owner field offers (members and the
	// model's people); OwnerName names the stored owner when it is none
	// of them (an owner written as text before owners were people).
	Owners    []app.OwnerChoice
	OwnerName string
	OwnerKept bool // the stored owner is not among Owners: offered as it is
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
	var users []int64
	for _, v := range r.PostForm["assignee"] {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return errBadInput
		}
		users = append(users, id)
	}
	if err := s.app.AssignRisk(r.Context(), c.actor(), c.scope(), row.R.ID, users); err != nil {
		return err
	}
	http.Redirect(w, r, riskPath(c, row, "?assigned=1"), http.StatusSeeOther)
	return nil
}

func riskPath(c *call, row riskRow, query string) string {
	return wsPath(c.WS.ID, "/risks/"+escapeRiskID(row.R.ID)+query)
}

// findRisk returns the {risk} row of the latest assessment.
func (s *Server) findRisk(r *http.Request, c *call) (store.Assessment, riskRow, error) {
	a, rows, ok, err := s.registerRows(r, c.WS)
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

// riskPage shows a risk with its decision form as f holds it.
func (s *Server) riskPage(w http.ResponseWriter, r *http.Request, c *call, status int, a store.Assessment, row riskRow, d riskData) error {
	d.Row, d.Version, d.Statuses = row, a.Version, risk.Statuses
	d.CanAccept = auth.Can(c.Role, auth.ActRiskAccept)
	ctx := r.Context()
	owners, err := s.app.WorkspaceOwners(ctx, c.WS.ID)
	if err != nil {
		return err
	}
	d.Owners = owners.Choices
	if d.Form.Owner != "" && !owners.Has(d.Form.Owner) {
		d.OwnerKept, d.OwnerName = true, owners.Name(d.Form.Owner)
	}
	names := map[int64]string{}
	dec, err := s.st.RiskDecision(ctx, c.WS.ID, row.R.ID)
	switch {
	case err == nil:
		d.Decision, d.Decided = dec, true
		if dec.ApproverID != 0 {
			d.Approver = s.userEmail(ctx, dec.ApproverID, names)
		}
	case !errors.Is(err, store.ErrNotFound):
		return err
	}
	rv, err := s.st.RiskReview(ctx, c.WS.ID, row.R.ID)
	switch {
	case err == nil:
		d.Review, d.RequestedBy, d.ReviewedBy = &rv, s.userEmail(ctx, rv.RequestedBy, names), s.userEmail(ctx, rv.ReviewedBy, names)
	case !errors.Is(err, store.ErrNotFound):
		return err
	}
	if err := s.loadAssignees(ctx, c, &d); err != nil {
		return err
	}
	return s.render(w, status, "risk", page{Title: row.R.Title, Nav: "risks", C: c, Data: d})
}

func (s *Server) riskDetail(w http.ResponseWriter, r *http.Request, c *call) error {
	a, row, err := s.findRisk(r, c)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	d := riskData{Form: decisionForm{Status: row.Status, Owner: row.Owner, Due: row.Due, Saved: q.Get("saved") == "1"},
		Proposed: q.Get("proposed") == "1", Reviewed: q.Get("reviewed")}
	if dec, err := s.st.RiskDecision(r.Context(), c.WS.ID, row.R.ID); err == nil {
		d.Form.Justification, d.Form.Expires = dec.Justification, app.FormatDate(dec.Expires)
	}
	return s.riskPage(w, r, c, http.StatusOK, a, row, d)
}

// riskDecide records a status change from the register's form; a closure
// the viewer may not take alone goes to review.
func (s *Server) riskDecide(w http.ResponseWriter, r *http.Request, c *call) error {
	a, row, err := s.findRisk(r, c)
	if err != nil {
		return err
	}
	f := decisionForm{Status: r.PostFormValue("status"), Justification: strings.TrimSpace(r.PostFormValue("justification")),
		Owner: strings.TrimSpace(r.PostFormValue("owner")), Due: strings.TrimSpace(r.PostFormValue("due")),
		Expires: strings.TrimSpace(r.PostFormValue("expires"))}
	out, err := s.app.DecideRisk(r.Context(), c.actor(), c.scope(), row.R.ID, app.Decision{Status: risk.Status(f.Status),
		Justification: f.Justification, Owner: f.Owner, Due: f.Due, Expires: f.Expires})
	var fields app.Errors
	if errors.As(err, &fields) {
		f.Errors = fields.ByField()
		return s.riskPage(w, r, c, statusOf(err), a, row, riskData{Form: f})
	}
	if err != nil {
		return err
	}
	if out.Review != nil {
		http.Redirect(w, r, riskPath(c, row, "?proposed=1"), http.StatusSeeOther)
		return nil
	}
	http.Redirect(w, r, riskPath(c, row, "?saved=1"), http.StatusSeeOther)
	return nil
}

// riskReview approves or rejects a closure waiting for review.
func (s *Server) riskReview(w http.ResponseWriter, r *http.Request, c *call) error {
	a, row, err := s.findRisk(r, c)
	if err != nil {
		return err
	}
	var approve bool
	switch r.PostFormValue("decision") {
	case "approve":
		approve = true
	case "reject":
	default:
		return errBadInput
	}
	note := strings.TrimSpace(r.PostFormValue("note"))
	_, err = s.app.ReviewClosure(r.Context(), c.actor(), c.scope(), row.R.ID, approve, note)
	var fields app.Errors
	if errors.As(err, &fields) || errors.Is(err, app.ErrConflict) {
		d := riskData{Form: decisionForm{Status: row.Status, Owner: row.Owner, Due: row.Due}, ReviewNote: note,
			ReviewErr: app.Message(err)}
		return s.riskPage(w, r, c, statusOf(err), a, row, d)
	}
	if err != nil {
		return err
	}
	outcome := "rejected"
	if approve {
		outcome = "approved"
	}
	http.Redirect(w, r, riskPath(c, row, "?reviewed="+outcome), http.StatusSeeOther)
	return nil
}
