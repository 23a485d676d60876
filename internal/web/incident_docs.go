package web

import (
	"net/http"
	"strconv"

	"rcmguard/internal/app"
	"rcmguard/internal/auth"
	"rcmguard/internal/incident"
)

// The incident's documents: drafts of its notices, the fields of HHS's
// breach portal as CSV or JSON, and the annual log of breaches under 500.

type incidentNoticesData struct {
	D         app.IncidentDocuments
	CanExport bool
	Missing   int // elements the record cannot fill yet
}

func (s *Server) incidentNotices(w http.ResponseWriter, r *http.Request, c *call) error {
	id, err := incidentID(r)
	if err != nil {
		return err
	}
	d, err := s.app.IncidentDocuments(r.Context(), c.actor(), c.scope(), id)
	if err != nil {
		return err
	}
	data := incidentNoticesData{D: d, CanExport: auth.Can(c.Role, auth.ActExport)}
	for _, n := range d.Notices {
		for _, sec := range n.Sections {
			if sec.Missing {
				data.Missing++
			}
		}
	}
	return s.render(w, http.StatusOK, "incident_notices", page{Title: "Notices: " + d.Incident.Title, Nav: "incidents", C: c, Data: data})
}

func (s *Server) incidentPortal(format string) handler {
	return func(w http.ResponseWriter, r *http.Request, c *call) error {
		id, err := incidentID(r)
		if err != nil {
			return err
		}
		out, err := s.app.ExportIncidentPortal(r.Context(), c.actor(), c.scope(), id, format)
		if err != nil {
			return err
		}
		ct := "text/csv; charset=utf-8"
		if format == "json" {
			ct = "application/json"
		}
		w.Header().Set("Content-Type", ct)
		w.Header().Set("Content-Disposition", `attachment; filename="incident-`+itoa(id)+`-hhs-portal.`+format+`"`)
		_, err = w.Write(out)
		return err
	}
}

type breachLogData struct {
	Year    int
	Years   []int
	Entries []app.LogEntry
}

// incidentLog shows the annual log of breaches of fewer than 500
// individuals (164.408(c)) for a year of discovery, by covered entity.
func (s *Server) incidentLog(w http.ResponseWriter, r *http.Request, c *call) error {
	this := incident.DateOf(s.now().UTC()).Year()
	year := this
	if y := r.URL.Query().Get("year"); y != "" {
		n, err := strconv.Atoi(y)
		if err != nil || n < 2009 || n > this {
			return errBadInput
		}
		year = n
	}
	entries, err := s.app.BreachLog(r.Context(), c.actor(), c.scope(), year)
	if err != nil {
		return err
	}
	d := breachLogData{Year: year, Entries: entries}
	for y := this; y >= this-5; y-- {
		d.Years = append(d.Years, y)
	}
	return s.render(w, http.StatusOK, "incident_log", page{Title: "Breach log " + strconv.Itoa(year), Nav: "incidents", C: c, Data: d})
}
