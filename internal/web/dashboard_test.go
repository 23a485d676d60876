package web

import (
	"fmt"
	"net/http"
	"net/url"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"rcmguard/examples"
	"rcmguard/internal/risk"
)

var (
	heatLinkRE = regexp.MustCompile(`<a href="/w/\d+/risks\?likelihood=([a-z_]+)&amp;impact=([a-z_]+)&amp;status=open" aria-label="[^"]*">(\d+)</a>`)
	decidedRE  = regexp.MustCompile(`<strong>(\d+) of (\d+)</strong> risks decided · (\d+) still to review`)
)

// TestDashboardSaysWhatToDoNext: the dashboard counts decided and
// undecided risks from the decisions as they stand, says when the next
// review is due, warns when the model or the decisions changed after the
// latest assessment (and stops once it is run again), links each heat-map
// square to the register filtered to it, and draws the trend with axes.
func TestDashboardSaysWhatToDoNext(t *testing.T) {
	e := newTestEnv(t, filepath.Join(t.TempDir(), "rcmguard.db"))
	ws := e.ws["A"].ID
	b := e.signIn("A:compliance_officer")
	decided := func() (int, int, int) {
		t.Helper()
		_, body := b.get(wsPath(ws, ""))
		m := decidedRE.FindStringSubmatch(body)
		if m == nil {
			t.Fatalf("the dashboard shows no progress:\n%s", body)
		}
		d, _ := strconv.Atoi(m[1])
		n, _ := strconv.Atoi(m[2])
		u, _ := strconv.Atoi(m[3])
		return d, n, u
	}
	d0, n, u0 := decided()
	_, res, _, _ := e.srv.app.Latest(t.Context(), ws)
	if n != len(res.Risks) || d0+u0 != n {
		t.Fatalf("progress %d decided + %d undecided of %d; the assessment has %d risks", d0, u0, n, len(res.Risks))
	}
	_, body := b.get(wsPath(ws, ""))
	if strings.Contains(body, `id="stale"`) {
		t.Error("a fresh assessment is shown as out of date")
	}
	asOf, _ := time.Parse(time.DateOnly, res.AsOf)
	if want := fmtDate(asOf.AddDate(1, 0, 0)); !strings.Contains(body, `<dd id="review-due">`+want) {
		t.Errorf("the next review is not shown as due on %s", want)
	}

	// A decision on an undecided risk counts at once, and says that it
	// applies at the next run.
	var undecided string
	for _, r := range res.Risks {
		if r.Status == risk.Unchecked {
			undecided = r.ID
			break
		}
	}
	p := wsPath(ws, "/risks/"+url.PathEscape(undecided))
	b.get(p)
	e.clock.advance(time.Minute)
	if resp, _ := b.post(p, url.Values{"status": {"in_progress"}, "owner": {"Practice manager"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("decide: %d", resp.StatusCode)
	}
	if d1, _, u1 := decided(); d1 != d0+1 || u1 != u0-1 {
		t.Errorf("after one decision: %d decided, %d undecided; want %d and %d", d1, u1, d0+1, u0-1)
	}
	_, body = b.get(wsPath(ws, ""))
	if !strings.Contains(body, `id="stale"`) || !strings.Contains(body, "1 decision saved since then applies at the next run") {
		t.Error("the dashboard does not say a decision waits for the next run")
	}

	// The model changes: the banner says so; a new run clears it.
	e.clock.advance(time.Minute)
	data, _ := examples.FS.ReadFile("practice.yaml")
	if err := importModel(t, e.srv, ws, e.users["A:owner"].ID, data); err != nil {
		t.Fatal(err)
	}
	_, body = b.get(wsPath(ws, ""))
	if !strings.Contains(body, "The model changed after the last assessment") {
		t.Error("no banner after the model changed")
	}
	e.clock.advance(time.Minute)
	if _, err := e.runAssessment(t.Context(), ws, e.users["A:owner"].ID); err != nil {
		t.Fatal(err)
	}
	_, body = b.get(wsPath(ws, ""))
	if strings.Contains(body, `id="stale"`) {
		t.Error("the banner stays after a new assessment")
	}

	// Every square with risks links to the register filtered to it, by
	// level slugs, and the counts add up to the open risks.
	_, res, _, _ = e.srv.app.Latest(t.Context(), ws)
	sum := 0
	for _, m := range heatLinkRE.FindAllStringSubmatch(body, -1) {
		l, err1 := risk.ParseLevel(m[1])
		i, err2 := risk.ParseLevel(m[2])
		if err1 != nil || err2 != nil {
			t.Errorf("heat link with levels %q, %q", m[1], m[2])
			continue
		}
		k, _ := strconv.Atoi(m[3])
		if k != res.Summary.HeatMap[l][i] {
			t.Errorf("square %s × %s links %d risks; the result has %d", m[1], m[2], k, res.Summary.HeatMap[l][i])
		}
		// The register behind the link lists exactly the square's risks.
		_, reg := b.get(wsPath(ws, "/risks?likelihood="+m[1]+"&impact="+m[2]+"&status=open"))
		if want := fmt.Sprintf(`id="register-count">%d of `, k); !strings.Contains(reg, want) {
			t.Errorf("square %s × %s: the register it links to does not list its %d risks", m[1], m[2], k)
		}
		sum += k
	}
	if sum == 0 || sum != res.Summary.Open {
		t.Errorf("heat-map links add up to %d; %d risks are open", sum, res.Summary.Open)
	}

	// The trend: two versions on the axis, the axis titles, a description.
	for _, want := range []string{`class="axistitle">Assessment version</text>`, `>Open risks</text>`, `>v1</text>`, `>v2</text>`,
		`<desc id="trend-desc">From `, `class="tick">0</text>`} {
		if !strings.Contains(body, want) {
			t.Errorf("the trend chart lacks %s", want)
		}
	}
}

func TestTrendAxis(t *testing.T) {
	for n, want := range map[int]int{0: 1, 1: 1, 2: 2, 3: 5, 7: 10, 11: 20, 42: 50, 120: 200, 501: 1000} {
		if got := roundUp(n); got != want {
			t.Errorf("roundUp(%d) = %d; want %d", n, got, want)
		}
	}
	var rows []assessmentRow
	for v := 12; v >= 1; v-- {
		r := assessmentRow{Open: v * 3}
		r.A.Version = v
		rows = append(rows, r)
	}
	pts, _, top, ticks := trend(rows)
	if top != 50 || len(ticks) != 3 || ticks[0].Y != trendBottom || ticks[2].Y != trendTop {
		t.Errorf("top %d, ticks %+v", top, ticks)
	}
	labelled := 0
	for i, p := range pts {
		if p.Label {
			labelled++
		}
		if i > 0 && p.X <= pts[i-1].X {
			t.Errorf("points out of order: %+v", pts)
		}
	}
	if labelled > 8 || !pts[len(pts)-1].Label || pts[0].Version != 1 {
		t.Errorf("%d versions labelled (newest labelled: %v); want at most 8 and the newest", labelled, pts[len(pts)-1].Label)
	}
}
