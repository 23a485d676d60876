package demo

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"rcmguard/examples"
	"rcmguard/internal/evidencefile"
	"rcmguard/internal/model"
	"rcmguard/internal/probe"
)

func loadExample(t testing.TB, name string) *model.Model {
	t.Helper()
	data, err := examples.FS.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	m, err := model.Load(name, data)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestSites keeps the evidence sites in step with the bundled examples:
// the share is a location the model declares, the TLS endpoint one it
// declares.
func TestSites(t *testing.T) {
	for ex, site := range Sites {
		m := loadExample(t, ex)
		located, declared := false, false
		for _, s := range m.Systems {
			for _, l := range s.Locations {
				located = located || l == site.Share
			}
		}
		for _, ep := range m.Endpoints() {
			declared = declared || (ep.Address == site.TLS && ep.Protocol == "tls")
		}
		if !located || !declared {
			t.Errorf("%s: share %s declared %v, TLS endpoint %s declared %v", ex, site.Share, located, site.TLS, declared)
		}
	}
}

// TestEvidenceFiles makes the evidence files of several workspaces of each
// example and reads them back as an upload does: each is recognised as
// the format of the command it imitates, the weak portal was reached, no
// full identifier of the share is in them, and nothing is left in the
// temporary directory. How long this takes is BenchmarkEvidence's business.
func TestEvidenceFiles(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	addr, stop, err := StartPortal(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	for i, ex := range []string{"billing-company.yaml", "practice.yaml", "practice.yaml"} {
		m := loadExample(t, ex)
		files, err := Evidence(context.Background(), i, ex, m, addr, time.Now)
		if err != nil {
			t.Fatal(err)
		}
		ids := ShareIdentifiers(i)
		if len(ids) < 10 {
			t.Fatalf("the share of workspace %d holds only %d identifiers", i, len(ids))
		}
		var got []string
		for _, f := range files {
			format, facts, err := evidencefile.Parse(f.Data, 32<<20)
			if err != nil || len(facts) == 0 {
				t.Fatalf("%d %s: %d facts, %v", i, f.Name, len(facts), err)
			}
			got = append(got, format.Name)
			for _, fact := range facts {
				if fact.Check == probe.CheckUnreachable {
					t.Errorf("%d: the weak TLS server was not reached: %s", i, fact.Attrs["error"])
				}
			}
			for _, id := range ids {
				if bytes.Contains(f.Data, []byte(id)) {
					t.Errorf("%d %s holds a full identifier %q", i, f.Name, id)
				}
			}
			if bytes.Contains(f.Data, []byte(ISAPassword)) {
				t.Errorf("%d %s holds the 837's ISA password", i, f.Name)
			}
		}
		if strings.Join(got, ",") != "scan,edi,probe" {
			t.Errorf("%d: formats %v; want scan, edi, probe", i, got)
		}
	}
	if left, _ := os.ReadDir(tmp); len(left) != 0 {
		t.Errorf("%d entries left in the temporary directory, the synthetic share among them", len(left))
	}
}

// BenchmarkEvidence measures making one workspace's evidence, which the
// demo does for each of its workspaces before it serves: it should stay
// well under a second, far from the probe's timeouts.
func BenchmarkEvidence(b *testing.B) {
	addr, stop, err := StartPortal(time.Now())
	if err != nil {
		b.Fatal(err)
	}
	defer stop()
	m := loadExample(b, "practice.yaml")
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := Evidence(context.Background(), i%4, "practice.yaml", m, addr, time.Now); err != nil {
			b.Fatal(err)
		}
	}
}
