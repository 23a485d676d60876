package report

import (
	"bytes"
	"flag"
	"html/template"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"rcmguard/internal/assess"
	"rcmguard/internal/model"
	"rcmguard/internal/rules"
)

var update = flag.Bool("update", false, "rewrite golden files")

var examples = map[string]string{
	"practice":        "../../examples/practice.yaml",
	"billing-company": "../../examples/billing-company.yaml",
}

func run(t *testing.T, path string) *assess.Result {
	t.Helper()
	m, err := model.LoadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	set, err := rules.Load(rules.Builtin())
	if err != nil {
		t.Fatal(err)
	}
	res, err := assess.Run(assess.Input{Model: m, Rules: set, Now: time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC), Tool: "rcmguard test"})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// TestGolden renders every example in every format and compares with the
// files in testdata/, regenerated only with -update.
func TestGolden(t *testing.T) {
	for name, path := range examples {
		res := run(t, path)
		for _, format := range Formats {
			t.Run(name+"."+format, func(t *testing.T) {
				var buf bytes.Buffer
				if err := Write(&buf, res, format); err != nil {
					t.Fatal(err)
				}
				golden := filepath.Join("testdata", name+"."+format)
				if *update {
					if err := os.WriteFile(golden, buf.Bytes(), 0o644); err != nil {
						t.Fatal(err)
					}
				}
				want, err := os.ReadFile(golden)
				if err != nil {
					t.Fatalf("%v (run go test ./internal/report -update)", err)
				}
				if !bytes.Equal(buf.Bytes(), want) {
					t.Errorf("%s differs from the golden file; if the change is intended, run go test ./internal/report -update and review the diff", golden)
				}
			})
		}
	}
}

// TestHTMLSelfContained: the report must open offline and make no request.
func TestHTMLSelfContained(t *testing.T) {
	res := run(t, examples["billing-company"])
	var buf bytes.Buffer
	if err := HTML(&buf, res); err != nil {
		t.Fatal(err)
	}
	html := buf.String()
	for _, bad := range []string{"<script", "<link", "<iframe", "<img", "@import", "url(http"} {
		if strings.Contains(strings.ToLower(html), bad) {
			t.Errorf("report contains %q", bad)
		}
	}
	external := regexp.MustCompile(`(?i)(src|href)\s*=\s*"(https?:)?//`)
	if m := external.FindString(html); m != "" {
		t.Errorf("report links outside itself: %s", m)
	}
	for _, section := range []string{`id="scope"`, `id="ocr"`, `id="inventory"`, `id="diagram"`, `id="risks"`, `id="plan"`, `id="coverage"`, `id="questions"`, `id="signoff"`, "<svg", "@media print"} {
		if !strings.Contains(html, section) {
			t.Errorf("report lacks %s", section)
		}
	}
	for _, r := range res.Risks {
		if !strings.Contains(html, `id="risk-`+r.ID+`"`) {
			t.Errorf("risk %s missing from the report", r.ID)
		}
	}
	for _, c := range res.Coverage {
		if !strings.Contains(html, "<td>"+c.Citation+"</td>") {
			t.Errorf("coverage row %s missing", c.Citation)
		}
	}
}

// TestHTMLEscapes model text: a model is user input, and the report must
// not turn it into markup.
func TestHTMLEscapes(t *testing.T) {
	res := run(t, examples["practice"])
	payload := `<script>alert(1)</script>"'&`
	res.Organization.Name = payload
	res.Inventory.Systems[0].Name = payload
	res.Inventory.Flows[0].FromName = payload
	res.Inventory.Stages[0].Title = payload
	var buf bytes.Buffer
	if err := HTML(&buf, res); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(buf.String(), "<script>alert(1)") {
		t.Fatal("model text reached the report unescaped")
	}
}

// TestScopeInEveryReport: the report states whether the analysis covers
// all of the organisation's ePHI or only a billing company's own
// operation, and what the model puts in and out of scope (OCR's first
// element of a risk analysis).
func TestScopeInEveryReport(t *testing.T) {
	for name, want := range map[string]struct{ html, text string }{
		"practice":        {"<strong>Enterprise scope:</strong>", "Scope: enterprise"},
		"billing-company": {"<strong>Billing scope:</strong>", "Scope: billing"},
	} {
		res := run(t, examples[name])
		if len(res.Assessment.OutOfScope) == 0 {
			t.Fatalf("%s: the example states nothing out of scope; the check would not see it", name)
		}
		for format, w := range map[string]string{"html": want.html, "text": want.text} {
			var buf bytes.Buffer
			if err := Write(&buf, res, format); err != nil {
				t.Fatal(err)
			}
			out := buf.String()
			if !strings.Contains(out, w) {
				t.Errorf("%s %s: no %q", name, format, w)
			}
			first := res.Assessment.OutOfScope[0]
			if format == "html" {
				first = template.HTMLEscapeString(first)
			}
			if !strings.Contains(out, first) {
				t.Errorf("%s %s: the out-of-scope statement %q is not printed", name, format, res.Assessment.OutOfScope[0])
			}
		}
	}
}
