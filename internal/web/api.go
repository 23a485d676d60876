package web

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"rcmguard/internal/app"
	"rcmguard/internal/auth"
	"rcmguard/internal/model"
	"rcmguard/internal/store"
)

// The JSON API is a second mux with its own policy, so that no browser
// route can be reached with a token and no API route with a cookie: it
// authenticates only with "Authorization: Bearer <token>", reads nothing
// from forms, and answers in JSON. Reads are GET; the few writes (model,
// assessment run, risk decision, evidence upload and deletion) take YAML,
// JSON or an evidence file as the body, go through the same use cases
// (package app), hence the same permission checks and audit entries, as the
// pages. docs/openapi.yaml describes it.

// apiCall is what the API policy established about a request.
type apiCall struct {
	P        auth.Principal
	WS       store.Workspace
	Member   store.Membership
	Assigned map[string]bool // as call.Assigned
}

// actor is the token's user as the application knows them.
func (c *apiCall) actor() app.Actor { return app.Actor{User: c.P.User, Via: app.ViaAPI} }

// scope is the token's workspace as the API policy entered it.
func (c *apiCall) scope() app.Scope {
	return app.Scope{WS: c.WS, Member: c.Member, Assigned: c.Assigned}
}

type apiHandler func(w http.ResponseWriter, r *http.Request, c *apiCall) (any, error)

type apiRoute struct {
	method string
	path   string
	act    auth.Action // "" for routes outside one workspace
	h      apiHandler
}

// apiRouteTable is the whole API surface.
func (s *Server) apiRouteTable() []apiRoute {
	return []apiRoute{
		{"GET", "/api/v1/workspaces", "", s.apiWorkspaces},
		{"GET", "/api/v1/workspaces/{ws}", auth.ActWorkspaceView, s.apiWorkspace},
		{"GET", "/api/v1/workspaces/{ws}/assessments", auth.ActAssessmentView, s.apiAssessments},
		{"GET", "/api/v1/workspaces/{ws}/assessments/{a}", auth.ActExport, s.apiAssessmentResult},
		{"GET", "/api/v1/workspaces/{ws}/assessments/{a}/export/{format}", auth.ActExport, s.apiAssessmentExport},
		{"GET", "/api/v1/workspaces/{ws}/risks", auth.ActRiskView, s.apiRisks},
		{"GET", "/api/v1/workspaces/{ws}/evidence", auth.ActEvidenceView, s.apiEvidenceSets},
		{"GET", "/api/v1/workspaces/{ws}/evidence/{set}", auth.ActEvidenceView, s.apiEvidenceSet},
		{"PUT", "/api/v1/workspaces/{ws}/model", auth.ActModelEdit, s.apiPutModel},
		{"POST", "/api/v1/workspaces/{ws}/assessments", auth.ActAssessmentRun, s.apiRunAssessment},
		{"PUT", "/api/v1/workspaces/{ws}/risks/{risk}/decision", auth.ActRiskUpdate, s.apiPutDecision},
		{"POST", "/api/v1/workspaces/{ws}/risks/{risk}/review", auth.ActRiskAccept, s.apiPostReview},
		{"POST", "/api/v1/workspaces/{ws}/evidence", auth.ActEvidenceUpload, s.apiPostEvidence},
		{"DELETE", "/api/v1/workspaces/{ws}/evidence/{set}", auth.ActEvidenceUpload, s.apiDeleteEvidence},
		{"GET", "/api/v1/workspaces/{ws}/incidents", auth.ActIncidentView, s.apiIncidents},
		{"GET", "/api/v1/workspaces/{ws}/incidents/{inc}", auth.ActIncidentView, s.apiIncident},
		{"POST", "/api/v1/workspaces/{ws}/incidents", auth.ActIncidentEdit, s.apiOpenIncident},
	}
}

func (s *Server) apiMux() http.Handler {
	mux := http.NewServeMux()
	allow := map[string][]string{}
	for _, rt := range s.apiRouteTable() {
		mux.Handle(rt.method+" "+rt.path, s.apiWrap(rt))
		allow[rt.path] = append(allow[rt.path], rt.method)
	}
	// Anything else: a known path with another method is 405 with the
	// methods it takes, an unknown path 404.
	mux.Handle("/api/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for p, methods := range allow {
			if apiPathMatches(p, r.URL.Path) {
				w.Header().Set("Allow", strings.Join(methods, ", "))
				s.apiError(w, r, http.StatusMethodNotAllowed, "this endpoint takes "+strings.Join(methods, " or ")+" only")
				return
			}
		}
		s.apiError(w, r, http.StatusNotFound, "no such endpoint")
	}))
	return mux
}

type apiErrorBody struct {
	Error   string `json:"error"`
	ErrorID string `json:"error_id,omitempty"`
}

func (s *Server) apiError(w http.ResponseWriter, r *http.Request, status int, msg string) {
	body := apiErrorBody{Error: msg}
	if status == http.StatusInternalServerError {
		body.ErrorID = errorID()
		body.Error = "internal error; give the error_id to your administrator"
		s.logger.Error("web: api internal error", "error_id", body.ErrorID, "path", r.URL.Path, "err", msg)
	}
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="rcmguard"`)
	}
	writeJSON(w, status, body)
}

type apiModelError struct {
	Line    int    `json:"line,omitempty"`
	Column  int    `json:"column,omitempty"`
	Path    string `json:"path,omitempty"`
	Message string `json:"message"`
}

// apiModelInvalid is the answer to a model that is not valid: every
// problem with its place.
type apiModelInvalid struct {
	Error  string          `json:"error"`
	Errors []apiModelError `json:"errors"`
}

// apiFieldErrors is the answer to a body refused field by field.
type apiFieldErrors struct {
	Error  string            `json:"error"`
	Fields map[string]string `json:"fields"`
}

// apiFail answers a handler's error: its kind gives the status (statusOf,
// as for the pages), its message for the client what to do; a model's
// problems and a form's fields are listed. Internal errors are logged
// with an ID and only the ID is sent.
func (s *Server) apiFail(w http.ResponseWriter, r *http.Request, err error) {
	status := statusOf(err)
	if status == http.StatusInternalServerError {
		s.apiError(w, r, status, err.Error())
		return
	}
	msg := app.Message(err)
	if msg == "" {
		msg = strings.ToLower(http.StatusText(status))
	}
	var el model.ErrorList
	var fields app.Errors
	switch {
	case errors.As(err, &el):
		out := apiModelInvalid{Error: msg, Errors: []apiModelError{}}
		for _, e := range el {
			out.Errors = append(out.Errors, apiModelError{Line: e.Pos.Line, Column: e.Pos.Col, Path: e.Path, Message: e.Msg})
		}
		writeJSON(w, status, out)
	case errors.As(err, &fields):
		writeJSON(w, status, apiFieldErrors{Error: msg, Fields: fields.ByField()})
	default:
		s.apiError(w, r, status, msg)
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(v)
}

// apiWrap applies the API policy: a valid, unexpired token; for workspace
// routes the token's own workspace only (any other is not found) and the
// same permission matrix as the browser.
func (s *Server) apiWrap(rt apiRoute) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok || token == "" {
			s.apiError(w, r, http.StatusUnauthorized, "send an API token as Authorization: Bearer <token>")
			return
		}
		now := s.now()
		p, err := s.auth.AuthenticateToken(r.Context(), strings.TrimSpace(token), now)
		if errors.Is(err, auth.ErrUnauthenticated) {
			s.apiError(w, r, http.StatusUnauthorized, "the token is not valid or has expired")
			return
		}
		if err != nil {
			s.apiError(w, r, http.StatusInternalServerError, err.Error())
			return
		}
		c := &apiCall{P: p}
		if rt.act != "" {
			id, err := strconv.ParseInt(r.PathValue("ws"), 10, 64)
			if err != nil || id != p.TokenWorkspace {
				s.apiError(w, r, http.StatusNotFound, "not found")
				return
			}
			m, err := s.auth.Authorize(r.Context(), p, id, rt.act, now)
			switch {
			case errors.Is(err, auth.ErrForbidden) && m.UserID == 0:
				s.apiError(w, r, http.StatusNotFound, "not found")
				return
			case errors.Is(err, auth.ErrForbidden):
				s.apiError(w, r, http.StatusForbidden, "your role does not allow this")
				return
			case err != nil:
				s.apiError(w, r, http.StatusInternalServerError, err.Error())
				return
			}
			if c.WS, err = s.st.Workspace(r.Context(), id); err != nil {
				s.apiError(w, r, http.StatusInternalServerError, err.Error())
				return
			}
			c.Member = m
			role := auth.Role(m.Role)
			if c.Assigned, err = s.loadAssignments(r.Context(), id, p.User.ID, role); err != nil {
				s.apiError(w, r, http.StatusInternalServerError, err.Error())
				return
			}
			if !assignedOK(role, rt.act, c.Assigned, objectOf(rt.path, r)) {
				s.apiError(w, r, http.StatusForbidden, "this is not assigned to you")
				return
			}
		}
		v, err := rt.h(w, r, c)
		if err != nil {
			s.apiFail(w, r, err)
			return
		}
		if cr, ok := v.(apiCreated); ok {
			writeJSON(w, http.StatusCreated, cr.v)
			return
		}
		if ac, ok := v.(apiAccepted); ok {
			writeJSON(w, http.StatusAccepted, ac.v)
			return
		}
		if f, ok := v.(apiFile); ok {
			sendDownload(w, f.format, f.base, f.body)
			return
		}
		if _, ok := v.(apiNoContent); ok {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		writeJSON(w, http.StatusOK, v)
	})
}
