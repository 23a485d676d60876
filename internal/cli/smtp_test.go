package cli

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"rcmguard/internal/audit"
	"rcmguard/internal/notify/mailpittest"
	"rcmguard/internal/store"
)

func TestServeRejectsBadSMTPFlags(t *testing.T) {
	const secret = "hunter2-secret"
	pub := []string{"--public-url", "https://rcmguard.example.org"}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"serve", "--smtp-url", "smtp://relay.example.org?from=a@example.org"}, "--smtp-url needs --public-url"},
		{append([]string{"serve", "--smtp-url", "http://u:" + secret + "@relay.example.org"}, pub...), `scheme "http"`},
		{append([]string{"serve", "--smtp-url", "smtp://u:" + secret + "@relay.example.org"}, pub...), "sender address is required"},
		{append([]string{"serve", "--smtp-url", "smtp://u:" + secret + "@relay.example.org:25?tls=none", "--smtp-from", "a@example.org"}, pub...), "in clear"},
		{append([]string{"serve", "--smtp-from", "a@example.org"}, pub...), "need --smtp-url"},
		{append([]string{"serve", "--smtp-url", "smtp://u:" + secret + "@relay.example.org?from=a@example.org", "--smtp-password-file", "pw"}, pub...), "give one"},
		{[]string{"serve", "--smtp-url", "smtp://relay.example.org?from=a@example.org", "--public-url", "ftp://x"}, "not an http(s) address"},
		{[]string{"demo", "--smtp-url", "smtp://relay.example.org?from=a@example.org"}, "--smtp-url needs --public-url"},
	} {
		var out, errs bytes.Buffer
		e := &env{stdin: strings.NewReader(""), stdout: &out, stderr: &errs, now: time.Now}
		if st := e.main(tc.args); st != exitInvalid || !strings.Contains(errs.String(), tc.want) {
			t.Errorf("%v: exit %d, %q; want %d saying %q", tc.args, st, errs.String(), exitInvalid, tc.want)
		}
		if strings.Contains(errs.String(), secret) {
			t.Errorf("%v: the error repeats the relay's password", tc.args)
		}
	}
}

// TestServeSendsInvitationsThroughTheRelay runs `rcmguard serve` with
// --smtp-url pointing at a real SMTP server (Mailpit on this machine),
// invites a person from the Members page and follows the link in the
// message that arrives.
func TestServeSendsInvitationsThroughTheRelay(t *testing.T) {
	mp := mailpittest.Start(t)
	c := newStoreCLI(t, t.TempDir()+"/rcmguard.db")
	secret := regexp.MustCompile(`secret=([A-Z2-7]+)`).FindStringSubmatch(c.addUser("dana@example.org", "Riverbend", "owner"))
	if secret == nil {
		t.Fatal("user add printed no TOTP secret")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	public := "http://localhost:" + addr[strings.LastIndexByte(addr, ':')+1:]
	base, _, stop := startServer(t, "serve", "--addr", addr, "--db", c.dsn, "--key-file", c.key,
		"--public-url", public, "--smtp-url", fmt.Sprintf("smtp://%s:%d?tls=none", mp.Host, mp.Port),
		"--smtp-from", "Riverbend risk team <rcmguard@example.org>")
	defer stop()

	jar, _ := cookiejar.New(nil)
	hc := &http.Client{Jar: jar}
	sess := &browserSession{t: t, base: base, c: hc}
	page, csrf := sess.page, sess.csrfOf
	body := page(hc.Get(base + "/login"))
	body = page(hc.PostForm(base+"/login", url.Values{"csrf": {csrf(body)}, "email": {"dana@example.org"}, "password": {testPassword}}))
	code, err := totp.GenerateCode(secret[1], time.Now())
	if err != nil {
		t.Fatal(err)
	}
	page(hc.PostForm(base+"/login/enrol", url.Values{"csrf": {csrf(body)}, "code": {code}}))
	body = page(hc.Get(base + "/"))
	m := regexp.MustCompile(`/w/(\d+)`).FindStringSubmatch(body)
	if m == nil {
		// One workspace: home redirected straight into it.
		t.Fatalf("no workspace link on the home page:\n%s", body)
	}
	members := base + "/w/" + m[1] + "/members"
	body = page(hc.Get(members))
	body = page(hc.PostForm(members, url.Values{"csrf": {csrf(body)}, "email": {"new.colleague@example.org"}, "role": {"contributor"}}))
	if !strings.Contains(body, "on its way to new.colleague@example.org") || strings.Contains(body, `id="invite-link"`) {
		t.Fatalf("the Members page after inviting does not say the link went by e-mail:\n%s", body)
	}

	msg := mp.WaitTo(t, "new.colleague@example.org", 1)[0]
	if msg.From.Address != "rcmguard@example.org" || !strings.Contains(msg.Subject, "Riverbend") {
		t.Errorf("message from %q, subject %q", msg.From.Address, msg.Subject)
	}
	link := regexp.MustCompile(regexp.QuoteMeta(public) + `/invite/[A-Za-z0-9_-]{43}`).FindString(msg.Text)
	if link == "" {
		t.Fatalf("no link to the public URL in the message:\n%s", msg.Text)
	}
	resp, err := http.Get(link)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(b), "Create my account") {
		t.Errorf("following the mailed link: %d\n%s", resp.StatusCode, b)
	}
}

// TestUserVerify: `user add` vouches for the address; an account made
// another way (a copied invitation link) is unverified until `user
// verify`, which is audited once.
func TestUserVerify(t *testing.T) {
	c := newStoreCLI(t, t.TempDir()+"/rcmguard.db")
	c.addUser("dana@example.org", "Riverbend", "owner")
	st := c.open(c.key)
	ctx := context.Background()
	dana, err := st.UserByEmail(ctx, "dana@example.org")
	if err != nil {
		t.Fatal(err)
	}
	if at, _ := st.EmailVerified(ctx, dana.ID); at.IsZero() {
		t.Error("user add did not vouch for the address")
	}
	var linked store.User
	err = st.InTx(ctx, func(tx *store.Tx) (err error) {
		if linked, err = tx.CreateUser(ctx, store.User{Email: "linked@example.org", PasswordHash: "$argon2id$x", Created: time.Now()}); err != nil {
			return err
		}
		_, err = audit.New(st.Keyring()).Append(ctx, tx, audit.Event{At: time.Now(), Actor: "test", Action: "user.create"})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	status, out, errs := c.db("user", "verify", "linked@example.org")
	if status != exitOK || !strings.Contains(out, "verified the address of user") || !strings.Contains(out, "l…@example.org") {
		t.Fatalf("user verify: %d %s %s", status, out, errs)
	}
	if at, _ := st.EmailVerified(ctx, linked.ID); at.IsZero() {
		t.Error("user verify did not record the proof")
	}
	status, out, _ = c.db("user", "verify", "linked@example.org")
	if status != exitOK || !strings.Contains(out, "already verified") {
		t.Errorf("user verify again: %d %s", status, out)
	}
	rows, err := st.AuditEntries(ctx, 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, r := range rows {
		if r.Action == "user.email.verify" {
			n++
			if !strings.HasPrefix(r.Actor, "cli") || !strings.Contains(r.Details, "rcmguard user verify") {
				t.Errorf("audit entry %+v", r)
			}
		}
	}
	if n != 1 {
		t.Errorf("%d user.email.verify entries; want 1", n)
	}
	if status, _, errs := c.db("user", "verify", "nobody@example.org"); status != exitInvalid || !strings.Contains(errs, "no account") {
		t.Errorf("user verify of an unknown address: %d %s", status, errs)
	}
	if st, _ := c.verify(); st != exitOK {
		t.Error("the audit chain does not verify after user verify")
	}
}
