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

const serveUsage = "serve [--addr HOST:PORT] [--db PATH|postgres://…] [--key-file FILE] [--tls-cert FILE --tls-key FILE] [--behind-tls-proxy] [--idle-timeout 15m] [--public-url URL] [--smtp-url URL [--smtp-from ADDRESS] [--smtp-password-file FILE]]"

// serverFlags are shared by serve and demo.
type serverFlags struct {
	addr        string
	tlsCert     string
	tlsKey      string
	behindProxy bool
	idle        time.Duration
	publicURL   string
	smtp        smtpFlags
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
	srv, err := newWebServer(e, st, kr, sf)
	if err != nil {
		e.errorf("serve", "%v", err)
		return exitInvalid
	}
	return e.listenAndServe("serve", srv, sf, nil)
}

// newWebServer wires the store, audit log, accounts and rules into the web UI.
func newWebServer(e *env, st *store.Store, kr *seal.Keyring, sf serverFlags) (*web.Server, error) {
	set, err := loadRules(nil)
	if err != nil {
		return nil, err
	}
	log := audit.New(kr)
	svc := auth.New(st, log, auth.Config{IdleTimeout: sf.idle})
	logger := slog.New(slog.NewTextHandler(e.stderr, nil))
	var mail notify.Sender
	if s, err := sf.smtp.sender(e); err != nil {
		return nil, err
	} else if s != nil {
		mail = s
	}
	a := app.New(app.Config{Store: st, Audit: log, Auth: svc, Rules: set, Mail: mail, Now: e.now,
		Tool: "rcmguard " + Version, PublicURL: sf.publicURL, Logger: logger})
	return web.New(web.Config{Store: st, Audit: log, Auth: svc, Rules: set, Now: e.now,
		Secure: sf.tlsCert != "" || sf.behindProxy, Tool: "rcmguard " + Version, PublicURL: sf.publicURL,
		TrustForwardedFor: sf.behindProxy, App: a,
		Logger: logger})
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
