package web

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"rcmguard/internal/auth"
	"rcmguard/internal/evidencefile"
	"rcmguard/internal/store"
)

// maxEvidenceUpload bounds one evidence file. Engines write one fact per
// file and kind (scan) or per check (edi, probe), so even a scan of a
// large share is a few megabytes; 32 MiB leaves a wide margin.
const maxEvidenceUpload = 32 << 20

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

// uploadError is a problem with an uploaded evidence file that the person
// uploading can fix; Msg is safe to show and says how.
type uploadError struct {
	Status int
	Msg    string
}

func (e *uploadError) Error() string { return "web: evidence upload: " + e.Msg }

// evidenceFileName keeps the last element of an uploaded file's name,
// printable and bounded, for the list.
func evidenceFileName(name string) string {
	name = path.Base(strings.ReplaceAll(name, `\`, "/"))
	name = strings.Map(func(r rune) rune {
		if !unicode.IsPrint(r) {
			return -1
		}
		return r
	}, name)
	name = strings.TrimSpace(name)
	if name == "" || name == "." || name == "/" {
		name = "upload"
	}
	if utf8.RuneCountInString(name) > 120 {
		name = string([]rune(name)[:120])
	}
	return name
}

// addEvidence checks an uploaded file, recognises it with the same readers
// as `rcmguard assess --evidence`, and stores its facts as a new evidence
// set of the workspace, audited. A file that is not evidence is refused
// with an *uploadError; what the readers said is not shown, since it may
// quote the file's content.
func (s *Server) addEvidence(ctx context.Context, c *call, fileName string, data []byte, via string) (store.EvidenceSet, error) {
	switch {
	case len(data) > maxEvidenceUpload:
		return store.EvidenceSet{}, &uploadError{http.StatusRequestEntityTooLarge,
			fmt.Sprintf("The file is larger than the %d MiB limit for evidence. Split the scan into smaller runs.", maxEvidenceUpload>>20)}
	case len(bytes.TrimSpace(data)) == 0:
		return store.EvidenceSet{}, &uploadError{http.StatusUnprocessableEntity, "The file is empty."}
	case !utf8.Valid(data) || bytes.IndexByte(data, 0) >= 0:
		return store.EvidenceSet{}, &uploadError{http.StatusUnsupportedMediaType,
			"The file is not text. Upload the JSON or JSONL that an rcmguard command wrote, not the files it looked at."}
	}
	f, facts, err := evidencefile.Parse(data, maxEvidenceUpload)
	var nr *evidencefile.NotRecognisedError
	if errors.As(err, &nr) {
		return store.EvidenceSet{}, &uploadError{http.StatusUnprocessableEntity,
			"The file is not rcmguard evidence. Upload the output of rcmguard scan (--format jsonl or json), " +
				"rcmguard edi inspect --format json, rcmguard probe --format json, or an evidence facts file."}
	}
	if err != nil {
		return store.EvidenceSet{}, err
	}
	set := store.EvidenceSet{WorkspaceID: c.WS.ID, Format: f.Name, FileName: evidenceFileName(fileName), Facts: facts,
		UploadedBy: c.User.ID, Uploaded: s.now()}
	err = s.st.InTx(ctx, func(tx *store.Tx) error {
		var err error
		if set, err = tx.CreateEvidenceSet(ctx, set); err != nil {
			return err
		}
		details := map[string]any{"format": set.Format, "file": set.FileName, "facts": set.FactCount, "bytes": len(data)}
		if via != "web" {
			details["via"] = via
		}
		return s.audit(ctx, tx, c, "evidence.upload", "evidence:"+itoa(set.ID), details)
	})
	return set, err
}

func (s *Server) evidenceUpload(w http.ResponseWriter, r *http.Request, c *call) error {
	file, hdr, err := r.FormFile("file")
	if err != nil {
		return s.evidencePage(w, r, c, http.StatusUnprocessableEntity, evidenceData{Err: "Choose an evidence file to upload."})
	}
	defer file.Close()
	if hdr.Size > maxEvidenceUpload {
		return s.evidencePage(w, r, c, http.StatusRequestEntityTooLarge,
			evidenceData{Err: fmt.Sprintf("The file is larger than the %d MiB limit for evidence. Split the scan into smaller runs.", maxEvidenceUpload>>20)})
	}
	data, err := io.ReadAll(io.LimitReader(file, maxEvidenceUpload+1))
	if err != nil {
		return fmt.Errorf("web: read evidence upload: %w", err)
	}
	set, err := s.addEvidence(r.Context(), c, hdr.Filename, data, "web")
	var ue *uploadError
	if errors.As(err, &ue) {
		return s.evidencePage(w, r, c, ue.Status, evidenceData{Err: ue.Msg})
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, wsPath(c.WS.ID, "/evidence?uploaded="+url.QueryEscape(set.FileName)), http.StatusSeeOther)
	return nil
}

// AddEvidence stores an evidence file in a workspace as uploaded by a user,
// through the same checks, store and audit entry as an upload on the
// Evidence page (marked "via": "cli"). rcmguard demo seeds its evidence
// with it.
func (s *Server) AddEvidence(ctx context.Context, wsID, userID int64, fileName string, data []byte) (store.EvidenceSet, error) {
	c := &call{User: store.User{ID: userID}, WS: store.Workspace{ID: wsID}}
	return s.addEvidence(ctx, c, fileName, data, "cli")
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

// deleteEvidence removes an evidence set of the workspace, audited; a set
// of another workspace is not found and nothing changes.
func (s *Server) deleteEvidence(ctx context.Context, c *call, id int64, via string) error {
	return s.st.InTx(ctx, func(tx *store.Tx) error {
		set, err := tx.EvidenceSet(ctx, c.WS.ID, id)
		if err != nil {
			return err
		}
		if err := tx.DeleteEvidenceSet(ctx, c.WS.ID, id); err != nil {
			return err
		}
		details := map[string]any{"format": set.Format, "file": set.FileName, "facts": set.FactCount}
		if via != "web" {
			details["via"] = via
		}
		return s.audit(ctx, tx, c, "evidence.delete", "evidence:"+itoa(id), details)
	})
}

func (s *Server) evidenceDelete(w http.ResponseWriter, r *http.Request, c *call) error {
	id, err := evidenceSetID(r)
	if err != nil {
		return err
	}
	if err := s.deleteEvidence(r.Context(), c, id, "web"); err != nil {
		return err
	}
	http.Redirect(w, r, wsPath(c.WS.ID, "/evidence?deleted=1"), http.StatusSeeOther)
	return nil
}
