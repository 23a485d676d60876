package web

import (
	"encoding/json"
	"net/http"
	"time"

	"rcmguard/internal/app"
	"rcmguard/internal/assess"
	"rcmguard/internal/store"
)

type apiWorkspaceJSON struct {
	ID       int64  `json:"id"`
	Name     string `json:"name"`
	Kind     string `json:"kind"`
	ParentID int64  `json:"parent_id,omitempty"`
	Role     string `json:"role"`
}

type apiAssessmentJSON struct {
	ID          int64          `json:"id"`
	Version     int            `json:"version"`
	Created     time.Time      `json:"created_at"`
	AsOf        string         `json:"as_of"`
	SignedOff   *time.Time     `json:"signed_off_at,omitempty"`
	SignedOffBy int64          `json:"signed_off_by,omitempty"`
	Summary     assess.Summary `json:"summary"`
}

func apiAssessment(a store.Assessment, res *assess.Result) apiAssessmentJSON {
	out := apiAssessmentJSON{ID: a.ID, Version: a.Version, Created: a.Created.UTC(), AsOf: res.AsOf, Summary: res.Summary}
	if !a.SignedOff.IsZero() {
		t := a.SignedOff.UTC()
		out.SignedOff, out.SignedOffBy = &t, a.SignedOffBy
	}
	return out
}

// apiWorkspaces lists the workspaces the token may use: its own.
func (s *Server) apiWorkspaces(w http.ResponseWriter, r *http.Request, c *apiCall) (any, error) {
	m, err := s.st.Membership(r.Context(), c.P.TokenWorkspace, c.P.User.ID)
	if err != nil {
		return []apiWorkspaceJSON{}, nil
	}
	ws, err := s.st.Workspace(r.Context(), m.WorkspaceID)
	if err != nil {
		return nil, err
	}
	return []apiWorkspaceJSON{{ID: ws.ID, Name: ws.Name, Kind: ws.Kind, ParentID: ws.ParentID, Role: m.Role}}, nil
}

type apiWorkspaceDetail struct {
	apiWorkspaceJSON
	Latest *apiAssessmentJSON `json:"latest_assessment"`
}

func (s *Server) apiWorkspace(w http.ResponseWriter, r *http.Request, c *apiCall) (any, error) {
	out := apiWorkspaceDetail{apiWorkspaceJSON: apiWorkspaceJSON{ID: c.WS.ID, Name: c.WS.Name, Kind: c.WS.Kind,
		ParentID: c.WS.ParentID, Role: c.Member.Role}}
	a, res, ok, err := s.app.Latest(r.Context(), c.WS.ID)
	if err != nil {
		return nil, err
	}
	if ok {
		j := apiAssessment(a, res)
		out.Latest = &j
	}
	return out, nil
}

func (s *Server) apiAssessments(w http.ResponseWriter, r *http.Request, c *apiCall) (any, error) {
	as, err := s.st.Assessments(r.Context(), c.WS.ID)
	if err != nil {
		return nil, err
	}
	out := make([]apiAssessmentJSON, 0, len(as))
	for _, a := range as {
		res, err := app.DecodeResult(a)
		if err != nil {
			return nil, err
		}
		out = append(out, apiAssessment(a, res))
	}
	return out, nil
}

// apiAssessmentResult returns a full result document (the format of
// `rcmguard assess --format json`); like a download, it is an audited export.
func (s *Server) apiAssessmentResult(w http.ResponseWriter, r *http.Request, c *apiCall) (any, error) {
	id, err := assessmentID(r)
	if err != nil {
		return nil, err
	}
	_, doc, err := s.app.ExportAssessment(r.Context(), c.actor(), c.scope(), id, "json")
	if err != nil {
		return nil, err
	}
	return json.RawMessage(doc), nil
}

type apiRiskJSON struct {
	ID     string `json:"id"`
	Rule   string `json:"rule"`
	Title  string `json:"title"`
	Area   string `json:"area"`
	Level  string `json:"level"`
	Value  int    `json:"value"`
	Status string `json:"status"`
	Owner  string `json:"owner,omitempty"`
	// OwnerName and PlanDue are as the pages show them (riskRow).
	OwnerName string `json:"owner_name,omitempty"`
	Due       string `json:"due,omitempty"`
	PlanDue   string `json:"plan_due,omitempty"`
	Pending   bool   `json:"decision_pending,omitempty"`
	// Review is the closure waiting for an owner or compliance officer,
	// which the status does not show until it is approved.
	Review string `json:"closure_pending,omitempty"`
}

type apiRiskList struct {
	Assessment int64         `json:"assessment_id,omitempty"`
	Version    int           `json:"version,omitempty"`
	Risks      []apiRiskJSON `json:"risks"`
}

// apiRisks lists the latest assessment's risks with their current
// decisions, filtered like the register (level, status, area, owner, q).
func (s *Server) apiRisks(w http.ResponseWriter, r *http.Request, c *apiCall) (any, error) {
	a, rows, ok, err := s.registerRows(r, c.WS)
	if err != nil {
		return nil, err
	}
	out := apiRiskList{Risks: []apiRiskJSON{}}
	if !ok {
		return out, nil
	}
	out.Assessment, out.Version = a.ID, a.Version
	reviews, err := s.app.PendingReviews(r.Context(), c.actor(), c.scope())
	if err != nil {
		return nil, err
	}
	proposed := map[string]string{}
	for _, rv := range reviews {
		proposed[rv.RiskID] = rv.Status
	}
	q := r.URL.Query()
	f := riskFilter{Level: q.Get("level"), Status: q.Get("status"), Area: q.Get("area"), Owner: q.Get("owner"), Q: q.Get("q")}
	today := s.today().Format(time.DateOnly)
	for _, row := range rows {
		if !f.matches(row, today) {
			continue
		}
		out.Risks = append(out.Risks, apiRiskJSON{ID: row.R.ID, Rule: row.R.Rule, Title: row.R.Title, Area: row.R.Area,
			Level: row.R.Level.Slug(), Value: row.R.Value, Status: row.Status, Owner: row.Owner, OwnerName: row.OwnerName, Due: row.Due, PlanDue: row.DueAt, Pending: row.Pending,
			Review: proposed[row.R.ID]})
	}
	return out, nil
}
