package probe

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"rcmguard/internal/escape"
	"rcmguard/internal/evidence"
)

// WriteText prints each endpoint with its findings, worst first, as
// `rcmguard probe` shows them to a person. Summaries quote what the servers
// said (banners, greetings, errors) and the model names the endpoints:
// every string is escaped, so a server cannot drive the terminal.
func WriteText(w io.Writer, results []Result) error {
	var b strings.Builder
	printf := func(format string, args ...any) {
		for i, a := range args {
			if s, ok := a.(string); ok {
				args[i] = escape.Text(s)
			}
		}
		fmt.Fprintf(&b, format, args...)
	}
	counts := map[evidence.Severity]int{}
	for i, r := range results {
		if i > 0 {
			b.WriteString("\n")
		}
		printf("%s %s", r.Protocol, r.Address)
		if r.Element != "" {
			printf(" (%s)", r.Element)
		}
		b.WriteString("\n")
		for _, d := range r.Details() {
			printf("  %s\n", d)
		}
		facts := slices.Clone(r.Facts)
		slices.SortStableFunc(facts, func(a, c evidence.Fact) int {
			ra, _ := a.Severity.Rank()
			rc, _ := c.Severity.Rank()
			return rc - ra
		})
		for _, f := range facts {
			printf("  %-8s %-24s %s\n", string(f.Severity), f.Check, f.Summary)
			if f.Check == CheckUnreachable {
				printf("  %-8s %-24s %s\n", "", "", f.Attrs["error"])
			}
			if f.Severity != evidence.SeverityInfo {
				counts[f.Severity]++
			}
		}
	}
	var parts []string
	for _, s := range []evidence.Severity{evidence.SeverityCritical, evidence.SeverityHigh, evidence.SeverityMedium, evidence.SeverityLow} {
		if counts[s] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", counts[s], s))
		}
	}
	summary := "no findings"
	if len(parts) > 0 {
		summary = "findings: " + strings.Join(parts, ", ")
	}
	fmt.Fprintf(&b, "\n%d endpoint(s) probed; %s\n", len(results), summary)
	_, err := io.WriteString(w, b.String())
	return err
}
