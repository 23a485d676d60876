package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"strings"
	"testing"
	"time"

	"rcmguard/internal/store"
	"rcmguard/internal/store/storetest"
)

// bulkFacts is a facts file of n facts on targets share/bulk-000.csv …,
// their kinds taking turns (phi.dob, phi.mbi, phi.ssn) and every fiftieth
// one critical, the rest medium.
func bulkFacts(n int) []byte {
	var b bytes.Buffer
	kinds := []string{"dob", "mbi", "ssn"}
	for i := range n {
		sev := "medium"
		if i%50 == 0 {
			sev = "critical"
		}
		k := kinds[i%3]
		line, _ := json.Marshal(map[string]any{"source": "scan", "check": "phi." + k, "target": fmt.Sprintf("share/bulk-%03d.csv", i),
			"severity": sev, "summary": fmt.Sprintf("%d %s finding(s) in csv", i%7+1, k), "attrs": map[string]string{"count": fmt.Sprint(i%7 + 1)}})
		b.Write(line)
		b.WriteByte('\n')
	}
	return b.Bytes()
}

// auditDetails decodes an audit entry's details.
func auditDetails(t *testing.T, a store.AuditRow) map[string]any {
	t.Helper()
	var d map[string]any
	if err := json.Unmarshal([]byte(a.Details), &d); err != nil {
		t.Fatalf("audit details of %s: %v", a.Action, err)
	}
	return d
}

// TestEvidenceSetPage reads evidence sets' facts in the browser on each
// database: values as the API shows them, full identifiers withheld and
// said so, a page of 100 facts at a time, every read audited as the API's
// is, any role reading, and another workspace's set out of reach.
func TestEvidenceSetPage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dsn string) {
		e := newTestEnv(t, dsn)
		ctx := context.Background()
		ws := e.ws["A"].ID
		list := wsPath(ws, "/evidence")
		setPage := func(id int64) string { return wsPath(ws, "/evidence/"+itoa(id)) }
		c := e.signIn("A:contributor")

		// Three uploads: an engine's scan, a hand-written facts file with
		// identifiers in full, and a set too long for one page.
		const ssn, card, mbi, canary = "512-44-7821", "4111 1111 1111 1111", "1EG4-TE5-MK73", "canary-target-9f2c"
		leaks := []string{ssn, "512447821", card, "4111111111111111", mbi, "1EG4TE5MK73"}
		hand := []byte(`{"source":"scan","check":"phi.ssn","target":"share/` + canary + `.csv","severity":"high","summary":"patient SSN ` + ssn + ` found"}
{"source":"scan","check":"phi.payment_card","target":"share/cards.csv","severity":"high","summary":"1 payment_card finding(s) in csv","attrs":{"card":"` + card + `","count":"1"}}
{"source":"scan","check":"phi.mbi","target":"share/medicare ` + mbi + `.csv","severity":"high","summary":"1 mbi finding(s) in csv"}
{"source":"probe","check":"tls.legacy-protocol","target":"portal.example.org:443","severity":"high","summary":"TLS1.0 accepted"}
`)
		c.get(list)
		for _, u := range []struct {
			name string
			data []byte
		}{{"share-scan.jsonl", readEvidenceFixture(t, "scan.jsonl")}, {"hand.jsonl", hand}, {"bulk.jsonl", bulkFacts(250)}} {
			if resp, _ := c.uploadFile(list, "file", u.name, u.data); resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("upload %s: %d", u.name, resp.StatusCode)
			}
		}
		sets, err := e.st.EvidenceSets(ctx, ws)
		if err != nil || len(sets) != 3 {
			t.Fatalf("%d sets stored, %v; want 3", len(sets), err)
		}
		bulk, handSet, scan := sets[0], sets[1], sets[2]

		// The list links every file name to its set's page.
		_, body := c.get(list)
		for _, s := range sets {
			if !strings.Contains(body, `<a href="`+setPage(s.ID)+`">`+s.FileName+`</a>`) {
				t.Errorf("the list does not link %s to its page", s.FileName)
			}
		}

		// The engine's facts, whole, as the API gives them; the read is
		// audited with the API's details but for "via".
		co := e.signIn("A:compliance_officer")
		seq := e.auditSeq()
		resp, body := co.get(setPage(scan.ID))
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("scan set page: %d", resp.StatusCode)
		}
		for _, want := range []string{"<h1>share-scan.jsonl</h1>", "PHI scan (rcmguard scan)", e.users["A:contributor"].Email,
			"<dt>Facts</dt><dd>" + itoa(int64(scan.FactCount)) + "</dd>", "uploaded after the latest assessment"} {
			if !strings.Contains(body, want) {
				t.Errorf("scan set page lacks %q", want)
			}
		}
		if strings.Contains(body, "Evidence area</a>") {
			t.Error("a set the latest assessment did not use links to the risks it backs")
		}
		if strings.Contains(body, "withheld-notice") || strings.Contains(body, "[withheld]") {
			t.Error("the engine's facts are shown as withheld")
		}
		stored, err := e.st.EvidenceSetFacts(ctx, ws, scan.ID)
		if err != nil || len(stored.Facts) == 0 {
			t.Fatalf("stored facts: %d, %v", len(stored.Facts), err)
		}
		if n := strings.Count(body, `<tr class="fact`); n != len(stored.Facts) {
			t.Errorf("the page shows %d facts; want the %d stored", n, len(stored.Facts))
		}
		for i, f := range stored.Facts {
			for _, v := range []string{"<code>" + f.Check + "</code>", "<code>" + html.EscapeString(f.Target) + "</code>", html.EscapeString(f.Summary)} {
				if !strings.Contains(body, v) {
					t.Errorf("fact %d: the page lacks %q", i, v)
				}
			}
			for k, v := range f.Attrs {
				if !strings.Contains(body, html.EscapeString(k+": "+v)) {
					t.Errorf("fact %d: the page lacks its %s attribute", i, k)
				}
			}
		}
		if strings.Contains(body, "Jane") {
			t.Error("a name reached the set's page")
		}
		pageRead := e.lastAudit()
		if e.auditSeq() != seq+1 || pageRead.Action != "evidence.read" || pageRead.Object != "evidence:"+itoa(scan.ID) ||
			pageRead.Actor != "user:"+itoa(e.users["A:compliance_officer"].ID) || pageRead.WorkspaceID != ws {
			t.Errorf("page read audited as %s %s by %s in %d (%d entries)", pageRead.Action, pageRead.Object, pageRead.Actor,
				pageRead.WorkspaceID, e.auditSeq()-seq)
		}
		if resp, _ := e.apiGet(e.apiToken("A:compliance_officer", "A", time.Hour), apiEvidencePath(ws, scan.ID)); resp.StatusCode != http.StatusOK {
			t.Fatalf("API read: %d", resp.StatusCode)
		}
		apiDetails, pageDetails := auditDetails(t, e.lastAudit()), auditDetails(t, pageRead)
		if apiDetails["via"] != "api" || e.lastAudit().Action != pageRead.Action {
			t.Fatalf("API read audited as %s %v", e.lastAudit().Action, apiDetails)
		}
		delete(apiDetails, "via")
		if fmt.Sprint(apiDetails) != fmt.Sprint(pageDetails) || pageDetails["facts"] != float64(scan.FactCount) {
			t.Errorf("page read details %v; want the API's %v", pageDetails, apiDetails)
		}

		// Identifiers in full were masked when the file came in: shown
		// masked, nothing left to withhold, everything else shown.
		seq = e.auditSeq()
		resp, body = co.get(setPage(handSet.ID))
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("hand-written set page: %d", resp.StatusCode)
		}
		for i, leak := range leaks {
			if strings.Contains(body, leak) || strings.Contains(body, html.EscapeString(leak)) {
				t.Errorf("the page shows full identifier #%d", i)
			}
		}
		if strings.Contains(body, "withheld-notice") || strings.Contains(body, "[withheld]") {
			t.Error("masked facts are shown as withheld")
		}
		for _, want := range []string{"<code>share/" + canary + ".csv</code>", "patient SSN ***-**-7821 found", "card: ************1111",
			"count: 1", "<code>share/medicare *******MK73.csv</code>", "TLS1.0 accepted", "<code>portal.example.org:443</code>"} {
			if !strings.Contains(body, want) {
				t.Errorf("the page lacks %q", want)
			}
		}
		if a := e.lastAudit(); e.auditSeq() != seq+1 || a.Action != "evidence.read" || a.Object != "evidence:"+itoa(handSet.ID) {
			t.Errorf("read of the hand-written set audited as %s %s", a.Action, a.Object)
		} else if d := auditDetails(t, a); d["withheld"] != float64(0) || d["facts"] != float64(4) || d["via"] != nil {
			t.Errorf("read of the hand-written set audited with %v; want 4 facts, none withheld, not via the API", d)
		}

		// 250 facts: 100 a page, links that keep the order asked for, a
		// page out of range shows the nearest.
		factsOn := func(body string) []string {
			var out []string
			for _, part := range strings.Split(body, `<tr class="fact`)[1:] {
				_, after, _ := strings.Cut(part, "<code>share/bulk-")
				out = append(out, after[:3])
			}
			return out
		}
		seq = e.auditSeq()
		_, body = co.get(setPage(bulk.ID))
		if got := factsOn(body); len(got) != 100 || got[0] != "000" || got[99] != "099" {
			t.Errorf("first page shows %d facts (%v…); want 000 to 099", len(got), got[:min(3, len(got))])
		}
		if !strings.Contains(body, "Facts 1–100 of 250") || !strings.Contains(body, "Page 1 of 3") ||
			!strings.Contains(body, `<a href="`+setPage(bulk.ID)+`?page=2" rel="next">`) || strings.Contains(body, `rel="prev"`) {
			t.Error("first page lacks its position or its link to the next page")
		}
		for _, q := range []string{"?page=3", "?page=99"} {
			_, body = co.get(setPage(bulk.ID) + q)
			if got := factsOn(body); len(got) != 50 || got[0] != "200" || got[49] != "249" || !strings.Contains(body, "Page 3 of 3") ||
				!strings.Contains(body, `<a href="`+setPage(bulk.ID)+`?page=2" rel="prev">`) || strings.Contains(body, `rel="next"`) {
				t.Errorf("%s shows %d facts; want the last page, 200 to 249, linked back", q, len(got))
			}
		}
		_, body = co.get(setPage(bulk.ID) + "?sort=kind&page=2")
		if !strings.Contains(body, `?page=3&amp;sort=kind" rel="next"`) || !strings.Contains(body, `?sort=kind" rel="prev"`) ||
			!strings.Contains(body, `<option value="kind" selected>`) {
			t.Error("page 2 by kind does not keep the order in its links")
		}
		// By kind: the 84 phi.dob facts, then phi.mbi from the 85th on.
		_, body = co.get(setPage(bulk.ID) + "?sort=kind")
		if i, j := strings.LastIndex(body, "<code>phi.dob</code>"), strings.Index(body, "<code>phi.mbi</code>"); i < 0 || j < i ||
			strings.Count(body, "<code>phi.dob</code>") != 84 || strings.Contains(body, "<code>phi.ssn</code>") {
			t.Error("sorted by kind, the first page is not the 84 phi.dob facts then phi.mbi")
		}
		_, body = co.get(setPage(bulk.ID) + "?sort=severity")
		rows := strings.Split(body, `<tr class="fact`)[1:]
		if len(rows) != 100 || strings.Count(body, ">critical</span>") != 5 {
			t.Fatalf("sorted by severity: %d rows, %d critical", len(rows), strings.Count(body, ">critical</span>"))
		}
		for i, r := range rows[:5] {
			if !strings.Contains(r, ">critical</span>") {
				t.Errorf("sorted by severity, row %d is not critical", i)
			}
		}
		if e.auditSeq() != seq+6 {
			t.Errorf("6 page views of the bulk set made %d audit entries", e.auditSeq()-seq)
		}
		if d := auditDetails(t, e.lastAudit()); d["facts"] != float64(250) || d["withheld"] != float64(0) {
			t.Errorf("a page of the bulk set audited with %v; want the whole set's 250 facts", d)
		}

		// Once an assessment has used the sets, every fact links to the
		// risks of the evidence area.
		if _, err := e.runAssessment(ctx, ws, e.users["A:owner"].ID); err != nil {
			t.Fatal(err)
		}
		_, res, _, err := e.srv.app.Latest(ctx, ws)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, r := range res.Risks {
			if r.Area == "evidence" {
				n++
			}
		}
		link := `<a href="` + html.EscapeString(wsPath(ws, "/risks?area=evidence")) + `">`
		_, body = co.get(setPage(handSet.ID))
		if !strings.Contains(body, link+itoa(int64(n))+" risk") || strings.Count(body, link+"Evidence area</a>") != 4 ||
			strings.Contains(body, "uploaded after the latest assessment") {
			t.Errorf("after a run the page does not link its facts to the %d risks of the evidence area", n)
		}

		// An auditor reads, audited as themself; nothing offers a change.
		au := e.signIn("A:auditor")
		resp, body = au.get(setPage(handSet.ID))
		if resp.StatusCode != http.StatusOK || strings.Contains(body, "/delete") || strings.Contains(body, "delete this set") {
			t.Errorf("auditor's set page: %d, or it offers a change", resp.StatusCode)
		}
		if a := e.lastAudit(); a.Action != "evidence.read" || a.Actor != "user:"+itoa(e.users["A:auditor"].ID) {
			t.Errorf("auditor's read audited as %s by %s", a.Action, a.Actor)
		}

		// Another workspace's set, through this workspace or its own, and
		// IDs that are no set: not found, nothing audited.
		bSet := e.newEvidenceSet("B")
		owner, bOwner := e.signIn("A:owner"), e.signIn("B:owner")
		seq = e.auditSeq()
		for name, tc := range map[string]struct {
			b    *client
			path string
		}{
			"B's set through A":           {owner, wsPath(ws, "/evidence/"+bSet)},
			"B's set through B, as A":     {owner, wsPath(e.ws["B"].ID, "/evidence/"+bSet)},
			"A's set through B, as B":     {bOwner, wsPath(e.ws["B"].ID, "/evidence/"+itoa(handSet.ID))},
			"A's set through A, as B":     {bOwner, setPage(handSet.ID)},
			"unknown":                     {owner, setPage(bulk.ID + 1000)},
			"zero":                        {owner, wsPath(ws, "/evidence/0")},
			"negative":                    {owner, wsPath(ws, "/evidence/-1")},
			"not a number":                {owner, wsPath(ws, "/evidence/x1")},
			"B's set through A, page two": {owner, wsPath(ws, "/evidence/"+bSet+"?page=2")},
		} {
			resp, body := tc.b.get(tc.path)
			if resp.StatusCode != http.StatusNotFound {
				t.Errorf("%s: %d; want 404", name, resp.StatusCode)
			}
			if strings.Contains(body, "matrix.jsonl") || strings.Contains(body, "hand.jsonl") {
				t.Errorf("%s: the answer names a set", name)
			}
		}
		if e.auditSeq() != seq {
			t.Errorf("reads out of reach were audited: %d entries", e.auditSeq()-seq)
		}
	})
}

// apiEvidencePath is the API path of an evidence set.
func apiEvidencePath(ws, set int64) string {
	return "/api/v1/workspaces/" + itoa(ws) + "/evidence/" + itoa(set)
}
