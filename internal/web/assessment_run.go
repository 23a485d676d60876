package web

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"

	"rcmguard/internal/assess"
	"rcmguard/internal/audit"
	"rcmguard/internal/model"
	"rcmguard/internal/report"
	"rcmguard/internal/store"
)

// errNoModel means a workspace has no model to assess yet.
var errNoModel = errors.New("web: the workspace has no model yet")

// RunAssessment assesses a workspace's current model as of today, with the
// stored risk decisions merged into its tracking and the workspace's stored
// evidence facts, and stores the model as run and the result as the
// workspace's next assessment version.
func (s *Server) RunAssessment(ctx context.Context, wsID, userID int64) (store.Assessment, error) {
	_, m, ok, err := s.currentModel(ctx, wsID)
	if err != nil {
		return store.Assessment{}, err
	}
	if !ok {
		return store.Assessment{}, errNoModel
	}
	if err := s.mergeDecisions(ctx, wsID, m); err != nil {
		return store.Assessment{}, err
	}
	now := s.now()
	// A run from the server is an assessment as of the day it runs; the
	// date in an imported file described the run it came from.
	m.Assessment.Date = model.Date(now.UTC().Format("2006-01-02"))
	snapshot, err := marshalModel(m)
	if err != nil {
		return store.Assessment{}, err
	}
	facts, err := s.st.EvidenceFacts(ctx, wsID)
	if err != nil {
		return store.Assessment{}, err
	}
	res, err := assess.Run(assess.Input{Model: m, Rules: s.rules, Facts: facts, Now: now, Tool: s.tool})
	if err != nil {
		return store.Assessment{}, fmt.Errorf("web: assess workspace %d: %w", wsID, err)
	}
	var out bytes.Buffer
	if err := report.JSON(&out, res); err != nil {
		return store.Assessment{}, fmt.Errorf("web: assess workspace %d: %w", wsID, err)
	}
	var a store.Assessment
	err = s.st.InTx(ctx, func(tx *store.Tx) error {
		a, err = tx.CreateAssessment(ctx, store.Assessment{WorkspaceID: wsID, CreatedBy: userID, Created: now,
			ModelYAML: snapshot, ResultJSON: out.Bytes()})
		if err != nil {
			return err
		}
		_, err = s.log.Append(ctx, tx, audit.Event{At: now, Actor: "user:" + itoa(userID), WorkspaceID: wsID,
			Action: "assessment.run", Object: fmt.Sprintf("assessment:%d", a.ID),
			Details: map[string]any{"version": a.Version, "risks": res.Summary.Risks, "open": res.Summary.Open,
				"evidence_facts": len(facts)}})
		return err
	})
	return a, err
}

// ImportModel validates YAML and makes it a workspace's current model
// (used by rcmguard demo to seed workspaces; the web import goes through
// the same validation and save).
func (s *Server) ImportModel(ctx context.Context, wsID, userID int64, yamlText []byte) error {
	if _, err := model.Load(modelFile, yamlText); err != nil {
		return err
	}
	cur, err := s.st.WorkspaceModel(ctx, wsID)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	c := &call{User: store.User{ID: userID}, WS: store.Workspace{ID: wsID}}
	return s.saveModel(ctx, c, yamlText, cur.Revision, "model.import", map[string]any{"bytes": len(yamlText)})
}

func (s *Server) assessmentRun(w http.ResponseWriter, r *http.Request, c *call) error {
	a, err := s.RunAssessment(r.Context(), c.WS.ID, c.User.ID)
	if errors.Is(err, errNoModel) {
		http.Redirect(w, r, wsPath(c.WS.ID, "/model"), http.StatusSeeOther)
		return nil
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, wsPath(c.WS.ID, "/assessments/"+itoa(a.ID)), http.StatusSeeOther)
	return nil
}
