package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"
	"time"

	"rcmguard/internal/audit"
	"rcmguard/internal/seal"
	"rcmguard/internal/store"
	"rcmguard/internal/store/storetest"
)

// freshDSN gives a subtest a database of its own, of the same kind as dsn.
func freshDSN(t *testing.T, dsn string) string {
	if store.IsPostgres(dsn) {
		return storetest.PostgresDSN(t)
	}
	return t.TempDir() + "/rcmguard.db"
}

// chainAttacks are changes to an audit log of four entries: each leaves
// it failing "audit verify" at the entry given.
var chainAttacks = []struct {
	name  string
	stmts []string
	entry int64
}{
	{"cut the tail and rewrite the head", []string{`DELETE FROM audit_log WHERE seq > 2`,
		`UPDATE audit_head SET seq = 2, hash = (SELECT hash FROM audit_log WHERE seq = 2)`}, 2},
	{"edit an entry", []string{`UPDATE audit_log SET actor = 'cli:mallory' WHERE seq = 2`}, 2},
	{"delete an entry", []string{`DELETE FROM audit_log WHERE seq = 2`}, 2},
}

// TestServeRefusesBrokenAuditChain: serve verifies the audit log before it
// takes a request. On a broken chain it refuses to start; with
// --accept-broken-audit it serves reads only and never extends the chain,
// so "audit verify" still fails afterwards. Before the fix serve started
// silently, and its first sign-in re-signed a head over a cut chain that
// then verified.
func TestServeRefusesBrokenAuditChain(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dsn string) {
		for _, a := range chainAttacks {
			t.Run(a.name, func(t *testing.T) {
				c := newStoreCLI(t, freshDSN(t, dsn))
				c.addUser("dana@example.org", "Riverbend", "owner")
				c.addUser("eli@example.org", "Riverbend", "compliance_officer")
				st := c.open(c.key)
				storetest.TamperAudit(t, st, a.stmts...)
				code, before := c.verify()
				want := fmt.Sprintf("first bad entry %d", a.entry)
				if code != exitFailOn || !strings.Contains(before, want) {
					t.Fatalf("audit verify after tampering: %d %s", code, before)
				}

				// The start-up function refuses, and logs the alert's event.
				kr, err := seal.LoadKeyFile(c.key)
				if err != nil {
					t.Fatal(err)
				}
				var logs bytes.Buffer
				_, err = startAuditLog(context.Background(), st, kr, slog.New(slog.NewTextHandler(&logs, nil)), false)
				if !errors.Is(err, audit.ErrChainBroken) || !strings.Contains(err.Error(), "refusing to start") {
					t.Fatalf("start-up on a broken chain: %v", err)
				}
				if l := logs.String(); !strings.Contains(l, "event=audit.chain_broken") || !strings.Contains(l, "alert=D17") || !strings.Contains(l, "level=ERROR") {
					t.Errorf("start-up did not log the break as the D17 event:\n%s", l)
				}
				// So does the command, before it listens.
				status, _, errs := c.db("serve", "--addr", "127.0.0.1:0")
				if status != exitFailOn || !strings.Contains(errs, "refusing to start") || !strings.Contains(errs, "--accept-broken-audit") {
					t.Fatalf("serve on a broken chain: %d %s", status, errs)
				}

				// With the flag: reads are served, with the banner; changes,
				// signing in among them, answer 503.
				base, _, stop := startServer(t, "serve", "--addr", "127.0.0.1:0", "--db", c.dsn, "--key-file", c.key, "--accept-broken-audit")
				jar, _ := cookiejar.New(nil)
				hc := &http.Client{Jar: jar}
				resp, err := hc.Get(base + "/login")
				if err != nil {
					t.Fatal(err)
				}
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "The audit log failed verification at entry") {
					t.Errorf("GET /login while read-only: %d, no banner", resp.StatusCode)
				}
				csrf := csrfFieldRE.FindStringSubmatch(string(body))
				if csrf == nil {
					t.Fatal("no csrf field on the sign-in page")
				}
				for i := 0; i < 3; i++ {
					resp, err := hc.PostForm(base+"/login", url.Values{"csrf": {csrf[1]}, "email": {"dana@example.org"}, "password": {testPassword}})
					if err != nil {
						t.Fatal(err)
					}
					body, _ := io.ReadAll(resp.Body)
					resp.Body.Close()
					if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(string(body), "Changes are disabled") {
						t.Errorf("sign-in while read-only: %d", resp.StatusCode)
					}
				}
				req, _ := http.NewRequest(http.MethodPost, base+"/api/v1/workspaces/1/assessments", nil)
				req.Header.Set("Authorization", "Bearer whatever")
				if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != http.StatusServiceUnavailable {
					t.Errorf("API write while read-only: %v %v", resp, err)
				} else {
					resp.Body.Close()
				}
				if status := stop(); status != exitOK {
					t.Errorf("serve exit status %d", status)
				}
				if code, after := c.verify(); code != exitFailOn || after != before {
					t.Errorf("audit verify after serving read-only: %d\n%s\nwant, as before:\n%s", code, after, before)
				}
			})
		}
	})
}

// TestWatchAuditLog tampers with the chain under a running watcher: the
// next periodic check finds the break, the Log stops appending, and every
// later tick logs it again at error level.
func TestWatchAuditLog(t *testing.T) {
	c := newStoreCLI(t, t.TempDir()+"/rcmguard.db")
	c.addUser("dana@example.org", "Riverbend", "owner")
	c.addUser("eli@example.org", "Riverbend", "auditor")
	st := c.open(c.key)
	kr, err := seal.LoadKeyFile(c.key)
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, nil))
	alog, err := startAuditLog(context.Background(), st, kr, logger, false)
	if err != nil {
		t.Fatal(err)
	}
	// watch runs the watcher for n ticks and returns once it has handled
	// them all: a tick is taken only after the previous one was handled,
	// and the watcher stops only after the last.
	watch := func(n int) {
		ctx, cancel := context.WithCancel(context.Background())
		tick := make(chan time.Time)
		done := make(chan struct{})
		go func() { watchAuditLog(ctx, alog, st, logger, tick); close(done) }()
		for range n {
			tick <- time.Time{}
		}
		cancel()
		<-done
	}
	watch(2)
	if alog.Broken() != nil || strings.Contains(logs.String(), "chain_broken") {
		t.Fatalf("intact chain reported broken:\n%s", logs.String())
	}
	storetest.TamperAudit(t, st, `UPDATE audit_log SET object = 'user:9' WHERE seq = 1`)
	watch(3)
	if b := alog.Broken(); b == nil || b.Seq != 1 {
		t.Fatalf("Broken() = %v; want entry 1", b)
	}
	l := logs.String()
	if n := strings.Count(l, "event=audit.chain_broken"); n != 3 {
		t.Errorf("%d error lines for the break; want the event and one per later tick (3):\n%s", n, l)
	}
	err = st.InTx(context.Background(), func(tx *store.Tx) error {
		_, err := alog.Append(context.Background(), tx, audit.Event{At: time.Now(), Actor: "test", Action: "x.y"})
		return err
	})
	if !errors.Is(err, audit.ErrChainBroken) {
		t.Errorf("append after the watcher found a break: %v", err)
	}
}
