package cli

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"rcmguard/internal/store"
)

var (
	demoLinkRE = regexp.MustCompile(`(?m)^  (\S.*?)\s+(http://\S+)(/demo/sign-in/\S+)$`)
	demoDirRE  = regexp.MustCompile(`Demo data in (\S+) \(`)
)

// TestDemoSignInLinks runs `rcmguard demo`: it prints a link per role,
// each of which signs that account in fully, once. Then `rcmguard serve`
// on the demo's own database answers the same links 404: the route is
// the demo's alone.
func TestDemoSignInLinks(t *testing.T) {
	t.Setenv("RCMGUARD_KEY", "")
	t.Setenv("RCMGUARD_KEY_FILE", "")
	t.Setenv("RCMGUARD_DB", "")
	base, out, stop := startServer(t, "demo", "--addr", "127.0.0.1:0")
	text := out.String()
	links, dir := demoLinkRE.FindAllStringSubmatch(text, -1), demoDirRE.FindStringSubmatch(text)
	if len(links) != len(demoRoles) || dir == nil {
		t.Fatalf("want %d sign-in links and the data directory in:\n%s", len(demoRoles), text)
	}
	noFollow := func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	get := func(c *http.Client, url string) *http.Response {
		t.Helper()
		resp, err := c.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	for i, l := range links {
		if l[1] != roleName(demoRoles[i].role) || l[2] != base {
			t.Errorf("link %d is %q for %q; want one for the %s on %s", i, l[2]+l[3], l[1], roleName(demoRoles[i].role), base)
		}
		jar, _ := cookiejar.New(nil)
		c := &http.Client{Jar: jar, CheckRedirect: noFollow}
		if resp := get(c, base+l[3]); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/" {
			t.Fatalf("%s's link: %d to %q", l[1], resp.StatusCode, resp.Header.Get("Location"))
		}
		// Signed in with both factors: the home page, not a sign-in step.
		if resp := get(c, base+"/"); resp.StatusCode != http.StatusOK {
			t.Errorf("%s after the link: / answers %d to %q", l[1], resp.StatusCode, resp.Header.Get("Location"))
		}
		if i == 0 {
			checkClientLinks(t, c, base)
		}
		if resp := get(c, base+l[3]); resp.StatusCode != http.StatusNotFound {
			t.Errorf("%s's link used twice: %d, want 404", l[1], resp.StatusCode)
		}
	}
	if st := stop(); st != exitOK {
		t.Fatalf("demo exit status %d", st)
	}

	base, _, stop = startServer(t, "serve", "--addr", "127.0.0.1:0", "--db", filepath.Join(dir[1], "rcmguard.db"),
		"--key-file", filepath.Join(dir[1], "key"))
	c := &http.Client{CheckRedirect: noFollow}
	for _, l := range append(links, []string{"", "", "", "/demo/sign-in/" + strings.Repeat("A", 26)}) {
		if resp := get(c, base+l[3]); resp.StatusCode != http.StatusNotFound {
			t.Errorf("serve answers %s with %d, want 404", l[3], resp.StatusCode)
		}
	}
	if st := stop(); st != exitOK {
		t.Errorf("serve exit status %d", st)
	}
}

// checkClientLinks: the billing company's client list leads to the
// client workspaces the demo made, and only to those.
func checkClientLinks(t *testing.T, c *http.Client, base string) {
	t.Helper()
	body := func(path string) string {
		t.Helper()
		resp, err := c.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d", path, resp.StatusCode)
		}
		return string(b)
	}
	home := body("/")
	ids := map[string]string{}
	for _, dw := range demoWorkspaces {
		m := regexp.MustCompile(`href="/w/(\d+)"><strong>` + regexp.QuoteMeta(dw.name) + `<`).FindStringSubmatch(home)
		if m == nil {
			t.Fatalf("no link to %q on the home page", dw.name)
		}
		ids[dw.name] = m[1]
	}
	for _, bc := range demoWorkspaces {
		if bc.kind != store.KindBillingCompany {
			continue
		}
		list := body("/w/" + ids[bc.name] + "/model/s/clients")
		clients := 0
		for _, dw := range demoWorkspaces {
			if dw.parent != bc.name {
				continue
			}
			clients++
			if want := `<a href="/w/` + ids[dw.name] + `">` + dw.name + `</a>`; !strings.Contains(list, want) {
				t.Errorf("%s's client list lacks %s", bc.name, want)
			}
		}
		if n := strings.Count(list, `<td><a href="/w/`); n != clients {
			t.Errorf("%s's client list links %d workspaces; the demo made %d clients", bc.name, n, clients)
		}
	}
}
