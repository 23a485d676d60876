package web

import (
	"bytes"
	"context"
	"encoding/json"
	"html"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"rcmguard/internal/phiscan"
	"rcmguard/internal/store/storetest"
)

// identifiersInNames are the identifiers planted in file and upload names,
// in every form a person types them: an SSN, a Luhn-valid card, an MBI.
var identifiersInNames = []string{"512-44-7821", "512447821", "4111111111111111", "4111 1111 1111 1111", "1EG4-TE5-MK73", "1EG4TE5MK73"}

// TestIdentifiersInNamesNeverShownOrStored is the attack of the report: a
// share holds files named after patients, with an SSN, a card number and
// an MBI in their names. They are scanned; the scan output is uploaded
// under a name holding the same identifiers, through the API and the
// Evidence page, with a scan file written by an older rcmguard (paths in
// clear) beside it; an assessment runs. Every output of the scan, every
// page, API answer and export, the server's log and the SQLite file are
// searched for the identifiers in full: none holds one, while the masked
// names do reach the result, so the search is not vacuous.
func TestIdentifiersInNamesNeverShownOrStored(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dsn string) {
		e := newTestEnv(t, dsn)
		ctx := context.Background()
		ws := e.ws["A"].ID
		wsPathOf := func(p string) string { return wsPath(ws, p) }

		// The share, scanned for real. One file sits where the example
		// model's file share is, so its facts attach to that system; the
		// rest are found by walking a folder.
		content := []byte("Patient Name: Jane Doe\nSSN: 512-44-7821\nDOB: 01/02/1960\n")
		dir := t.TempDir()
		for _, name := range []string{"Doe Jane 512-44-7821 card 4111111111111111.txt", "medicare 1EG4-TE5-MK73 4111 1111 1111 1111.txt",
			"Roe 512447821.txt"} {
			if err := os.WriteFile(filepath.Join(dir, name), content, 0o600); err != nil {
				t.Fatal(err)
			}
		}
		sc := phiscan.New(phiscan.Options{Now: e.clock.now()})
		var results []phiscan.Result
		if err := sc.Scan(ctx, []string{dir}, 2, func(r phiscan.Result) { results = append(results, r) }); err != nil {
			t.Fatal(err)
		}
		results = append(results, sc.ScanReader("/srv/share/Doe Jane 512-44-7821 card 4111111111111111.txt", bytes.NewReader(content)))
		outputs := map[string][]byte{}
		for _, format := range phiscan.Formats {
			var out bytes.Buffer
			w, _ := phiscan.NewWriter(format, &out)
			for _, r := range results {
				w.Write(r)
			}
			w.Close()
			outputs["scan --format "+format] = out.Bytes()
		}
		// Scan output of an older rcmguard: the same file, its path in clear.
		older := []byte(`{"path":"/srv/share/Roe 512447821 1EG4TE5MK73.csv","line":2,"kind":"ssn","confidence":1,"excerpt":"ssn: ***-**-7821","file_type":"csv","severity":"critical","phi":true}` + "\n")

		// Uploads: through the API and the page, named after the patient.
		token := e.apiToken("A:owner", "A", time.Hour)
		upName := "scan of Doe 512-44-7821 4111 1111 1111 1111.jsonl"
		evPath := "/api/v1/workspaces/" + itoa(ws) + "/evidence"
		for _, data := range [][]byte{outputs["scan --format jsonl"], older} {
			if resp, body := e.apiDo(token, http.MethodPost, evPath+"?name="+url.QueryEscape(upName), "application/x-ndjson", data); resp.StatusCode != http.StatusCreated {
				t.Fatalf("API upload: %d %s", resp.StatusCode, body)
			}
		}
		owner := e.signIn("A:owner")
		owner.get(wsPathOf("/evidence"))
		resp, _ := owner.uploadFile(wsPathOf("/evidence"), "file", "1EG4-TE5-MK73 "+upName, outputs["scan --format json"])
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("page upload: %d", resp.StatusCode)
		}
		pages := map[string]string{"upload redirect": resp.Header.Get("Location")}

		// The assessment, through the API.
		resp, body := e.apiDo(token, http.MethodPost, "/api/v1/workspaces/"+itoa(ws)+"/assessments", "", nil)
		var run struct {
			ID int64 `json:"id"`
		}
		if err := json.Unmarshal(body, &run); err != nil || resp.StatusCode != http.StatusCreated {
			t.Fatalf("run: %d %s", resp.StatusCode, body)
		}

		// Every page, API answer and export that can show them.
		a := itoa(run.ID)
		for _, p := range []string{"", "/evidence", "/assessments", "/assessments/" + a, "/assessments/" + a + "/report.html",
			"/assessments/" + a + "/result.json", "/risks", "/plan", "/audit", "/model", "/model/export"} {
			resp, body := owner.get(wsPathOf(p))
			if resp.StatusCode != http.StatusOK {
				t.Errorf("GET %s: %d", p, resp.StatusCode)
			}
			pages["GET "+p] = body
		}
		sets, err := e.st.EvidenceSets(ctx, ws)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range sets {
			_, pages["GET /evidence/"+itoa(s.ID)] = owner.get(wsPathOf("/evidence/" + itoa(s.ID)))
			_, b := e.apiGet(token, evPath+"/"+itoa(s.ID))
			pages["API evidence/"+itoa(s.ID)] = string(b)
		}
		for _, risk := range regexp.MustCompile(`/risks/([A-Za-z0-9@._%-]+)"`).FindAllStringSubmatch(pages["GET /risks"], -1) {
			_, pages["GET /risks/"+risk[1]] = owner.get(wsPathOf("/risks/" + risk[1]))
		}
		for _, p := range []string{"/evidence", "/assessments/" + a, "/risks"} {
			_, b := e.apiGet(token, "/api/v1/workspaces/"+itoa(ws)+p)
			pages["API "+p] = string(b)
		}
		pages["server log"] = e.logs()
		for name, out := range outputs {
			pages[name] = string(out)
		}

		for name, body := range pages {
			for _, id := range identifiersInNames {
				if strings.Contains(body, id) || strings.Contains(html.UnescapeString(body), id) {
					t.Errorf("%s holds %q in full", name, id)
				}
			}
		}
		// The masked names did travel: the search above looked at them.
		report := html.UnescapeString(pages["GET /assessments/"+a+"/report.html"])
		for _, want := range []string{filepath.Join(dir, "Doe Jane ***-**-7821 card ************1111.txt"), filepath.Join(dir, "Roe ***-**-7821.txt"),
			filepath.Join(dir, "medicare *******MK73 ************1111.txt")} {
			if !strings.Contains(pages["GET /assessments/"+a+"/result.json"], want) || !strings.Contains(report, want) {
				t.Errorf("result.json or the report does not name %q", want)
			}
		}
		if !strings.Contains(html.UnescapeString(pages["GET /evidence"]), "scan of Doe ***-**-7821 ************1111.jsonl") {
			t.Error("the Evidence page does not list the upload under its masked name")
		}

		if e.st.Postgres() {
			return
		}
		for _, f := range []string{dsn, dsn + "-wal"} {
			data, err := os.ReadFile(f)
			if err != nil && !os.IsNotExist(err) {
				t.Fatal(err)
			}
			for _, id := range identifiersInNames {
				if bytes.Contains(data, []byte(id)) {
					t.Errorf("%s holds %q", filepath.Base(f), id)
				}
			}
		}
	})
}
