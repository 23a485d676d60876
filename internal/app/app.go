// Package app holds rcmguard's use cases: one function per thing a person
// does (run an assessment, import a model, decide a risk, add evidence,
// invite a person, …). Each takes a context, an actor and the workspace it
// acts on, checks the permission, runs the transaction and writes the audit
// entry in it. The web pages, the JSON API, the CLI and the demo are thin
// adapters over these calls (docs/design.md).
package app

import (
	"log/slog"
	"time"

	"rcmguard/internal/audit"
	"rcmguard/internal/auth"
	"rcmguard/internal/cache"
	"rcmguard/internal/notify"
	"rcmguard/internal/rules"
	"rcmguard/internal/store"
)

// Config is what an App needs from its caller.
type Config struct {
	Store *store.Store
	Audit *audit.Log
	Auth  *auth.Service
	Rules *rules.Set
	// Mail sends e-mail through the configured SMTP relay; nil when none
	// is configured (links are then copied by hand).
	Mail notify.Sender
	// Now is the clock; tests inject one. Default time.Now.
	Now func() time.Time
	// Tool names the version in assessment results ("rcmguard 1.2.0").
	Tool string
	// PublicURL is the address people open, used in links sent by e-mail.
	PublicURL string
	// Logger receives internal errors. Default slog.Default().
	Logger *slog.Logger
}

// App performs the use cases.
type App struct {
	st        *store.Store
	log       *audit.Log
	auth      *auth.Service
	rules     *rules.Set
	mail      notify.Sender
	now       func() time.Time
	tool      string
	publicURL string
	logger    *slog.Logger
	// results holds decoded assessment results (results.go).
	results *resultCache
	// setup remembers that the first-run setup is done (setup.go).
	setup setupClosed
	// people holds the model's people per model revision (register_owner.go).
	people *cache.LRU[peopleKey, []modelPerson]
	// zones holds each workspace's audit log time zone by model revision
	// (auditlog.go).
	zones *cache.LRU[zoneKey, zone]
}

// New returns an App.
func New(cfg Config) *App {
	a := &App{st: cfg.Store, log: cfg.Audit, auth: cfg.Auth, rules: cfg.Rules, mail: cfg.Mail,
		now: cfg.Now, tool: cfg.Tool, publicURL: cfg.PublicURL, logger: cfg.Logger}
	if a.now == nil {
		a.now = time.Now
	}
	if a.tool == "" {
		a.tool = "rcmguard"
	}
	if a.logger == nil {
		a.logger = slog.Default()
	}
	a.results = newResultCache()
	a.people = cache.New[peopleKey, []modelPerson](1024, 1<<20)
	a.zones = cache.New[zoneKey, zone](zoneCacheEntries, 0)
	return a
}

// zoneCacheEntries bounds the audit log time zones kept, one per workspace.
const zoneCacheEntries = 4096

// Store returns the store the App works on (for read-only adapters).
func (a *App) Store() *store.Store { return a.st }

// Now returns the App's clock reading.
func (a *App) Now() time.Time { return a.now() }

// Today is the current date at midnight UTC, what due dates and expiries
// compare to.
func (a *App) Today() time.Time {
	n := a.now().UTC()
	return time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, time.UTC)
}

// MailConfigured reports whether e-mail can be sent.
func (a *App) MailConfigured() bool { return a.mail != nil }
