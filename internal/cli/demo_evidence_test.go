package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"rcmguard/examples"
	"rcmguard/internal/assess"
	"rcmguard/internal/audit"
	"rcmguard/internal/evidencefile"
	"rcmguard/internal/model"
	"rcmguard/internal/probe"
	"rcmguard/internal/store/storetest"
)

// demoIdentifiers are the full identifiers written into the i-th demo
// workspace's synthetic share, each in the forms a leak would take: as
// written in the files and normalised.
func demoIdentifiers(t *testing.T, i int) []string {
	t.Helper()
	c := demoCorpus(i)
	onShare := map[string]bool{}
	for _, f := range demoShareFiles(i) {
		onShare[f.Name] = true
	}
	var out []string
	for _, l := range c.Labels {
		if !onShare[l.Path] {
			continue
		}
		switch l.Kind {
		case "ssn":
			out = append(out, l.Norm[:3]+"-"+l.Norm[3:5]+"-"+l.Norm[5:], l.Norm)
		case "mbi", "hicn", "payment_card", "bank_account", "member_id", "email":
			out = append(out, l.Norm)
		}
	}
	if len(out) < 10 {
		t.Fatalf("the demo share of workspace %d holds only %d identifiers", i, len(out))
	}
	return out
}

// TestDemoSites keeps the demo's evidence sites in step with the bundled
// examples: the share is a location the model declares, the TLS endpoint
// one it declares.
func TestDemoSites(t *testing.T) {
	for ex, site := range demoSites {
		data, err := examples.FS.ReadFile(ex)
		if err != nil {
			t.Fatal(err)
		}
		m, err := model.Load(ex, data)
		if err != nil {
			t.Fatal(err)
		}
		located, declared := false, false
		for _, s := range m.Systems {
			for _, l := range s.Locations {
				located = located || l == site.share
			}
		}
		for _, ep := range m.Endpoints() {
			declared = declared || (ep.Address == site.tls && ep.Protocol == "tls")
		}
		if !located || !declared {
			t.Errorf("%s: share %s declared %v, TLS endpoint %s declared %v", ex, site.share, located, site.tls, declared)
		}
	}
	for _, dw := range demoWorkspaces {
		if _, ok := demoSites[dw.example]; !ok {
			t.Errorf("demo workspace %q: no evidence site for %s", dw.name, dw.example)
		}
	}
}

// TestDemoEvidenceFiles makes every demo workspace's evidence files and
// reads them back as an upload does: each is recognised as the format of
// the command it imitates, and making them all stays well under a second
// or two, not the probe's timeouts.
func TestDemoEvidenceFiles(t *testing.T) {
	t.Setenv("TMPDIR", t.TempDir())
	e := &env{stdin: strings.NewReader(""), stdout: io.Discard, stderr: io.Discard, now: time.Now}
	start := time.Now()
	addr, stop, err := startWeakTLS(demoTLSHosts(), e.now())
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	for i, dw := range demoWorkspaces {
		data, err := demoModel(dw)
		if err != nil {
			t.Fatal(err)
		}
		m, err := model.Load(dw.example, data)
		if err != nil {
			t.Fatal(err)
		}
		files, err := e.demoEvidence(context.Background(), i, dw.example, m, addr)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, f := range files {
			format, facts, err := evidencefile.Parse(f.data, 32<<20)
			if err != nil || len(facts) == 0 {
				t.Fatalf("%s %s: %d facts, %v", dw.name, f.name, len(facts), err)
			}
			got = append(got, format.Name)
			for _, fact := range facts {
				if fact.Check == probe.CheckUnreachable {
					t.Errorf("%s: the weak TLS server was not reached: %s", dw.name, fact.Attrs["error"])
				}
			}
			for _, id := range demoIdentifiers(t, i) {
				if bytes.Contains(f.data, []byte(id)) {
					t.Errorf("%s %s holds a full identifier %q", dw.name, f.name, id)
				}
			}
		}
		if strings.Join(got, ",") != "scan,edi,probe" {
			t.Errorf("%s: formats %v; want scan, edi, probe", dw.name, got)
		}
	}
	if took := time.Since(start); took > 3*time.Second {
		t.Errorf("making the demo evidence took %v", took)
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
			for _, id := range demoIdentifiers(t, i) {
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
				for _, id := range demoIdentifiers(t, i) {
					// Nine bare digits turn up in any large file; the dashed
					// form stands for the SSN.
					if len(id) > 9 && bytes.Contains(raw, []byte(id)) {
						t.Errorf("%s holds %q in clear", p, id)
					}
				}
			}
			if bytes.Contains(raw, []byte(demoISAPassword)) {
				t.Errorf("%s holds the 837's ISA password", p)
			}
		}
	})
}
