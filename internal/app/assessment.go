package app

import (
	"bytes"
	"context"
	"fmt"
	"strconv"
	"time"

	"rcmguard/internal/assess"
	"rcmguard/internal/audit"
	"rcmguard/internal/auth"
	"rcmguard/internal/model"
	"rcmguard/internal/report"
	"rcmguard/internal/store"
)

// ErrNoModel means a workspace has no model to assess yet.
var ErrNoModel = &Error{Kind: ErrConflict, Msg: "The workspace has no model yet: import or write one first."}

// RunAssessment assesses a workspace's current model as of today, with the
// stored risk decisions merged into its tracking and the workspace's stored
// evidence facts, and stores the model as run and the result as the
// workspace's next assessment version.
func (a *App) RunAssessment(ctx context.Context, who Actor, ws Scope) (store.Assessment, error) {
	if err := a.Allowed(who, ws, auth.ActAssessmentRun, ""); err != nil {
		return store.Assessment{}, err
	}
	wsID := ws.WS.ID
	_, m, ok, err := a.CurrentModel(ctx, wsID)
	if err != nil {
		return store.Assessment{}, err
	}
	if !ok {
		return store.Assessment{}, ErrNoModel
	}
	if err := a.mergeDecisions(ctx, wsID, m); err != nil {
		return store.Assessment{}, err
	}
	now := a.now()
	// A run from the server is an assessment as of the day it runs; the
	// date in an imported file described the run it came from.
	m.Assessment.Date = model.Date(now.UTC().Format("2006-01-02"))
	snapshot, err := MarshalModel(m)
	if err != nil {
		return store.Assessment{}, err
	}
	sets, err := a.evidenceSets(ctx, wsID)
	if err != nil {
		return store.Assessment{}, err
	}
	prev, err := a.latestResult(ctx, wsID)
	if err != nil {
		return store.Assessment{}, err
	}
	res, err := assess.Run(assess.Input{Model: m, Rules: a.rules, EvidenceSets: sets, Now: now, Tool: a.tool, Previous: prev})
	if err != nil {
		return store.Assessment{}, fmt.Errorf("app: assess workspace %d: %w", wsID, err)
	}
	var out bytes.Buffer
	if err := report.JSON(&out, res); err != nil {
		return store.Assessment{}, fmt.Errorf("app: assess workspace %d: %w", wsID, err)
	}
	var asm store.Assessment
	err = a.st.InTx(ctx, func(tx *store.Tx) error {
		asm, err = tx.CreateAssessment(ctx, store.Assessment{WorkspaceID: wsID, CreatedBy: who.User.ID, Created: now,
			ModelYAML: snapshot, ResultJSON: out.Bytes()})
		if err != nil {
			return err
		}
		if err := tx.PutAssessmentStatus(ctx, assessmentStatus(wsID, asm.ID, res)); err != nil {
			return err
		}
		if err := tx.PutAssessmentSummary(ctx, summaryOf(asm.ID, res)); err != nil {
			return err
		}
		return a.record(ctx, tx, who, ws, audit.AssessmentRun, assessmentObject(asm.ID),
			map[string]any{"version": asm.Version, "risks": res.Summary.Risks, "open": res.Summary.Open, "evidence_facts": res.Evidence.Facts})
	})
	return asm, err
}

// evidenceSets are the workspace's uploaded evidence, oldest first, each
// named by its upload and dated by it: the analysis names the set that
// verified a measure.
func (a *App) evidenceSets(ctx context.Context, wsID int64) ([]assess.EvidenceSet, error) {
	list, err := a.st.EvidenceSets(ctx, wsID)
	if err != nil {
		return nil, err
	}
	sets := make([]assess.EvidenceSet, 0, len(list))
	for i := len(list) - 1; i >= 0; i-- {
		e, err := a.st.EvidenceSetFacts(ctx, wsID, list[i].ID)
		if err != nil {
			return nil, err
		}
		sets = append(sets, assess.EvidenceSet{Name: e.FileName, Source: e.Format, Date: e.Uploaded.UTC().Format("2006-01-02"), Facts: e.Facts})
	}
	return sets, nil
}

// latestResult is the result of the workspace's newest assessment, the
// previous analysis of the next run's change log; nil before the first.
func (a *App) latestResult(ctx context.Context, wsID int64) (*assess.Result, error) {
	list, err := a.st.Assessments(ctx, wsID)
	if err != nil || len(list) == 0 {
		return nil, err
	}
	return DecodeResult(list[0])
}

// mergeDecisions puts the stored decisions into the model's tracking list.
// A stored decision replaces a model entry for exactly the same risk ID;
// being exact, it also beats any wildcard entry when the assessment picks
// the most specific match. A closure still waiting for review is not a
// decision: the risk stays as it was until it is approved.
func (a *App) mergeDecisions(ctx context.Context, wsID int64, m *model.Model) error {
	ds, err := a.st.RiskDecisions(ctx, wsID)
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
	owners, err := a.WorkspaceOwners(ctx, wsID)
	if err != nil {
		return err
	}
	emails := map[int64]string{}
	for _, d := range ds {
		// The result, and every report of it, names the owner.
		t := model.Tracking{Risk: d.RiskID, Status: model.TrackingStatus(d.Status), Justification: d.Justification,
			Owner: owners.Name(d.Owner), Due: dateOf(d.Due), Expires: dateOf(d.Expires)}
		if d.ApproverID != 0 {
			if _, ok := emails[d.ApproverID]; !ok {
				u, err := a.st.User(ctx, d.ApproverID)
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

// Assessment returns one assessment of the workspace with its result;
// another workspace's is not found.
func (a *App) Assessment(ctx context.Context, who Actor, ws Scope, id int64) (store.Assessment, *assess.Result, error) {
	if err := a.Allowed(who, ws, auth.ActAssessmentView, ""); err != nil {
		return store.Assessment{}, nil, err
	}
	asm, err := a.st.Assessment(ctx, ws.WS.ID, id)
	if err != nil {
		return asm, nil, err
	}
	res, err := DecodeResult(asm)
	return asm, res, err
}

// SignOff freezes an assessment; the store (and the database's own
// trigger) refuse any later change to it.
func (a *App) SignOff(ctx context.Context, who Actor, ws Scope, id int64) (store.Assessment, error) {
	if err := a.Allowed(who, ws, auth.ActAssessmentSignOff, ""); err != nil {
		return store.Assessment{}, err
	}
	asm, err := a.st.Assessment(ctx, ws.WS.ID, id)
	if err != nil {
		return asm, err
	}
	err = a.st.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.SignOffAssessment(ctx, ws.WS.ID, asm.ID, who.User.ID, a.now()); err != nil {
			return err
		}
		return a.record(ctx, tx, who, ws, audit.AssessmentSignOff, assessmentObject(asm.ID), map[string]any{"version": asm.Version})
	})
	return asm, err
}

// ExportAssessment returns an assessment's result rendered in format (one
// of ExportFormats) for a download. It is an export of the analysis, so
// the audit entry is written first: no audit entry, no export.
func (a *App) ExportAssessment(ctx context.Context, who Actor, ws Scope, id int64, format string) (store.Assessment, []byte, error) {
	if err := a.Allowed(who, ws, auth.ActExport, ""); err != nil {
		return store.Assessment{}, nil, err
	}
	asm, err := a.st.Assessment(ctx, ws.WS.ID, id)
	if err != nil {
		return asm, nil, err
	}
	f, ok := LookupExport(format)
	if !ok {
		return asm, nil, fmt.Errorf("%w: no export format %q", ErrNotFound, format)
	}
	out := asm.ResultJSON
	// The stored document is the result as `rcmguard assess --format
	// json` writes it; every other format is rendered from it.
	if f.Name != "json" {
		res, err := DecodeResult(asm)
		if err != nil {
			return asm, nil, err
		}
		if out, err = f.render(res); err != nil {
			return asm, nil, err
		}
	}
	err = a.st.InTx(ctx, func(tx *store.Tx) error {
		return a.record(ctx, tx, who, ws, audit.AssessmentExport, assessmentObject(asm.ID),
			map[string]any{"format": format, "version": asm.Version})
	})
	return asm, out, err
}

func assessmentObject(id int64) string { return "assessment:" + strconv.FormatInt(id, 10) }

// ReportHTML renders an assessment's full report (the one `rcmguard assess
// --format html` writes) for reading in the browser. It is the assessment
// page at length, so it needs what that page needs; saving it as a file
// stays an audited export (ExportAssessment).
func (a *App) ReportHTML(ctx context.Context, who Actor, ws Scope, id int64) (store.Assessment, []byte, error) {
	if err := a.Allowed(who, ws, auth.ActAssessmentView, ""); err != nil {
		return store.Assessment{}, nil, err
	}
	asm, err := a.st.Assessment(ctx, ws.WS.ID, id)
	if err != nil {
		return asm, nil, err
	}
	res, err := a.Result(ctx, asm)
	if err != nil {
		return asm, nil, err
	}
	var b bytes.Buffer
	if err := report.HTML(&b, res); err != nil {
		return asm, nil, err
	}
	return asm, b.Bytes(), nil
}
