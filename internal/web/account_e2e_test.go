package web

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/webauthn"
	"github.com/chromedp/chromedp"
	"github.com/pquerna/otp/totp"
)

// TestBrowserSecurityKey drives Chrome with a virtual authenticator (a
// CTAP2 platform key with user verification): add a key on the account
// page, sign out, sign in with the password and the key, remove the key.
// Browsers refuse an IP address as the relying party, so the page is
// opened at localhost, which the server trusts as its own address.
func TestBrowserSecurityKey(t *testing.T) {
	ctx := newChrome(t)
	e := newTestEnv(t, filepath.Join(t.TempDir(), "rcmguard.db"))
	u := e.users["A:compliance_officer"]
	base := strings.Replace(e.ts.URL, "127.0.0.1", "localhost", 1)
	C := func(s string) chromedp.CSS { return chromedp.CSS(s) }
	do := func(what string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, steps...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	text := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Text(C(sel)))
		if err != nil {
			t.Fatalf("text of %s: %v", sel, err)
		}
		return s
	}
	code := func() string {
		t.Helper()
		e.clock.advance(31 * time.Second)
		c, err := totp.GenerateCode(u.Secret, e.clock.now())
		if err != nil {
			t.Fatal(err)
		}
		return c
	}

	var authenticator webauthn.AuthenticatorID
	do("sign in and enrol the authenticator app",
		chromedp.Navigate(base+"/login"),
		chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
			if _, err := chromedp.Call(ctx, webauthn.Enable, webauthn.EnableParams{}); err != nil {
				return err
			}
			res, err := chromedp.Call(ctx, webauthn.AddVirtualAuthenticator, webauthn.AddVirtualAuthenticatorParams{
				Options: &webauthn.VirtualAuthenticatorOptions{Protocol: webauthn.AuthenticatorProtocolCtap2,
					Transport: webauthn.AuthenticatorTransportInternal, HasUserVerification: true, IsUserVerified: true,
					AutomaticPresenceSimulation: true}})
			authenticator = res.AuthenticatorID
			return err
		}),
		chromedp.SendKeys(C("#email"), u.Email),
		chromedp.SendKeys(C("#password"), u.Password),
		chromedp.Submit(C("#password")),
		chromedp.WaitVisible(C("#totp-secret")),
	)
	do("confirm the first code",
		chromedp.SendKeys(C("#code"), code()),
		chromedp.Submit(C("#code")),
		chromedp.WaitVisible(C("#recovery-codes")),
		chromedp.Click(C("#continue")),
		chromedp.WaitVisible(C("#account-link")),
	)

	do("add a security key on the account page",
		chromedp.Click(C("#account-link")),
		chromedp.WaitVisible(C("#key-name")),
		chromedp.SendKeys(C("#key-name"), "Laptop passkey"),
		chromedp.Click(C("#add-key")),
		chromedp.WaitVisible(C("#account-notice")),
	)
	if got := text("#keys tbody"); !strings.Contains(got, "Laptop passkey") {
		t.Fatalf("keys listed after adding one: %q", got)
	}
	do("read the virtual authenticator", chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		res, err := chromedp.Call(ctx, webauthn.GetCredentials, webauthn.GetCredentialsParams{AuthenticatorID: authenticator})
		if err == nil && len(res.Credentials) != 1 {
			t.Errorf("the virtual authenticator holds %d credentials; want 1", len(res.Credentials))
		}
		return err
	}))

	do("sign out",
		chromedp.Click(C("header .who button")),
		chromedp.WaitVisible(C("#email")),
	)
	do("sign in with the password and the security key",
		chromedp.SendKeys(C("#email"), u.Email),
		chromedp.SendKeys(C("#password"), u.Password),
		chromedp.Submit(C("#password")),
		chromedp.WaitVisible(C("#use-key")),
		chromedp.Click(C("#use-key")),
		chromedp.WaitVisible(C("table.heat")), // the one workspace's dashboard
	)
	keys, err := e.auth.Keys(t.Context(), u.ID)
	if err != nil || len(keys) != 1 || keys[0].LastUsed.IsZero() || len(keys[0].Transports) == 0 {
		t.Fatalf("stored keys after signing in with one: %+v (%v)", keys, err)
	}

	do("remove the key",
		chromedp.Click(C("#account-link")),
		chromedp.WaitVisible(C("#keys")),
		chromedp.Click(C("#keys button.danger")),
		chromedp.WaitVisible(C("#account-notice")),
	)
	if got := text("#keys tbody"); !strings.Contains(got, "No security keys") {
		t.Fatalf("keys listed after removing the only one: %q", got)
	}
	if keys, err := e.auth.Keys(t.Context(), u.ID); err != nil || len(keys) != 0 {
		t.Fatalf("stored keys after removal: %d (%v)", len(keys), err)
	}
}
