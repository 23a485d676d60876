package web

import (
	"net/http"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"rcmguard/internal/app"
	"rcmguard/internal/notify"
	"rcmguard/internal/notify/mailpittest"
)

// acceptAsNewAccount opens an invitation link in a fresh browser, chooses
// a password and enrols TOTP: what anyone holding the link can do. It
// returns the signed-in browser and the TOTP secret.
func (e *testEnv) acceptAsNewAccount(path, password string) (*client, string) {
	e.t.Helper()
	b := e.newBrowser()
	b.get(path)
	resp, body := b.post(path, url.Values{"password": {password}, "confirm": {password}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/login/enrol" {
		e.t.Fatalf("accept %s: %d %q\n%s", path, resp.StatusCode, resp.Header.Get("Location"), body)
	}
	_, body = b.get("/login/enrol")
	m := totpSecretRE.FindStringSubmatch(body)
	if m == nil {
		e.t.Fatal("no TOTP secret on the enrolment page")
	}
	secret := strings.ReplaceAll(m[1], " ", "")
	if resp, _ := b.post("/login/enrol", url.Values{"code": {e.code(secret)}}); resp.StatusCode != http.StatusOK {
		e.t.Fatalf("enrol: %d", resp.StatusCode)
	}
	return b, secret
}

// signInAs signs a fresh browser in with an address, password and TOTP
// secret (an account the seed did not make).
func (e *testEnv) signInAs(email, password, secret string) *client {
	e.t.Helper()
	b := e.newBrowser()
	b.get("/login")
	resp, _ := b.post("/login", url.Values{"email": {email}, "password": {password}})
	next := resp.Header.Get("Location")
	switch {
	case resp.StatusCode != http.StatusSeeOther:
		e.t.Fatalf("sign in %s: %d", email, resp.StatusCode)
	case next == "/login/enrol":
		b.get(next)
		if resp, _ := b.post(next, url.Values{"code": {e.code(secret)}}); resp.StatusCode != http.StatusOK {
			e.t.Fatalf("enrol %s: %d", email, resp.StatusCode)
		}
	default:
		b.get(next)
		if resp, _ := b.post("/login/mfa", url.Values{"method": {"totp"}, "code": {e.code(secret)}}); resp.StatusCode != http.StatusSeeOther {
			e.t.Fatalf("second factor %s: %d", email, resp.StatusCode)
		}
	}
	return b
}

// useMail gives the server a mail relay: a Mailpit for this test, reached
// with STARTTLS, and the test server's address as the public URL.
func (e *testEnv) useMail() *mailpittest.Server {
	e.t.Helper()
	mp := mailpittest.Start(e.t, mailpittest.WithTLS(true))
	sender, err := notify.NewSMTP(notify.SMTPConfig{Host: mp.Host, Port: mp.Port, From: "rcmguard@example.org",
		RootCAs: mp.RootCAs, Timeout: 10 * time.Second})
	if err != nil {
		e.t.Fatal(err)
	}
	e.srv.app = app.New(app.Config{Store: e.st, Audit: e.srv.log, Auth: e.auth, Rules: e.srv.rules, Mail: sender,
		Now: e.clock.now, PublicURL: e.ts.URL, Logger: e.srv.logger})
	return mp
}

// mailedLink is the path of the invitation link in the newest message to
// addr, once n messages have arrived.
func (e *testEnv) mailedLink(mp *mailpittest.Server, addr string, n int) string {
	e.t.Helper()
	m := mp.WaitTo(e.t, addr, n)[0]
	re := regexp.MustCompile(regexp.QuoteMeta(e.ts.URL) + `(/invite/[A-Za-z0-9_-]{43})\s`)
	got := re.FindStringSubmatch(m.Text)
	if got == nil {
		e.t.Fatalf("no invitation link in the message to %s:\n%s", addr, m.Text)
	}
	return got[1]
}

// TestPreClaimedAccountGetsNoAccess is the attack of issue 8, finding 1:
// tenant A's owner invites an address of tenant B's domain, accepts the
// copied link themselves (nothing proves the address), and waits. When
// B's owner later adds that address, the attacker's account must not get
// B's workspace — not even with B's copied link in hand. Only the link
// e-mailed to the address, accepted signed in as the account, lets it in.
func TestPreClaimedAccountGetsNoAccess(t *testing.T) {
	e := newTestEnv(t, filepath.Join(t.TempDir(), "rcmguard.db"))
	const victim = "x@b.example"
	const attackerPassword = "attacker chosen passphrase 1"
	wsA, wsB := e.ws["A"].ID, e.ws["B"].ID

	ownerA := e.signIn("A:owner")
	link, _ := inviteFromPage(t, ownerA, wsA, url.Values{"email": {victim}, "role": {"auditor"}})
	_, secret := e.acceptAsNewAccount(linkPath(t, link), attackerPassword)
	// The attacker leaves workspace A; the account stays, unverified.
	_, body := ownerA.get(wsPath(wsA, "/members"))
	if !strings.Contains(body, victim+` <span class="meta unproven"`) {
		t.Error("the Members page does not mark the account made through a copied link as not verified")
	}
	attackerUser, err := e.st.UserByEmail(t.Context(), victim)
	if err != nil {
		t.Fatal(err)
	}
	if resp, _ := ownerA.post(wsPath(wsA, "/members/"+itoa(attackerUser.ID)+"/remove"), nil); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("remove from A: %d", resp.StatusCode)
	}

	// B's owner adds the address, as they would for their new colleague.
	ownerB := e.signIn("B:owner")
	ownerB.get(wsPath(wsB, "/members"))
	resp, body := ownerB.post(wsPath(wsB, "/members"), url.Values{"email": {victim}, "role": {"compliance_officer"}})
	if resp.StatusCode >= 400 {
		t.Fatalf("B's owner adding %s: %d", victim, resp.StatusCode)
	}
	copied := inviteLinkRE.FindStringSubmatch(body)
	if copied == nil || !strings.Contains(body, `id="invite-link-proves-nothing"`) {
		t.Fatal("without a relay B's owner gets no link to copy, or is not told what it proves")
	}

	attacker := e.signInAs(victim, attackerPassword, secret)
	noAccess := func(when string) {
		t.Helper()
		for _, p := range []string{"", "/model", "/risks", "/audit"} {
			if resp, _ := attacker.get(wsPath(wsB, p)); resp.StatusCode != http.StatusNotFound {
				t.Errorf("%s: the pre-claimed account opening B's %q: %d; want 404", when, p, resp.StatusCode)
			}
		}
		if _, err := e.st.Membership(t.Context(), wsB, attackerUser.ID); err == nil {
			t.Errorf("%s: the pre-claimed account is a member of B", when)
		}
	}
	noAccess("after B's owner added the address")

	// Even holding B's copied link (say, talked out of B's owner), the
	// unverified account cannot accept it.
	resp, body = attacker.get(linkPath(t, copied[1]))
	if resp.StatusCode != http.StatusConflict || !strings.Contains(body, `id="invite-unproven"`) || strings.Contains(body, `id="invite-join"`) {
		t.Errorf("the unverified account opening B's copied link: %d; want the refusal page", resp.StatusCode)
	}
	resp, _ = attacker.post(linkPath(t, copied[1]), url.Values{"intent": {"join"}})
	if resp.StatusCode != http.StatusConflict {
		t.Errorf("the unverified account accepting B's copied link: %d; want 409", resp.StatusCode)
	}
	noAccess("after trying B's copied link")

	// B's server gets a relay; the owner sends the invitation again. The
	// link now goes only to the mailbox, and the copied one stops working.
	mp := e.useMail()
	inv, err := e.st.PendingInvitations(t.Context(), wsB, e.clock.now())
	if err != nil || len(inv) != 1 {
		t.Fatalf("pending invitations of B: %v, %v", inv, err)
	}
	ownerB.get(wsPath(wsB, "/members"))
	resp, body = ownerB.post(wsPath(wsB, "/members/invitations/"+itoa(inv[0].ID)+"/resend"), nil)
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "on its way to "+victim) || strings.Contains(body, `id="invite-link"`) {
		t.Fatalf("resend by e-mail: %d; want the notice and no link shown", resp.StatusCode)
	}
	if resp, _ := attacker.get(linkPath(t, copied[1])); resp.StatusCode != http.StatusNotFound {
		t.Errorf("the copied link after the resend: %d; want 404", resp.StatusCode)
	}
	noAccess("after the invitation was mailed")

	mailed := e.mailedLink(mp, victim, 1)
	if resp, body := e.newBrowser().get(mailed); resp.StatusCode != http.StatusConflict || !strings.Contains(body, `id="invite-sign-in"`) {
		t.Errorf("the mailed link opened without signing in: %d; want the sign-in page", resp.StatusCode)
	}
	// The person who reads x@b.example's mail and holds the account accepts.
	resp, body = attacker.get(mailed)
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, `id="invite-join"`) {
		t.Fatalf("the account opening the mailed link: %d\n%s", resp.StatusCode, body)
	}
	resp, _ = attacker.post(mailed, url.Values{"intent": {"join"}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != wsPath(wsB, "") {
		t.Fatalf("accepting the mailed link: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if resp, _ := attacker.get(wsPath(wsB, "/audit")); resp.StatusCode != http.StatusOK {
		t.Errorf("B's new compliance officer reading the audit log: %d", resp.StatusCode)
	}
	if _, body := ownerB.get(wsPath(wsB, "/members")); strings.Contains(body, victim+` <span class="meta unproven"`) {
		t.Error("the address is still marked not verified after the mailed link was accepted")
	}
}

// TestMembersPageSameForEveryAddress: the owner adding an address that has
// an account and one that has none gets the same page, the same status and
// the same pending row, with and without a relay.
func TestMembersPageSameForEveryAddress(t *testing.T) {
	for _, mail := range []bool{false, true} {
		t.Run(map[bool]string{false: "copied link", true: "e-mail"}[mail], func(t *testing.T) {
			e := newTestEnv(t, filepath.Join(t.TempDir(), "rcmguard.db"))
			if mail {
				e.useMail()
			}
			ws := e.ws["A"].ID
			owner := e.signIn("A:owner")
			owner.get(wsPath(ws, "/members"))
			existing := e.users["B:auditor"].Email // has an account, in another tenant
			fresh := "nobody@example.org"          // has none
			// Each address is invited in a page of its own, then the
			// pages are compared with the address, the link and the
			// rows that list earlier invitations taken out.
			normal := func(body, email string) string {
				body = strings.ReplaceAll(body, email, "ADDRESS")
				body = inviteLinkRE.ReplaceAllString(body, "LINK")
				body = csrfRE.ReplaceAllString(body, "CSRF")
				body = regexp.MustCompile(`/members/invitations/\d+/`).ReplaceAllString(body, "/members/invitations/ID/")
				return body
			}
			var pages, statuses []string
			for _, email := range []string{existing, fresh} {
				resp, body := owner.post(wsPath(ws, "/members"), url.Values{"email": {email}, "role": {"contributor"}})
				statuses = append(statuses, resp.Status)
				pages = append(pages, normal(body, email))
				// Revoke it so the next page lists the same rows.
				list, _ := e.st.PendingInvitations(t.Context(), ws, e.clock.now())
				owner.post(wsPath(ws, "/members/invitations/"+itoa(list[0].ID)+"/revoke"), nil)
			}
			if !strings.Contains(pages[0], `id="invited"`) || !strings.Contains(pages[0], "ADDRESS") {
				t.Fatalf("the page after adding does not say what became of ADDRESS:\n%s", pages[0])
			}
			if statuses[0] != statuses[1] || pages[0] != pages[1] {
				t.Errorf("statuses %v; the pages differ:\n--- existing\n%s\n--- new\n%s", statuses, pages[0], pages[1])
			}
			if _, err := e.st.Membership(t.Context(), ws, e.users["B:auditor"].ID); err == nil {
				t.Error("the existing account became a member by being added")
			}
		})
	}
}
