package web

import (
	"bytes"
	"html/template"
	"sync/atomic"
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
	rows          []riskRow
	areas, owners []string
	// html holds each row's rendered table row, indexed like rows and
	// filled the first time the row is shown: a row depends only on the
	// join, so it is rendered once instead of on every view, and the
	// template stays the single source of its markup and escaping.
	html []atomic.Pointer[template.HTML]
}

// rowHTML returns the table rows of shown (rows of this join, in any
// order), rendering with tpl those not rendered before.
func (j *registerJoin) rowHTML(tpl *template.Template, ws int64, shown []riskRow) ([]template.HTML, error) {
	out := make([]template.HTML, len(shown))
	var b bytes.Buffer
	for k, row := range shown {
		slot := &j.html[row.i]
		if h := slot.Load(); h != nil {
			out[k] = *h
			continue
		}
		b.Reset()
		if err := tpl.ExecuteTemplate(&b, "riskrow", registerRow{WS: ws, Row: row}); err != nil {
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
	WS  int64
	Row riskRow
}

type registerKey struct {
	assessment int64
	decisions  int64 // store.Workspace.DecisionsRev
}
