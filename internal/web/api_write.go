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

	"rcmguard/internal/app"
	"rcmguard/internal/risk"
	"rcmguard/internal/store"
)

// problem is a refusal of the API's own making (the body's encoding or
// size), said to the client as msg.
func problem(kind error, msg string) error { return &app.Error{Kind: kind, Msg: msg} }

// apiCreated marks a handler's result as a new resource (201).
type apiCreated struct{ v any }

// apiAccepted marks a handler's result as taken but not yet in effect
// (202): a closure waiting for review.
type apiAccepted struct{ v any }

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

// readAPIBody reads a write's body, refusing form encodings (a browser
// could send those cross-site) and anything over limit.
func readAPIBody(r *http.Request, limit int64, want ...string) ([]byte, error) {
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	ok := ct == ""
	for _, w := range want {
		ok = ok || ct == w
	}
	if !ok {
		return nil, problem(app.ErrUnsupported, "Send the body as "+strings.Join(want, " or ")+".")
	}
	data, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) || int64(len(data)) > limit {
		return nil, problem(app.ErrTooLarge, fmt.Sprintf("The body is larger than the %d MiB limit.", limit>>20))
	}
	if err != nil {
		return nil, fmt.Errorf("web: api: read body: %w", err)
	}
	return data, nil
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
	revision := app.AnyRevision
	if q := r.URL.Query().Get("revision"); q != "" {
		if revision, err = strconv.Atoi(q); err != nil || revision < 0 {
			return nil, problem(app.ErrMalformed, "The revision must be a whole number.")
		}
	}
	saved, err := s.app.ImportModel(r.Context(), c.actor(), c.scope(), data, revision)
	if err != nil {
		return nil, err
	}
	return apiModelSaved{Revision: saved.Revision, Updated: saved.Updated.UTC()}, nil
}

// apiRunAssessment runs an assessment of the current model with the
// stored decisions and evidence, as the Assessments page does.
func (s *Server) apiRunAssessment(w http.ResponseWriter, r *http.Request, c *apiCall) (any, error) {
	a, err := s.app.RunAssessment(r.Context(), c.actor(), c.scope())
	if err != nil {
		return nil, err
	}
	res, err := app.DecodeResult(a)
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

// apiClosureOut answers a closure that is not (yet) a decision: waiting
// for review, or rejected; the risk is unchanged.
type apiClosureOut struct {
	Risk   string        `json:"risk"`
	Review *apiReviewOut `json:"review"`
}

// apiReviewOut is a closure waiting for review, or rejected.
type apiReviewOut struct {
	Status      string     `json:"status"`
	State       string     `json:"state"`
	RequestedBy string     `json:"requested_by,omitempty"`
	Requested   time.Time  `json:"requested_at"`
	Reviewed    *time.Time `json:"reviewed_at,omitempty"`
	Note        string     `json:"note,omitempty"`
}

// apiPutDecision records a decision on a risk of the latest assessment,
// under exactly the rules of the register's form. A closure proposed by
// someone who may not close a risk alone is accepted for review (202)
// and changes nothing yet.
func (s *Server) apiPutDecision(w http.ResponseWriter, r *http.Request, c *apiCall) (any, error) {
	data, err := readAPIBody(r, maxFormBody, "application/json")
	if err != nil {
		return nil, err
	}
	var in apiDecisionIn
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		return nil, problem(app.ErrMalformed, "The body must be a JSON object with status, justification, owner, due and expires.")
	}
	riskID := r.PathValue("risk")
	out, err := s.app.DecideRisk(r.Context(), c.actor(), c.scope(), riskID, app.Decision{Status: risk.Status(in.Status),
		Justification: strings.TrimSpace(in.Justification), Owner: strings.TrimSpace(in.Owner),
		Due: strings.TrimSpace(in.Due), Expires: strings.TrimSpace(in.Expires)})
	if err != nil {
		return nil, err
	}
	if out.Review != nil {
		return apiAccepted{apiClosureOut{Risk: riskID, Review: s.apiReview(r, *out.Review)}}, nil
	}
	return s.apiDecision(r, c, out.Decision), nil
}

func (s *Server) apiDecision(r *http.Request, c *apiCall, d store.RiskDecision) apiDecisionOut {
	out := apiDecisionOut{Risk: d.RiskID, Status: d.Status, Justification: d.Justification, Owner: d.Owner,
		Due: app.FormatDate(d.Due), Expires: app.FormatDate(d.Expires), Updated: d.Updated.UTC()}
	if d.ApproverID != 0 {
		out.Approver = s.userEmail(r.Context(), d.ApproverID, map[int64]string{})
	}
	return out
}

func (s *Server) apiReview(r *http.Request, rv store.RiskReview) *apiReviewOut {
	out := &apiReviewOut{Status: rv.Status, State: rv.State, Requested: rv.Requested.UTC(), Note: rv.Note,
		RequestedBy: s.userEmail(r.Context(), rv.RequestedBy, map[int64]string{})}
	if !rv.Reviewed.IsZero() {
		t := rv.Reviewed.UTC()
		out.Reviewed = &t
	}
	return out
}

type apiReviewIn struct {
	Approve *bool  `json:"approve"`
	Note    string `json:"note"`
}

// apiPostReview approves or rejects the closure of a risk waiting for
// review, as the risk's page does.
func (s *Server) apiPostReview(w http.ResponseWriter, r *http.Request, c *apiCall) (any, error) {
	data, err := readAPIBody(r, maxFormBody, "application/json")
	if err != nil {
		return nil, err
	}
	var in apiReviewIn
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil || in.Approve == nil {
		return nil, problem(app.ErrMalformed, `The body must be a JSON object with "approve" (true or false) and, to reject, a "note".`)
	}
	riskID := r.PathValue("risk")
	out, err := s.app.ReviewClosure(r.Context(), c.actor(), c.scope(), riskID, *in.Approve, strings.TrimSpace(in.Note))
	if err != nil {
		return nil, err
	}
	if out.Review != nil {
		return apiClosureOut{Risk: riskID, Review: s.apiReview(r, *out.Review)}, nil
	}
	return s.apiDecision(r, c, out.Decision), nil
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
	set, err := s.app.AddEvidence(r.Context(), c.actor(), c.scope(), name, data)
	if err != nil {
		return nil, err
	}
	return apiCreated{apiEvidence(set, c.P.User.Email)}, nil
}
