package web

import (
	"bytes"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"slices"
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
	R         *assess.Risk
	Status    string // a model tracking status
	Owner     string // as stored: a person's reference, or text (app.ParseOwner)
	OwnerName string // as shown
	Due       string // the decision's own due date, which the risk's form edits
	// DueAt is the due date shown, the same in the register and the plan:
	// the decision's, else the plan's for a risk still open.
	DueAt    string
	Plan     *assess.PlanItem // the risk's step of the plan; nil when closed
	Elements string           // the names of the elements it concerns
	Pending  bool             // a decision newer than the latest run
	// Client is the client workspace of a row of the cross-client
	// register; nil elsewhere.
	Client *store.Workspace
	i      int // position in the register's join (register_cache.go)
}

type riskFilter struct {
	Level, Status, Area, Owner, Q, Sort string
	// Likelihood and Impact are level slugs: a square of the heat map.
	Likelihood, Impact string
	Assigned           string // "me": only risks assigned to the viewer
	Due                string // "overdue", "none" or a month YYYY-MM
	Client             string // the cross-client register's client (a workspace ID)
}

// statusOpen filters on the risks the dashboard counts as open: still at
// risk and not accepted.
const statusOpen = "open"

// filterOf reads the filters and sort order from a page's query.
func filterOf(q url.Values) riskFilter {
	return riskFilter{Level: q.Get("level"), Status: q.Get("status"), Area: q.Get("area"), Owner: q.Get("owner"),
		Likelihood: q.Get("likelihood"), Impact: q.Get("impact"), Q: strings.TrimSpace(q.Get("q")), Sort: q.Get("sort"), Assigned: q.Get("assigned"), Due: q.Get("due"), Client: q.Get("client")}
}

// query writes the filters back as a query, without the page.
func (f riskFilter) query() url.Values {
	v := url.Values{}
	for k, s := range map[string]string{"level": f.Level, "status": f.Status, "area": f.Area, "owner": f.Owner, "q": f.Q,
		"likelihood": f.Likelihood, "impact": f.Impact,
		"sort": f.Sort, "assigned": f.Assigned, "due": f.Due, "client": f.Client} {
		if s != "" {
			v.Set(k, s)
		}
	}
	return v
}

type riskListData struct {
	HasResult  bool
	Version    int
	Assessment int64
	Filter     riskFilter
	Query      string        // the filters as a query string, for exports and the bulk form's way back
	Filters    template.HTML // the filter form (registerFilters)
	Rows       template.HTML // the shown page's table rows
	Total      int
	Pager      pager
	Cols       []sortCol
	Bulk       *bulkForm // the bulk change form; nil for those who may not change risks
	Views      []store.SavedView
	Notice     string
	Problem    string
	CanExport  bool
	// Reviews are the closures waiting for review, for those who review.
	Reviews []reviewRow
}

// reviewRow is a closure waiting for review, as the register lists it.
type reviewRow struct {
	R     store.RiskReview
	Title string
	By    string
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
	owners, err := s.app.WorkspaceOwners(r.Context(), ws.ID)
	if err != nil {
		return a, nil, false, err
	}
	byID := map[string]store.RiskDecision{}
	for _, d := range ds {
		byID[d.RiskID] = d
	}
	plan := make(map[string]*assess.PlanItem, len(res.Plan))
	for i := range res.Plan {
		plan[res.Plan[i].RiskID] = &res.Plan[i]
	}
	rows := make([]riskRow, 0, len(res.Risks))
	areas, ownerSet := map[string]bool{}, map[string]bool{}
	index := make(map[string]int, len(res.Risks))
	for i := range res.Risks {
		rk := &res.Risks[i]
		row := riskRow{R: rk, Status: string(rk.Status), Owner: rk.Owner, Plan: plan[rk.ID], Elements: elementNames(rk.Elements), i: i}
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
		row.OwnerName, row.DueAt = owners.Name(row.Owner), row.Due
		if row.DueAt == "" && row.Plan != nil && risk.Status(row.Status).StillAtRisk() {
			row.DueAt = row.Plan.Due
		}
		areas[rk.Area], ownerSet[row.Owner] = true, true
		index[rk.ID] = len(rows)
		rows = append(rows, row)
	}
	planOrder := make([]int, 0, len(res.Plan))
	for _, p := range res.Plan {
		if k, ok := index[p.RiskID]; ok {
			planOrder = append(planOrder, k)
		}
	}
	var ownerChoices []app.OwnerChoice
	for _, o := range keys(ownerSet) {
		ownerChoices = append(ownerChoices, app.OwnerChoice{Ref: o, Name: owners.Name(o)})
	}
	sortOwners(ownerChoices)
	j := &registerJoin{rows: rows, areas: keys(areas), owners: ownerChoices, people: owners, planOrder: planOrder}
	j.html[0] = make([]atomic.Pointer[template.HTML], len(rows))
	j.html[1] = make([]atomic.Pointer[template.HTML], len(rows))
	j, _ = s.registers.Add(key, j, 0)
	return a, j, true, nil
}

// elementNames names the elements a risk concerns; a pair (a role's
// access to a system) carries one label for both, named once.
func elementNames(es []assess.ElementRef) string {
	var names []string
	for _, e := range es {
		n := ElementName(e) // "Cloud fax (eFaxPro)", not "system efax (Cloud fax (eFaxPro))"
		if n == "" {
			n = e.ID
		}
		if !slices.Contains(names, n) {
			names = append(names, n)
		}
	}
	return strings.Join(names, ", ")
}

// filterRows returns the rows of base that pass f, sorted as f asks; base
// itself when nothing filters or sorts (it is shared: never modify it).
func filterRows(base []riskRow, f riskFilter, mine map[string]bool, today string) []riskRow {
	if f == (riskFilter{}) {
		return base
	}
	rows := make([]riskRow, 0, len(base))
	for _, row := range base {
		if f.matches(row, today) && (f.Assigned != "me" || auth.Covers(mine, store.RiskObject+row.R.ID)) {
			rows = append(rows, row)
		}
	}
	sortRows(rows, f.Sort)
	return rows
}

func (s *Server) riskList(w http.ResponseWriter, r *http.Request, c *call) error {
	return s.renderRiskList(w, r, c, http.StatusOK, "")
}

// renderRiskList shows the register page the query asks for, with a
// problem to show above it (a refused bulk change) or none.
func (s *Server) renderRiskList(w http.ResponseWriter, r *http.Request, c *call, status int, problem string) error {
	ctx := r.Context()
	a, j, ok, err := s.register(r, c.WS)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	f := filterOf(q)
	f.Client = ""
	var mine map[string]bool // the viewer's assignments, for assigned=me
	if f.Assigned == "me" {
		if mine, err = s.assignmentSet(ctx, c); err != nil {
			return err
		}
	}
	d := riskListData{HasResult: ok, Version: a.Version, Assessment: a.ID, Filter: f, Query: f.query().Encode(), Problem: problem,
		CanExport: auth.Can(c.Role, auth.ActExport), Notice: bulkNotice(q)}
	path := wsPath(c.WS.ID, "/risks")
	d.Cols = sortCols(registerCols, f, path)
	var rows []riskRow
	if j != nil {
		d.Total = len(j.rows)
		rows = filterRows(j.rows, f, mine, s.today().Format("2006-01-02"))
	}
	rows, d.Pager = paginate(rows, registerPageSize, q, path)
	if auth.Can(c.Role, auth.ActRiskAccept) {
		reviews, err := s.app.PendingReviews(ctx, c.actor(), c.scope())
		if err != nil {
			return err
		}
		names := map[int64]string{}
		for _, rv := range reviews {
			row := reviewRow{R: rv, Title: rv.RiskID, By: s.userEmail(ctx, rv.RequestedBy, names)}
			if j != nil {
				if k := j.find(rv.RiskID); k >= 0 {
					row.Title = j.rows[k].R.Title
				}
			}
			d.Reviews = append(d.Reviews, row)
		}
	}
	if d.Views, err = s.app.Views(ctx, c.actor(), c.scope(), app.ViewRisks); err != nil {
		return err
	}
	if j != nil {
		canBulk := auth.Can(c.Role, auth.ActRiskUpdate)
		html, err := j.rowHTML(s.tpl.byName["risks"], c.WS.ID, rows, canBulk)
		if err != nil {
			return fmt.Errorf("web: render register rows: %w", err)
		}
		var b strings.Builder
		for _, h := range html {
			b.WriteString(string(h))
		}
		d.Rows = template.HTML(b.String())
		fd := registerFilters{WS: c.WS.ID, Action: path, Contributor: c.Role == auth.RoleContributor, Filter: f,
			Levels: levelsDesc, Statuses: risk.Statuses, Areas: j.areas, Owners: j.owners}
		if d.Filters, err = s.registerFilterForm(fd, a.ID, c.WS.DecisionsRev); err != nil {
			return err
		}
		if canBulk {
			d.Bulk = &bulkForm{Action: wsPath(c.WS.ID, "/risks/bulk"), Back: d.Query, Statuses: bulkStatuses, Owners: j.people.Choices,
				CSRF: c.CSRF, Page: r.URL.Query().Get("page")}
		}
	}
	return s.render(w, status, "risks", page{Title: "Risk register", Nav: "risks", C: c, Data: d})
}

// registerFilters is what the "risk-filters" template receives.
type registerFilters struct {
	WS          int64
	Action      string // the page the form filters
	Contributor bool
	Filter      riskFilter
	Levels      []risk.Level
	Statuses    []risk.Status
	Areas       []string
	Owners      []app.OwnerChoice
	Clients     []store.Workspace // the cross-client register's
	Group       string            // the plan's grouping
	Plan        bool
}

// registerFilterForm renders the register's filter form. Its choices come
// from the join (areas, owners) and its selection from the query, so
// without a text query it is the same for every viewer of the same join
// and choice, and is rendered once: a form of some fifty options was a
// third of a register view's template work.
func (s *Server) registerFilterForm(fd registerFilters, assessment, decisionsRev int64) (template.HTML, error) {
	f := fd.Filter
	key := ""
	if f.Q == "" && fd.Clients == nil {
		key = fmt.Sprintf("register-filters|%s|%d|%d|%t|%q|%q|%q|%q|%q|%q|%q|%q", fd.Action, assessment, decisionsRev,
			fd.Contributor, f.Level, f.Status, f.Area, f.Owner, f.Sort, f.Assigned, f.Due, fd.Group+"|"+f.Likelihood+"|"+f.Impact)
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

func (f riskFilter) matches(row riskRow, today string) bool {
	if f.Level != "" && row.R.Level.Slug() != f.Level {
		return false
	}
	if f.Likelihood != "" && row.R.Likelihood.Level.Slug() != f.Likelihood {
		return false
	}
	if f.Impact != "" && row.R.Impact.Level.Slug() != f.Impact {
		return false
	}
	switch {
	case f.Status == statusOpen:
		// As the analysis counts open (assess.Risk.Open): still at risk
		// and not under an acceptance in force.
		st := risk.Status(row.Status)
		if !st.StillAtRisk() || (st == risk.Accepted && (row.R.Tracking == nil || !row.R.Tracking.AcceptanceExpired)) {
			return false
		}
	case f.Status != "" && row.Status != f.Status:
		return false
	}
	if f.Area != "" && row.R.Area != f.Area {
		return false
	}
	if f.Owner != "" && row.Owner != f.Owner {
		return false
	}
	if f.Client != "" && (row.Client == nil || itoa(row.Client.ID) != f.Client) {
		return false
	}
	switch {
	case f.Due == "":
	case f.Due == "overdue":
		if row.DueAt == "" || row.DueAt >= today || !risk.Status(row.Status).StillAtRisk() {
			return false
		}
	case f.Due == "none":
		if row.DueAt != "" {
			return false
		}
	default:
		if !strings.HasPrefix(row.DueAt, f.Due+"-") {
			return false
		}
	}
	if f.Q != "" {
		hay := strings.ToLower(row.R.ID + " " + row.R.Title + " " + row.Elements + " " + row.R.Why + " " + row.R.Threat + " " + row.OwnerName)
		if !strings.Contains(hay, strings.ToLower(f.Q)) {
			return false
		}
	}
	return true
}

// statusRank orders statuses as a risk moves through them.
func statusRank(s string) int {
	if i := slices.Index(risk.Statuses, risk.Status(s)); i >= 0 {
		return i
	}
	return len(risk.Statuses)
}

// sortRows orders the rows by a column, "-column" for descending; the
// default is the assessment's own order (highest rating first).
func sortRows(rows []riskRow, by string) {
	desc := strings.HasPrefix(by, "-")
	col := strings.TrimPrefix(by, "-")
	var less func(a, b *riskRow) int
	switch col {
	case "id":
		less = func(a, b *riskRow) int { return strings.Compare(a.R.ID, b.R.ID) }
	case "title":
		less = func(a, b *riskRow) int {
			return strings.Compare(strings.ToLower(a.R.Title), strings.ToLower(b.R.Title))
		}
	case "area":
		less = func(a, b *riskRow) int { return strings.Compare(areaTitle(a.R.Area), areaTitle(b.R.Area)) }
	case "status":
		less = func(a, b *riskRow) int { return statusRank(a.Status) - statusRank(b.Status) }
	case "owner":
		less = func(a, b *riskRow) int { return lastEmpty(strings.ToLower(a.OwnerName), strings.ToLower(b.OwnerName)) }
	case "due":
		less = func(a, b *riskRow) int { return lastEmpty(a.DueAt, b.DueAt) }
	case "client":
		less = func(a, b *riskRow) int { return strings.Compare(clientName(a), clientName(b)) }
	case "plan":
		less = func(a, b *riskRow) int { return planRank(a) - planRank(b) }
	case "level_asc":
		less = func(a, b *riskRow) int { return a.R.Value - b.R.Value }
	case "level":
		less = func(a, b *riskRow) int { return b.R.Value - a.R.Value }
	default:
		return
	}
	sort.SliceStable(rows, func(i, j int) bool {
		c := less(&rows[i], &rows[j])
		if desc {
			c = -c
		}
		return c < 0
	})
}

// lastEmpty compares strings with the empty one last, whichever the
// direction asked for: a risk with no owner or no due date is no answer.
func lastEmpty(a, b string) int {
	if (a == "") != (b == "") {
		if a == "" {
			return 1
		}
		return -1
	}
	return strings.Compare(a, b)
}

func planRank(r *riskRow) int {
	if r.Plan == nil {
		return 1 << 30
	}
	return r.Plan.Rank
}

func clientName(r *riskRow) string {
	if r.Client == nil {
		return ""
	}
	return strings.ToLower(r.Client.Name)
}

// sortCol is a column header that sorts the list by that column.
type sortCol struct {
	Label string
	Href  string // "" for a column that does not sort
	Sort  string // "ascending", "descending" or "" (aria-sort)
	Class string
}

// colDef is a column of a list: its label and its sort key ("" when it
// does not sort). The first click sorts by first; the next reverses.
type colDef struct {
	Label, Key, First string
}

var registerCols = []colDef{
	{Label: "Level", Key: "level"}, {Label: "Risk", Key: "title"}, {Label: "Area", Key: "area"},
	{Label: "Owner", Key: "owner"}, {Label: "Due", Key: "due"}, {Label: "Status", Key: "status"},
}

// sortCols builds the header links of cols for the list at path filtered
// by f. The level column's unsorted order is the assessment's, highest
// rating first; its links toggle between that and lowest first.
func sortCols(cols []colDef, f riskFilter, path string) []sortCol {
	out := make([]sortCol, len(cols))
	for i, c := range cols {
		out[i] = sortCol{Label: c.Label}
		if c.Key == "" {
			continue
		}
		next, cur := c.Key, ""
		switch {
		case c.Key == "level" && (f.Sort == "" || f.Sort == "level"):
			next, cur = "level_asc", "descending"
		case c.Key == "level" && f.Sort == "level_asc":
			next, cur = "", "ascending"
		case f.Sort == c.Key:
			next, cur = "-"+c.Key, "ascending"
		case f.Sort == "-"+c.Key:
			next, cur = c.Key, "descending"
		}
		if c.Key == "plan" && f.Sort == "" {
			next, cur = "-plan", "ascending"
		}
		g := f
		g.Sort = next
		v := g.query()
		out[i].Href, out[i].Sort = path, cur
		if len(v) > 0 {
			out[i].Href += "?" + v.Encode()
		}
	}
	return out
}

// areaTitle names a rule's area for people. (The dashboard's labels file
// names every enum; this small table is the register's until they merge.)
func areaTitle(a string) string {
	if t, ok := areaTitles[a]; ok {
		return t
	}
	return slugTitle(a)
}

var areaTitles = map[string]string{
	"access": "Access control", "api": "Billing software APIs", "client": "Client practices", "contingency": "Contingency",
	"edi": "EDI and claims", "evidence": "Evidence checks", "followup": "Claim follow-up", "incident": "Incidents",
	"model": "The model", "monitoring": "Monitoring", "outsourcing": "Outsourcing", "payment": "Payments",
	"physical": "Physical safeguards", "policy": "Policies", "portal": "Payer portals", "technical": "Technical safeguards",
	"training": "Training", "vendor": "Vendors", "workflow": "Workflow",
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

// stableSortBy sorts rows by a string key, keeping the order of equals.
func stableSortBy(rows []riskRow, key func(riskRow) string) {
	sort.SliceStable(rows, func(i, j int) bool { return key(rows[i]) < key(rows[j]) })
}

func sortOwners(os []app.OwnerChoice) {
	sort.SliceStable(os, func(i, j int) bool { return os[i].Name < os[j].Name })
}
