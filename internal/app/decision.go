package app

import (
	"context"
	"errors"
	"fmt"
	"time"

	"rcmguard/internal/audit"
	"rcmguard/internal/auth"
	"rcmguard/internal/risk"
	"rcmguard/internal/store"
)

// Decision is a change of a risk's tracking as a person asks for it, the
// same from the register's form and the API. Dates are YYYY-MM-DD, or ""
// for none.
type Decision struct {
	Status        risk.Status
	Justification string
	Owner         string
	Due           string
	Expires       string
}

// Outcome is what became of a decision: saved, or waiting for review.
type Outcome struct {
	Decision store.RiskDecision // the decision saved; zero while Review is set
	Review   *store.RiskReview  // the closure waiting for an owner or compliance officer
}

// Bounds of a decision's free text.
const (
	maxJustification = 4000
	maxOwner         = 200
	maxReviewNote    = 2000
)

// DecideRisk records a decision on a risk of the workspace's latest
// assessment. Accepting a risk is a decision only an owner or compliance
// officer may take (anyone else gets ErrForbidden), with a justification
// and an expiry; they are recorded as its approver. A closure (mitigated,
// false positive) takes the risk out of the register, so one proposed by
// anyone else waits for an owner or compliance officer to review it
// (ReviewClosure) and changes nothing until then; one they take
// themselves is recorded with them as approver. A risk not in the latest
// assessment is not found. Problems with the input come back as Errors,
// by field, and save nothing.
func (a *App) DecideRisk(ctx context.Context, who Actor, ws Scope, riskID string, d Decision) (Outcome, error) {
	if err := a.Allowed(who, ws, auth.ActRiskUpdate, store.RiskObject+riskID); err != nil {
		return Outcome{}, err
	}
	if err := a.riskExists(ctx, ws.WS.ID, riskID); err != nil {
		return Outcome{}, err
	}
	reviewer := a.Allowed(who, ws, auth.ActRiskAccept, "") == nil
	if d.Status == risk.Accepted && !reviewer {
		return Outcome{}, &Error{Kind: ErrForbidden, Field: "status", Msg: "Only an owner or compliance officer may accept a risk."}
	}
	now := a.now()
	dec, err := a.checkDecision(d)
	if err != nil {
		return Outcome{}, err
	}
	if e := a.checkOwner(ctx, ws.WS.ID, dec.Owner); e != nil {
		return Outcome{}, Errors{e}
	}
	dec.WorkspaceID, dec.RiskID, dec.UpdatedBy, dec.Updated = ws.WS.ID, riskID, who.User.ID, now
	object := store.RiskObject + riskID
	if !d.Status.StillAtRisk() && !reviewer {
		rv := store.RiskReview{WorkspaceID: ws.WS.ID, RiskID: riskID, Status: string(d.Status), Justification: dec.Justification,
			Owner: dec.Owner, Due: dec.Due, RequestedBy: who.User.ID, Requested: now, State: store.ReviewPending}
		err := a.st.InTx(ctx, func(tx *store.Tx) error {
			if err := tx.PutRiskReview(ctx, rv); err != nil {
				return err
			}
			return a.record(ctx, tx, who, ws, audit.RiskReviewRequest, object, decisionDetails(dec))
		})
		if err != nil {
			return Outcome{}, err
		}
		return Outcome{Review: &rv}, nil
	}
	if d.Status == risk.Accepted || !d.Status.StillAtRisk() {
		dec.ApproverID = who.User.ID
	}
	err = a.st.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.PutRiskDecision(ctx, dec); err != nil {
			return err
		}
		// A decision taken now supersedes a closure proposed before it.
		if err := tx.DeleteRiskReview(ctx, ws.WS.ID, riskID); err != nil {
			return err
		}
		return a.record(ctx, tx, who, ws, audit.RiskDecide, object, decisionDetails(dec))
	})
	if err != nil {
		return Outcome{}, err
	}
	return Outcome{Decision: dec}, nil
}

// checkDecision applies the rules of a decision's fields and returns the
// decision they make, or every problem by field.
func (a *App) checkDecision(d Decision) (store.RiskDecision, error) {
	var errs Errors
	dec := store.RiskDecision{Status: string(d.Status), Justification: d.Justification, Owner: d.Owner}
	if !d.Status.Valid() {
		errs = append(errs, invalid("status", "Choose a status."))
	}
	switch {
	case len(d.Justification) > maxJustification:
		errs = append(errs, invalid("justification", "Keep the justification under 4,000 characters."))
	case d.Status.NeedsJustification() && d.Justification == "":
		errs = append(errs, invalid("justification", "Say why: a justification is required for this status."))
	}
	if len(d.Owner) > maxOwner {
		errs = append(errs, invalid("owner", "Keep the owner under 200 characters."))
	}
	var err error
	if dec.Due, err = parseDate(d.Due); err != nil {
		errs = append(errs, invalid("due", "Enter the due date as YYYY-MM-DD."))
	}
	expires, err := parseDate(d.Expires)
	switch {
	case err != nil:
		errs = append(errs, invalid("expires", "Enter the expiry as YYYY-MM-DD."))
	case d.Status != risk.Accepted:
		// Only an acceptance expires.
	case d.Expires == "":
		errs = append(errs, invalid("expires", "An acceptance needs an expiry date, when it must be reviewed again."))
	case !expires.After(a.Today()):
		errs = append(errs, invalid("expires", "The expiry must be after today."))
	default:
		dec.Expires = expires
	}
	if len(errs) > 0 {
		return dec, errs
	}
	return dec, nil
}

func decisionDetails(dec store.RiskDecision) map[string]any {
	details := map[string]any{"status": dec.Status}
	if !dec.Due.IsZero() {
		details["due"] = FormatDate(dec.Due)
	}
	if !dec.Expires.IsZero() {
		details["expires"] = FormatDate(dec.Expires)
	}
	return details
}

// ReviewClosure approves or rejects the closure of a risk waiting for
// review. Only an owner or compliance officer reviews, never the person
// who proposed it. Approval makes the closure the risk's decision, with
// the reviewer as approver; a rejection needs a note saying why, which the
// proposer reads on the risk's page. A risk with nothing waiting is a
// conflict (someone reviewed it first).
func (a *App) ReviewClosure(ctx context.Context, who Actor, ws Scope, riskID string, approve bool, note string) (Outcome, error) {
	if err := a.Allowed(who, ws, auth.ActRiskAccept, ""); err != nil {
		return Outcome{}, &Error{Kind: ErrForbidden, Msg: "Only an owner or compliance officer may review a closure.", Err: err}
	}
	if !approve {
		switch {
		case note == "":
			return Outcome{}, Errors{invalid("note", "Say why the closure is rejected: the person who proposed it reads this.")}
		case len(note) > maxReviewNote:
			return Outcome{}, Errors{invalid("note", "Keep the note under 2,000 characters.")}
		}
	}
	object := store.RiskObject + riskID
	nothing := &Error{Kind: ErrConflict, Msg: "No closure of this risk is waiting for review: someone may have reviewed it already."}
	now := a.now()
	var out Outcome
	err := a.st.InTx(ctx, func(tx *store.Tx) error {
		rv, err := tx.RiskReview(ctx, ws.WS.ID, riskID)
		if errors.Is(err, store.ErrNotFound) || (err == nil && rv.State != store.ReviewPending) {
			return nothing
		}
		if err != nil {
			return err
		}
		if rv.RequestedBy == who.User.ID {
			return &Error{Kind: ErrForbidden, Msg: "A closure needs a second person: another owner or compliance officer reviews it."}
		}
		details := map[string]any{"status": rv.Status, "requested_by": string(audit.UserActor(rv.RequestedBy))}
		if !approve {
			if err := tx.RejectRiskReview(ctx, ws.WS.ID, riskID, who.User.ID, now, note); err != nil {
				return err
			}
			rv.State, rv.ReviewedBy, rv.Reviewed, rv.Note = store.ReviewRejected, who.User.ID, now, note
			out.Review = &rv
			return a.record(ctx, tx, who, ws, audit.RiskReviewReject, object, details)
		}
		if _, err := tx.TakePendingRiskReview(ctx, ws.WS.ID, riskID); err != nil {
			return err
		}
		out.Decision = store.RiskDecision{WorkspaceID: ws.WS.ID, RiskID: riskID, Status: rv.Status, Justification: rv.Justification,
			Owner: rv.Owner, Due: rv.Due, ApproverID: who.User.ID, UpdatedBy: rv.RequestedBy, Updated: now}
		if err := tx.PutRiskDecision(ctx, out.Decision); err != nil {
			return err
		}
		return a.record(ctx, tx, who, ws, audit.RiskReviewApprove, object, details)
	})
	if errors.Is(err, store.ErrNotFound) {
		return Outcome{}, nothing
	}
	return out, err
}

// PendingReviews lists the closures waiting for review in the workspace.
func (a *App) PendingReviews(ctx context.Context, who Actor, ws Scope) ([]store.RiskReview, error) {
	if err := a.Allowed(who, ws, auth.ActRiskView, ""); err != nil {
		return nil, err
	}
	return a.st.PendingRiskReviews(ctx, ws.WS.ID)
}

// riskExists checks that riskID is a risk of the workspace's latest
// assessment: decisions are taken on what the register shows.
func (a *App) riskExists(ctx context.Context, wsID int64, riskID string) error {
	_, res, ok, err := a.Latest(ctx, wsID)
	if err != nil {
		return err
	}
	if ok {
		for i := range res.Risks {
			if res.Risks[i].ID == riskID {
				return nil
			}
		}
	}
	return fmt.Errorf("%w: risk %q in workspace %d", ErrNotFound, riskID, wsID)
}

// AssignRisk sets the contributors a risk is assigned to by name; anyone
// else is refused as input the form never offered.
func (a *App) AssignRisk(ctx context.Context, who Actor, ws Scope, riskID string, userIDs []int64) error {
	if err := a.Allowed(who, ws, auth.ActAssign, ""); err != nil {
		return err
	}
	if err := a.riskExists(ctx, ws.WS.ID, riskID); err != nil {
		return err
	}
	emails, err := a.contributorEmails(ctx, ws.WS.ID, userIDs)
	if err != nil {
		return err
	}
	object := store.RiskObject + riskID
	return a.st.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.SetObjectAssignees(ctx, ws.WS.ID, object, userIDs, who.User.ID, a.now()); err != nil {
			return err
		}
		return a.record(ctx, tx, who, ws, audit.RiskAssign, object, map[string]any{"assignees": emails})
	})
}

// contributorEmails returns the addresses of users who must all be
// contributors of the workspace.
func (a *App) contributorEmails(ctx context.Context, wsID int64, userIDs []int64) ([]string, error) {
	ms, err := a.st.Members(ctx, wsID)
	if err != nil {
		return nil, err
	}
	contributors := map[int64]bool{}
	for _, m := range ms {
		if auth.Role(m.Role) == auth.RoleContributor {
			contributors[m.UserID] = true
		}
	}
	var emails []string
	for _, id := range userIDs {
		if !contributors[id] {
			return nil, &Error{Kind: ErrMalformed, Field: "assignee", Msg: "Only the workspace's contributors can be assigned work.",
				Err: fmt.Errorf("user %d is not a contributor of workspace %d", id, wsID)}
		}
		u, err := a.st.User(ctx, id)
		if err != nil {
			return nil, err
		}
		emails = append(emails, u.Email)
	}
	return emails, nil
}

func parseDate(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	return time.Parse(time.DateOnly, s)
}

// FormatDate writes a date as YYYY-MM-DD, "" for the zero time.
func FormatDate(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.DateOnly)
}
