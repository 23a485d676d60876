package web

import (
	"math"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Failed sign-in attempts are limited per account (auth's lockout) and,
// here, per client address: a credential-stuffing run tries many accounts
// from one place, and each attempt costs an argon2id hash. Every address
// may fail a budget of attempts that refills over failureWindow; once it
// is spent, the sign-in routes answer 429 before any password is checked,
// until a failure's worth has refilled. Successful sign-ins cost nothing,
// so an office behind one address is not locked out by its own staff.

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

// wait returns how long addr must wait before its next attempt; zero when
// it may try now.
func (l *failureLimiter) wait(addr string, now time.Time) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	b, ok := l.buckets[addr]
	if !ok {
		return 0
	}
	l.refill(b, now)
	if b.tokens >= 1 {
		return 0
	}
	return time.Duration((1 - b.tokens) / l.limit * float64(failureWindow))
}

// fail spends one attempt of addr's budget.
func (l *failureLimiter) fail(addr string, now time.Time) {
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
	b.tokens = math.Max(0, b.tokens-1)
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
