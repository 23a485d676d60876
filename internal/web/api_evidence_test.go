package web

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"rcmguard/internal/evidence"
	"rcmguard/internal/evidencefile"
	"rcmguard/internal/phiscan"
	"rcmguard/internal/phiscan/corpus"
	"rcmguard/internal/store"
	"rcmguard/internal/store/storetest"
	"rcmguard/internal/x12"
)

// TestAPIEvidence lists, reads and deletes evidence sets through the API
// on each database: every role reads, only editors delete, a delete is
// audited as on the Evidence page, and another workspace's set is out of
// reach whatever its ID.
func TestAPIEvidence(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dsn string) {
		e := newTestEnv(t, dsn)
		ctx := context.Background()
		ws := e.ws["A"].ID
		x := e.idsOf("A") // stores one set in A, and one in B for B's ids below
		contributor := e.apiToken("A:contributor", "A", time.Hour)
		auditor := e.apiToken("A:auditor", "A", time.Hour)
		listPath := x.path("/api/v1/workspaces/{ws}/evidence")
		setPath := func(id int64) string { return listPath + "/" + itoa(id) }

		resp, body := e.apiDo(contributor, http.MethodPost, listPath+"?name=share-scan.jsonl", "application/x-ndjson", readEvidenceFixture(t, "scan.jsonl"))
		var scan apiEvidenceSet
		if err := json.Unmarshal(body, &scan); err != nil || resp.StatusCode != http.StatusCreated || scan.UploadedBy != e.users["A:contributor"].Email {
			t.Fatalf("upload: %d %s", resp.StatusCode, body)
		}
		// A hand-written facts file may hold what no engine writes: a full
		// SSN, card number and MBI. They are masked as the file comes in.
		const ssn, card, mbi, canary = "512-44-7821", "4111 1111 1111 1111", "1EG4-TE5-MK73", "canary-target-9f2c"
		hand := []byte(`{"source":"scan","check":"phi.ssn","target":"share/` + canary + `.csv","severity":"high","summary":"patient SSN ` + ssn + ` found"}
{"source":"scan","check":"phi.payment_card","target":"share/cards.csv","severity":"high","summary":"1 payment_card finding(s) in csv","attrs":{"card":"` + card + `","count":"1"}}
{"source":"scan","check":"phi.mbi","target":"share/medicare ` + mbi + `.csv","severity":"high","summary":"1 mbi finding(s) in csv"}
{"source":"probe","check":"tls.legacy-protocol","target":"portal.example.org:443","severity":"high","summary":"TLS1.0 accepted"}
`)
		resp, body = e.apiDo(contributor, http.MethodPost, listPath+"?name=hand.jsonl", "application/x-ndjson", hand)
		var handSet apiEvidenceSet
		if err := json.Unmarshal(body, &handSet); err != nil || resp.StatusCode != http.StatusCreated || handSet.Format != "facts" || handSet.Facts != 4 {
			t.Fatalf("facts upload: %d %s", resp.StatusCode, body)
		}

		// The list: what the page shows, every set, no fact.
		resp, body = e.apiGet(auditor, listPath)
		var list []apiEvidenceSet
		if err := json.Unmarshal(body, &list); err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("list: %d %s", resp.StatusCode, body)
		}
		stored, _ := e.st.EvidenceSets(ctx, ws)
		if len(list) != len(stored) || len(list) < 3 || list[0].ID != handSet.ID || list[1].ID != scan.ID {
			t.Fatalf("list has %d sets (%s); want the %d stored, newest first", len(list), body, len(stored))
		}
		if l := list[1]; l.Format != "scan" || l.FileName != "share-scan.jsonl" || l.Facts != scan.Facts || l.Facts == 0 ||
			l.UploadedBy != e.users["A:contributor"].Email || l.Uploaded.IsZero() || !l.Uploaded.Equal(scan.Uploaded) {
			t.Errorf("listed set %+v; want the upload %+v", l, scan)
		}
		if bytes.Contains(body, []byte(canary)) || bytes.Contains(body, []byte("7821")) {
			t.Error("the list shows facts")
		}

		// One set with its facts; the read is audited.
		seq := e.auditSeq()
		resp, body = e.apiGet(auditor, setPath(scan.ID))
		var got apiEvidenceSetFacts
		if err := json.Unmarshal(body, &got); err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("get: %d %s", resp.StatusCode, body)
		}
		want, _ := e.st.EvidenceSetFacts(ctx, ws, scan.ID)
		if got.ID != scan.ID || got.Facts != len(want.Facts) || len(got.FactList) != len(want.Facts) {
			t.Fatalf("get: %d facts listed of %d; want %d", len(got.FactList), got.Facts, len(want.Facts))
		}
		for i, f := range got.FactList {
			w := want.Facts[i]
			if f.Withheld || f.Source != w.Source || f.Check != w.Check || f.Target != w.Target || f.Summary != w.Summary || !reflect.DeepEqual(f.Attrs, w.Attrs) {
				t.Errorf("fact %d = %+v; want the stored %+v unchanged", i, f, w)
			}
		}
		if a := e.lastAudit(); e.auditSeq() != seq+1 || a.Action != "evidence.read" || a.Object != "evidence:"+itoa(scan.ID) ||
			a.Actor != "user:"+itoa(e.users["A:auditor"].ID) || !strings.Contains(a.Details, `"via":"api"`) {
			t.Errorf("read audited as %s %s by %s: %s", a.Action, a.Object, a.Actor, a.Details)
		}

		// A full identifier never leaves: it was masked on upload, the rest
		// of the fact and the other facts stay.
		resp, body = e.apiGet(contributor, setPath(handSet.ID))
		var hs apiEvidenceSetFacts
		if err := json.Unmarshal(body, &hs); err != nil || resp.StatusCode != http.StatusOK || len(hs.FactList) != 4 {
			t.Fatalf("get hand-written set: %d %s", resp.StatusCode, body)
		}
		for _, leak := range []string{ssn, "512447821", card, "4111111111111111", mbi, "1EG4TE5MK73"} {
			if bytes.Contains(body, []byte(leak)) {
				t.Errorf("the API answers a full identifier %s", leak)
			}
		}
		byCheck := map[string]apiFact{}
		for _, f := range hs.FactList {
			byCheck[f.Check] = f
		}
		if f := byCheck["phi.ssn"]; f.Withheld || f.Summary != "patient SSN ***-**-7821 found" || f.Target != "share/"+canary+".csv" {
			t.Errorf("SSN fact %+v; want its summary masked, its target kept", f)
		}
		if f := byCheck["phi.payment_card"]; f.Withheld || f.Attrs["card"] != "************1111" || f.Attrs["count"] != "1" {
			t.Errorf("card fact %+v; want the card attribute masked, the rest kept", f)
		}
		if f := byCheck["phi.mbi"]; f.Withheld || f.Target != "share/medicare *******MK73.csv" {
			t.Errorf("MBI fact %+v; want its target masked", f)
		}
		if f := byCheck["tls.legacy-protocol"]; f.Withheld || f.Summary != "TLS1.0 accepted" {
			t.Errorf("probe fact %+v; want it whole", f)
		}
		if a := e.lastAudit(); a.Action != "evidence.read" || !strings.Contains(a.Details, `"withheld":0`) {
			t.Errorf("read of the hand-written set audited as %s %s; want none withheld", a.Action, a.Details)
		}

		// An auditor reads but does not delete; nothing changes.
		seq = e.auditSeq()
		if resp, body := e.apiDo(auditor, http.MethodDelete, setPath(scan.ID), "", nil); resp.StatusCode != http.StatusForbidden {
			t.Errorf("auditor delete: %d %s; want 403", resp.StatusCode, body)
		}
		if _, err := e.st.EvidenceSet(ctx, ws, scan.ID); err != nil || e.auditSeq() != seq {
			t.Errorf("a refused delete changed something: %v, audit %d -> %d", err, seq, e.auditSeq())
		}

		// Another workspace's set, by its ID through this workspace, or
		// this workspace with another workspace's token: not found, and
		// nothing changes.
		bSet := e.newEvidenceSet("B")
		bID, _ := strconv.ParseInt(bSet, 10, 64)
		owner := e.apiToken("A:owner", "A", time.Hour)
		bOwner := e.apiToken("B:owner", "B", time.Hour)
		seq = e.auditSeq()
		for name, tc := range map[string]struct {
			token, method, path string
		}{
			"B's set through A, read":   {owner, http.MethodGet, setPath(bID)},
			"B's set through A, delete": {owner, http.MethodDelete, setPath(bID)},
			"A's set with B's token":    {bOwner, http.MethodDelete, setPath(scan.ID)},
			"A's list with B's token":   {bOwner, http.MethodGet, listPath},
			"not a number":              {owner, http.MethodDelete, listPath + "/x1"},
			"zero":                      {owner, http.MethodGet, listPath + "/0"},
		} {
			if resp, body := e.apiDo(tc.token, tc.method, tc.path, "", nil); resp.StatusCode != http.StatusNotFound {
				t.Errorf("%s: %d %s; want 404", name, resp.StatusCode, body)
			}
		}
		if _, err := e.st.EvidenceSet(ctx, e.ws["B"].ID, bID); err != nil || e.auditSeq() != seq {
			t.Errorf("a request out of reach changed something: %v, audit %d -> %d", err, seq, e.auditSeq())
		}
		if _, err := e.st.EvidenceSet(ctx, ws, scan.ID); err != nil {
			t.Errorf("B's token deleted A's set: %v", err)
		}

		// A contributor deletes: 204, gone, audited as the page's delete
		// with the same details, marked as made through the API.
		resp, body = e.apiDo(contributor, http.MethodDelete, setPath(scan.ID), "", nil)
		if resp.StatusCode != http.StatusNoContent || len(body) != 0 {
			t.Fatalf("delete: %d %q; want 204 and no body", resp.StatusCode, body)
		}
		if _, err := e.st.EvidenceSet(ctx, ws, scan.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("deleted set still stored: %v", err)
		}
		apiDel := e.lastAudit()
		if apiDel.Action != "evidence.delete" || apiDel.Object != "evidence:"+itoa(scan.ID) || apiDel.Actor != "user:"+itoa(e.users["A:contributor"].ID) {
			t.Errorf("API delete audited as %s %s by %s", apiDel.Action, apiDel.Object, apiDel.Actor)
		}
		b := e.signIn("A:contributor")
		b.get(wsPath(ws, "/evidence"))
		if resp, _ := b.post(wsPath(ws, "/evidence/"+itoa(handSet.ID)+"/delete"), nil); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("page delete: %d", resp.StatusCode)
		}
		pageDel := e.lastAudit()
		var apiDetails, pageDetails map[string]any
		json.Unmarshal([]byte(apiDel.Details), &apiDetails)
		json.Unmarshal([]byte(pageDel.Details), &pageDetails)
		if apiDetails["via"] != "api" || pageDel.Action != apiDel.Action {
			t.Errorf("API delete details %s, page delete %s %s", apiDel.Details, pageDel.Action, pageDel.Details)
		}
		delete(apiDetails, "via")
		if len(apiDetails) != len(pageDetails) || apiDetails["format"] != "scan" || apiDetails["file"] != "share-scan.jsonl" ||
			apiDetails["facts"] != float64(scan.Facts) {
			t.Errorf("API delete details %v; want the page's %v for this set", apiDetails, pageDetails)
		}
		for k := range pageDetails {
			if _, ok := apiDetails[k]; !ok {
				t.Errorf("API delete details lack the page's %q", k)
			}
		}
		for _, m := range []string{http.MethodGet, http.MethodDelete} {
			if resp, _ := e.apiDo(contributor, m, setPath(scan.ID), "", nil); resp.StatusCode != http.StatusNotFound {
				t.Errorf("%s of a deleted set: %d; want 404", m, resp.StatusCode)
			}
		}
		if resp, _ := e.apiDo(contributor, http.MethodPut, setPath(handSet.ID), "application/json", []byte("{}")); resp.StatusCode != http.StatusMethodNotAllowed ||
			resp.Header.Get("Allow") != "GET, DELETE" {
			t.Errorf("PUT on a set: %d allow %q; want 405 allowing GET, DELETE", resp.StatusCode, resp.Header.Get("Allow"))
		}
	})
}

// TestWithholdIdentifiersKeepsEngineFacts runs the real engines over a
// synthetic share: their facts, already masked, pass unchanged, while a
// facts file quoting the same people's identifiers has every one withheld.
func TestWithholdIdentifiersKeepsEngineFacts(t *testing.T) {
	c := corpus.GeneratePlain(11, 4)
	sc := phiscan.New(phiscan.Options{})
	in := x12.NewInspector()
	rep := &x12.Report{Format: x12.ReportFormat}
	var findings []phiscan.Finding
	for _, f := range c.Files {
		res := sc.ScanReader(f.Name, bytes.NewReader(f.Data))
		for _, fr := range res.Files {
			findings = append(findings, fr.Findings...)
		}
		if x12.Sniff(f.Data) {
			file, err := in.Inspect(f.Name, bytes.NewReader(f.Data))
			if err != nil {
				t.Fatalf("inspect %s: %v", f.Name, err)
			}
			rep.Files = append(rep.Files, file)
		}
	}
	engine := append(phiscan.Facts(findings), x12.Facts(rep)...)
	if len(rep.Files) == 0 || len(engine) < 20 {
		t.Fatalf("the corpus gave %d X12 files and %d facts", len(rep.Files), len(engine))
	}
	out, n := withholdIdentifiers(engine)
	for i, o := range out {
		f := engine[i]
		if o.Withheld || o.Target != f.Target || o.Summary != f.Summary || !reflect.DeepEqual(o.Attrs, f.Attrs) {
			t.Errorf("engine fact changed: %+v; was %+v", o, f)
		}
	}
	if n != 0 {
		t.Errorf("%d engine facts withheld; want none", n)
	}
	for _, name := range []string{"scan.jsonl", "scan.json", "edi.json", "facts.jsonl"} {
		_, facts, err := evidencefile.Parse(readEvidenceFixture(t, name), maxEvidenceUpload)
		if err != nil {
			t.Fatal(err)
		}
		if _, n := withholdIdentifiers(facts); n != 0 {
			t.Errorf("%s: %d facts withheld; want none", name, n)
		}
	}

	// The same people's identifiers, written out by hand.
	label := map[string]string{"ssn": "SSN", "mbi": "MBI", "hicn": "HICN", "payment_card": "card number"}
	var hand []evidence.Fact
	var full []string
	for _, l := range c.Labels {
		if label[l.Kind] == "" {
			continue
		}
		full = append(full, l.Norm)
		hand = append(hand, evidence.Fact{Source: evidence.SourceScan, Check: "phi." + l.Kind, Target: "share/notes.txt",
			Severity: evidence.SeverityHigh, Summary: "found " + label[l.Kind] + " " + l.Norm + " in the notes",
			Attrs: map[string]string{"count": "1"}})
	}
	out, n = withholdIdentifiers(hand)
	if len(hand) < 8 || n != len(hand) {
		t.Errorf("%d of %d hand-written facts withheld; want all", n, len(hand))
	}
	js, _ := json.Marshal(out)
	for _, v := range full {
		if bytes.Contains(js, []byte(v)) {
			t.Errorf("a full identifier passed: %s", v)
		}
	}
	if !bytes.Contains(js, []byte(`"count":"1"`)) || !bytes.Contains(js, []byte(`"target":"share/notes.txt"`)) {
		t.Error("values without identifiers were withheld too")
	}
}
