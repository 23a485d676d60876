package app_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"rcmguard/internal/app"
	"rcmguard/internal/audit"
	"rcmguard/internal/auth"
	"rcmguard/internal/notify"
	"rcmguard/internal/notify/mailpittest"
	"rcmguard/internal/store"
	"rcmguard/internal/store/storetest"
)

const (
	publicURL = "https://rcmguard.example.org"
	password  = "correct horse battery staple 42"
)

// inviteFixture is two tenants on a real database: workspace A with an owner and
// a contributor, workspace B with an owner.
type inviteFixture struct {
	t      *testing.T
	st     *store.Store
	log    *audit.Log
	auth   *auth.Service
	now    time.Time
	mu     sync.Mutex
	ws     map[string]store.Workspace
	users  map[string]store.User
	mailer *mailpittest.Server
}

func newInviteFixture(t *testing.T, dsn string) *inviteFixture {
	t.Helper()
	kr := storetest.Keyring(t)
	f := &inviteFixture{t: t, st: storetest.Open(t, dsn, kr), log: audit.New(kr),
		now: time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC), ws: map[string]store.Workspace{}, users: map[string]store.User{}}
	f.auth = auth.New(f.st, f.log, auth.Config{Params: auth.Params{Time: 1, Memory: 8 * 1024, Threads: 1}})
	ctx := context.Background()
	for _, u := range []struct {
		key, email, ws string
		role           auth.Role
	}{
		{"A:owner", "owner@a.example", "Tenant A practice", auth.RoleOwner},
		{"A:contributor", "helper@a.example", "Tenant A practice", auth.RoleContributor},
		{"B:owner", "owner@b.example", "Tenant B billing", auth.RoleOwner},
	} {
		created, _, err := f.auth.CreateUser(ctx, auth.NewUser{Email: u.email, Password: password, Workspace: u.ws,
			Role: u.role, Actor: "test"}, f.now)
		if err != nil {
			t.Fatal(err)
		}
		f.users[u.key] = created
		w, err := f.st.WorkspaceByName(ctx, u.ws)
		if err != nil {
			t.Fatal(err)
		}
		f.ws[u.key[:1]] = w
	}
	return f
}

func (f *inviteFixture) clock() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

func (f *inviteFixture) advance(d time.Duration) {
	f.mu.Lock()
	f.now = f.now.Add(d)
	f.mu.Unlock()
}

// app returns an App that copies links (mail nil) or mails them.
func (f *inviteFixture) app(mail notify.Sender) *app.App {
	return app.New(app.Config{Store: f.st, Audit: f.log, Auth: f.auth, Mail: mail, Now: f.clock, PublicURL: publicURL,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
}

// mailing starts Mailpit with STARTTLS required and returns a sender to it.
func (f *inviteFixture) mailing() *notify.SMTP {
	f.t.Helper()
	f.mailer = mailpittest.Start(f.t, mailpittest.WithTLS(true))
	s, err := notify.NewSMTP(notify.SMTPConfig{Host: f.mailer.Host, Port: f.mailer.Port, From: "rcmguard@example.org",
		RootCAs: f.mailer.RootCAs, Timeout: 10 * time.Second})
	if err != nil {
		f.t.Fatal(err)
	}
	return s
}

var mailedLinkRE = regexp.MustCompile(regexp.QuoteMeta(publicURL) + `/invite/([A-Za-z0-9_-]{43})\n`)

// mailedToken reads the newest invitation mailed to addr and returns its
// token, failing when n messages have not arrived.
func (f *inviteFixture) mailedToken(addr string, n int) (string, mailpittest.Message) {
	f.t.Helper()
	m := f.mailer.WaitTo(f.t, addr, n)[0]
	got := mailedLinkRE.FindStringSubmatch(strings.ReplaceAll(m.Text, "\r\n", "\n"))
	if got == nil {
		f.t.Fatalf("no invitation link in the message to %s:\n%s", addr, m.Text)
	}
	return got[1], m
}

func (f *inviteFixture) auditTail(since int64) []store.AuditRow {
	f.t.Helper()
	rows, err := f.st.AuditEntries(context.Background(), since, 1000)
	if err != nil {
		f.t.Fatal(err)
	}
	return rows
}

func (f *inviteFixture) auditSeq() int64 {
	rows := f.auditTail(0)
	if len(rows) == 0 {
		return 0
	}
	return rows[len(rows)-1].Seq
}

func (f *inviteFixture) member(ws string, u store.User) bool {
	f.t.Helper()
	_, err := f.st.Membership(context.Background(), f.ws[ws].ID, u.ID)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		f.t.Fatal(err)
	}
	return err == nil
}

func (f *inviteFixture) proven(u store.User) bool {
	f.t.Helper()
	at, err := f.st.EmailVerified(context.Background(), u.ID)
	if err != nil {
		f.t.Fatal(err)
	}
	return !at.IsZero()
}

// TestPreClaimingAcrossTenants is finding 1 of issue 8 end to end at the
// use-case level, with real mail: tenant A's owner invites x@b.example
// without a relay, accepts the copied link themselves and keeps the
// account; B's owner, with a relay, adds x@b.example. The attacker's
// account gets nothing; only the link mailed to x@b.example, accepted
// signed in as the account, brings it in.
func TestPreClaimingAcrossTenants(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dsn string) {
		f := newInviteFixture(t, dsn)
		ctx := context.Background()
		const victim = "x@b.example"
		copying, mailing := f.app(nil), f.app(f.mailing())

		got, err := copying.Invite(ctx, f.users["A:owner"], f.ws["A"].ID, app.InviteRequest{Email: victim, Role: auth.RoleAuditor})
		if err != nil || got.Token == "" || got.Mailed {
			t.Fatalf("A's invitation = %+v, %v; want a link to copy", got, err)
		}
		acc, err := copying.JoinWithNewAccount(ctx, got.Token, "attacker chosen passphrase 1")
		if err != nil {
			t.Fatal(err)
		}
		attacker := acc.User
		if f.proven(attacker) {
			t.Fatal("an account made through a copied link counts its address as proven")
		}

		invited, err := mailing.Invite(ctx, f.users["B:owner"], f.ws["B"].ID, app.InviteRequest{Email: victim, Role: auth.RoleComplianceOfficer})
		if err != nil || !invited.Mailed || invited.MailErr != nil || invited.Token != "" || invited.RoleChanged {
			t.Fatalf("B's invitation = %+v, %v; want mailed, the link shown to no one", invited, err)
		}
		if f.member("B", attacker) {
			t.Fatal("the pre-claimed account became a member of B without accepting")
		}
		// The attacker still holds A's used link, and may guess: neither works.
		for _, token := range []string{got.Token, strings.Repeat("A", 43), ""} {
			if _, err := mailing.JoinAsMember(ctx, attacker, token); !errors.Is(err, auth.ErrInvitationInvalid) {
				t.Errorf("joining with %q: %v; want ErrInvitationInvalid", token, err)
			}
		}
		if f.member("B", attacker) {
			t.Fatal("the pre-claimed account joined B")
		}

		// The message went to x@b.example only, and says to sign in first.
		token, msg := f.mailedToken(victim, 1)
		if len(msg.To) != 1 || msg.To[0].Address != victim || !strings.Contains(msg.Subject, "Tenant B billing") ||
			!strings.Contains(msg.Text, "Sign in to rcmguard with your account for x@b.example") ||
			!strings.Contains(msg.Text, "owner@b.example added you") || !strings.Contains(msg.Text, "a compliance officer") {
			t.Errorf("message to the existing account: %q\n%s", msg.Subject, msg.Text)
		}
		// The link opened by a visitor asks them to sign in; by another
		// account, to sign out; it does not make a second account.
		if v, err := mailing.OpenInvitation(ctx, token, nil); err != nil || v.State != app.InviteSignIn || v.Workspace.ID != f.ws["B"].ID {
			t.Errorf("visitor opening the mailed link: %+v, %v; want InviteSignIn", v.State, err)
		}
		if _, err := mailing.JoinWithNewAccount(ctx, token, "another chosen passphrase 2"); !errors.Is(err, auth.ErrAccountExists) {
			t.Errorf("a new account through the mailed link: %v; want ErrAccountExists", err)
		}
		other := f.users["A:contributor"]
		if v, _ := mailing.OpenInvitation(ctx, token, &other); v.State != app.InviteOtherAccount {
			t.Errorf("another account opening the link: state %v; want InviteOtherAccount", v.State)
		}
		if _, err := mailing.JoinAsMember(ctx, other, token); !errors.Is(err, app.ErrWrongAccount) || f.member("B", other) {
			t.Errorf("another account accepting: %v; want ErrWrongAccount and no membership", err)
		}
		// Only the mailed link, accepted signed in as the account, works;
		// and it proves the address.
		if v, _ := mailing.OpenInvitation(ctx, token, &attacker); v.State != app.InviteJoin {
			t.Errorf("the account opening the mailed link: state %v; want InviteJoin", v.State)
		}
		ws, err := mailing.JoinAsMember(ctx, attacker, token)
		if err != nil || ws.ID != f.ws["B"].ID {
			t.Fatalf("accepting the mailed link: %v", err)
		}
		if m, err := f.st.Membership(ctx, f.ws["B"].ID, attacker.ID); err != nil || m.Role != string(auth.RoleComplianceOfficer) {
			t.Errorf("membership after accepting = %+v, %v", m, err)
		}
		if !f.proven(attacker) {
			t.Error("accepting a mailed link did not prove the address")
		}
		if _, err := mailing.JoinAsMember(ctx, attacker, token); !errors.Is(err, auth.ErrInvitationInvalid) {
			t.Errorf("accepting twice: %v; want ErrInvitationInvalid", err)
		}
	})
}

// TestUnprovenAccountNeedsAMailedLink: an account whose address was never
// proven cannot join another workspace through a copied link, whoever
// holds it; the same invitation sent again by e-mail lets it in.
func TestUnprovenAccountNeedsAMailedLink(t *testing.T) {
	f := newInviteFixture(t, t.TempDir()+"/rcmguard.db")
	ctx := context.Background()
	copying := f.app(nil)
	first, err := copying.Invite(ctx, f.users["A:owner"], f.ws["A"].ID, app.InviteRequest{Email: "x@b.example", Role: auth.RoleContributor})
	if err != nil {
		t.Fatal(err)
	}
	acc, err := copying.JoinWithNewAccount(ctx, first.Token, "attacker chosen passphrase 1")
	if err != nil {
		t.Fatal(err)
	}
	u := acc.User
	inv, err := copying.Invite(ctx, f.users["B:owner"], f.ws["B"].ID, app.InviteRequest{Email: "x@b.example", Role: auth.RoleOwner})
	if err != nil || inv.Token == "" {
		t.Fatalf("copied invitation: %+v, %v", inv, err)
	}
	if v, _ := copying.OpenInvitation(ctx, inv.Token, &u); v.State != app.InviteUnproven {
		t.Errorf("state %v; want InviteUnproven", v.State)
	}
	before := f.auditSeq()
	if _, err := copying.JoinAsMember(ctx, u, inv.Token); !errors.Is(err, app.ErrAddressUnproven) || f.member("B", u) {
		t.Fatalf("unproven account with a copied link: %v; want ErrAddressUnproven", err)
	}
	if rows := f.auditTail(before); len(rows) != 1 || rows[0].Action != "invite.accept.fail" ||
		!strings.Contains(rows[0].Details, "address not proven") || rows[0].Actor != fmt.Sprintf("user:%d", u.ID) {
		t.Errorf("audit of the refusal: %+v", rows)
	}
	// The owner configures a relay and resends: the old link dies, the new
	// one goes to the address.
	mailing := f.app(f.mailing())
	again, err := mailing.ResendInvitation(ctx, f.users["B:owner"], f.ws["B"].ID, inv.Invitation.ID)
	if err != nil || !again.Mailed || again.Token != "" || again.Invitation.Delivery != store.DeliveryEmail {
		t.Fatalf("resend = %+v, %v", again, err)
	}
	if _, err := mailing.JoinAsMember(ctx, u, inv.Token); !errors.Is(err, auth.ErrInvitationInvalid) {
		t.Errorf("the replaced link: %v; want ErrInvitationInvalid", err)
	}
	token, _ := f.mailedToken("x@b.example", 1)
	if _, err := mailing.JoinAsMember(ctx, u, token); err != nil || !f.member("B", u) || !f.proven(u) {
		t.Fatalf("the mailed link: %v; want a proven member", err)
	}
	var actions []string
	for _, r := range f.auditTail(before) {
		actions = append(actions, r.Action)
	}
	if want := []string{"invite.accept.fail", "invite.resend", "invite.accept.fail", "user.email.verify", "invite.accept"}; !slices.Equal(actions, want) {
		t.Errorf("audit trail %v; want %v", actions, want)
	}
}

// TestInviteSaysTheSameForEveryAddress: inviting an address with an
// account and one without returns the same shape and writes the same audit
// entry; only the person holding the address reads which it is.
func TestInviteSaysTheSameForEveryAddress(t *testing.T) {
	for _, mail := range []bool{false, true} {
		t.Run(fmt.Sprintf("mail=%v", mail), func(t *testing.T) {
			f := newInviteFixture(t, t.TempDir()+"/rcmguard.db")
			ctx := context.Background()
			var sender notify.Sender
			if mail {
				sender = f.mailing()
			}
			a := f.app(sender)
			owner, ws := f.users["A:owner"], f.ws["A"].ID
			shape := func(email string) (string, string) {
				t.Helper()
				before := f.auditSeq()
				got, err := a.Invite(ctx, owner, ws, app.InviteRequest{Email: email, Role: auth.RoleContributor})
				if err != nil {
					t.Fatal(err)
				}
				rows := f.auditTail(before)
				if len(rows) != 1 {
					t.Fatalf("%d audit entries for inviting %s", len(rows), email)
				}
				details := strings.ReplaceAll(rows[0].Details, auth.EmailHint(email), "HINT")
				return fmt.Sprintf("changed=%v mailed=%v err=%v token=%v delivery=%s", got.RoleChanged, got.Mailed, got.MailErr,
					len(got.Token), got.Invitation.Delivery), rows[0].Action + " " + details
			}
			existing, existingAudit := shape("owner@b.example")
			fresh, freshAudit := shape("nobody@b.example")
			if existing != fresh || existingAudit != freshAudit {
				t.Errorf("an address with an account: %s / %s\nwithout: %s / %s", existing, existingAudit, fresh, freshAudit)
			}
			if f.member("A", f.users["B:owner"]) {
				t.Error("inviting an existing account made it a member")
			}
			if mail {
				_, withAccount := f.mailedToken("owner@b.example", 1)
				_, without := f.mailedToken("nobody@b.example", 1)
				if !strings.Contains(withAccount.Text, "Sign in") || !strings.Contains(without.Text, "choose your own password") {
					t.Errorf("the messages do not tell each person what to do:\n%s\n---\n%s", withAccount.Text, without.Text)
				}
			}
		})
	}
}

// TestNewAccountThroughMailedLinkIsProven: an account made through a link
// that went only to the address is bound to it.
func TestNewAccountThroughMailedLinkIsProven(t *testing.T) {
	f := newInviteFixture(t, t.TempDir()+"/rcmguard.db")
	ctx := context.Background()
	a := f.app(f.mailing())
	got, err := a.Invite(ctx, f.users["A:owner"], f.ws["A"].ID, app.InviteRequest{Email: "New@Example.org", Role: auth.RoleAuditor})
	if err != nil || got.Token != "" || !got.Invitation.Expires.Equal(f.clock().Add(auth.AuditorDefaultAccess)) {
		t.Fatalf("invite = %+v, %v", got, err)
	}
	token, msg := f.mailedToken("new@example.org", 1)
	for _, want := range []string{"owner@a.example invited you to join Tenant A practice on rcmguard as an auditor (read-only)",
		"choose your own password", "The link works once, until 30 Nov 2026 09:00 UTC", "Your access ends on 25 Feb 2027",
		"do not forward it"} {
		if !strings.Contains(strings.ReplaceAll(msg.Text, "\r\n", "\n"), want) {
			t.Errorf("the message lacks %q:\n%s", want, msg.Text)
		}
	}
	if v, err := a.OpenInvitation(ctx, token, nil); err != nil || v.State != app.InviteCreateAccount {
		t.Fatalf("open: %v, %v", v.State, err)
	}
	var pe *auth.PolicyError
	if _, err := a.JoinWithNewAccount(ctx, token, "too short"); !errors.As(err, &pe) {
		t.Errorf("weak password: %v; want a PolicyError", err)
	}
	acc, err := a.JoinWithNewAccount(ctx, token, "another fine passphrase 7")
	if err != nil || acc.SessionToken == "" || !strings.HasPrefix(acc.EnrolmentURI, "otpauth://totp/") {
		t.Fatalf("accept: %+v, %v", acc, err)
	}
	if !f.proven(acc.User) || !f.member("A", acc.User) {
		t.Error("the account made through a mailed link is not a proven member")
	}
	if u, err := f.auth.PendingUser(ctx, acc.SessionToken, f.clock()); err != nil || u.ID != acc.User.ID {
		t.Errorf("the session is not waiting for the second factor: %v", err)
	}
}

// TestInviteUseCaseRules: who may invite, role changes of members, one
// live link per address, revocation, and a relay that fails.
func TestInviteUseCaseRules(t *testing.T) {
	f := newInviteFixture(t, t.TempDir()+"/rcmguard.db")
	ctx := context.Background()
	a := f.app(nil)
	owner, ws := f.users["A:owner"], f.ws["A"].ID
	req := app.InviteRequest{Email: "someone@example.org", Role: auth.RoleContributor}

	before := f.auditSeq()
	if _, err := a.Invite(ctx, f.users["A:contributor"], ws, req); !errors.Is(err, auth.ErrForbidden) {
		t.Errorf("contributor inviting: %v; want ErrForbidden", err)
	}
	if _, err := a.Invite(ctx, f.users["B:owner"], ws, req); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("another tenant's owner inviting: %v; want ErrNotFound", err)
	}
	for _, bad := range []app.InviteRequest{
		{Email: "not an address", Role: auth.RoleContributor},
		{Email: "a@example.org", Role: "admin"},
		{Email: "a@example.org", Role: auth.RoleAuditor, Expires: f.clock()},
		{Email: " OWNER@a.example", Role: auth.RoleAuditor},
	} {
		if _, err := a.Invite(ctx, owner, ws, bad); err == nil {
			t.Errorf("Invite(%+v) succeeded", bad)
		}
	}
	if f.auditSeq() != before {
		t.Error("refused invitations wrote audit entries")
	}

	// A member's role changes at once.
	helper := f.users["A:contributor"]
	got, err := a.Invite(ctx, owner, ws, app.InviteRequest{Email: helper.Email, Role: auth.RoleComplianceOfficer})
	if err != nil || !got.RoleChanged || got.Token != "" {
		t.Fatalf("role change = %+v, %v", got, err)
	}
	if m, _ := f.st.Membership(ctx, ws, helper.ID); m.Role != string(auth.RoleComplianceOfficer) {
		t.Errorf("role after change: %s", m.Role)
	}

	// Inviting again replaces the live link.
	first, err := a.Invite(ctx, owner, ws, req)
	if err != nil {
		t.Fatal(err)
	}
	second, err := a.Invite(ctx, owner, ws, req)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.OpenInvitation(ctx, first.Token, nil); !errors.Is(err, auth.ErrInvitationInvalid) {
		t.Errorf("the replaced link: %v", err)
	}
	if list, _ := f.st.PendingInvitations(ctx, ws, f.clock()); len(list) != 1 || list[0].ID != second.Invitation.ID {
		t.Errorf("pending = %+v; want the second only", list)
	}
	// Only this workspace's owners revoke; twice is a conflict.
	if err := a.RevokeInvitation(ctx, f.users["B:owner"], ws, second.Invitation.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("another tenant revoking: %v", err)
	}
	if err := a.RevokeInvitation(ctx, owner, f.ws["B"].ID, second.Invitation.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("revoking through another workspace: %v", err)
	}
	if err := a.RevokeInvitation(ctx, owner, ws, second.Invitation.ID); err != nil {
		t.Fatal(err)
	}
	if err := a.RevokeInvitation(ctx, owner, ws, second.Invitation.ID); !errors.Is(err, store.ErrConflict) {
		t.Errorf("revoking twice: %v; want ErrConflict", err)
	}
	if _, err := a.ResendInvitation(ctx, owner, ws, second.Invitation.ID); !errors.Is(err, store.ErrConflict) {
		t.Errorf("resending a revoked invitation: %v; want ErrConflict", err)
	}
	if _, err := a.JoinWithNewAccount(ctx, second.Token, "another fine passphrase 7"); !errors.Is(err, auth.ErrInvitationInvalid) {
		t.Errorf("accepting a revoked link: %v", err)
	}
	// Expiry: a minute before it works, at it not.
	late, _ := a.Invite(ctx, owner, ws, app.InviteRequest{Email: "late@example.org", Role: auth.RoleContributor})
	f.advance(auth.InvitationLifetime - time.Minute)
	if _, err := a.OpenInvitation(ctx, late.Token, nil); err != nil {
		t.Errorf("a minute before expiry: %v", err)
	}
	f.advance(time.Minute)
	if _, err := a.JoinWithNewAccount(ctx, late.Token, "another fine passphrase 7"); !errors.Is(err, auth.ErrInvitationInvalid) {
		t.Errorf("expired link: %v", err)
	}

	// A relay that cannot be reached: the invitation is kept, the link is
	// shown to no one, the failure is reported.
	down, err := notify.NewSMTP(notify.SMTPConfig{Host: "127.0.0.1", Port: closedPort(t), Plaintext: true,
		From: "rcmguard@example.org", Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	failing := f.app(down)
	got, err = failing.Invite(ctx, owner, ws, app.InviteRequest{Email: "unlucky@example.org", Role: auth.RoleContributor})
	if err != nil || !got.Mailed || got.MailErr == nil || got.Token != "" || got.Invitation.ID == 0 {
		t.Errorf("invite with the relay down = %+v, %v; want kept, reported, not shown", got, err)
	}
	// Mail without a public URL would send links to nowhere.
	noURL := app.New(app.Config{Store: f.st, Audit: f.log, Auth: f.auth, Mail: down, Now: f.clock})
	if _, err := noURL.Invite(ctx, owner, ws, req); !errors.Is(err, app.ErrNoPublicURL) {
		t.Errorf("mail without a public URL: %v; want ErrNoPublicURL", err)
	}
}

// closedPort is a loopback port nothing listens on.
func closedPort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	return port
}
