package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/goccy/go-yaml"

	"rcmguard/internal/assess"
	"rcmguard/internal/audit"
	"rcmguard/internal/model"
	"rcmguard/internal/report"
	"rcmguard/internal/store"
)

// maxModelUpload bounds a YAML import; the billing-company example is about
// 40 KB, so 2 MiB leaves room for a thousand clients.
const maxModelUpload = 2 << 20

// modelFile is the name errors carry for the stored model.
const modelFile = "model.yaml"

// modelRetryAfter is the Retry-After of a 503 when every model parse slot
// is taken: model.Load gives up after waiting five seconds for one.
const modelRetryAfter = "5"

// modelStatus is the status of a refused model: 413 when a size limit
// refused it (model.ErrTooLarge), else 422.
func modelStatus(err error) int {
	if errors.Is(err, model.ErrTooLarge) {
		return http.StatusRequestEntityTooLarge
	}
	return http.StatusUnprocessableEntity
}

// currentModel returns the workspace's stored model, parsed. ok is false
// when none was saved yet.
func (s *Server) currentModel(ctx context.Context, wsID int64) (wm store.WorkspaceModel, m *model.Model, ok bool, err error) {
	wm, err = s.st.WorkspaceModel(ctx, wsID)
	if errors.Is(err, store.ErrNotFound) {
		return wm, nil, false, nil
	}
	if err != nil {
		return wm, nil, false, err
	}
	wm.YAML, m, err = model.LoadCurrent(modelFile, wm.YAML)
	if err != nil {
		return wm, nil, false, fmt.Errorf("web: stored model of workspace %d: %w", wsID, err)
	}
	return wm, m, true, nil
}

// marshalModel writes a model back as YAML. Comments of an imported file
// do not survive a form edit; the export says so at its top.
func marshalModel(m *model.Model) ([]byte, error) {
	b, err := yaml.MarshalWithOptions(m, yaml.UseLiteralStyleIfMultiline(true))
	if err != nil {
		return nil, fmt.Errorf("web: write model: %w", err)
	}
	return b, nil
}

// checkModel runs the YAML loader's validation on an edited model, so the
// forms accept exactly what an imported file would.
func checkModel(m *model.Model) ([]byte, model.ErrorList, error) {
	b, err := marshalModel(m)
	if err != nil {
		return nil, nil, err
	}
	if _, err := model.Load(modelFile, b); err != nil {
		var el model.ErrorList
		if errors.As(err, &el) {
			return nil, el, nil
		}
		return nil, nil, err
	}
	return b, nil, nil
}

// saveModel stores a validated model as the new current one, with its
// audit entry, unless someone saved since baseRevision.
func (s *Server) saveModel(ctx context.Context, c *call, yamlText []byte, baseRevision int, action string, details map[string]any) error {
	now := s.now()
	return s.st.InTx(ctx, func(tx *store.Tx) error {
		saved, err := tx.PutWorkspaceModel(ctx, store.WorkspaceModel{WorkspaceID: c.WS.ID, YAML: yamlText,
			UpdatedBy: c.User.ID, Updated: now}, baseRevision)
		if err != nil {
			return err
		}
		if details == nil {
			details = map[string]any{}
		}
		details["revision"] = saved.Revision
		return s.audit(ctx, tx, c, action, fmt.Sprintf("workspace:%d/model", c.WS.ID), details)
	})
}

// audit appends an entry for the signed-in user in the current workspace.
func (s *Server) audit(ctx context.Context, tx *store.Tx, c *call, action, object string, details map[string]any) error {
	_, err := s.log.Append(ctx, tx, audit.Event{At: s.now(), Actor: "user:" + itoa(c.User.ID), WorkspaceID: c.WS.ID,
		Action: action, Object: object, Details: details})
	return err
}

// decodeResult reads an assessment's stored result.
func decodeResult(a store.Assessment) (*assess.Result, error) {
	res, err := report.DecodeResult(a.ResultJSON)
	if err != nil {
		return nil, fmt.Errorf("web: result of assessment %d: %w", a.ID, err)
	}
	return res, nil
}

// latest returns the newest assessment of a workspace and its result;
// ok is false when none has run.
// The assessment comes without its model and result JSON, and the result
// is shared with other requests (result_cache.go): read it, never change it.
func (s *Server) latest(ctx context.Context, wsID int64) (store.Assessment, *assess.Result, bool, error) {
	as, err := s.st.AssessmentHeads(ctx, wsID)
	if err != nil || len(as) == 0 {
		return store.Assessment{}, nil, false, err
	}
	res, err := s.result(ctx, as[0])
	return as[0], res, err == nil, err
}

// decisionStatuses are the statuses a decision may take: the model's own
// tracking statuses, stored as they are and merged into the next run
// unchanged.
var decisionStatuses = model.TrackingStatus("").Enum()

// isDecisionStatus reports whether s is one of decisionStatuses.
func isDecisionStatus(s string) bool {
	for _, v := range decisionStatuses {
		if v == s {
			return true
		}
	}
	return false
}

// mergeDecisions puts the stored decisions into the model's tracking list.
// A stored decision replaces a model entry for exactly the same risk ID;
// being exact, it also beats any wildcard entry when the assessment picks
// the most specific match.
func (s *Server) mergeDecisions(ctx context.Context, wsID int64, m *model.Model) error {
	ds, err := s.st.RiskDecisions(ctx, wsID)
	if err != nil {
		return err
	}
	decided := map[string]bool{}
	for _, d := range ds {
		decided[d.RiskID] = true
	}
	var kept []model.Tracking
	for _, t := range m.Tracking {
		if !decided[t.Risk] {
			kept = append(kept, t)
		}
	}
	emails := map[int64]string{}
	for _, d := range ds {
		t := model.Tracking{Risk: d.RiskID, Status: model.TrackingStatus(d.Status), Justification: d.Justification,
			Owner: d.Owner, Due: dateOf(d.Due), Expires: dateOf(d.Expires)}
		if d.ApproverID != 0 {
			if _, ok := emails[d.ApproverID]; !ok {
				u, err := s.st.User(ctx, d.ApproverID)
				if err != nil {
					return err
				}
				emails[d.ApproverID] = u.Email
			}
			t.Approver = emails[d.ApproverID]
		}
		kept = append(kept, t)
	}
	m.Tracking = kept
	return nil
}

func dateOf(t time.Time) model.Date {
	if t.IsZero() {
		return ""
	}
	return model.Date(t.UTC().Format("2006-01-02"))
}

// today is the current date at midnight UTC, what due dates compare to.
func (s *Server) today() time.Time {
	n := s.now().UTC()
	return time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, time.UTC)
}

// overdue reports whether a YYYY-MM-DD due date is before today.
func (s *Server) overdue(due string) bool {
	t, err := time.Parse("2006-01-02", due)
	return err == nil && t.Before(s.today())
}

// auditRead records that someone looked at the model: it is the map of
// where the organisation's PHI lives and how to reach it, so reading it is
// logged like reading any other sensitive record.
func (s *Server) auditRead(ctx context.Context, c *call, view string) error {
	return s.st.InTx(ctx, func(tx *store.Tx) error {
		return s.audit(ctx, tx, c, "model.read", fmt.Sprintf("workspace:%d/model", c.WS.ID), map[string]any{"view": view})
	})
}
