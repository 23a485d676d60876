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
		sum, err := s.app.SummaryOf(ctx, a)
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

// assessmentID reads the {a} path value; anything but a number is not
// found.
func assessmentID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("a"), 10, 64)
	if err != nil {
		return 0, errNotFound
	}
	return id, nil
}

type assessmentData struct {
	Row assessmentRow
	Res *assess.Result
}

func (s *Server) assessmentView(w http.ResponseWriter, r *http.Request, c *call) error {
	id, err := assessmentID(r)
	if err != nil {
		return err
	}
	a, res, err := s.app.Assessment(r.Context(), c.actor(), c.scope(), id)
	if err != nil {
		return err
	}
	names := map[int64]string{}
	row := assessmentRow{A: a, By: s.userEmail(r.Context(), a.CreatedBy, names), SignedBy: s.userEmail(r.Context(), a.SignedOffBy, names),
		Open: res.Summary.Open, Highest: res.Summary.Highest, RiskCount: res.Summary.Risks}
	return s.render(w, http.StatusOK, "assessment", page{Title: "Assessment v" + strconv.Itoa(a.Version), Nav: "assessments", C: c,
		Data: assessmentData{Row: row, Res: res}})
}

func (s *Server) assessmentSignOff(w http.ResponseWriter, r *http.Request, c *call) error {
	id, err := assessmentID(r)
	if err != nil {
		return err
	}
	a, err := s.app.SignOff(r.Context(), c.actor(), c.scope(), id)
	if err != nil {
		return err
	}
	http.Redirect(w, r, wsPath(c.WS.ID, "/assessments/"+itoa(a.ID)), http.StatusSeeOther)
	return nil
}
