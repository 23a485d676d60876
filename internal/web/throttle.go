package web

import (
	"context"
	"fmt"
	"math"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"rcmguard/internal/auth"
	"rcmguard/internal/store"
)

// Failed sign-in attempts are limited per account (auth's lockout) and,
// here, per client address: a credential-stuffing run tries many accounts
// from one place, and each attempt costs an argon2id hash. Every address
// may fail a budget of attempts that refills over failureWindow. An attempt
// takes its failure's worth of the budget before anything is checked, and
// gets it back unless it failed: a budget read first and charged after the
// check let 25 concurrent attempts through on a budget of one. Once the
// budget is spent, the sign-in routes answer 429 before any password is
// checked, until a failure's worth has refilled. Successful sign-ins cost
// nothing, so an office behind one address is not locked out by its own
// staff. The budgets are kept in the database, not in this process, so
// that servers behind one load balancer share them.

// failureRoutes are the routes whose 401 or 404 answers count as failures:
// a wrong password, a wrong code, a guessed invitation link.
var failureRoutes = map[string]bool{
	"POST /login":            true,
	"POST /login/mfa":        true,
	"POST /login/mfa/key":    true,
	"POST /login/enrol":      true,
	"GET /invite/{token}":    true,
	"POST /invite/{token}":   true,
	"POST /account/password": true,
	"POST /setup":            true,
}

const (
	defaultFailureLimit = 20
	failureWindow       = 10 * time.Minute
	// failureSweepEvery is how often a server drops the budgets that have
	// refilled (store.ForgetSignInBudgets), so the table stays the size of
	// the addresses that failed in the last window.
	failureSweepEvery = time.Minute
)

// failureLimiter is a token bucket per client address, kept in the
// database (store/signin_budget.go): every app server in front of the same
// database spends from the same budgets.
type failureLimiter struct {
	st    *store.Store
	limit float64 // budget, and what refills in failureWindow
	// swept is when this server last dropped refilled budgets (Unix ns).
	swept atomic.Int64
}

func newFailureLimiter(st *store.Store, limit int) *failureLimiter {
	if limit == 0 {
		limit = defaultFailureLimit
	}
	if limit < 0 {
		return nil // no limit
	}
	return &failureLimiter{st: st, limit: float64(limit)}
}

// take spends one failure's worth of addr's budget for an attempt about
// to be checked. It returns zero when the attempt may go ahead, else how
// long until a failure's worth has refilled (and spends nothing).
func (l *failureLimiter) take(ctx context.Context, addr string, now time.Time) (time.Duration, error) {
	if last := l.swept.Load(); now.UnixNano()-last >= int64(failureSweepEvery) && l.swept.CompareAndSwap(last, now.UnixNano()) {
		if _, err := l.st.ForgetSignInBudgets(ctx, now.Add(-failureWindow)); err != nil {
			return 0, fmt.Errorf("web: sign-in budget: %w", err)
		}
	}
	left, ok, err := l.st.TakeSignInBudget(ctx, addr, l.limit, failureWindow, now)
	if err != nil {
		return 0, fmt.Errorf("web: sign-in budget: %w", err)
	}
	if ok {
		return 0, nil
	}
	return max(time.Duration((1-left)/l.limit*float64(failureWindow)), time.Nanosecond), nil
}

// refund gives back what take spent, for an attempt that did not fail.
func (l *failureLimiter) refund(ctx context.Context, addr string, now time.Time) error {
	if err := l.st.RefundSignInBudget(ctx, addr, l.limit, failureWindow, now); err != nil {
		return fmt.Errorf("web: sign-in budget: %w", err)
	}
	return nil
}

// throttle applies the per-address budget to a request of route rt. It
// returns the writer the handler must use and a function to run once the
// handler is done, which keeps the attempt's failure's worth when the
// answer was a failure (401, or 404 for a guessed link) and gives it back
// otherwise. When the budget is spent, or cannot be read, it answers
// itself (429, or an error page: an attempt the server cannot count is not
// checked) and returns ok false.
func (s *Server) throttle(w http.ResponseWriter, r *http.Request, rt route, c *call, now time.Time) (_ http.ResponseWriter, settle func(), ok bool) {
	if s.failures == nil || !failureRoutes[rt.method+" "+rt.path] {
		return w, func() {}, true
	}
	addr := s.clientAddr(r)
	wait, err := s.failures.take(r.Context(), addr, now)
	if err != nil {
		s.fail(w, r, c, err)
		return w, nil, false
	}
	if wait > 0 {
		s.logger.Warn("web: sign-in attempts throttled", "addr", addr, "path", logPath(r))
		w.Header().Set("Retry-After", strconv.Itoa(int(wait.Seconds())+1))
		s.renderError(w, r, c, http.StatusTooManyRequests, "")
		return w, nil, false
	}
	rec := &statusRecorder{ResponseWriter: w}
	return rec, func() {
		if rec.status != http.StatusUnauthorized && rec.status != http.StatusNotFound {
			// The attempt is answered already; a refund that fails only
			// leaves the address a failure's worth short for a while.
			if err := s.failures.refund(context.WithoutCancel(r.Context()), addr, now); err != nil {
				s.logger.Error("web: sign-in budget refund", "err", err)
			}
		}
	}, true
}

// busyMessage is what a form says when its password could not be checked
// because every hashing slot was taken (auth.ErrBusy, answered 429).
const busyMessage = "Too many passwords are being checked right now. Wait a moment, then try again."

// setRetryBusy tells a client refused with auth.ErrBusy when to try again.
func setRetryBusy(w http.ResponseWriter) {
	w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(auth.BusyRetryAfter.Seconds()))))
}

// clientAddr is the address a request comes from: the connection's peer,
// or, behind a trusted TLS-terminating proxy, the address the proxy put
// last in X-Forwarded-For (earlier entries come from the client and can
// say anything).
func (s *Server) clientAddr(r *http.Request) string {
	if s.trustForwarded {
		if xff := r.Header.Values("X-Forwarded-For"); len(xff) > 0 {
			parts := strings.Split(xff[len(xff)-1], ",")
			if ip := net.ParseIP(strings.TrimSpace(parts[len(parts)-1])); ip != nil {
				return ip.String()
			}
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// statusRecorder remembers the status a handler answered with.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (w *statusRecorder) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusRecorder) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(p)
}
