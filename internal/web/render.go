package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"strings"
	"time"

	"rcmguard/internal/app"
	"rcmguard/internal/auth"
	"rcmguard/internal/risk"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// views lists every page template. Start-up fails if one is missing or
// does not parse, and a test fails if a file in templates/ is not listed.
var views = []string{
	"error", "login", "mfa", "enrol", "recovery_codes", "home", "account",
	"dashboard", "portfolio", "model", "org_form", "flow_form", "section", "section_form", "tokens", "members",
	"assessments", "assessment", "summary", "diff", "risks", "risk", "plan", "audit", "evidence", "evidence_set",
	"mywork", "clients_register",
}

type templates struct{ byName map[string]*template.Template }

func parseTemplates(a *assets) (*templates, error) {
	funcs := template.FuncMap{
		"asset":       a.url,
		"can":         can,
		"canOn":       canOn,
		"groups":      groupInputs,
		"wsPath":      wsPath,
		"pathEscape":  url.PathEscape,
		"levelSlug":   func(l risk.Level) string { return l.Slug() },
		"levelTitle":  func(l risk.Level) string { return l.Title() },
		"slugTitle":   slugTitle,
		"date":        func(t time.Time) string { return fmtDate(t) },
		"datetime":    func(t time.Time) string { return fmtDateTime(t) },
		"roleTitle":   roleTitle,
		"stageTitle":  Label,
		"label":       func(v any) string { return Label(fmt.Sprint(v)) },
		"labels":      labelList,
		"lowerLabel":  func(v any) string { return lowerFirst(Label(fmt.Sprint(v))) },
		"elementName": ElementName,
		"kindLabel":   KindLabel,
		"riskSubject": RiskSubject,
		"why":         Why,
		"plain":       plainText,
		"add1":        func(n int) int { return n + 1 },
		"signed":      func(n int) string { return fmt.Sprintf("%+d", n) },
		"arith":       func(r risk.Rating) string { return r.Arithmetic() },
		"field": func(name, label, value string, errs map[string]string, mode string) formField {
			return formField{Name: name, Label: label, Value: value, Err: errs[name], Mode: mode}
		},
		"roleOf":   func(s string) auth.Role { return auth.Role(s) },
		"sections": func() []section { return sections },
		"sortOptions": func() map[string]string {
			return map[string]string{"id": "Risk ID", "title": "Title", "status": "Status", "owner": "Owner",
				"due": "Due date", "level_asc": "Rating, lowest first"}
		},
		// statusTitle takes a risk.Status or the text of one (a plan
		// item's, a stored decision's).
		"statusTitle": func(v any) string {
			s := fmt.Sprint(v)
			if st := risk.Status(s); st.Valid() {
				return st.Title()
			}
			return slugTitle(s)
		},
	}
	// The downloads an assessment offers (assessment_download.go).
	funcs["exportFormats"] = func() []app.ExportFormat { return app.ExportFormats }
	// The register's and the plan's parts (risks.go, register_views.go).
	funcs["areaTitle"] = areaTitle
	funcs["viewsBar"] = viewsBar
	funcs["listURL"] = listURL
	t := &templates{byName: map[string]*template.Template{}}
	for _, v := range views {
		tpl, err := template.New(v).Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/list_parts.html", "templates/"+v+".html")
		if err != nil {
			return nil, fmt.Errorf("web: template %s: %w", v, err)
		}
		if err := checkPermissionCalls(tpl); err != nil {
			return nil, err
		}
		t.byName[v] = tpl
	}
	return t, nil
}

// formField is one labelled text input with its error, for the shared
// field templates.
type formField struct {
	Name, Label, Value, Err, Mode string
}

// page is what every template receives.
type page struct {
	Title string
	Nav   string // the active navigation item
	C     *call
	Data  any
}

// render executes a view into a buffer first, so a template error becomes
// a clean error page rather than half a page.
func (s *Server) render(w http.ResponseWriter, status int, view string, p page) error {
	tpl, ok := s.tpl.byName[view]
	if !ok {
		return fmt.Errorf("web: no view %q", view)
	}
	var b bytes.Buffer
	if err := tpl.ExecuteTemplate(&b, "layout", p); err != nil {
		return fmt.Errorf("web: render %s: %w", view, err)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, err := w.Write(b.Bytes())
	return err
}

type errorPage struct {
	Status  int
	Heading string
	Message string
	ID      string
}

// renderError shows a generic message for a status; for internal errors,
// only the error ID that the log carries with the details.
func (s *Server) renderError(w http.ResponseWriter, r *http.Request, c *call, status int, id string) {
	s.renderProblem(w, r, c, status, id, "")
}

// renderProblem is renderError with the message of an app.Error, written
// for the person, in place of the generic one (never for an internal
// error).
func (s *Server) renderProblem(w http.ResponseWriter, r *http.Request, c *call, status int, id, msg string) {
	e := errorPage{Status: status, ID: id}
	switch status {
	case http.StatusNotFound:
		e.Heading, e.Message = "Not found", "There is nothing here, or you do not have access to it."
	case http.StatusForbidden:
		e.Heading, e.Message = "Not allowed", "Your role does not allow this, or the form expired. Go back, reload the page and try again."
	case http.StatusBadRequest:
		e.Heading, e.Message = "Bad request", "The request could not be understood."
	case http.StatusConflict:
		e.Heading, e.Message = "Not changed", "Someone else changed this in the meantime, or it is signed off and can no longer change."
	case http.StatusRequestEntityTooLarge:
		e.Heading, e.Message = "Too large", "The upload is larger than allowed."
	case http.StatusTooManyRequests:
		e.Heading, e.Message = "Too many attempts", "There were too many failed sign-in attempts from your network. Wait a few minutes, then try again."
	case http.StatusServiceUnavailable:
		w.Header().Set("Retry-After", busyRetryAfter)
		e.Heading, e.Message = "Busy", "The server cannot take this just now and nothing was changed. Wait a few seconds, then try again."
	default:
		e.Heading, e.Message = "Something went wrong", "The request could not be completed and nothing was changed. If it keeps happening, give your administrator this error ID."
	}
	if msg != "" && status != http.StatusInternalServerError {
		e.Message = msg
	}
	if err := s.render(w, status, "error", page{Title: e.Heading, C: c, Data: e}); err != nil {
		s.logger.Error("web: render error page", "err", err)
		http.Error(w, e.Message, status)
	}
}

// assets are the embedded static files, addressed by content hash so that
// browsers may cache them for a year.
type assets struct {
	files map[string][]byte
	hash  map[string]string
}

func loadAssets() (*assets, error) {
	a := &assets{files: map[string][]byte{}, hash: map[string]string{}}
	err := fs.WalkDir(staticFS, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := staticFS.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		name := path.Base(p)
		a.files[name], a.hash[name] = b, hex.EncodeToString(sum[:6])
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("web: static assets: %w", err)
	}
	return a, nil
}

func (a *assets) url(name string) (string, error) {
	h, ok := a.hash[name]
	if !ok {
		return "", fmt.Errorf("web: no static asset %q", name)
	}
	return "/static/" + name + "?v=" + h, nil
}

func (s *Server) serveAsset(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("file")
	b, ok := s.assets.files[name]
	if !ok {
		s.renderError(w, r, &call{}, http.StatusNotFound, "")
		return
	}
	switch {
	case strings.HasSuffix(name, ".css"):
		w.Header().Set("Content-Type", "text/css; charset=utf-8")
	case strings.HasSuffix(name, ".js"):
		w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
	case strings.HasSuffix(name, ".svg"):
		w.Header().Set("Content-Type", "image/svg+xml")
	}
	// The URL carries the content hash, so the file under it never changes.
	w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	w.Write(b)
}

// slugTitle is Label, under the name the older templates use.
func slugTitle(s string) string { return Label(s) }

func roleTitle(r auth.Role) string {
	switch r {
	case auth.RoleOwner:
		return "Owner"
	case auth.RoleComplianceOfficer:
		return "Compliance officer"
	case auth.RoleContributor:
		return "Contributor"
	case auth.RoleAuditor:
		return "Auditor"
	}
	return string(r)
}

func fmtDate(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2 Jan 2006")
}

func fmtDateTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2 Jan 2006 15:04 UTC")
}
