package web

import (
	"net/http"
	"strings"
	"time"

	"rcmguard/internal/app"
	"rcmguard/internal/auth"
	"rcmguard/internal/risk"
	"rcmguard/internal/store"
)

type planRow struct {
	Row     riskRow
	Overdue bool
	Group   string // the group's heading, on the first row of each group
}

type planData struct {
	HasResult bool
	Version   int
	AsOf      string
	Filter    riskFilter
	Group     string
	Query     string
	Filters   any
	Rows      []planRow
	Total     int
	Pager     pager
	Cols      []sortCol
	Views     []store.SavedView
	CanExport bool
	Bulk      *bulkForm
	Notice    string
	Problem   string
}

var planCols = []colDef{
	{Label: "#", Key: "plan"}, {Label: "Action", Key: "title"}, {Label: "Level", Key: "level"},
	{Label: "Owner", Key: "owner"}, {Label: "Effort"}, {Label: "Due", Key: "due"}, {Label: "Status", Key: "status"},
}

// plan shows the latest assessment's remediation plan in priority order,
// with the register's filters, sorted by a column or grouped by owner, due
// month or status, a page at a time. Its owners, due dates and statuses
// are the register's: the decisions taken since the assessment ran.
func (s *Server) plan(w http.ResponseWriter, r *http.Request, c *call) error {
	return s.renderPlan(w, r, c, http.StatusOK, "")
}

// renderPlan shows the plan page the query asks for, with a problem to
// show above it (a refused bulk change) or none.
func (s *Server) renderPlan(w http.ResponseWriter, r *http.Request, c *call, status int, problem string) error {
	a, res, ok, err := s.app.Latest(r.Context(), c.WS.ID)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	f := filterOf(q)
	f.Client = ""
	group := q.Get("group")
	if group != "owner" && group != "month" && group != "status" {
		group = ""
	}
	vq := f.query()
	if group != "" {
		vq.Set("group", group)
	}
	d := planData{HasResult: ok, Filter: f, Group: group, Query: vq.Encode(), CanExport: auth.Can(c.Role, auth.ActExport),
		Notice: bulkNotice(q), Problem: problem}
	path := wsPath(c.WS.ID, "/plan")
	d.Cols = sortCols(planCols, f, path)
	if d.Views, err = s.app.Views(r.Context(), c.actor(), c.scope(), app.ViewPlan); err != nil {
		return err
	}
	if ok {
		d.Version, d.AsOf = a.Version, res.AsOf
		_, j, _, err := s.register(r, c.WS)
		if err != nil {
			return err
		}
		var mine map[string]bool
		if f.Assigned == "me" {
			if mine, err = s.assignmentSet(r.Context(), c); err != nil {
				return err
			}
		}
		all := j.plan()
		d.Total = len(all)
		g := f
		if g.Sort == "" {
			g.Sort = "plan"
		}
		rows := filterRows(all, g, mine, s.today().Format(time.DateOnly))
		if group != "" {
			groupRows(rows, group)
		}
		var page []riskRow
		page, d.Pager = paginate(rows, registerPageSize, q, path)
		prev := "\x00"
		for _, row := range page {
			pr := planRow{Row: row, Overdue: row.DueAt != "" && s.overdue(row.DueAt) && risk.Status(row.Status).StillAtRisk()}
			if group != "" {
				if k := groupKey(row, group); k != prev {
					pr.Group, prev = k, k
				}
			}
			d.Rows = append(d.Rows, pr)
		}
		fd := registerFilters{WS: c.WS.ID, Action: path, Contributor: c.Role == auth.RoleContributor, Filter: f,
			Levels: levelsDesc, Statuses: risk.Statuses, Areas: j.areas, Owners: j.owners, Group: group, Plan: true}
		if d.Filters, err = s.registerFilterForm(fd, a.ID, c.WS.DecisionsRev); err != nil {
			return err
		}
		if auth.Can(c.Role, auth.ActRiskUpdate) {
			d.Bulk = &bulkForm{Action: wsPath(c.WS.ID, "/risks/bulk"), Back: d.Query, List: "plan", Statuses: bulkStatuses,
				Owners: j.people.Choices, CSRF: c.CSRF, Page: q.Get("page")}
		}
	}
	return s.render(w, status, "plan", page{Title: "Remediation plan", Nav: "plan", C: c, Data: d})
}

// groupKey is the heading of a row's group.
func groupKey(row riskRow, by string) string {
	switch by {
	case "owner":
		if row.OwnerName == "" {
			return "No owner"
		}
		return row.OwnerName
	case "month":
		t, err := time.Parse(time.DateOnly, row.DueAt)
		if err != nil {
			return "No due date"
		}
		return "Due in " + t.Format("January 2006")
	case "status":
		return risk.Status(row.Status).Title()
	}
	return ""
}

// groupRows orders rows by group, keeping their order within each: owners
// by name, months in time order, statuses as a risk moves through them;
// the rows with no owner or no due date last.
func groupRows(rows []riskRow, by string) {
	key := func(r riskRow) string {
		switch by {
		case "owner":
			if r.OwnerName == "" {
				return "\xff"
			}
			return strings.ToLower(r.OwnerName)
		case "month":
			if len(r.DueAt) < 7 {
				return "\xff"
			}
			return r.DueAt[:7]
		}
		return string(rune('a' + statusRank(r.Status)))
	}
	stableSortBy(rows, key)
}
