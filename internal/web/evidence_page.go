package web

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"rcmguard/internal/app"
	"rcmguard/internal/auth"
	"rcmguard/internal/store"
)

// maxEvidenceUpload bounds one evidence file (app.MaxEvidenceSize).
const maxEvidenceUpload = app.MaxEvidenceSize

// maxEvidenceBody is the request limit for an evidence upload: the file
// plus the multipart envelope and the CSRF field.
const maxEvidenceBody = maxEvidenceUpload + 64<<10

// formatTitles name the evidence formats for people.
var formatTitles = map[string]string{
	"scan":  "PHI scan (rcmguard scan)",
	"edi":   "EDI inspection (rcmguard edi inspect)",
	"probe": "Endpoint probe (rcmguard probe)",
	"facts": "Evidence facts file",
}

// bodyLimit is the most a request to path may send: uploads get room for
// their file, everything else is a small form.
func bodyLimit(method, p string) int64 {
	switch {
	case method == http.MethodPost && strings.HasSuffix(p, "/evidence"):
		return maxEvidenceBody
	case method == http.MethodPost && strings.HasPrefix(p, "/w/") && strings.Contains(p, "/incidents/") && strings.HasSuffix(p, "/files"):
		return maxIncidentBody
	case strings.HasSuffix(p, "/model/import"),
		method == http.MethodPut && strings.HasPrefix(p, "/api/") && strings.HasSuffix(p, "/model"):
		return maxUploadBody
	}
	return maxFormBody
}

type evidenceRow struct {
	Set      store.EvidenceSet
	Source   string
	Uploader string
}

type evidenceData struct {
	Rows      []evidenceRow
	Facts     int
	CanUpload bool
	Err       string // beside the file field
	Uploaded  string // file name of the set just uploaded
	Deleted   bool
}

func (s *Server) evidencePage(w http.ResponseWriter, r *http.Request, c *call, status int, d evidenceData) error {
	sets, err := s.st.EvidenceSets(r.Context(), c.WS.ID)
	if err != nil {
		return err
	}
	emails := map[int64]string{}
	for _, e := range sets {
		title, ok := formatTitles[e.Format]
		if !ok {
			title = e.Format
		}
		d.Rows = append(d.Rows, evidenceRow{Set: e, Source: title, Uploader: s.userEmail(r.Context(), e.UploadedBy, emails)})
		d.Facts += e.FactCount
	}
	d.CanUpload = auth.Can(c.Role, auth.ActEvidenceUpload)
	return s.render(w, status, "evidence", page{Title: "Evidence", Nav: "evidence", C: c, Data: d})
}

func (s *Server) evidenceList(w http.ResponseWriter, r *http.Request, c *call) error {
	q := r.URL.Query()
	return s.evidencePage(w, r, c, http.StatusOK, evidenceData{Uploaded: q.Get("uploaded"), Deleted: q.Get("deleted") == "1"})
}

func (s *Server) evidenceUpload(w http.ResponseWriter, r *http.Request, c *call) error {
	file, hdr, err := r.FormFile("file")
	if err != nil {
		return s.evidencePage(w, r, c, http.StatusUnprocessableEntity, evidenceData{Err: "Choose an evidence file to upload."})
	}
	defer file.Close()
	set, err := s.uploadEvidence(r, c, file, hdr.Size, hdr.Filename)
	if msg := app.Message(err); msg != "" {
		return s.evidencePage(w, r, c, statusOf(err), evidenceData{Err: msg})
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, wsPath(c.WS.ID, "/evidence?uploaded="+url.QueryEscape(set.FileName)), http.StatusSeeOther)
	return nil
}

// uploadEvidence reads an uploaded file, refusing one over the limit
// before reading it, and adds it through the application.
func (s *Server) uploadEvidence(r *http.Request, c *call, file io.Reader, size int64, name string) (store.EvidenceSet, error) {
	if size > maxEvidenceUpload {
		return store.EvidenceSet{}, app.EvidenceTooLarge()
	}
	data, err := io.ReadAll(io.LimitReader(file, maxEvidenceUpload+1))
	if err != nil {
		return store.EvidenceSet{}, fmt.Errorf("web: read evidence upload: %w", err)
	}
	return s.app.AddEvidence(r.Context(), c.actor(), c.scope(), name, data)
}

// evidenceSetID reads the {set} path value; anything but a positive
// number is not found.
func evidenceSetID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("set"), 10, 64)
	if err != nil || id <= 0 {
		return 0, errNotFound
	}
	return id, nil
}

func (s *Server) evidenceDelete(w http.ResponseWriter, r *http.Request, c *call) error {
	id, err := evidenceSetID(r)
	if err != nil {
		return err
	}
	if err := s.app.DeleteEvidence(r.Context(), c.actor(), c.scope(), id); err != nil {
		return err
	}
	http.Redirect(w, r, wsPath(c.WS.ID, "/evidence?deleted=1"), http.StatusSeeOther)
	return nil
}
