package web

import (
	"context"
	"net/http"
	"strconv"

	"rcmguard/internal/assess"
	"rcmguard/internal/store"
)

// assessmentRow is one line of the history.
type assessmentRow struct {
	A         store.Assessment
	By        string
	SignedBy  string
	Open      int
	Highest   string
	RiskCount int
}

func (s *Server) userEmail(ctx context.Context, id int64, cache map[int64]string) string {
	if id == 0 {
		return ""
	}
	if e, ok := cache[id]; ok {
		return e
	}
	u, err := s.st.User(ctx, id)
	e := "user " + itoa(id)
	if err == nil {
		e = u.Email
	}
	cache[id] = e
	return e
}

// emailOr is a user's address as the pages show it, "user N" when the
// account is gone, "" when there is no user.
func emailOr(id int64, email string) string {
	switch {
	case id == 0:
		return ""
	case email == "":
		return "user " + itoa(id)
	}
	return email
}

// history lists a workspace's assessments, newest first, with their counts.
// The rows' assessments come without model and result JSON; the counts
// come from the result cache, so each result is decoded once, not per view.
func (s *Server) history(ctx context.Context, wsID int64) ([]assessmentRow, error) {
	as, err := s.st.AssessmentHeads(ctx, wsID)
	if err != nil {
		return nil, err
	}
	rows := make([]assessmentRow, 0, len(as))
	for _, a := range as {
		sum, err := s.summary(ctx, a)
		if err != nil {
			return nil, err
		}
		rows = append(rows, assessmentRow{A: a, By: emailOr(a.CreatedBy, a.CreatedByEmail),
			SignedBy: emailOr(a.SignedOffBy, a.SignedOffByEmail), Open: sum.Open,
			Highest: sum.Highest, RiskCount: sum.Risks})
	}
	return rows, nil
}

func (s *Server) assessmentList(w http.ResponseWriter, r *http.Request, c *call) error {
	rows, err := s.history(r.Context(), c.WS.ID)
	if err != nil {
		return err
	}
	return s.render(w, http.StatusOK, "assessments", page{Title: "Assessments", Nav: "assessments", C: c, Data: rows})
}

// assessmentOf loads the {a} assessment of the current workspace; another
// workspace's ID is simply not found.
func (s *Server) assessmentOf(r *http.Request, c *call) (store.Assessment, *assess.Result, error) {
	id, err := strconv.ParseInt(r.PathValue("a"), 10, 64)
	if err != nil {
		return store.Assessment{}, nil, errNotFound
	}
	a, err := s.st.Assessment(r.Context(), c.WS.ID, id)
	if err != nil {
		return a, nil, err
	}
	res, err := decodeResult(a)
	return a, res, err
}

type assessmentData struct {
	Row assessmentRow
	Res *assess.Result
}

func (s *Server) assessmentView(w http.ResponseWriter, r *http.Request, c *call) error {
	a, res, err := s.assessmentOf(r, c)
	if err != nil {
		return err
	}
	names := map[int64]string{}
	row := assessmentRow{A: a, By: s.userEmail(r.Context(), a.CreatedBy, names), SignedBy: s.userEmail(r.Context(), a.SignedOffBy, names),
		Open: res.Summary.Open, Highest: res.Summary.Highest, RiskCount: res.Summary.Risks}
	return s.render(w, http.StatusOK, "assessment", page{Title: "Assessment v" + strconv.Itoa(a.Version), Nav: "assessments", C: c,
		Data: assessmentData{Row: row, Res: res}})
}

// assessmentSignOff freezes an assessment; the store (and the database's
// own trigger) refuse any later change to it.
func (s *Server) assessmentSignOff(w http.ResponseWriter, r *http.Request, c *call) error {
	a, _, err := s.assessmentOf(r, c)
	if err != nil {
		return err
	}
	ctx := r.Context()
	err = s.st.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.SignOffAssessment(ctx, c.WS.ID, a.ID, c.User.ID, s.now()); err != nil {
			return err
		}
		return s.audit(ctx, tx, c, "assessment.signoff", "assessment:"+itoa(a.ID), map[string]any{"version": a.Version})
	})
	if err != nil {
		return err
	}
	http.Redirect(w, r, wsPath(c.WS.ID, "/assessments/"+itoa(a.ID)), http.StatusSeeOther)
	return nil
}
