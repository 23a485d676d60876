package web

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"rcmguard/internal/app"
	"rcmguard/internal/risk"
)

// bulkForm is the register's form that changes the selected risks.
type bulkForm struct {
	Action   string
	Back     string // the list's filters, to return to
	List     string // "plan" when the form is the plan's; else the register's
	Page     string
	Statuses []risk.Status
	Owners   []app.OwnerChoice
	CSRF     string
}

// bulkStatuses are the statuses a bulk change offers: not acceptance,
// which needs a justification and an expiry of its own per risk.
var bulkStatuses = []risk.Status{risk.Unchecked, risk.InDiscussion, risk.InProgress, risk.Mitigated, risk.FalsePositive}

// ownerNone is the bulk form's choice that clears the owner, apart from
// "" (leave each owner as it is).
const ownerNone = "none"

// riskBulk applies one change to the selected risks, then shows the
// register as it was filtered.
func (s *Server) riskBulk(w http.ResponseWriter, r *http.Request, c *call) error {
	if err := r.ParseForm(); err != nil {
		return errBadInput
	}
	f := r.PostForm
	var ch app.BulkChange
	if v := f.Get("status"); v != "" {
		st := risk.Status(v)
		ch.Status = &st
	}
	switch v := f.Get("owner"); v {
	case "":
	case ownerNone:
		none := ""
		ch.Owner = &none
	default:
		ch.Owner = &v
	}
	if v := strings.TrimSpace(f.Get("due")); v != "" {
		ch.Due = &v
	} else if f.Get("clear_due") == "yes" {
		none := ""
		ch.Due = &none
	}
	ch.Justification = strings.TrimSpace(f.Get("justification"))
	back, err := url.ParseQuery(f.Get("back"))
	if err != nil {
		return errBadInput
	}
	if p := f.Get("page"); p != "" {
		back.Set("page", p)
	}
	list := "/risks"
	if f.Get("list") == "plan" {
		list = "/plan"
	}
	out, err := s.app.BulkDecide(r.Context(), c.actor(), c.scope(), f["risk"], ch)
	var problem string
	switch {
	case err == nil:
	case app.Message(err) != "" && !errors.Is(err, app.ErrMalformed):
		problem = app.Message(err)
	default:
		return err
	}
	if problem != "" {
		r.URL.RawQuery = back.Encode()
		if list == "/plan" {
			return s.renderPlan(w, r, c, statusOf(err), problem)
		}
		return s.renderRiskList(w, r, c, statusOf(err), problem)
	}
	back.Set("decided", strconv.Itoa(out.Decided))
	back.Set("proposed", strconv.Itoa(out.Proposed))
	http.Redirect(w, r, wsPath(c.WS.ID, list)+"?"+back.Encode(), http.StatusSeeOther)
	return nil
}

// bulkNotice says what the last bulk change did, from the query it
// redirected to.
func bulkNotice(q url.Values) string {
	decided, _ := strconv.Atoi(q.Get("decided"))
	proposed, _ := strconv.Atoi(q.Get("proposed"))
	var parts []string
	if decided > 0 {
		parts = append(parts, plural(decided, "risk", "risks")+" changed")
	}
	if proposed > 0 {
		parts = append(parts, plural(proposed, "closure", "closures")+" sent for review: the risks stay as they are until an owner or compliance officer approves each")
	}
	if len(parts) == 0 {
		return ""
	}
	return strings.Join(parts, "; ") + "."
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}
