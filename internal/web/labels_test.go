package web

import (
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"rcmguard/internal/assess"
	"rcmguard/internal/auth"
	"rcmguard/internal/labels"
	"rcmguard/internal/model"
)

// modelEnums lists the values of every enum type reachable from the model.
func modelEnums() map[string][]string {
	out := map[string][]string{}
	seen := map[reflect.Type]bool{}
	var walk func(t reflect.Type)
	walk = func(t reflect.Type) {
		for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Map {
			t = t.Elem()
		}
		if seen[t] {
			return
		}
		seen[t] = true
		if t.Implements(enumType) {
			out[t.Name()] = reflect.Zero(t).Interface().(enumer).Enum()
			return
		}
		if t.Kind() == reflect.Struct {
			for i := range t.NumField() {
				walk(t.Field(i).Type)
			}
		}
	}
	walk(reflect.TypeOf(model.Model{}))
	return out
}

// TestEveryEnumHasALabel: every value of every enum of the model reads as
// words, never as the code ("vendor_saas", "ehr"). A value named in
// valueLabels passes; one that falls back to humanCode is listed, so that
// a new enum's values are named on purpose.
func TestEveryEnumHasALabel(t *testing.T) {
	enums := modelEnums()
	if len(enums) < 10 {
		t.Fatalf("found only %d enum types in the model: the walk is broken", len(enums))
	}
	var fallback []string
	for typ, vs := range enums {
		for _, v := range vs {
			l := Label(v)
			if l == v || strings.Contains(l, "_") || l == "" {
				t.Errorf("%s value %q is labelled %q", typ, v, l)
			}
			if _, ok := labels.Values()[v]; !ok {
				fallback = append(fallback, typ+"."+v+" → "+l)
			}
		}
	}
	if len(fallback) > 0 {
		slices.Sort(fallback)
		t.Logf("named by the fallback (add them to valueLabels): %s", strings.Join(fallback, "; "))
	}
	for v, want := range map[string]string{"https_api": "HTTPS API", "payment_posting_followup": "Payment posting and follow-up",
		"vendor_saas": "Vendor-hosted (SaaS)", "ehr": "EHR", "some_saas_api": "Some SaaS API"} {
		if got := Label(v); got != want {
			t.Errorf("Label(%q) = %q, want %q", v, got, want)
		}
	}
}

func TestElementName(t *testing.T) {
	for _, c := range []struct {
		ref  assess.ElementRef
		want string
	}{
		{assess.ElementRef{Kind: "client", ID: "c-04", Label: "client c-04 (Prairie Cardiology)"}, "Prairie Cardiology"},
		{assess.ElementRef{Kind: "system", ID: "efax", Label: "system efax (Cloud fax (eFaxPro))"}, "Cloud fax (eFaxPro)"},
		{assess.ElementRef{Kind: "system", ID: "nas", Label: "system nas"}, "nas"},
		{assess.ElementRef{Kind: "org", ID: "org", Label: "the organisation (Keystone)"}, "Keystone"},
		{assess.ElementRef{Kind: "policy", ID: "p-dr", Label: "policy p-dr (disaster_recovery)"}, "Disaster recovery"},
		{assess.ElementRef{Kind: "role", ID: "it", Label: "IT's access to NAS"}, "IT's access to NAS"},
	} {
		if got := ElementName(c.ref); got != c.want {
			t.Errorf("ElementName(%q) = %q, want %q", c.ref.Label, got, c.want)
		}
	}
}

var (
	emailRE = regexp.MustCompile(`\S+@\S+\.\w+`)
	// riskIDRE is a stable risk ID ("CLI-02@c-04", "ANSWER@164.310(a)").
	riskIDRE = regexp.MustCompile(`^[A-Z][A-Z0-9]*(?:-[0-9]+)?@\S+$`)
)

// codesIn lists the words of a text that are codes: a snake_case value,
// or a one-word code that is no English word ("ehr"). A word is what
// stands between spaces, less the punctuation around it, so that an
// address (sftp.example:22) or an ID (f-claims-sftp) is not one.
func codesIn(text string) []string {
	var out []string
	for _, w := range strings.Fields(text) {
		w = strings.Trim(w, "()[]{},;:.!?“”\"'")
		if snakeWordRE.MatchString(w) || rawWords[w] {
			out = append(out, w)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

var (
	snakeWordRE = regexp.MustCompile(`^[a-z][a-z0-9]*(?:_[a-z0-9]+)+$`)
	rawWords    = map[string]bool{"ehr": true, "sftp": true, "ftps": true, "vpn": true, "oauth": true, "saas": true, "as2": true}
)

// TestWhySentences: the reason of every risk of both example models reads
// as a sentence: no "attribute = value", no code.
func TestWhySentences(t *testing.T) {
	e := newTestEnv(t, filepath.Join(t.TempDir(), "rcmguard.db"))
	n := 0
	for _, key := range []string{"A", "B"} {
		rows, err := e.srv.history(t.Context(), e.ws[key].ID)
		if err != nil {
			t.Fatal(err)
		}
		res, err := e.srv.app.Result(t.Context(), rows[0].A)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range res.Risks {
			w := Why(r)
			n++
			switch {
			case w == "":
				t.Errorf("%s: no sentence for %q", r.ID, r.Why)
			case strings.Contains(w, " = "), len(codesIn(w)) > 0:
				t.Errorf("%s: %q reads as code", r.ID, w)
			case !strings.HasSuffix(w, "."):
				t.Errorf("%s: %q is not a sentence", r.ID, w)
			}
		}
	}
	if n < 50 {
		t.Fatalf("only %d risks checked", n)
	}
}

// checkedPages are the route patterns TestNoRawCodes holds to "names, not
// codes": the dashboard, the workspaces list, My work, the register and
// plan (a workspace's and a billing company's across clients), the
// portfolio, the risk page, the assessments, the model, the incidents,
// the evidence, the audit log, the members, tokens and account pages. The
// full report (/w/{ws}/assessments/{a}/report), which internal/report
// renders for every reader of the analysis, is walked but not checked.
var checkedPages = []string{
	"/w/{ws}",
	"/w/{ws}/risks/{risk}",
	"/w/{ws}/assessments",
	"/w/{ws}/assessments/{a}",
	"/w/{ws}/assessments/{a}/summary",
	"/w/{ws}/assessments/diff",
	"/w/{ws}/model",
	"/w/{ws}/model/organization",
	"/w/{ws}/model/flows/new",
	"/w/{ws}/model/flows/{flow}",
	"/w/{ws}/model/s/{section}",
	"/w/{ws}/model/s/{section}/new",
	"/w/{ws}/model/s/{section}/{id}",
	"/",
	"/my-work",
	"/w/{ws}/risks",
	"/w/{ws}/plan",
	"/w/{ws}/portfolio",
	"/w/{ws}/clients/risks",
	"/w/{ws}/clients/plan",
	"/w/{ws}/incidents",
	"/w/{ws}/evidence",
	"/w/{ws}/evidence/{set}",
	"/w/{ws}/audit",
	"/w/{ws}/members",
	"/w/{ws}/tokens",
	"/account",
	"/w/{ws}/assessments/{a}/report",
}

// pageText is the text a person reads on a page, and the text of each link.
// Code blocks, text areas and the small secondary IDs (class "rid") are
// left out: there, codes are what is meant.
func pageText(doc *html.Node) (text string, links []string) {
	var b strings.Builder
	var walk func(n *html.Node, into *strings.Builder)
	walk = func(n *html.Node, into *strings.Builder) {
		if n.Type == html.ElementNode {
			switch n.Data {
			case "script", "style", "code", "pre", "textarea", "template", "title":
				return
			}
			for _, a := range n.Attr {
				if a.Key == "class" && slices.Contains(strings.Fields(a.Val), "rid") {
					return
				}
			}
			if n.Data == "a" {
				var lb strings.Builder
				for c := n.FirstChild; c != nil; c = c.NextSibling {
					walk(c, &lb)
				}
				links = append(links, strings.TrimSpace(lb.String()))
				into.WriteString(lb.String())
				return
			}
		}
		if n.Type == html.TextNode {
			into.WriteString(n.Data)
			into.WriteString(" ")
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, into)
		}
	}
	walk(doc, &b)
	return b.String(), links
}

// TestNoRawCodes walks every page reachable by links as each role, in
// every kind of workspace, and fails on a checked page (checkedPages)
// that shows a code of the model as text (a snake_case value, "ehr") or
// a link whose only text is a risk ID. Every checked route must be
// reached.
func TestNoRawCodes(t *testing.T) {
	e := newTestEnv(t, filepath.Join(t.TempDir(), "rcmguard.db"))
	e.newEvidenceSet("B")
	if _, err := e.runAssessment(t.Context(), e.ws["C"].ID, e.users["B:owner"].ID); err != nil {
		t.Fatal(err)
	}
	patternOf := getPattern(e.srv)
	kindOf := map[string]string{}
	for _, w := range e.ws {
		kindOf[fmt.Sprintf("%d", w.ID)] = w.Kind
	}
	seen := map[string]bool{}
	var problems []string
	for _, r := range auth.Roles {
		b := e.signIn("B:" + string(r))
		done := map[string]bool{}
		queue := []string{"/"}
		for len(queue) > 0 {
			u := queue[0]
			queue = queue[1:]
			resp, body := b.get(u)
			if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
				continue
			}
			doc, err := html.Parse(strings.NewReader(body))
			if err != nil {
				t.Fatalf("%s: %v", u, err)
			}
			pat := patternOf(u)
			if slices.Contains(checkedPages, pat) {
				seen[pat] = true
				text, links := pageText(doc)
				text = emailRE.ReplaceAllString(text, "")
				for _, m := range codesIn(text) {
					problems = append(problems, fmt.Sprintf("%s as %s shows the code %q", u, r, m))
				}
				for _, l := range links {
					if riskIDRE.MatchString(l) {
						problems = append(problems, fmt.Sprintf("%s as %s links with only the risk ID %q", u, r, l))
					}
				}
			}
			for _, l := range links(doc) {
				l, _, _ = strings.Cut(l, "#")
				if !strings.HasPrefix(l, "/") || strings.HasPrefix(l, "//") || strings.HasPrefix(l, "/static/") {
					continue
				}
				pu, err := url.Parse(l)
				if err != nil {
					continue
				}
				p := patternOf(pu.Path)
				if p == "" || skipOnPhone(p) {
					continue
				}
				ws, _, _ := strings.Cut(strings.TrimPrefix(pu.Path, "/w/"), "/")
				key := p + " " + kindOf[ws] + " ?" + strings.Join(slices.Sorted(maps.Keys(pu.Query())), "&")
				if strings.HasPrefix(p, "/w/{ws}/model/s/{section}") {
					key += " " + pu.Path // every section, not only the first
				}
				if !done[key] {
					done[key] = true
					queue = append(queue, l)
				}
			}
		}
	}
	slices.Sort(problems)
	for _, p := range slices.Compact(problems) {
		t.Error(p)
	}
	for _, p := range checkedPages {
		if !seen[p] && patternOf(strings.NewReplacer("{ws}", "1", "{risk}", "x", "{a}", "1", "{flow}", "f", "{section}", "s", "{id}", "i").Replace(p)) == p {
			t.Errorf("%s: no role reached it by a link; the check did not cover it", p)
		}
	}
}

// links lists where a page leads: its links, and its GET forms (the
// assessment comparison) as they stand, without their values.
func links(doc *html.Node) []string {
	var out []string
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		attr := func(k string) string {
			for _, a := range n.Attr {
				if a.Key == k {
					return a.Val
				}
			}
			return ""
		}
		switch {
		case n.Type != html.ElementNode:
		case n.Data == "a":
			out = append(out, attr("href"))
		case n.Data == "form" && strings.EqualFold(attr("method"), "get"):
			out = append(out, attr("action"))
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	return out
}
