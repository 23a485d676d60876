package web

import (
	"net/http"
	"sort"
	"strconv"

	"rcmguard/internal/assess"
	"rcmguard/internal/store"
)

type diffRisk struct {
	ID, Title string
	From, To  assess.Risk
}

type diffData struct {
	Rows           []assessmentRow
	From, To       int64
	FromA, ToA     store.Assessment
	Picked         bool
	New, Resolved  []assess.Risk
	Changed        []diffRisk
	Unchanged      int
	SameAssessment bool
}

// assessmentDiff compares any two assessments of the workspace by stable
// risk ID: risks that are new, resolved, or whose level changed.
func (s *Server) assessmentDiff(w http.ResponseWriter, r *http.Request, c *call) error {
	rows, err := s.history(r.Context(), c.WS.ID)
	if err != nil {
		return err
	}
	d := diffData{Rows: rows}
	q := r.URL.Query()
	if q.Get("from") != "" || q.Get("to") != "" {
		from, err1 := strconv.ParseInt(q.Get("from"), 10, 64)
		to, err2 := strconv.ParseInt(q.Get("to"), 10, 64)
		if err1 != nil || err2 != nil {
			return errNotFound
		}
		d.From, d.To, d.Picked = from, to, true
		fa, fr, err := s.app.Assessment(r.Context(), c.actor(), c.scope(), from)
		if err != nil {
			return err
		}
		ta, tr, err := s.app.Assessment(r.Context(), c.actor(), c.scope(), to)
		if err != nil {
			return err
		}
		d.FromA, d.ToA, d.SameAssessment = fa, ta, from == to
		d.New, d.Resolved, d.Changed, d.Unchanged = diffResults(fr, tr)
	} else if len(rows) >= 2 {
		d.From, d.To = rows[1].A.ID, rows[0].A.ID
	}
	return s.render(w, http.StatusOK, "diff", page{Title: "Compare assessments", Nav: "assessments", C: c, Data: d})
}

// diffResults matches risks by their stable IDs.
func diffResults(from, to *assess.Result) (added, resolved []assess.Risk, changed []diffRisk, same int) {
	old := map[string]assess.Risk{}
	for _, r := range from.Risks {
		old[r.ID] = r
	}
	seen := map[string]bool{}
	for _, r := range to.Risks {
		seen[r.ID] = true
		o, ok := old[r.ID]
		switch {
		case !ok:
			added = append(added, r)
		case o.Level != r.Level:
			changed = append(changed, diffRisk{ID: r.ID, Title: r.Title, From: o, To: r})
		default:
			same++
		}
	}
	for _, r := range from.Risks {
		if !seen[r.ID] {
			resolved = append(resolved, r)
		}
	}
	sort.Slice(changed, func(i, j int) bool { return changed[i].ID < changed[j].ID })
	return added, resolved, changed, same
}
