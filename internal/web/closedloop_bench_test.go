package web

import (
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"
)

// portfolioSignIn signs one browser in: password, then the first TOTP
// code (enrolment) or a code (later runs).
func portfolioSignIn(b *testing.B, base, email, secret string, now time.Time) *http.Client {
	b.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Transport: loadTransport,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	call := func(method, path string, form url.Values) (int, string, string) {
		b.Helper()
		var resp *http.Response
		var err error
		if method == http.MethodGet {
			resp, err = c.Get(base + path)
		} else {
			resp, err = c.PostForm(base+path, form)
		}
		if err != nil {
			b.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, resp.Header.Get("Location"), string(body)
	}
	csrf := func(body string) string {
		m := loadCSRFRE.FindStringSubmatch(body)
		if m == nil {
			b.Fatalf("no CSRF token on the page for %s", email)
		}
		return m[1]
	}
	_, _, body := call(http.MethodGet, "/login", nil)
	st, next, _ := call(http.MethodPost, "/login", url.Values{"csrf": {csrf(body)}, "email": {email}, "password": {testPassword}})
	if st != http.StatusSeeOther {
		b.Fatalf("sign in %s: %d", email, st)
	}
	_, _, body = call(http.MethodGet, next, nil)
	code, err := totp.GenerateCode(secret, now)
	if err != nil {
		b.Fatal(err)
	}
	form := url.Values{"csrf": {csrf(body)}, "code": {code}}
	if next != "/login/enrol" {
		form.Set("method", "totp")
	}
	if st, _, _ := call(http.MethodPost, next, form); st >= 400 {
		b.Fatalf("second factor of %s: %d", email, st)
	}
	return c
}

// measureClosedLoop has each user request path(user, n) for its n-th
// request, b.N requests in all, as fast as the server answers, after a
// warm-up round, and reports latency percentiles and throughput.
func measureClosedLoop(b *testing.B, base string, users []*http.Client, path func(user, n int) string, want string, srv *latencyLog) {
	var warm sync.WaitGroup
	for u, c := range users {
		warm.Go(func() {
			for n := range loadWarmUp {
				resp, err := c.Get(base + path(u, n))
				if err != nil {
					b.Error(err)
					return
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
		})
	}
	warm.Wait()
	if b.Failed() {
		b.FailNow()
	}
	lat := make([]time.Duration, b.N)
	srv.reset()
	cpu0 := processCPU()
	var mu sync.Mutex
	next, bytes := 0, int64(0)
	var failure error
	var wg sync.WaitGroup
	b.ResetTimer()
	start := time.Now()
	for u, c := range users {
		wg.Go(func() {
			for n := loadWarmUp; ; n++ {
				mu.Lock()
				i := next
				next++
				mu.Unlock()
				if i >= b.N {
					return
				}
				p := path(u, n)
				t0 := time.Now()
				resp, err := c.Get(base + p)
				if err != nil {
					mu.Lock()
					failure = err
					mu.Unlock()
					return
				}
				body, err := io.ReadAll(resp.Body)
				resp.Body.Close()
				lat[i] = time.Since(t0)
				if err == nil && (resp.StatusCode != http.StatusOK || !strings.Contains(string(body), want)) {
					err = fmt.Errorf("GET %s: %d, %d bytes, without %q", p, resp.StatusCode, len(body), want)
				}
				mu.Lock()
				bytes += int64(len(body))
				if err != nil && failure == nil {
					failure = err
				}
				mu.Unlock()
				if err != nil {
					return
				}
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	cpu := processCPU() - cpu0
	b.StopTimer()
	if failure != nil {
		b.Fatal(failure)
	}
	reportLatencies(b, lat, elapsed, bytes)
	// CPU time of this process (server and load generator; PostgreSQL is
	// apart) per request: what a page costs, whatever else the machine does.
	b.ReportMetric(float64(cpu.Microseconds())/1000/float64(b.N), "cpu-ms/req")
	// The same requests timed inside the server, from the handler's
	// first line to its last byte written: on a machine the load
	// generator and other work share, the difference is time spent
	// waiting for a CPU outside the server's code.
	sl := srv.take()
	slices.Sort(sl)
	pct := func(p float64) float64 {
		i := int(float64(len(sl))*p+0.5) - 1
		return float64(sl[max(0, min(i, len(sl)-1))].Microseconds()) / 1000
	}
	if len(sl) > 0 {
		b.ReportMetric(pct(0.95), "srv-p95-ms")
		b.ReportMetric(pct(0.99), "srv-p99-ms")
	}
}

// latencyLog records how long the server took over each request.
type latencyLog struct {
	mu  sync.Mutex
	lat []time.Duration
}

func (l *latencyLog) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t0 := time.Now()
		h.ServeHTTP(w, r)
		d := time.Since(t0)
		l.mu.Lock()
		l.lat = append(l.lat, d)
		l.mu.Unlock()
	})
}

func (l *latencyLog) reset() {
	l.mu.Lock()
	l.lat = l.lat[:0]
	l.mu.Unlock()
}

func (l *latencyLog) take() []time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.lat)
}
