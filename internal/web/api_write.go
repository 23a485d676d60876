package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"rcmguard/internal/auth"
	"rcmguard/internal/model"
	"rcmguard/internal/store"
)

// apiProblem is an error whose JSON body the client can act on (a
// validation failure, a conflict); apiWrap writes it as is.
type apiProblem struct {
	status int
	body   any
}

func (p *apiProblem) Error() string { return fmt.Sprintf("web: api: %d", p.status) }

func problem(status int, msg string) *apiProblem {
	return &apiProblem{status: status, body: apiErrorBody{Error: msg}}
}

// apiCreated marks a handler's result as a new resource (201).
type apiCreated struct{ v any }

// apiNoContent marks a handler's success with nothing to say (204): a
// deletion.
type apiNoContent struct{}

// apiPathMatches reports whether a request path fits a route pattern,
// where a {name} segment matches any one non-empty segment.
func apiPathMatches(pattern, p string) bool {
	ps, xs := strings.Split(pattern, "/"), strings.Split(strings.TrimSuffix(p, "/"), "/")
	if len(ps) != len(xs) {
		return false
	}
	for i := range ps {
		if strings.HasPrefix(ps[i], "{") {
			if xs[i] == "" {
				return false
			}
			continue
		}
		if ps[i] != xs[i] {
			return false
		}
	}
	return true
}

// browserCall is the page handlers' view of an API caller, so that writes
// share their rules and audit entries with the pages.
func (c *apiCall) browserCall() *call {
	return &call{User: c.P.User, WS: c.WS, Member: c.Member, Role: auth.Role(c.Member.Role)}
}

// readAPIBody reads a write's body, refusing form encodings (a browser
// could send those cross-site) and anything over limit.
func readAPIBody(r *http.Request, limit int64, want ...string) ([]byte, error) {
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	ok := ct == ""
	for _, w := range want {
		ok = ok || ct == w
	}
	if !ok {
		return nil, problem(http.StatusUnsupportedMediaType, "send the body as "+strings.Join(want, " or "))
	}
	data, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) || int64(len(data)) > limit {
		return nil, problem(http.StatusRequestEntityTooLarge, fmt.Sprintf("the body is larger than the %d MiB limit", limit>>20))
	}
	if err != nil {
		return nil, fmt.Errorf("web: api: read body: %w", err)
	}
	return data, nil
}

type apiModelError struct {
	Line    int    `json:"line,omitempty"`
	Column  int    `json:"column,omitempty"`
	Path    string `json:"path,omitempty"`
	Message string `json:"message"`
}

type apiModelInvalid struct {
	Error  string          `json:"error"`
	Errors []apiModelError `json:"errors"`
}

type apiModelSaved struct {
	Revision int       `json:"revision"`
	Updated  time.Time `json:"updated_at"`
}

// apiPutModel replaces the workspace's model with the YAML body, checked
// by the same loader as the CLI and the import page. An invalid model
// saves nothing and lists every problem with its place. A client that
// sends ?revision=N (the revision it edited) gets 409 when someone saved
// since.
func (s *Server) apiPutModel(w http.ResponseWriter, r *http.Request, c *apiCall) (any, error) {
	data, err := readAPIBody(r, maxModelUpload, "application/yaml", "application/x-yaml", "text/yaml", "text/plain")
	if err != nil {
		return nil, err
	}
	if _, err := model.Load(modelFile, data); err != nil {
		var el model.ErrorList
		if !errors.As(err, &el) {
			return nil, err
		}
		out := apiModelInvalid{Error: "the model is not valid; nothing was saved", Errors: []apiModelError{}}
		for _, e := range el {
			out.Errors = append(out.Errors, apiModelError{Line: e.Pos.Line, Column: e.Pos.Col, Path: e.Path, Message: e.Msg})
		}
		return nil, &apiProblem{status: modelStatus(err), body: out}
	}
	ctx := r.Context()
	cur, err := s.st.WorkspaceModel(ctx, c.WS.ID)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	if q := r.URL.Query().Get("revision"); q != "" {
		n, err := strconv.Atoi(q)
		if err != nil || n < 0 {
			return nil, problem(http.StatusBadRequest, "revision must be a whole number")
		}
		if n != cur.Revision {
			return nil, problem(http.StatusConflict, fmt.Sprintf("the model is at revision %d, not %d: someone saved it since", cur.Revision, n))
		}
	}
	err = s.saveModel(ctx, c.browserCall(), data, cur.Revision, "model.import", map[string]any{"bytes": len(data), "via": "api"})
	if errors.Is(err, store.ErrConflict) {
		return nil, problem(http.StatusConflict, "someone saved the model at the same time; fetch it and try again")
	}
	if err != nil {
		return nil, err
	}
	return apiModelSaved{Revision: cur.Revision + 1, Updated: s.now().UTC()}, nil
}

// apiRunAssessment runs an assessment of the current model with the
// stored decisions and evidence, as the Assessments page does.
func (s *Server) apiRunAssessment(w http.ResponseWriter, r *http.Request, c *apiCall) (any, error) {
	a, err := s.RunAssessment(r.Context(), c.WS.ID, c.P.User.ID)
	if errors.Is(err, errNoModel) {
		return nil, problem(http.StatusConflict, "the workspace has no model yet: PUT one first")
	}
	if err != nil {
		return nil, err
	}
	res, err := decodeResult(a)
	if err != nil {
		return nil, err
	}
	return apiCreated{apiAssessment(a, res)}, nil
}

type apiDecisionIn struct {
	Status        string `json:"status"`
	Justification string `json:"justification"`
	Owner         string `json:"owner"`
	Due           string `json:"due"`
	Expires       string `json:"expires"`
}

type apiDecisionOut struct {
	Risk          string    `json:"risk"`
	Status        string    `json:"status"`
	Justification string    `json:"justification,omitempty"`
	Owner         string    `json:"owner,omitempty"`
	Due           string    `json:"due,omitempty"`
	Expires       string    `json:"expires,omitempty"`
	Approver      string    `json:"approver,omitempty"`
	Updated       time.Time `json:"updated_at"`
}

type apiFieldErrors struct {
	Error  string            `json:"error"`
	Fields map[string]string `json:"fields"`
}

// apiPutDecision records a decision on a risk of the latest assessment,
// under exactly the rules of the register's form.
func (s *Server) apiPutDecision(w http.ResponseWriter, r *http.Request, c *apiCall) (any, error) {
	data, err := readAPIBody(r, maxFormBody, "application/json")
	if err != nil {
		return nil, err
	}
	var in apiDecisionIn
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		return nil, problem(http.StatusBadRequest, "the body must be a JSON object with status, justification, owner, due and expires")
	}
	bc := c.browserCall()
	_, row, err := s.findRisk(r, bc)
	if err != nil {
		return nil, err
	}
	f := decisionForm{Status: in.Status, Justification: strings.TrimSpace(in.Justification), Owner: strings.TrimSpace(in.Owner),
		Due: strings.TrimSpace(in.Due), Expires: strings.TrimSpace(in.Expires)}
	d, err := s.checkDecision(bc, row.R.ID, &f)
	if errors.Is(err, errForbidden) {
		return nil, problem(http.StatusForbidden, "only an owner or compliance officer may accept a risk")
	}
	if err != nil {
		return nil, err
	}
	if len(f.Errors) > 0 {
		return nil, &apiProblem{status: http.StatusUnprocessableEntity, body: apiFieldErrors{
			Error: "the decision was not saved", Fields: f.Errors}}
	}
	if err := s.saveDecision(r.Context(), bc, d, "api"); err != nil {
		return nil, err
	}
	out := apiDecisionOut{Risk: d.RiskID, Status: d.Status, Justification: d.Justification, Owner: d.Owner,
		Due: fmtISO(d.Due), Expires: fmtISO(d.Expires), Updated: d.Updated.UTC()}
	if d.ApproverID != 0 {
		out.Approver = c.P.User.Email
	}
	return out, nil
}

// apiPostEvidence stores an evidence file sent as the body, recognised as
// on the Evidence page; ?name= gives the file name to list it under.
func (s *Server) apiPostEvidence(w http.ResponseWriter, r *http.Request, c *apiCall) (any, error) {
	data, err := readAPIBody(r, maxEvidenceUpload, "application/json", "application/jsonl", "application/x-ndjson",
		"application/octet-stream", "text/plain")
	if err != nil {
		return nil, err
	}
	name := r.URL.Query().Get("name")
	if name == "" {
		name = "upload"
	}
	set, err := s.addEvidence(r.Context(), c.browserCall(), name, data, "api")
	var ue *uploadError
	if errors.As(err, &ue) {
		return nil, problem(ue.Status, ue.Msg)
	}
	if err != nil {
		return nil, err
	}
	return apiCreated{apiEvidence(set, c.P.User.Email)}, nil
}
