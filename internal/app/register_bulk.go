package app

import (
	"context"
	"fmt"
	"time"

	"rcmguard/internal/assess"
	"rcmguard/internal/audit"
	"rcmguard/internal/auth"
	"rcmguard/internal/risk"
	"rcmguard/internal/store"
)

// BulkChange is one change applied to many risks of the register at once.
// A field left nil is left as it is on each risk.
type BulkChange struct {
	Status *risk.Status
	Owner  *string // a stored owner (Owner.String()); "" for none
	Due    *string // YYYY-MM-DD, "" for none
	// Justification goes with a closure: why these risks are mitigated or
	// false positives.
	Justification string
}

// BulkOutcome is what became of a bulk change.
type BulkOutcome struct {
	Decided  int // risks whose decision was saved
	Proposed int // closures sent for review
}

// maxBulk bounds one bulk change: a page of the register is 50 risks, a
// select-all of a filtered register a few thousand.
const maxBulk = 5000

// BulkDecide applies one change to many risks of the latest assessment,
// all or none. Status, owner and due date are saved as decisions, each
// audited as if taken on the risk's own page. A closure (mitigated, false
// positive) is never taken in bulk, by anyone: each risk is sent for
// review, as a contributor's closure is, so a second person looks at every
// risk closed. Accepting a risk needs its own justification and expiry,
// so it is not offered in bulk. A contributor may change only risks
// assigned to them; one risk outside their assignments refuses the whole
// change.
func (a *App) BulkDecide(ctx context.Context, who Actor, ws Scope, riskIDs []string, ch BulkChange) (BulkOutcome, error) {
	if err := a.Allowed(who, ws, auth.ActRiskUpdate, ""); err != nil && !auth.Scoped(ws.Role(), auth.ActRiskUpdate) {
		return BulkOutcome{}, err
	}
	if len(riskIDs) == 0 {
		return BulkOutcome{}, Errors{invalid("risk", "Select the risks to change.")}
	}
	if len(riskIDs) > maxBulk {
		return BulkOutcome{}, Errors{invalid("risk", fmt.Sprintf("Change at most %d risks at once.", maxBulk))}
	}
	if ch.Status == nil && ch.Owner == nil && ch.Due == nil {
		return BulkOutcome{}, Errors{invalid("status", "Choose a status, an owner or a due date to set.")}
	}
	var errs Errors
	closure := false
	if ch.Status != nil {
		switch s := *ch.Status; {
		case !s.Valid():
			errs = append(errs, invalid("status", "Choose a status."))
		case s == risk.Accepted:
			errs = append(errs, invalid("status", "Accept risks one at a time: each acceptance needs its own justification and expiry."))
		case !s.StillAtRisk():
			closure = true
			switch {
			case ch.Justification == "":
				errs = append(errs, invalid("justification", "Say why these risks are closed: the reviewer reads it."))
			case len(ch.Justification) > maxJustification:
				errs = append(errs, invalid("justification", "Keep the justification under 4,000 characters."))
			}
		}
	}
	if ch.Owner != nil {
		if len(*ch.Owner) > maxOwner {
			errs = append(errs, invalid("owner", "Keep the owner under 200 characters."))
		} else if e := a.checkOwner(ctx, ws.WS.ID, *ch.Owner); e != nil {
			errs = append(errs, e)
		}
	}
	if ch.Due != nil {
		if _, err := parseDate(*ch.Due); err != nil {
			errs = append(errs, invalid("due", "Enter the due date as YYYY-MM-DD."))
		}
	}
	if len(errs) > 0 {
		return BulkOutcome{}, errs
	}
	_, res, ok, err := a.Latest(ctx, ws.WS.ID)
	if err != nil {
		return BulkOutcome{}, err
	}
	byID := map[string]*assess.Risk{}
	if ok {
		for i := range res.Risks {
			byID[res.Risks[i].ID] = &res.Risks[i]
		}
	}
	seen := map[string]bool{}
	var order []string // the risks once each, as selected: the audit entries follow it
	for _, id := range riskIDs {
		if seen[id] {
			continue
		}
		if byID[id] == nil {
			return BulkOutcome{}, &Error{Kind: ErrMalformed, Field: "risk", Msg: "A selected risk is not in the register.",
				Err: fmt.Errorf("%w: risk %q in workspace %d", ErrNotFound, id, ws.WS.ID)}
		}
		if err := a.Allowed(who, ws, auth.ActRiskUpdate, store.RiskObject+id); err != nil {
			return BulkOutcome{}, &Error{Kind: ErrForbidden, Msg: "Some of the selected risks are not assigned to you: nothing was changed.", Err: err}
		}
		seen[id] = true
		order = append(order, id)
	}
	ds, err := a.st.RiskDecisions(ctx, ws.WS.ID)
	if err != nil {
		return BulkOutcome{}, err
	}
	current := map[string]store.RiskDecision{}
	for _, d := range ds {
		if seen[d.RiskID] {
			current[d.RiskID] = d
		}
	}
	now := a.now()
	var out BulkOutcome
	err = a.st.InTx(ctx, func(tx *store.Tx) error {
		for _, id := range order {
			dec, has := current[id]
			if !has {
				dec = decisionOf(byID[id])
			}
			dec.WorkspaceID, dec.RiskID, dec.UpdatedBy, dec.Updated = ws.WS.ID, id, who.User.ID, now
			if ch.Owner != nil {
				dec.Owner = *ch.Owner
			}
			if ch.Due != nil {
				dec.Due, _ = parseDate(*ch.Due)
			}
			object := store.RiskObject + id
			if closure {
				rv := store.RiskReview{WorkspaceID: ws.WS.ID, RiskID: id, Status: string(*ch.Status), Justification: ch.Justification,
					Owner: dec.Owner, Due: dec.Due, RequestedBy: who.User.ID, Requested: now, State: store.ReviewPending}
				if err := tx.PutRiskReview(ctx, rv); err != nil {
					return err
				}
				details := decisionDetails(dec)
				details["status"], details["bulk"] = rv.Status, true
				if err := a.record(ctx, tx, who, ws, audit.RiskReviewRequest, object, details); err != nil {
					return err
				}
				out.Proposed++
				continue
			}
			if ch.Status != nil && string(*ch.Status) != dec.Status {
				// A new status is a new decision: what an acceptance or a
				// closure carried (approver, expiry) does not follow it,
				// and it supersedes a closure proposed before.
				dec.Status, dec.ApproverID, dec.Expires = string(*ch.Status), 0, time.Time{}
				if err := tx.DeleteRiskReview(ctx, ws.WS.ID, id); err != nil {
					return err
				}
			}
			if err := tx.PutRiskDecision(ctx, dec); err != nil {
				return err
			}
			details := decisionDetails(dec)
			details["bulk"] = true
			if err := a.record(ctx, tx, who, ws, audit.RiskDecide, object, details); err != nil {
				return err
			}
			out.Decided++
		}
		return nil
	})
	if err != nil {
		return BulkOutcome{}, err
	}
	return out, nil
}

// decisionOf is the decision a risk carries in the result when none is
// stored for it: what the model's tracking list says, or nothing.
func decisionOf(r *assess.Risk) store.RiskDecision {
	d := store.RiskDecision{Status: string(r.Status)}
	if t := r.Tracking; t != nil {
		d.Justification, d.Owner = t.Justification, t.Owner
		d.Due, _ = parseDate(t.Due)
		d.Expires, _ = parseDate(t.Expires)
	}
	return d
}
