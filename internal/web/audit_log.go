package web

import (
	"net/http"
	"strconv"

	"rcmguard/internal/store"
)

const auditPageSize = 50

type auditData struct {
	Rows   []store.AuditRow
	Next   int64 // seq to continue before; 0 when this is the last page
	Before int64
}

// auditLog shows the workspace's audit entries, newest first, a page at a
// time. Reading the log is itself a read of sensitive records: it is not
// audited per page, to keep the log about changes and exports.
func (s *Server) auditLog(w http.ResponseWriter, r *http.Request, c *call) error {
	before, _ := strconv.ParseInt(r.URL.Query().Get("before"), 10, 64)
	rows, err := s.st.WorkspaceAuditEntries(r.Context(), c.WS.ID, before, auditPageSize+1)
	if err != nil {
		return err
	}
	d := auditData{Before: before}
	if len(rows) > auditPageSize {
		rows = rows[:auditPageSize]
		d.Next = rows[len(rows)-1].Seq
	}
	d.Rows = rows
	return s.render(w, http.StatusOK, "audit", page{Title: "Audit log", Nav: "audit", C: c, Data: d})
}
