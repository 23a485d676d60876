package web

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"

	"rcmguard/internal/app"
	"rcmguard/internal/audit"
	"rcmguard/internal/auth"
	"rcmguard/internal/store"
)

// Request body limits. Forms are small; a model upload is bounded well
// below model.MaxFileSize because a real model is tens of kilobytes.
const (
	maxFormBody   = 256 << 10
	maxUploadBody = maxModelUpload + 64<<10
)

// csp allows no inline script or style and nothing from elsewhere.
const csp = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"object-src 'none'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"

// middleware applies what every response needs, whatever the route:
// security headers, body limits, cross-origin refusal and panic recovery.
func (s *Server) middleware(next http.Handler) http.Handler {
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.renderError(w, r, &call{}, http.StatusForbidden, "")
	}))
	inner := cop.Handler(next)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", csp)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Cross-Origin-Resource-Policy", "same-origin")
		// Pages carry PHI-adjacent facts: never let a shared machine's cache
		// keep them. Static assets override this with a long cache.
		h.Set("Cache-Control", "no-store")
		if s.secure {
			h.Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
		}
		if r.ContentLength != 0 && r.Body != nil && r.Body != http.NoBody {
			// Until a handler reads the body, a response closes the
			// connection: a request refused before its body is read must
			// not have the server drain what the client keeps sending.
			h.Set("Connection", "close")
			r.Body = &unreadBody{ReadCloser: r.Body, h: h}
		}
		r.Body = http.MaxBytesReader(w, r.Body, bodyLimit(r.Method, r.URL.Path))
		if b := s.log.Broken(); b != nil && !safeMethod(r.Method) {
			s.refuseChange(w, r, &call{AuditBroken: b})
			return
		}
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				id := errorID()
				s.logger.Error("web: panic", "error_id", id, "method", r.Method, "path", logPath(r), "panic", p)
				s.renderError(w, r, &call{}, http.StatusInternalServerError, id)
			}
		}()
		inner.ServeHTTP(w, r)
	})
}

// call is what the route's policy established about a request.
type call struct {
	User   store.User
	Token  string // the session cookie's value
	CSRF   string // the synchronizer token for this session's forms
	WS     store.Workspace
	Member store.Membership
	Role   auth.Role
	// Assigned holds a contributor's assignments (assignments.go); nil
	// for the roles they do not limit.
	Assigned map[string]bool
	// SignedIn is set once both factors passed (not on the code pages).
	SignedIn bool
	// AuditBroken is the audit chain's break while the server serves
	// reads only (the layout's banner); nil normally.
	AuditBroken *audit.BreakError
}

// wrap applies a route's policy and runs its handler.
func (s *Server) wrap(rt route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c := &call{AuditBroken: s.log.Broken()}
		ctx := r.Context()
		now := s.now()
		w, settle, ok := s.throttle(w, r, rt, c, now)
		if !ok {
			return
		}
		defer settle()
		c.Token = s.cookie(r, sessionCookie)
		binding := c.Token
		if binding == "" {
			binding = s.cookie(r, preCookie)
		}
		if binding == "" && r.Method == http.MethodGet && rt.kind == public {
			binding = s.setPreCookie(w)
		}
		c.CSRF = csrfToken(binding)
		// Who is asking, and whether they may, is settled before a byte
		// of the body is read: an anonymous or unauthorised upload is
		// refused without parsing up to the route's size limit.
		hasBody := !safeMethod(r.Method)
		switch rt.kind {
		case pending:
			u, err := s.auth.PendingUser(ctx, c.Token, now)
			if err != nil {
				// Someone already signed in who comes back to the code
				// pages keeps their session.
				if _, aerr := s.auth.Authenticate(ctx, c.Token, now); aerr == nil {
					http.Redirect(w, r, "/", http.StatusSeeOther)
					return
				}
				s.toLogin(w, r, err)
				return
			}
			c.User = u
		case signedIn, workspace:
			p, err := s.auth.Authenticate(ctx, c.Token, now)
			if errors.Is(err, auth.ErrMFARequired) {
				http.Redirect(w, r, "/login/mfa", http.StatusSeeOther)
				return
			}
			// Only a session that is gone or expired signs the user
			// out; a database failure while checking it is an error,
			// or a busy moment would silently end every session.
			if err != nil && !errors.Is(err, auth.ErrUnauthenticated) {
				s.fail(w, r, c, err)
				return
			}
			if err != nil {
				s.toLogin(w, r, err)
				return
			}
			c.User = p.User
			c.SignedIn = true
		}
		if rt.kind == workspace {
			if err := s.enterWorkspace(r, c, rt.act); err != nil {
				s.fail(w, r, c, err)
				return
			}
			if obj := objectOf(rt.path, r); !assignedOK(c.Role, rt.act, c.Assigned, obj) {
				s.logger.Warn("web: not assigned", "user", c.User.ID, "workspace", c.WS.ID, "action", string(rt.act), "object", obj)
				s.fail(w, r, c, errForbidden)
				return
			}
		}
		if hasBody {
			ok, tooLarge := s.checkCSRF(r, binding)
			if tooLarge {
				s.renderError(w, r, c, http.StatusRequestEntityTooLarge, "")
				return
			}
			if !ok {
				s.logger.Warn("web: csrf token missing or wrong", "method", r.Method, "path", logPath(r))
				s.renderError(w, r, c, http.StatusForbidden, "")
				return
			}
		}
		if err := rt.h(w, r, c); err != nil {
			s.fail(w, r, c, err)
		}
	})
}

// enterWorkspace is the one permission check of workspace routes: a
// workspace the user is not a member of does not exist for them (404, so
// IDs cannot be probed); a member whose role or expired access does not
// allow the action gets 403.
func (s *Server) enterWorkspace(r *http.Request, c *call, act auth.Action) error {
	id, err := strconv.ParseInt(r.PathValue("ws"), 10, 64)
	if err != nil || id <= 0 {
		return errNotFound
	}
	m, ws, err := s.st.MembershipWorkspace(r.Context(), id, c.User.ID)
	if err != nil {
		return err // ErrNotFound for non-members and unknown workspaces alike
	}
	if err := auth.Allowed(m, act, s.now()); err != nil {
		s.logger.Warn("web: access denied", "user", c.User.ID, "workspace", id, "action", string(act), "role", m.Role)
		return errForbidden
	}
	c.WS, c.Member, c.Role = ws, m, auth.Role(m.Role)
	c.Assigned, err = s.loadAssignments(r.Context(), ws.ID, c.User.ID, c.Role)
	return err
}

// toLogin sends a visitor without a usable session to the sign-in page,
// dropping a stale cookie. Expired sessions say so, so that automatic
// logoff is not mistaken for a fault.
func (s *Server) toLogin(w http.ResponseWriter, r *http.Request, err error) {
	target := "/login"
	if s.cookie(r, sessionCookie) != "" {
		s.clearCookie(w, sessionCookie)
		if errors.Is(err, auth.ErrSessionExpired) {
			target = "/login?expired=1"
		}
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}

// fail turns a handler error into an error page. Internal errors are logged
// with a random ID; the user sees only a generic message and that ID.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, c *call, err error) {
	if errors.Is(err, audit.ErrChainBroken) {
		// A read that is audited (an export) cannot be recorded either.
		c.AuditBroken = s.log.Broken()
		s.refuseChange(w, r, c)
		return
	}
	status := statusOf(err)
	if status == http.StatusTooManyRequests {
		setRetryBusy(w)
	}
	id := ""
	if status == http.StatusInternalServerError {
		id = errorID()
		s.logger.Error("web: internal error", "error_id", id, "method", r.Method, "path", logPath(r), "err", err)
	}
	msg := app.Message(err)
	if msg == "" && errors.Is(err, auth.ErrBusy) {
		// Not the generic 429 text, which blames failed sign-ins: here
		// the server had no free slot to check a password.
		msg = "The server is checking many passwords just now and nothing was changed. Wait a few seconds, then try again."
	}
	s.renderProblem(w, r, c, status, id, msg)
}

// unreadBody drops the middleware's "Connection: close" once the handler
// starts reading the body: from then on keeping the connection is safe.
type unreadBody struct {
	io.ReadCloser
	h    http.Header
	read bool
}

func (b *unreadBody) Read(p []byte) (int, error) {
	if !b.read {
		b.read = true
		b.h.Del("Connection")
	}
	return b.ReadCloser.Read(p)
}

// safeMethod reports a method that changes nothing.
func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}

// refuseChange answers 503 while the audit chain is broken: no change can
// be recorded, so none is made (the log fails closed). Sign-ins are
// changes too. The browser gets the page with the banner, the API JSON.
func (s *Server) refuseChange(w http.ResponseWriter, r *http.Request, c *call) {
	seq := int64(0)
	if c.AuditBroken != nil {
		seq = c.AuditBroken.Seq
	}
	if strings.HasPrefix(r.URL.Path, "/api/") {
		s.apiError(w, r, http.StatusServiceUnavailable, "changes are disabled: the audit log failed verification at entry "+
			strconv.FormatInt(seq, 10)+"; nothing was changed; an administrator must check it (rcmguard audit verify)")
		return
	}
	e := errorPage{Status: http.StatusServiceUnavailable, Heading: "Changes are disabled",
		Message: "The audit log failed verification, so rcmguard makes no change it cannot record — signing in included — " +
			"until an administrator has dealt with it. Nothing was changed."}
	if err := s.render(w, e.Status, "error", page{Title: e.Heading, C: c, Data: e}); err != nil {
		s.logger.Error("web: render error page", "err", err)
		http.Error(w, e.Message, e.Status)
	}
}

func errorID() string {
	b := make([]byte, 6)
	if _, err := rand.Read(b); err != nil {
		return "unavailable"
	}
	return hex.EncodeToString(b)
}
