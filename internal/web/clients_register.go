package web

import (
	"net/http"
	"time"

	"rcmguard/internal/app"
	"rcmguard/internal/auth"
	"rcmguard/internal/risk"
	"rcmguard/internal/store"
)

type clientsRegisterData struct {
	Plan      bool
	Group     string
	Filters   any
	Rows      []planRow
	Total     int
	Clients   int // the clients shown: those the viewer may see
	Pager     pager
	Cols      []sortCol
	Unscanned []store.Workspace // clients not assessed yet
}

var clientRegisterCols = []colDef{
	{Label: "Client", Key: "client"}, {Label: "Level", Key: "level"}, {Label: "Risk", Key: "title"},
	{Label: "Owner", Key: "owner"}, {Label: "Due", Key: "due"}, {Label: "Status", Key: "status"},
}

func (s *Server) clientsRegister(w http.ResponseWriter, r *http.Request, c *call) error {
	return s.renderClientsRegister(w, r, c, false)
}

func (s *Server) clientsPlan(w http.ResponseWriter, r *http.Request, c *call) error {
	return s.renderClientsRegister(w, r, c, true)
}

// renderClientsRegister shows a billing company the register, or the
// plan, of every client workspace the viewer may see (those they are a
// member of, with access in force), with a client column and the same
// filters, sort, grouping and paging as one workspace's. Each client's
// rows are its own register's (the same join and decisions).
func (s *Server) renderClientsRegister(w http.ResponseWriter, r *http.Request, c *call, plan bool) error {
	if c.WS.Kind != store.KindBillingCompany {
		return errNotFound
	}
	ctx := r.Context()
	clients, err := s.st.ClientWorkspaces(ctx, c.WS.ID)
	if err != nil {
		return err
	}
	ms, err := s.st.UserMemberships(ctx, c.User.ID)
	if err != nil {
		return err
	}
	may := map[int64]bool{}
	for _, m := range ms {
		may[m.WorkspaceID] = auth.Allowed(m, auth.ActRiskView, s.now()) == nil
	}
	q := r.URL.Query()
	f := filterOf(q)
	f.Assigned = ""
	group := q.Get("group")
	if group != "owner" && group != "month" && group != "status" && group != "client" {
		group = ""
	}
	d := clientsRegisterData{Plan: plan, Group: group}
	var all []riskRow
	var seen []store.Workspace
	areas, owners := map[string]bool{}, map[string]app.OwnerChoice{}
	for i := range clients {
		cw := &clients[i]
		if !may[cw.ID] {
			continue
		}
		seen = append(seen, *cw)
		_, j, ok, err := s.register(r, *cw)
		if err != nil {
			return err
		}
		if !ok {
			d.Unscanned = append(d.Unscanned, *cw)
			continue
		}
		base := j.rows
		if plan {
			base = j.plan()
		}
		for _, row := range base {
			row.Client = cw // a copy of the shared row
			all = append(all, row)
		}
		for _, a := range j.areas {
			areas[a] = true
		}
		for _, o := range j.owners {
			owners[o.Ref] = o
		}
	}
	d.Clients = len(seen)
	d.Total = len(all)
	g := f
	if g.Sort == "" {
		g.Sort = "client"
	}
	rows := filterRows(all, g, nil, s.today().Format(time.DateOnly))
	if group == "client" {
		stableSortBy(rows, func(r riskRow) string { return clientName(&r) })
	} else if group != "" {
		groupRows(rows, group)
	}
	path := wsPath(c.WS.ID, "/clients/risks")
	if plan {
		path = wsPath(c.WS.ID, "/clients/plan")
	}
	var shown []riskRow
	shown, d.Pager = paginate(rows, registerPageSize, q, path)
	prev := "\x00"
	for _, row := range shown {
		pr := planRow{Row: row, Overdue: row.DueAt != "" && s.overdue(row.DueAt) && risk.Status(row.Status).StillAtRisk()}
		if group != "" {
			k := row.Client.Name
			if group != "client" {
				k = groupKey(row, group)
			}
			if k != prev {
				pr.Group, prev = k, k
			}
		}
		d.Rows = append(d.Rows, pr)
	}
	d.Cols = sortCols(clientRegisterCols, g, path)
	var ownerList []app.OwnerChoice
	for _, o := range owners {
		ownerList = append(ownerList, o)
	}
	sortOwners(ownerList)
	fd := registerFilters{WS: c.WS.ID, Action: path, Filter: f, Levels: levelsDesc, Statuses: risk.Statuses, Areas: keys(areas),
		Owners: ownerList, Clients: seen, Group: group, Plan: plan}
	if d.Filters, err = s.registerFilterForm(fd, 0, 0); err != nil {
		return err
	}
	title := "Register of all clients"
	if plan {
		title = "Plan of all clients"
	}
	return s.render(w, http.StatusOK, "clients_register", page{Title: title, Nav: "portfolio", C: c, Data: d})
}
