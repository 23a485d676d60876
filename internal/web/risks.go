package web

import (
	"bytes"
	"fmt"
	"html/template"
	"net/http"
	"sort"
	"strings"
	"sync/atomic"

	"rcmguard/internal/app"
	"rcmguard/internal/assess"
	"rcmguard/internal/auth"
	"rcmguard/internal/risk"
	"rcmguard/internal/store"
)

// riskRow is a risk of the latest assessment with its current decision,
// which may be newer than the assessment (it applies at the next run).
// R points into the cached result, shared by every request: a register of
// 10,000 risks copied by value was megabytes to copy per page view.
type riskRow struct {
	R       *assess.Risk
	Status  string // a model tracking status
	Owner   string
	Due     string
	Pending bool // a decision newer than the latest run
	i       int  // position in the register's join (register_cache.go)
}

type riskFilter struct {
	Level, Status, Area, Owner, Q, Sort string
	Assigned                            string // "me": only risks assigned to the viewer
}

type riskListData struct {
	HasResult bool
	Version   int
	Filter    riskFilter
	Filters   template.HTML // the filter form (registerFilters)
	Rows      template.HTML // the shown page's table rows
	Total     int
	Areas     []string
	Owners    []string
	Levels    []risk.Level
	Statuses  []risk.Status
	Pager     pager
	// Reviews are the closures waiting for review, for those who review.
	Reviews []reviewRow
}

// reviewRow is a closure waiting for review, as the register lists it.
type reviewRow struct {
	R  store.RiskReview
	By string
}

// registerPageSize is how many risks one page of the register shows. A
// billing company's register runs to thousands of risks; as one page it
// was megabytes of HTML that took seconds to render and to scroll.
const registerPageSize = 50

// registerRows joins the latest result's risks with the stored decisions.
// The rows are shared (see register_cache.go): callers must not modify them.
func (s *Server) registerRows(r *http.Request, ws store.Workspace) (store.Assessment, []riskRow, bool, error) {
	a, j, ok, err := s.register(r, ws)
	if j == nil {
		return a, nil, ok, err
	}
	return a, j.rows, ok, err
}

func (s *Server) register(r *http.Request, ws store.Workspace) (store.Assessment, *registerJoin, bool, error) {
	a, res, ok, err := s.app.Latest(r.Context(), ws.ID)
	if err != nil || !ok {
		return a, nil, ok, err
	}
	// The revision was read with the workspace, before the decisions: a
	// join built from decisions newer than its key is only rebuilt sooner.
	key := registerKey{assessment: a.ID, decisions: ws.DecisionsRev}
	if j, ok := s.registers.Get(key); ok {
		return a, j, true, nil
	}
	ds, err := s.st.RiskDecisions(r.Context(), ws.ID)
	if err != nil {
		return a, nil, false, err
	}
	byID := map[string]store.RiskDecision{}
	for _, d := range ds {
		byID[d.RiskID] = d
	}
	rows := make([]riskRow, 0, len(res.Risks))
	areas, owners := map[string]bool{}, map[string]bool{}
	for i := range res.Risks {
		rk := &res.Risks[i]
		row := riskRow{R: rk, Status: string(rk.Status), Owner: rk.Owner, i: i}
		if rk.Tracking != nil {
			if rk.Tracking.Owner != "" {
				row.Owner = rk.Tracking.Owner
			}
			row.Due = rk.Tracking.Due
		}
		if d, ok := byID[rk.ID]; ok {
			row.Status, row.Pending = d.Status, d.Updated.After(a.Created)
			if d.Owner != "" {
				row.Owner = d.Owner
			}
			row.Due = app.FormatDate(d.Due)
		}
		areas[rk.Area], owners[row.Owner] = true, true
		rows = append(rows, row)
	}
	j := &registerJoin{rows: rows, areas: keys(areas), owners: keys(owners),
		html: make([]atomic.Pointer[template.HTML], len(rows))}
	j, _ = s.registers.Add(key, j, 0)
	return a, j, true, nil
}

func (s *Server) riskList(w http.ResponseWriter, r *http.Request, c *call) error {
	a, j, ok, err := s.register(r, c.WS)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	f := riskFilter{Level: q.Get("level"), Status: q.Get("status"), Area: q.Get("area"), Owner: q.Get("owner"),
		Q: strings.TrimSpace(q.Get("q")), Sort: q.Get("sort"), Assigned: q.Get("assigned")}
	var mine map[string]bool // the viewer's assignments, for assigned=me
	if f.Assigned == "me" {
		if mine, err = s.assignmentSet(r.Context(), c); err != nil {
			return err
		}
	}
	d := riskListData{HasResult: ok, Version: a.Version, Filter: f, Levels: levelsDesc, Statuses: risk.Statuses}
	var rows []riskRow
	if j != nil {
		d.Total, d.Areas, d.Owners = len(j.rows), j.areas, j.owners
		if f == (riskFilter{}) {
			// The unfiltered register in the assessment's own order is
			// the shared join itself; only its page is read.
			rows = j.rows
		} else {
			rows = make([]riskRow, 0, len(j.rows))
			for _, row := range j.rows {
				if f.matches(row) && (f.Assigned != "me" || auth.Covers(mine, store.RiskObject+row.R.ID)) {
					rows = append(rows, row)
				}
			}
			sortRows(rows, f.Sort)
		}
	}
	rows, d.Pager = paginate(rows, registerPageSize, q, wsPath(c.WS.ID, "/risks"))
	if auth.Can(c.Role, auth.ActRiskAccept) {
		reviews, err := s.app.PendingReviews(r.Context(), c.actor(), c.scope())
		if err != nil {
			return err
		}
		names := map[int64]string{}
		for _, rv := range reviews {
			d.Reviews = append(d.Reviews, reviewRow{R: rv, By: s.userEmail(r.Context(), rv.RequestedBy, names)})
		}
	}
	if j != nil {
		html, err := j.rowHTML(s.tpl.byName["risks"], c.WS.ID, rows)
		if err != nil {
			return fmt.Errorf("web: render register rows: %w", err)
		}
		var b strings.Builder
		for _, h := range html {
			b.WriteString(string(h))
		}
		d.Rows = template.HTML(b.String())
		fd := registerFilters{WS: c.WS.ID, Contributor: c.Role == auth.RoleContributor, Filter: f,
			Levels: levelsDesc, Statuses: risk.Statuses, Areas: j.areas, Owners: j.owners}
		if d.Filters, err = s.registerFilterForm(fd, a.ID, c.WS.DecisionsRev); err != nil {
			return err
		}
	}
	return s.render(w, http.StatusOK, "risks", page{Title: "Risk register", Nav: "risks", C: c, Data: d})
}

// registerFilters is what the "risk-filters" template receives.
type registerFilters struct {
	WS            int64
	Contributor   bool
	Filter        riskFilter
	Levels        []risk.Level
	Statuses      []risk.Status
	Areas, Owners []string
}

// registerFilterForm renders the register's filter form. Its choices come
// from the join (areas, owners) and its selection from the query, so
// without a text query it is the same for every viewer of the same join
// and choice, and is rendered once: a form of some fifty options was a
// third of a register view's template work.
func (s *Server) registerFilterForm(fd registerFilters, assessment, decisionsRev int64) (template.HTML, error) {
	f := fd.Filter
	key := ""
	if f.Q == "" {
		key = fmt.Sprintf("register-filters|%d|%d|%d|%t|%q|%q|%q|%q|%q|%q", fd.WS, assessment, decisionsRev,
			fd.Contributor, f.Level, f.Status, f.Area, f.Owner, f.Sort, f.Assigned)
		if h, ok := s.fragments.Get(key); ok {
			return h, nil
		}
	}
	var b bytes.Buffer
	if err := s.tpl.byName["risks"].ExecuteTemplate(&b, "risk-filters", fd); err != nil {
		return "", fmt.Errorf("web: render register filters: %w", err)
	}
	h := template.HTML(b.String())
	if key != "" {
		s.fragments.Add(key, h, 0)
	}
	return h, nil
}

func (f riskFilter) matches(row riskRow) bool {
	if f.Level != "" && row.R.Level.Slug() != f.Level {
		return false
	}
	if f.Status != "" && row.Status != f.Status {
		return false
	}
	if f.Area != "" && row.R.Area != f.Area {
		return false
	}
	if f.Owner != "" && row.Owner != f.Owner {
		return false
	}
	if f.Q != "" {
		hay := strings.ToLower(row.R.ID + " " + row.R.Title + " " + row.R.Why + " " + row.R.Threat)
		if !strings.Contains(hay, strings.ToLower(f.Q)) {
			return false
		}
	}
	return true
}

// sortRows orders the register; the default is the assessment's own order
// (highest rating first).
func sortRows(rows []riskRow, by string) {
	switch by {
	case "id":
		sort.SliceStable(rows, func(i, j int) bool { return rows[i].R.ID < rows[j].R.ID })
	case "title":
		sort.SliceStable(rows, func(i, j int) bool { return rows[i].R.Title < rows[j].R.Title })
	case "status":
		sort.SliceStable(rows, func(i, j int) bool { return rows[i].Status < rows[j].Status })
	case "owner":
		sort.SliceStable(rows, func(i, j int) bool { return rows[i].Owner < rows[j].Owner })
	case "due":
		sort.SliceStable(rows, func(i, j int) bool {
			if (rows[i].Due == "") != (rows[j].Due == "") {
				return rows[j].Due == ""
			}
			return rows[i].Due < rows[j].Due
		})
	case "level_asc":
		sort.SliceStable(rows, func(i, j int) bool { return rows[i].R.Value < rows[j].R.Value })
	}
}

func keys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		if k != "" {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}
