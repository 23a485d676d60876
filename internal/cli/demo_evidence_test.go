package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"rcmguard/internal/assess"
	"rcmguard/internal/audit"
	"rcmguard/internal/demo"
	"rcmguard/internal/store/storetest"
)

// TestDemoWorkspacesHaveSites: every demo workspace starts from an
// example the demo can make evidence for.
func TestDemoWorkspacesHaveSites(t *testing.T) {
	for _, dw := range demoWorkspaces {
		if _, ok := demo.Sites[dw.example]; !ok {
			t.Errorf("demo workspace %q: no evidence site for %s", dw.name, dw.example)
		}
	}
}

// TestDemoSeedsEvidence seeds the demo on each database: every workspace
// gets a scan, an EDI inspection and a probe, stored and audited as
// uploads, and its first assessment has risks backed by them; no full
// identifier of the synthetic files is printed or stored outside the
// sealed facts.
func TestDemoSeedsEvidence(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		tmp := t.TempDir()
		t.Setenv("TMPDIR", tmp)
		kr := storetest.Keyring(t)
		st := storetest.Open(t, dsn, kr)
		var out, errs bytes.Buffer
		e := &env{stdin: strings.NewReader(""), stdout: &out, stderr: &errs, now: time.Now}
		srv, err := newWebServer(e, st, audit.New(kr), slog.New(slog.NewTextHandler(&errs, nil)), serverFlags{idle: 15 * time.Minute})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.seedDemo(ctx, st, kr, srv); err != nil {
			t.Fatal(err)
		}
		if left, _ := os.ReadDir(tmp); len(left) != 0 {
			t.Errorf("the demo left %d entries in the temporary directory, the synthetic share among them", len(left))
		}

		want := map[string][]string{
			// The practice: X12 on a share not approved for EDI, PHI in an
			// application log, card numbers in an export, the ISA password,
			// and the clearinghouse portal's legacy TLS and untrusted
			// certificate.
			"Riverbend Family Medicine": {"EVD-01@share", "EVD-02@org", "EVD-03@org", "EVD-11@org", "EVD-05@ch-portal", "EVD-09@ch-portal"},
			"Keystone Revenue Partners": {"EVD-01@file-share", "EVD-02@org", "EVD-03@org", "EVD-11@org", "EVD-05@pm"},
			"Lakeside Pediatrics":       {"EVD-01@share", "EVD-05@ch-portal"},
			"Harbor Orthopedics":        {"EVD-01@share", "EVD-05@ch-portal"},
		}
		contributor, err := st.UserByEmail(ctx, "contributor@demo.rcmguard.test")
		if err != nil {
			t.Fatal(err)
		}
		var plain []string // what the store keeps in clear about the evidence
		for i, dw := range demoWorkspaces {
			ws, err := st.WorkspaceByName(ctx, dw.name)
			if err != nil {
				t.Fatal(err)
			}
			// The demo's contributor has work assigned, or could change nothing.
			if got, err := st.UserAssignments(ctx, ws.ID, contributor.ID); err != nil || !slices.Equal(got, []string{"model:flows", "model:systems", "model:vendors", "risk:*"}) {
				t.Errorf("%s: the contributor's assignments are %v, %v", dw.name, got, err)
			}
			sets, err := st.EvidenceSets(ctx, ws.ID)
			if err != nil {
				t.Fatal(err)
			}
			formats := map[string]int{}
			for _, s := range sets {
				formats[s.Format] = s.FactCount
				plain = append(plain, s.FileName, s.Format)
			}
			if len(sets) != 3 || formats["scan"] == 0 || formats["edi"] == 0 || formats["probe"] == 0 {
				t.Errorf("%s: evidence sets %v; want a scan, an EDI inspection and a probe, each with facts", dw.name, formats)
			}
			as, err := st.Assessments(ctx, ws.ID)
			if err != nil || len(as) != 1 {
				t.Fatalf("%s: %d assessments, %v; want the first", dw.name, len(as), err)
			}
			var res assess.Result
			if err := json.Unmarshal(as[0].ResultJSON, &res); err != nil {
				t.Fatal(err)
			}
			facts, _ := st.EvidenceFacts(ctx, ws.ID)
			if res.Evidence.Facts != len(facts) || len(facts) == 0 {
				t.Errorf("%s: the assessment used %d facts; want the %d stored", dw.name, res.Evidence.Facts, len(facts))
			}
			backed := map[string]bool{}
			for _, r := range res.Risks {
				if r.Evidence {
					backed[r.ID] = true
				}
			}
			for _, id := range want[dw.name] {
				if !backed[id] {
					t.Errorf("%s: no evidence-backed %s among %v", dw.name, id, backed)
				}
			}
			rows, err := st.WorkspaceAuditEntries(ctx, ws.ID, 0, 100)
			if err != nil {
				t.Fatal(err)
			}
			uploads := 0
			for _, a := range rows {
				if a.Action == "evidence.upload" && strings.Contains(a.Details, `"via":"cli"`) {
					uploads++
				}
				plain = append(plain, a.Details, a.Object)
			}
			if uploads != 3 {
				t.Errorf("%s: %d evidence uploads audited; want 3", dw.name, uploads)
			}
			for _, id := range demo.ShareIdentifiers(i) {
				for _, s := range append(plain, out.String(), errs.String()) {
					if strings.Contains(s, id) {
						t.Errorf("%s: an identifier of the synthetic share is in clear: %q", dw.name, id)
					}
				}
			}
		}
		if st.Postgres() {
			return
		}
		st.Close()
		for _, p := range []string{dsn, dsn + "-wal"} {
			raw, err := os.ReadFile(p)
			if err != nil && !os.IsNotExist(err) {
				t.Fatal(err)
			}
			for i := range demoWorkspaces {
				for _, id := range demo.ShareIdentifiers(i) {
					// Nine bare digits turn up in any large file; the dashed
					// form stands for the SSN.
					if len(id) > 9 && bytes.Contains(raw, []byte(id)) {
						t.Errorf("%s holds %q in clear", p, id)
					}
				}
			}
			if bytes.Contains(raw, []byte(demo.ISAPassword)) {
				t.Errorf("%s holds the 837's ISA password", p)
			}
		}
	})
}
