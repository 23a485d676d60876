package web

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"rcmguard/internal/app"
	"rcmguard/internal/auth"
	"rcmguard/internal/store"
	"rcmguard/internal/store/storetest"
)

var (
	inviteLinkRE = regexp.MustCompile(`id="invite-link">([^<]+)<`)
	totpSecretRE = regexp.MustCompile(`id="totp-secret"[^>]*>([A-Z2-7 ]+)<`)
)

const genericInvite = "This invitation link is not valid any more — ask your workspace owner for a new one."

// newInvitation makes a pending invitation to a tenant's workspace from
// its owner, for routes that need an invitation's ID.
func (e *testEnv) newInvitation(tenant string) store.Invitation {
	e.t.Helper()
	inv, _ := e.invite(tenant, "invited-"+errorID()+"@example.org", auth.RoleContributor)
	return inv
}

// newInvitationLink makes a pending invitation and returns its link token.
func (e *testEnv) newInvitationLink(tenant string) string {
	e.t.Helper()
	_, token := e.invite(tenant, "invited-"+errorID()+"@example.org", auth.RoleContributor)
	return token
}

func (e *testEnv) invite(tenant, email string, role auth.Role) (store.Invitation, string) {
	e.t.Helper()
	owner := e.users[tenant+":owner"]
	got, err := e.srv.app.Invite(context.Background(), store.User{ID: owner.ID, Email: owner.Email}, e.ws[tenant].ID,
		app.InviteRequest{Email: email, Role: role})
	if err != nil || got.Token == "" {
		e.t.Fatalf("invite %s: %+v, %v", email, got, err)
	}
	return got.Invitation, got.Token
}

// inviteFromPage has a signed-in owner invite an address through the
// Members page and returns the link shown and the page.
func inviteFromPage(t *testing.T, owner *client, ws int64, form url.Values) (string, string) {
	t.Helper()
	owner.get(wsPath(ws, "/members"))
	resp, body := owner.post(wsPath(ws, "/members"), form)
	m := inviteLinkRE.FindStringSubmatch(body)
	if resp.StatusCode != http.StatusOK || m == nil {
		t.Fatalf("invite %s: status %d, link shown: %v", form.Get("email"), resp.StatusCode, m != nil)
	}
	return m[1], body
}

// linkPath is the path of an invitation link, for the test server.
func linkPath(t *testing.T, link string) string {
	t.Helper()
	u, err := url.Parse(link)
	if err != nil || !strings.HasPrefix(u.Path, "/invite/") {
		t.Fatalf("not an invitation link: %v", err)
	}
	return u.Path
}

// tablesContaining lists the tables where some value contains needle:
// every column of every table of the database, whatever the dialect.
func (e *testEnv) tablesContaining(needle string) []string {
	e.t.Helper()
	db := e.st.DB()
	q := `SELECT name FROM sqlite_master WHERE type = 'table'`
	if e.st.Postgres() {
		q = `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()`
	}
	rows, err := db.Query(q)
	if err != nil {
		e.t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			e.t.Fatal(err)
		}
		tables = append(tables, n)
	}
	rows.Close()
	if len(tables) < 10 {
		e.t.Fatalf("found only %d tables to search", len(tables))
	}
	var hits []string
	for _, name := range tables {
		rows, err := db.Query(`SELECT * FROM ` + name)
		if err != nil {
			e.t.Fatal(err)
		}
		cols, _ := rows.Columns()
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				e.t.Fatal(err)
			}
			for _, v := range vals {
				s := fmt.Sprint(v)
				if b, ok := v.([]byte); ok {
					s = string(b)
				}
				if strings.Contains(s, needle) && !slices.Contains(hits, name) {
					hits = append(hits, name)
				}
			}
		}
		rows.Close()
	}
	return hits
}

// TestInviteAcceptEnrolAndJoin is the whole path: the owner invites an
// address without an account, sees the link once, the person opens it in
// a new browser, sets a password, is taken to the mandatory TOTP
// enrolment, enrols, and finds the workspace with the invited role. On
// both databases.
func TestInviteAcceptEnrolAndJoin(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dsn string) {
		e := newTestEnv(t, dsn)
		ctx := context.Background()
		ws := e.ws["A"].ID
		ownerUser := e.users["A:owner"]
		owner := e.signIn("A:owner")
		before := e.auditSeq()

		link, body := inviteFromPage(t, owner, ws, url.Values{"email": {" Newcomer@Example.org "}, "role": {"compliance_officer"}})
		path := linkPath(t, link)
		token := strings.TrimPrefix(path, "/invite/")
		if link != e.ts.URL+path {
			t.Errorf("link %q does not start with the address the owner uses", link)
		}
		if len(token) < 43 {
			t.Errorf("token of %d characters; want 256 bits", len(token))
		}
		if !strings.Contains(body, "newcomer@example.org") || !strings.Contains(body, "not be shown again") {
			t.Error("the page does not say who is invited and that the link is shown once")
		}
		// Shown once: the list has the invitation, not the link.
		_, body = owner.get(wsPath(ws, "/members"))
		if strings.Contains(body, token) {
			t.Fatal("the Members page shows the invitation link again")
		}
		_, row, _ := strings.Cut(body, `id="invitations"`)
		for _, want := range []string{"newcomer@example.org", "Compliance officer", ownerUser.Email, "30 Nov 2026 09:00 UTC", "Revoke"} {
			if !strings.Contains(row, want) {
				t.Errorf("pending invitations lack %q", want)
			}
		}
		if _, err := e.st.UserByEmail(ctx, "newcomer@example.org"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("an account exists before the invitation is accepted: %v", err)
		}

		// The invited person, in a browser of their own.
		b := e.newBrowser()
		resp, body := b.get(path)
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, `value="newcomer@example.org" readonly`) ||
			!strings.Contains(body, "Tenant A practice") || !strings.Contains(body, "Compliance officer") {
			t.Fatalf("invitation page: %d\n%s", resp.StatusCode, body)
		}
		// A forged form is refused, and the log names the route, not the link.
		if resp, _ := b.post(path, url.Values{"csrf": {"forged"}, "password": {"x"}}); resp.StatusCode != http.StatusForbidden ||
			!strings.Contains(e.logs(), "path=/invite/…") {
			t.Errorf("forged acceptance: %d; want 403, logged without the token", resp.StatusCode)
		}
		resp, _ = b.post(path, url.Values{"password": {"correct horse battery staple 99"}, "confirm": {"correct horse battery staple 99"}})
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/login/enrol" {
			t.Fatalf("accept: %d %q; want 303 to /login/enrol", resp.StatusCode, resp.Header.Get("Location"))
		}
		u, err := e.st.UserByEmail(ctx, "newcomer@example.org")
		if err != nil || !strings.HasPrefix(u.PasswordHash, "$argon2id$") || u.MFAEnrolled {
			t.Fatalf("new account = %v; want an argon2id hash and MFA not yet enrolled", err)
		}
		if m, err := e.st.Membership(ctx, ws, u.ID); err != nil || m.Role != string(auth.RoleComplianceOfficer) {
			t.Fatalf("membership = %+v, %v; want compliance officer", m, err)
		}
		// Two-step verification is not optional: the workspace waits for it.
		if resp, _ := b.get(wsPath(ws, "")); resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login") {
			t.Errorf("workspace before enrolment: %d %q; want a redirect to the code pages", resp.StatusCode, resp.Header.Get("Location"))
		}
		resp, body = b.get("/login/enrol")
		m := totpSecretRE.FindStringSubmatch(body)
		if resp.StatusCode != http.StatusOK || m == nil {
			t.Fatalf("enrolment page: %d, secret shown: %v", resp.StatusCode, m != nil)
		}
		resp, body = b.post("/login/enrol", url.Values{"code": {e.code(strings.ReplaceAll(m[1], " ", ""))}})
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, `id="recovery-codes"`) {
			t.Fatalf("enrol: %d; want the recovery codes", resp.StatusCode)
		}
		resp, _ = b.get("/")
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != wsPath(ws, "") {
			t.Fatalf("home: %d %q; want the one workspace", resp.StatusCode, resp.Header.Get("Location"))
		}
		resp, body = b.get(wsPath(ws, ""))
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, `<span class="role">Compliance officer</span>`) {
			t.Errorf("dashboard of the new member: %d; want their role shown", resp.StatusCode)
		}
		if resp, _ := b.get(wsPath(ws, "/audit")); resp.StatusCode != http.StatusOK {
			t.Errorf("the new compliance officer reading the audit log: %d", resp.StatusCode)
		}
		if resp, _ := b.get(wsPath(ws, "/members")); resp.StatusCode != http.StatusForbidden {
			t.Errorf("the new compliance officer on the Members page: %d; want 403", resp.StatusCode)
		}

		// The link worked once: it is now the generic page, and gone from the list.
		other := e.newBrowser()
		resp, body = other.get(path)
		if resp.StatusCode != http.StatusNotFound || !strings.Contains(body, genericInvite) || strings.Contains(body, "newcomer") {
			t.Errorf("used link: %d; want the generic page", resp.StatusCode)
		}
		other.get("/login")
		resp, body = other.post(path, url.Values{"password": {"another good passphrase 77"}, "confirm": {"another good passphrase 77"}})
		if resp.StatusCode != http.StatusNotFound || !strings.Contains(body, genericInvite) {
			t.Errorf("accepting a used link again: %d; want the generic page", resp.StatusCode)
		}
		if _, body := owner.get(wsPath(ws, "/members")); strings.Contains(body, `id="invitations"`) {
			t.Error("the accepted invitation is still listed as pending")
		}

		// The audit trail, in order, each in the workspace; nowhere the token.
		rows, err := e.st.AuditEntries(ctx, before, 100)
		if err != nil {
			t.Fatal(err)
		}
		var actions []string
		for _, r := range rows {
			actions = append(actions, r.Action)
			switch r.Action {
			case "invite.create":
				if r.Actor != "user:"+itoa(ownerUser.ID) || r.WorkspaceID != ws || !strings.Contains(r.Details, "n…@example.org") {
					t.Errorf("invite.create entry = %+v", r)
				}
			case "invite.accept", "user.create":
				if r.Actor != "user:"+itoa(u.ID) || r.WorkspaceID != ws || !strings.Contains(r.Details, "compliance_officer") {
					t.Errorf("%s entry = %+v", r.Action, r)
				}
			case "invite.accept.fail":
				if r.Actor != "anonymous" || r.WorkspaceID != ws || !strings.Contains(r.Details, `"used"`) {
					t.Errorf("refused reuse entry = %+v", r)
				}
			}
		}
		want := []string{"invite.create", "user.create", "invite.accept", "invite.accept.fail"}
		var got []string
		for _, a := range actions {
			if strings.HasPrefix(a, "invite.") || a == "user.create" {
				got = append(got, a)
			}
		}
		if !slices.Equal(got, want) {
			t.Errorf("audit trail %v; want %v among %v", got, want, actions)
		}
		sum := sha256.Sum256([]byte(token))
		hash := hex.EncodeToString(sum[:])
		if hits := e.tablesContaining(token); len(hits) != 0 {
			t.Errorf("the invitation token is stored in clear in %v", hits)
		}
		if hits := e.tablesContaining(hash); !slices.Equal(hits, []string{"invitations"}) {
			t.Errorf("the token's hash is in %v; want only in invitations", hits)
		}
		if strings.Contains(e.logs(), token) {
			t.Error("the server log carries the invitation token")
		}
	})
}

// TestInviteWeakPasswordCreatesNothing: the password policy is the one of
// every other password, its reason shows beside the field, and a refused
// password leaves no trace but the page.
func TestInviteWeakPasswordCreatesNothing(t *testing.T) {
	e := newTestEnv(t, filepath.Join(t.TempDir(), "rcmguard.db"))
	ctx := context.Background()
	inv, token := e.invite("A", "weak@example.org", auth.RoleContributor)
	b := e.newBrowser()
	b.get("/invite/" + token)
	before := e.auditSeq()
	for _, tc := range []struct {
		name, pw, confirm, field, reason string
	}{
		{"too short", "short pass", "short pass", "password", "at least 15 characters"},
		{"repeated pattern", "abcabcabcabcabcabc", "abcabcabcabcabcabc", "password", "one short pattern repeated"},
		{"context words", "weak@example.org tenant practice", "weak@example.org tenant practice", "password", "your e-mail address"},
		{"not the same twice", "correct horse battery staple 99", "correct horse battery staple 98", "confirm", "not the same"},
		{"empty", "", "", "password", "Choose a password"},
	} {
		resp, body := b.post("/invite/"+token, url.Values{"password": {tc.pw}, "confirm": {tc.confirm}})
		_, errText, _ := strings.Cut(body, `id="`+tc.field+`-err">`)
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(errText, tc.reason) ||
			!strings.Contains(body, `aria-describedby="`+tc.field+`-err"`) {
			t.Errorf("%s: %d; want 422 with %q beside the %s field", tc.name, resp.StatusCode, tc.reason, tc.field)
		}
		if tc.pw != "" && strings.Contains(body, tc.pw) {
			t.Errorf("%s: the page repeats the password typed", tc.name)
		}
	}
	if _, err := e.st.UserByEmail(ctx, "weak@example.org"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("an account was created with a refused password: %v", err)
	}
	if got, _ := e.st.Invitation(ctx, e.ws["A"].ID, inv.ID); !got.Pending(e.clock.now()) {
		t.Errorf("the invitation is no longer pending after refused passwords: %+v", got)
	}
	if after := e.auditSeq(); after != before {
		t.Errorf("refused passwords changed state: audit head moved from %d to %d", before, after)
	}
	// The same link still works with a good password.
	resp, _ := b.post("/invite/"+token, url.Values{"password": {"correct horse battery staple 99"}, "confirm": {"correct horse battery staple 99"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Errorf("good password after refusals: %d; want 303", resp.StatusCode)
	}
}

// TestInviteLinksThatNoLongerWork: unknown, used, expired, revoked and
// replaced links all get the very same page, and none creates anything.
func TestInviteLinksThatNoLongerWork(t *testing.T) {
	e := newTestEnv(t, filepath.Join(t.TempDir(), "rcmguard.db"))
	ctx := context.Background()
	ws := e.ws["A"].ID
	good := func() url.Values { // fresh each time: post adds the browser's CSRF token
		return url.Values{"password": {"correct horse battery staple 99"}, "confirm": {"correct horse battery staple 99"}}
	}

	_, used := e.invite("A", "used@example.org", auth.RoleContributor)
	b := e.newBrowser()
	b.get("/invite/" + used)
	if resp, _ := b.post("/invite/"+used, good()); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("first use: %d", resp.StatusCode)
	}

	expiredInv, expired := e.invite("A", "late@example.org", auth.RoleAuditor)
	e.clock.advance(auth.InvitationLifetime - time.Minute)
	if resp, _ := e.newBrowser().get("/invite/" + expired); resp.StatusCode != http.StatusOK {
		t.Fatalf("a minute before expiry: %d; want the form", resp.StatusCode)
	}
	e.clock.advance(time.Minute)

	revokedInv, revoked := e.invite("A", "revoked@example.org", auth.RoleContributor)
	owner := e.signIn("A:owner") // after the clock moved three days
	_, body := owner.get(wsPath(ws, "/members"))
	if !strings.Contains(body, "revoked@example.org") || strings.Contains(body, "late@example.org") {
		t.Error("the pending list shows the expired invitation or lacks the new one")
	}
	before := e.auditSeq()
	resp, _ := owner.post(wsPath(ws, "/members/invitations/"+itoa(revokedInv.ID)+"/revoke"), nil)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("revoke: %d", resp.StatusCode)
	}
	if got := e.auditSince(before); !slices.Equal(got, []string{"invite.revoke"}) {
		t.Errorf("audit after revoking: %v", got)
	}
	if _, body := owner.get(wsPath(ws, "/members")); strings.Contains(body, "revoked@example.org") {
		t.Error("the revoked invitation is still listed")
	}
	if resp, _ := owner.post(wsPath(ws, "/members/invitations/"+itoa(revokedInv.ID)+"/revoke"), nil); resp.StatusCode != http.StatusConflict {
		t.Errorf("revoking twice: %d; want 409", resp.StatusCode)
	}

	// Inviting an address again replaces its pending link.
	first, _ := inviteFromPage(t, owner, ws, url.Values{"email": {"twice@example.org"}, "role": {"contributor"}})
	second, _ := inviteFromPage(t, owner, ws, url.Values{"email": {"twice@example.org"}, "role": {"auditor"}})
	if _, body := owner.get(wsPath(ws, "/members")); strings.Count(body, `<th scope="row">twice@example.org</th>`) != 1 {
		t.Error("two pending invitations for one address")
	}
	if resp, _ := e.newBrowser().get(linkPath(t, second)); resp.StatusCode != http.StatusOK {
		t.Errorf("the new link: %d; want the form", resp.StatusCode)
	}

	pages := map[string]string{}
	for name, p := range map[string]string{
		"unknown":  "/invite/" + strings.Repeat("A", 43),
		"short":    "/invite/x",
		"used":     "/invite/" + used,
		"expired":  "/invite/" + expired,
		"revoked":  "/invite/" + revoked,
		"replaced": linkPath(t, first),
	} {
		v := e.newBrowser()
		resp, body := v.get(p)
		if resp.StatusCode != http.StatusNotFound || !strings.Contains(body, genericInvite) || strings.Contains(body, "<form method=\"post\" action=\"/invite") {
			t.Errorf("%s link: %d; want the generic page without a form", name, resp.StatusCode)
		}
		pages[name] = body
		v.get("/login")
		resp, body = v.post(p, good())
		if resp.StatusCode != http.StatusNotFound || !strings.Contains(body, genericInvite) {
			t.Errorf("accepting the %s link: %d; want the generic page", name, resp.StatusCode)
		}
	}
	for name, body := range pages {
		if body != pages["unknown"] {
			t.Errorf("the %s link's page differs from an unknown link's: it tells the cases apart", name)
		}
	}
	for _, email := range []string{"late@example.org", "revoked@example.org", "twice@example.org"} {
		if _, err := e.st.UserByEmail(ctx, email); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("%s got an account through a link that no longer works: %v", email, err)
		}
	}
	if got, _ := e.st.Invitation(ctx, ws, expiredInv.ID); !got.Used.IsZero() {
		t.Error("the expired invitation was marked used")
	}
	// Each refused acceptance is audited with its reason.
	rows, _ := e.st.AuditEntries(ctx, 0, 1000)
	reasons := map[string]bool{}
	for _, r := range rows {
		if r.Action == "invite.accept.fail" {
			reasons[r.Details] = true
		}
	}
	for _, want := range []string{"unknown", "used", "expired", "revoked"} {
		if !reasons[`{"reason":"`+want+`"}`] {
			t.Errorf("no audited refusal for a %s link among %v", want, reasons)
		}
	}
}

// TestInviteAccountCreatedMeanwhile: when the invited address got an
// account after the invitation, the link creates no second account: it
// asks the person to sign in, and the account (made by an administrator,
// so its address is vouched for) joins signed in.
func TestInviteAccountCreatedMeanwhile(t *testing.T) {
	e := newTestEnv(t, filepath.Join(t.TempDir(), "rcmguard.db"))
	ctx := context.Background()
	ws := e.ws["A"].ID
	_, token := e.invite("A", "racer@example.org", auth.RoleOwner)
	b := e.newBrowser()
	b.get("/invite/" + token)
	u, enr, err := e.auth.CreateUser(ctx, auth.NewUser{Email: "racer@example.org", Password: testPassword,
		Workspace: e.ws["B"].Name, Role: auth.RoleContributor, Actor: "test"}, e.clock.now())
	if err != nil {
		t.Fatal(err)
	}
	resp, body := b.post("/invite/"+token, url.Values{"password": {"correct horse battery staple 99"}, "confirm": {"correct horse battery staple 99"}})
	if resp.StatusCode != http.StatusConflict || !strings.Contains(body, `id="invite-exists"`) || !strings.Contains(body, "already exists") ||
		!strings.Contains(body, "open this link again") {
		t.Fatalf("accepting for an address with an account: %d\n%s", resp.StatusCode, body)
	}
	if _, err := e.st.Membership(ctx, ws, u.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("the existing account joined through the invitation: %v", err)
	}
	if got, _ := e.st.User(ctx, u.ID); got.PasswordHash == "" || !strings.HasPrefix(got.PasswordHash, "$argon2id$") {
		t.Error("the existing account's password changed")
	}
	if last := e.lastAudit(); last.Action != "invite.accept.fail" || !strings.Contains(last.Details, "account exists") {
		t.Errorf("last audit entry = %s %s; want the refusal", last.Action, last.Details)
	}
	// Signed in as that account, the same link joins it.
	racer := e.signInAs("racer@example.org", testPassword, enr.Secret)
	resp, body = racer.get("/invite/" + token)
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, `id="invite-join"`) {
		t.Fatalf("the account opening the link: %d\n%s", resp.StatusCode, body)
	}
	resp, _ = racer.post("/invite/"+token, url.Values{"intent": {"join"}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != wsPath(ws, "") {
		t.Fatalf("join: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if m, err := e.st.Membership(ctx, ws, u.ID); err != nil || m.Role != string(auth.RoleOwner) {
		t.Errorf("membership after joining = %+v, %v", m, err)
	}
	if resp, _ := racer.get(wsPath(ws, "/members")); resp.StatusCode != http.StatusOK {
		t.Errorf("the new owner on the Members page: %d", resp.StatusCode)
	}
}

// TestInviteOnlyOwnersAndOnlyTheirWorkspace: other roles cannot invite or
// revoke, and an owner cannot revoke another workspace's invitation by
// guessing its ID.
func TestInviteOnlyOwnersAndOnlyTheirWorkspace(t *testing.T) {
	e := newTestEnv(t, filepath.Join(t.TempDir(), "rcmguard.db"))
	ctx := context.Background()
	ws := e.ws["A"].ID
	mine := e.newInvitation("A")
	theirs := e.newInvitation("B")
	browsers := map[auth.Role]*client{}
	for _, role := range auth.Roles {
		browsers[role] = e.signIn("A:" + string(role))
		browsers[role].get(wsPath(ws, ""))
	}
	before := e.auditSeq()
	for _, role := range []auth.Role{auth.RoleComplianceOfficer, auth.RoleContributor, auth.RoleAuditor} {
		b := browsers[role]
		if resp, _ := b.post(wsPath(ws, "/members"), url.Values{"email": {"sneaky@example.org"}, "role": {"owner"}}); resp.StatusCode != http.StatusForbidden {
			t.Errorf("%s inviting: %d; want 403", role, resp.StatusCode)
		}
		if resp, _ := b.post(wsPath(ws, "/members/invitations/"+itoa(mine.ID)+"/revoke"), nil); resp.StatusCode != http.StatusForbidden {
			t.Errorf("%s revoking: %d; want 403", role, resp.StatusCode)
		}
	}
	owner := browsers[auth.RoleOwner]
	owner.get(wsPath(ws, "/members"))
	for _, id := range []string{itoa(theirs.ID), "999999", "abc", "-1"} {
		if resp, _ := owner.post(wsPath(ws, "/members/invitations/"+id+"/revoke"), nil); resp.StatusCode != http.StatusNotFound {
			t.Errorf("tenant A's owner revoking invitation %q: %d; want 404", id, resp.StatusCode)
		}
	}
	if resp, _ := owner.post(wsPath(e.ws["B"].ID, "/members/invitations/"+itoa(theirs.ID)+"/revoke"), nil); resp.StatusCode != http.StatusNotFound {
		t.Errorf("tenant A's owner revoking in tenant B's workspace: %d; want 404", resp.StatusCode)
	}
	if after := e.auditSeq(); after != before {
		t.Errorf("refused requests changed state: audit head moved from %d to %d", before, after)
	}
	for _, inv := range []store.Invitation{mine, theirs} {
		if got, _ := e.st.Invitation(ctx, inv.WorkspaceID, inv.ID); !got.Pending(e.clock.now()) {
			t.Errorf("invitation %d is no longer pending", inv.ID)
		}
	}
	if list, _ := e.st.PendingInvitations(ctx, ws, e.clock.now()); len(list) != 1 {
		t.Errorf("workspace A has %d pending invitations; want only the owner's one", len(list))
	}
}

// TestInviteXSS puts the payload in an invited address (it has no spaces,
// so it is a plausible one) and in a refused one, and renders every page
// that shows them: the Members page with its link and list, and the page
// the link opens.
func TestInviteXSS(t *testing.T) {
	e := newTestEnv(t, filepath.Join(t.TempDir(), "rcmguard.db"))
	ws := e.ws["A"].ID
	owner := e.signIn("A:owner")
	owner.get(wsPath(ws, "/members"))
	bodies := map[string]string{}
	resp, body := owner.post(wsPath(ws, "/members"), url.Values{"email": {xss}, "role": {"contributor"}})
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("the payload as an address: %d; want 422", resp.StatusCode)
	}
	bodies["refused address"] = body
	link, body := inviteFromPage(t, owner, ws, url.Values{"email": {`"'><script>alert(1)</script>@example.org`}, "role": {"contributor"}})
	bodies["link shown"] = body
	_, bodies["pending list"] = owner.get(wsPath(ws, "/members"))
	_, bodies["invitation page"] = e.newBrowser().get(linkPath(t, link))
	for what, body := range bodies {
		if unescaped(body) {
			t.Errorf("%s: the payload is not escaped", what)
		}
		if !strings.Contains(body, "&lt;script&gt;alert(1)") {
			t.Errorf("%s: the payload does not show at all; the test is not reaching it", what)
		}
	}
}
