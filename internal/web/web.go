// Package web is rcmguard's browser interface: server-rendered pages for
// signing in with MFA, the dashboard and portfolio, the model editors, the
// assessments, the risk register, the remediation plan and the audit log.
//
// Every route is declared once in the route table (routes.go) with the
// permission it needs; the table is what wraps each handler in its policy
// (session, CSRF, workspace membership and role), so a new page cannot
// forget one. Security headers, size limits and error handling are applied
// to every response by one middleware chain (middleware.go).
package web

import (
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"rcmguard/internal/app"
	"rcmguard/internal/audit"
	"rcmguard/internal/auth"
	"rcmguard/internal/cache"
	"rcmguard/internal/rules"
	"rcmguard/internal/store"
)

// Config is what a Server needs from its caller.
type Config struct {
	// App performs the use cases; when nil, New builds one from the fields
	// below.
	App   *app.App
	Store *store.Store
	Audit *audit.Log
	Auth  *auth.Service
	Rules *rules.Set
	// Secure marks cookies Secure, uses the __Host- cookie prefix and sends
	// HSTS. Set it when serving over TLS or behind a TLS-terminating proxy.
	Secure bool
	// Now is the clock; tests inject one. Default time.Now.
	Now func() time.Time
	// Logger receives internal errors with their error IDs. Default slog.Default().
	Logger *slog.Logger
	// Tool names the version in assessment results ("rcmguard 1.2.0").
	Tool string
	// PublicURL is the address people open ("https://rcmguard.example.org"),
	// which security keys are bound to. Empty: keys work only on localhost.
	PublicURL string
	// FailureLimit is how many failed sign-in attempts one client address
	// may make, refilling over 10 minutes (throttle.go). 0: 20; negative:
	// no limit by address (the per-account lockout still applies).
	FailureLimit int
	// TrustForwardedFor takes the client address from the last entry of
	// X-Forwarded-For: set it only behind a proxy that appends it.
	TrustForwardedFor bool
	// Demo, set only by `rcmguard demo`, serves its one-use sign-in links
	// (demo_signin.go). Nil: the route does not exist.
	Demo *DemoSignIn
}

// Server serves the browser interface.
type Server struct {
	app    *app.App
	st     *store.Store
	log    *audit.Log
	auth   *auth.Service
	rules  *rules.Set
	secure bool
	now    func() time.Time
	logger *slog.Logger
	tool   string
	tpl    *templates
	assets *assets
	routes []route
	// registers holds the register's joins of results and decisions
	// (register_cache.go).
	registers *cache.LRU[registerKey, *registerJoin]
	// fragments holds rendered parts of pages that depend only on stored
	// data that never changes under the same key: dashboard bodies
	// (dashboard.go) and the register's filter forms (risks.go). Keys must
	// capture everything the fragment shows.
	fragments *cache.LRU[string, template.HTML]

	// publicURL is the origin security keys are bound to; nil when not set.
	publicURL *url.URL
	// failures limits failed sign-in attempts per client address
	// (throttle.go); nil: no limit.
	failures       *failureLimiter
	trustForwarded bool
	demo           *DemoSignIn
}

// fragmentCacheEntries bounds the rendered fragments kept: a dashboard
// body or a filter form is a few kilobytes.
const fragmentCacheEntries = 256

// New checks the configuration, parses every template and builds the route
// table; it fails when a template is missing or does not parse.
func New(cfg Config) (*Server, error) {
	if cfg.Store == nil || cfg.Audit == nil || cfg.Auth == nil || cfg.Rules == nil {
		return nil, errors.New("web: store, audit log, auth service and rules are required")
	}
	s := &Server{st: cfg.Store, log: cfg.Audit, auth: cfg.Auth, rules: cfg.Rules, secure: cfg.Secure,
		now: cfg.Now, logger: cfg.Logger, tool: cfg.Tool,
		failures: newFailureLimiter(cfg.Store, cfg.FailureLimit), trustForwarded: cfg.TrustForwardedFor, demo: cfg.Demo}
	if s.now == nil {
		s.now = time.Now
	}
	if s.logger == nil {
		s.logger = slog.Default()
	}
	if s.tool == "" {
		s.tool = "rcmguard"
	}
	s.app = cfg.App
	if s.app == nil {
		s.app = app.New(app.Config{Store: cfg.Store, Audit: cfg.Audit, Auth: cfg.Auth, Rules: cfg.Rules, Now: s.now,
			Tool: s.tool, PublicURL: cfg.PublicURL, Logger: s.logger})
	}
	var err error
	if cfg.PublicURL != "" {
		if s.publicURL, err = parsePublicURL(cfg.PublicURL); err != nil {
			return nil, err
		}
	}
	if s.assets, err = loadAssets(); err != nil {
		return nil, err
	}
	if s.tpl, err = parseTemplates(s.assets); err != nil {
		return nil, err
	}
	s.routes = s.routeTable()
	if s.demo != nil {
		s.routes = append(s.routes, s.demoRoute())
	}
	s.registers = cache.New[registerKey, *registerJoin](registerCacheEntries, 0)
	s.fragments = cache.New[string, template.HTML](fragmentCacheEntries, 0)
	return s, nil
}

// Handler returns the browser and API muxes behind the security middleware.
func (s *Server) Handler() http.Handler {
	top := http.NewServeMux()
	top.Handle("/api/", s.apiMux())
	top.Handle("/", s.browserMux())
	return s.middleware(top)
}

// browserMux serves the pages; the route table gives each its policy.
func (s *Server) browserMux() http.Handler {
	mux := http.NewServeMux()
	for _, rt := range s.routes {
		mux.Handle(rt.method+" "+rt.path, s.wrap(rt))
	}
	mux.Handle("GET /static/{file}", http.HandlerFunc(s.serveAsset))
	// Anything else is a 404 page that still carries every header.
	mux.Handle("/", s.wrap(route{method: "", path: "/", kind: public, h: func(w http.ResponseWriter, r *http.Request, c *call) error {
		return errNotFound
	}}))
	return mux
}

// App returns the application the server is an adapter over, for the
// other adapters (the demo) to act through the same calls.
func (s *Server) App() *app.App { return s.app }

func wsPath(wsID int64, rest string) string { return fmt.Sprintf("/w/%d%s", wsID, rest) }
