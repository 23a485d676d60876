package web

import (
	"bytes"
	"html/template"
	"sync/atomic"

	"rcmguard/internal/app"
)

// The register joins every risk of the latest result (10,000 for a large
// billing company) with the stored decisions. Building that join, and the
// lists of areas and owners for the filters, on every page view allocated
// megabytes and dominated the register's cost under load. The join depends
// only on the assessment and the decisions, so it is kept by assessment and
// the workspace's decision revision, a counter the database moves on every
// change of a decision (store/decision_rev.go): a decision added or changed
// on this app server or another in front of the same PostgreSQL yields a
// new key, and a view learns the revision with the workspace, without
// reading the decisions.
//
// Cached rows are shared by every request and must be treated as read-only.

// registerCacheEntries bounds the joins kept. A billing company's staff
// work in many clients at once; with fewer joins than clients in use, each
// register view rebuilt its join and rendered its rows again. A join of
// 1,000 risks with its rendered rows is about half a megabyte.
const registerCacheEntries = 128

type registerJoin struct {
	rows   []riskRow
	areas  []string
	owners []app.OwnerChoice // the owners the register holds, for its filter
	people app.Owners        // who may own work here, for the bulk form
	// planOrder lists the rows in the plan, by index, in its order.
	planOrder []int
	// html holds each row's rendered table row, indexed like rows and
	// filled the first time the row is shown: a row depends only on the
	// join, so it is rendered once instead of on every view, and the
	// template stays the single source of its markup and escaping. The
	// second set carries the box that selects the row for a bulk change,
	// for those who may change risks.
	html [2][]atomic.Pointer[template.HTML]
}

// find returns the index of a risk's row, -1 when it is not there.
func (j *registerJoin) find(riskID string) int {
	for k := range j.rows {
		if j.rows[k].R.ID == riskID {
			return k
		}
	}
	return -1
}

// rowHTML returns the table rows of shown (rows of this join, in any
// order), rendering with tpl those not rendered before.
func (j *registerJoin) rowHTML(tpl *template.Template, ws int64, shown []riskRow, selectable bool) ([]template.HTML, error) {
	out := make([]template.HTML, len(shown))
	set := 0
	if selectable {
		set = 1
	}
	var b bytes.Buffer
	for k, row := range shown {
		slot := &j.html[set][row.i]
		if h := slot.Load(); h != nil {
			out[k] = *h
			continue
		}
		b.Reset()
		if err := tpl.ExecuteTemplate(&b, "riskrow", registerRow{WS: ws, Row: row, Selectable: selectable}); err != nil {
			return nil, err
		}
		h := template.HTML(b.String())
		slot.Store(&h)
		out[k] = h
	}
	return out, nil
}

// registerRow is what the "riskrow" template receives.
type registerRow struct {
	WS         int64
	Row        riskRow
	Selectable bool
}

type registerKey struct {
	assessment int64
	decisions  int64 // store.Workspace.DecisionsRev
}

// plan returns the rows in the plan, in its order (a new slice: the
// caller may sort it).
func (j *registerJoin) plan() []riskRow {
	out := make([]riskRow, len(j.planOrder))
	for k, i := range j.planOrder {
		out[k] = j.rows[i]
	}
	return out
}
