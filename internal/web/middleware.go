package web

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"rcmguard/internal/app"
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
		r.Body = http.MaxBytesReader(w, r.Body, bodyLimit(r.Method, r.URL.Path))
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
}

// wrap applies a route's policy and runs its handler.
func (s *Server) wrap(rt route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c := &call{}
		ctx := r.Context()
		now := s.now()
		if s.failures != nil && failureRoutes[rt.method+" "+rt.path] {
			addr := s.clientAddr(r)
			if wait := s.failures.wait(addr, now); wait > 0 {
				s.logger.Warn("web: sign-in attempts throttled", "addr", addr, "path", logPath(r))
				w.Header().Set("Retry-After", strconv.Itoa(int(wait.Seconds())+1))
				s.renderError(w, r, c, http.StatusTooManyRequests, "")
				return
			}
			rec := &statusRecorder{ResponseWriter: w}
			w = rec
			defer func() {
				if rec.status == http.StatusUnauthorized || rec.status == http.StatusNotFound {
					s.failures.fail(addr, now)
				}
			}()
		}
		c.Token = s.cookie(r, sessionCookie)
		binding := c.Token
		if binding == "" {
			binding = s.cookie(r, preCookie)
		}
		if binding == "" && r.Method == http.MethodGet && rt.kind == public {
			binding = s.setPreCookie(w)
		}
		c.CSRF = csrfToken(binding)
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
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
		if strings.Contains(err.Error(), "expired") {
			target = "/login?expired=1"
		}
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}

// fail turns a handler error into an error page. Internal errors are logged
// with a random ID; the user sees only a generic message and that ID.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, c *call, err error) {
	status := statusOf(err)
	id := ""
	if status == http.StatusInternalServerError {
		id = errorID()
		s.logger.Error("web: internal error", "error_id", id, "method", r.Method, "path", logPath(r), "err", err)
	}
	s.renderProblem(w, r, c, status, id, app.Message(err))
}

func errorID() string {
	b := make([]byte, 6)
	if _, err := rand.Read(b); err != nil {
		return "unavailable"
	}
	return hex.EncodeToString(b)
}
