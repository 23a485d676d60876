package cli

import (
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"rcmguard/internal/app"
	"rcmguard/internal/audit"
	"rcmguard/internal/auth"
	"rcmguard/internal/notify"
	"rcmguard/internal/seal"
	"rcmguard/internal/store"
	"rcmguard/internal/web"
)

const serveUsage = "serve [--addr HOST:PORT] [--db PATH|postgres://…] [--key-file FILE] [--tls-cert FILE --tls-key FILE] [--behind-tls-proxy] [--idle-timeout 15m] [--public-url URL] [--smtp-url URL [--smtp-from ADDRESS] [--smtp-password-file FILE]] [--audit-check-every 1h] [--accept-broken-audit]"

// serverFlags are shared by serve and demo.
type serverFlags struct {
	addr        string
	tlsCert     string
	tlsKey      string
	behindProxy bool
	idle        time.Duration
	publicURL   string
	smtp        smtpFlags
	// auditEvery is how often the running server verifies the whole audit
	// chain again; acceptBroken lets serve start, read-only, on a chain
	// that does not verify.
	auditEvery   time.Duration
	acceptBroken bool
}

func addServerFlags(fs *flag.FlagSet, f *serverFlags) {
	fs.StringVar(&f.addr, "addr", "127.0.0.1:8080", "address to listen on (HOST:PORT)")
	fs.StringVar(&f.tlsCert, "tls-cert", "", "TLS certificate file (PEM, full chain); with --tls-key, serve HTTPS")
	fs.StringVar(&f.tlsKey, "tls-key", "", "TLS private key file (PEM)")
	fs.BoolVar(&f.behindProxy, "behind-tls-proxy", false, "a reverse proxy terminates TLS in front of rcmguard: mark cookies Secure and send HSTS")
	fs.DurationVar(&f.idle, "idle-timeout", 15*time.Minute, "sign users out after this long without activity (automatic logoff)")
	fs.StringVar(&f.publicURL, "public-url", "", "the address people open, e.g. https://rcmguard.example.org; security keys are bound to it (without it they work only on http://localhost)")
	addSMTPFlags(fs, &f.smtp)
}

func (f *serverFlags) validate(e *env) error {
	if (f.tlsCert == "") != (f.tlsKey == "") {
		return errors.New("--tls-cert and --tls-key go together")
	}
	if f.idle < time.Minute || f.idle > time.Hour {
		return errors.New("--idle-timeout must be between 1m and 1h")
	}
	if f.auditEvery == 0 {
		f.auditEvery = time.Hour
	}
	if f.auditEvery < time.Minute || f.auditEvery > 24*time.Hour {
		return errors.New("--audit-check-every must be between 1m and 24h")
	}
	if _, _, err := net.SplitHostPort(f.addr); err != nil {
		return fmt.Errorf("--addr: %w", err)
	}
	return f.smtp.validate(e, f.publicURL)
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// serveHook lets tests learn the listening address and stop the server;
// production leaves it nil and stops on SIGINT or SIGTERM.
var serveHook func(addr string, stop func())

// runServe runs the web server until interrupted.
func runServe(e *env, args []string) int {
	fs := e.newFlagSet("serve", serveUsage)
	db := addDBFlags(fs)
	var sf serverFlags
	addServerFlags(fs, &sf)
	fs.DurationVar(&sf.auditEvery, "audit-check-every", time.Hour, "verify the whole audit log this often while serving (1m to 24h)")
	fs.BoolVar(&sf.acceptBroken, "accept-broken-audit", false, "start even though the audit log fails verification, serving reads only: every change answers 503 until an administrator has dealt with it")
	if ok, status := e.parseFlags(fs, args); !ok {
		return status
	}
	if fs.NArg() != 0 {
		e.errorf("serve", "unexpected argument %q\nUsage: rcmguard %s", fs.Arg(0), serveUsage)
		return exitInvalid
	}
	if err := sf.validate(e); err != nil {
		e.errorf("serve", "%v", err)
		return exitInvalid
	}
	if host, _, _ := net.SplitHostPort(sf.addr); sf.tlsCert == "" && !sf.behindProxy && !isLoopback(host) {
		fmt.Fprintf(e.stderr, "rcmguard serve: warning: plain HTTP on %s: sign-ins and PHI-related data cross the network unencrypted; use --tls-cert/--tls-key or a TLS proxy with --behind-tls-proxy\n", sf.addr)
	}
	ctx := context.Background()
	st, kr, err := db.open(ctx)
	if err != nil {
		e.errorf("serve", "%v", err)
		return exitInvalid
	}
	defer st.Close()
	logger := slog.New(slog.NewTextHandler(e.stderr, nil))
	alog, err := startAuditLog(ctx, st, kr, logger, sf.acceptBroken)
	if err != nil {
		e.errorf("serve", "%v", err)
		if errors.Is(err, audit.ErrChainBroken) {
			return exitFailOn
		}
		return exitInvalid
	}
	srv, err := newWebServer(e, st, alog, logger, sf)
	if err != nil {
		e.errorf("serve", "%v", err)
		return exitInvalid
	}
	if err := printSetupToken(ctx, e, srv.App(), sf); err != nil {
		e.errorf("serve", "%v", err)
		return exitInvalid
	}
	watch, stopWatch := context.WithCancel(ctx)
	defer stopWatch()
	tick := time.NewTicker(sf.auditEvery)
	defer tick.Stop()
	go watchAuditLog(watch, alog, st, logger, tick.C)
	return e.listenAndServe("serve", srv, sf, nil)
}

// printSetupToken offers the first-run setup of a database without any
// account: one console line with a token whose hash alone is stored. The
// token is written here and nowhere else (not to the log, not to the audit
// log).
func printSetupToken(ctx context.Context, e *env, a *app.App, sf serverFlags) error {
	token, until, err := a.IssueSetupToken(ctx)
	if errors.Is(err, app.ErrSetupDone) {
		return nil
	}
	if err != nil {
		return err
	}
	where := sf.publicURL
	if where == "" {
		scheme := "http"
		if sf.tlsCert != "" {
			scheme = "https"
		}
		where = scheme + "://" + sf.addr
	}
	fmt.Fprintf(e.stderr, "rcmguard: first-run setup: no account exists yet. Open %s/setup and enter the setup token %s (valid until %s, once)\n",
		strings.TrimSuffix(where, "/"), token, until.UTC().Format(time.RFC3339))
	return nil
}

// newWebServer wires the store, audit log, accounts and rules into the web UI.
func newWebServer(e *env, st *store.Store, alog *audit.Log, logger *slog.Logger, sf serverFlags, demo ...*web.DemoSignIn) (*web.Server, error) {
	set, err := loadRules(nil)
	if err != nil {
		return nil, err
	}
	svc := auth.New(st, alog, auth.Config{IdleTimeout: sf.idle})
	var mail notify.Sender
	if s, err := sf.smtp.sender(e); err != nil {
		return nil, err
	} else if s != nil {
		mail = s
	}
	a := app.New(app.Config{Store: st, Audit: alog, Auth: svc, Rules: set, Mail: mail, Now: e.now,
		Tool: "rcmguard " + Version, PublicURL: sf.publicURL, Logger: logger})
	cfg := web.Config{Store: st, Audit: alog, Auth: svc, Rules: set, Now: e.now,
		Secure: sf.tlsCert != "" || sf.behindProxy, Tool: "rcmguard " + Version, PublicURL: sf.publicURL,
		TrustForwardedFor: sf.behindProxy, App: a, Logger: logger}
	// Only runDemo passes sign-in links: serve has no flag that reaches them.
	if len(demo) > 0 {
		cfg.Demo = demo[0]
	}
	return web.New(cfg)
}

// startAuditLog verifies the whole audit chain before the server takes a
// request, and returns the Log that every change will go through. On a
// chain that does not verify it refuses to start, unless acceptBroken:
// then the Log refuses every append and the server serves reads only.
// Either way the break is logged as the event behind alert D17.
func startAuditLog(ctx context.Context, st *store.Store, kr *seal.Keyring, logger *slog.Logger, acceptBroken bool) (*audit.Log, error) {
	alog := audit.New(kr, audit.OnBreak(func(b audit.Broken) { logAuditBreak(logger, b.Break, b.During) }))
	rep, err := alog.Check(ctx, st)
	var be *audit.BreakError
	switch {
	case errors.As(err, &be) && !acceptBroken:
		return nil, fmt.Errorf("%w\nrefusing to start: the server would extend a log that cannot be trusted. "+
			"Run 'rcmguard audit verify', find out what changed the database and restore it from a verified backup "+
			"(docs/operations.md §5); --accept-broken-audit starts it serving reads only", err)
	case errors.As(err, &be):
		logger.Error("audit: serving reads only: every change answers 503 until an administrator has dealt with the audit log",
			"entry", be.Seq, "reason", be.Reason)
	case err != nil:
		return nil, fmt.Errorf("verify the audit log: %w", err)
	default:
		logger.Info("audit: log verified", "entries", rep.Entries, "checkpoints", rep.Checkpoints, "head", rep.Head.String())
	}
	return alog, nil
}

// logAuditBreak records the break of the audit chain. The monitoring
// design's critical alert D17 ("our audit chain broken") is to be raised
// from here once alerts exist: the line carries the alert's ID for a log
// shipper to match until then.
func logAuditBreak(logger *slog.Logger, b audit.BreakError, during string) {
	logger.Error("audit: chain broken", "event", "audit.chain_broken", "alert", "D17", "severity", "critical",
		"entry", b.Seq, "reason", b.Reason, "found_by", during)
}

// watchAuditLog verifies the whole chain on every tick, which catches
// changes behind the head that appends check; while the chain is broken
// it says so again on every tick, at error level.
func watchAuditLog(ctx context.Context, alog *audit.Log, st *store.Store, logger *slog.Logger, tick <-chan time.Time) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick:
		}
		if b := alog.Broken(); b != nil {
			logger.Error("audit: serving reads only: the audit log failed verification; every change answers 503 until an administrator has dealt with it",
				"event", "audit.chain_broken", "alert", "D17", "entry", b.Seq, "reason", b.Reason)
			continue
		}
		if _, err := alog.Check(ctx, st); err != nil && !errors.Is(err, audit.ErrChainBroken) && ctx.Err() == nil {
			logger.Error("audit: periodic verification could not run", "err", err)
		}
	}
}

// listenAndServe serves until SIGINT/SIGTERM (or the test hook) and then
// shuts down gracefully, letting requests in flight finish. ready, when
// set, is called with the URL once the listener is up.
func (e *env) listenAndServe(cmd string, srv *web.Server, sf serverFlags, ready func(url string)) int {
	ln, err := net.Listen("tcp", sf.addr)
	if err != nil {
		e.errorf(cmd, "%v", err)
		return exitInvalid
	}
	hs := &http.Server{
		Handler:           srv.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      120 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		// net/http's own messages (TLS handshake errors, …) quote what
		// clients sent: log them through the text handler, which escapes.
		ErrorLog: slog.NewLogLogger(slog.NewTextHandler(e.stderr, nil), slog.LevelWarn),
	}
	scheme := "http"
	if sf.tlsCert != "" {
		scheme = "https"
		hs.TLSConfig = &tls.Config{MinVersion: tls.VersionTLS12}
	}
	url := scheme + "://" + ln.Addr().String()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	errc := make(chan error, 1)
	go func() {
		if sf.tlsCert != "" {
			errc <- hs.ServeTLS(ln, sf.tlsCert, sf.tlsKey)
		} else {
			errc <- hs.Serve(ln)
		}
	}()
	if ready != nil {
		ready(url)
	} else {
		fmt.Fprintf(e.stderr, "rcmguard: serving on %s\n", url)
	}
	if serveHook != nil {
		serveHook(ln.Addr().String(), stop)
	}
	select {
	case err := <-errc:
		e.errorf(cmd, "%v", err)
		return exitInvalid
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := hs.Shutdown(shutdown); err != nil {
		e.errorf(cmd, "shutdown: %v", err)
		return exitInvalid
	}
	fmt.Fprintln(e.stderr, "rcmguard: stopped")
	return exitOK
}
