package web

import (
	"math"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"rcmguard/internal/auth"
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
// staff.

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
	// failureTableMax bounds the addresses remembered; past it, addresses
	// whose budget is whole are forgotten first.
	failureTableMax = 10000
)

type failureBucket struct {
	tokens float64
	at     time.Time
}

// failureLimiter is a token bucket per client address.
type failureLimiter struct {
	mu      sync.Mutex
	limit   float64 // budget, and what refills in failureWindow
	buckets map[string]*failureBucket
}

func newFailureLimiter(limit int) *failureLimiter {
	if limit == 0 {
		limit = defaultFailureLimit
	}
	if limit < 0 {
		return nil // no limit
	}
	return &failureLimiter{limit: float64(limit), buckets: map[string]*failureBucket{}}
}

// refill brings b up to now; it is called with mu held.
func (l *failureLimiter) refill(b *failureBucket, now time.Time) {
	if d := now.Sub(b.at); d > 0 {
		b.tokens = math.Min(l.limit, b.tokens+l.limit*d.Seconds()/failureWindow.Seconds())
		b.at = now
	}
}

// take spends one failure's worth of addr's budget for an attempt about
// to be checked. It returns zero when the attempt may go ahead, else how
// long until a failure's worth has refilled (and spends nothing).
func (l *failureLimiter) take(addr string, now time.Time) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	b, ok := l.buckets[addr]
	if !ok {
		if len(l.buckets) >= failureTableMax {
			l.forgetWhole(now)
		}
		b = &failureBucket{tokens: l.limit, at: now}
		l.buckets[addr] = b
	}
	l.refill(b, now)
	if b.tokens >= 1 {
		b.tokens--
		return 0
	}
	return time.Duration((1 - b.tokens) / l.limit * float64(failureWindow))
}

// refund gives back what take spent, for an attempt that did not fail. An
// address forgotten in between had its budget whole: nothing to give back.
func (l *failureLimiter) refund(addr string, now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if b, ok := l.buckets[addr]; ok {
		l.refill(b, now)
		b.tokens = math.Min(l.limit, b.tokens+1)
	}
}

// throttle applies the per-address budget to a request of route rt. It
// returns the writer the handler must use and a function to run once the
// handler is done, which keeps the attempt's failure's worth when the
// answer was a failure (401, or 404 for a guessed link) and gives it back
// otherwise. When the budget is spent it answers 429 itself and returns
// ok false.
func (s *Server) throttle(w http.ResponseWriter, r *http.Request, rt route, c *call, now time.Time) (_ http.ResponseWriter, settle func(), ok bool) {
	if s.failures == nil || !failureRoutes[rt.method+" "+rt.path] {
		return w, func() {}, true
	}
	addr := s.clientAddr(r)
	if wait := s.failures.take(addr, now); wait > 0 {
		s.logger.Warn("web: sign-in attempts throttled", "addr", addr, "path", logPath(r))
		w.Header().Set("Retry-After", strconv.Itoa(int(wait.Seconds())+1))
		s.renderError(w, r, c, http.StatusTooManyRequests, "")
		return w, nil, false
	}
	rec := &statusRecorder{ResponseWriter: w}
	return rec, func() {
		if rec.status != http.StatusUnauthorized && rec.status != http.StatusNotFound {
			s.failures.refund(addr, now)
		}
	}, true
}

// forgetWhole drops the addresses whose budget has refilled; if none has,
// it drops them all rather than grow without bound (the per-account
// lockout still holds). It is called with mu held.
func (l *failureLimiter) forgetWhole(now time.Time) {
	for a, b := range l.buckets {
		l.refill(b, now)
		if b.tokens >= l.limit {
			delete(l.buckets, a)
		}
	}
	if len(l.buckets) >= failureTableMax {
		clear(l.buckets)
	}
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
