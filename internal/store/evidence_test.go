package store_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"rcmguard/internal/audit"
	"rcmguard/internal/evidence"
	"rcmguard/internal/seal"
	"rcmguard/internal/store"
	"rcmguard/internal/store/storetest"
)

func TestEvidenceSets(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dsn string) {
		f := newFixture(t, dsn)
		ctx := context.Background()
		w := f.workspace(t, "Riverbend", store.KindPractice, 0)
		other := f.workspace(t, "Elsewhere", store.KindPractice, 0)
		u := f.user(t, "officer@example.org")
		const canary = "canary-evidence-3b7d1"
		scan := []evidence.Fact{
			{Source: evidence.SourceScan, Check: "phi.ssn", Target: "share/" + canary + ".csv", Severity: evidence.SeverityCritical, Summary: "4 ssn finding(s) in csv"},
			{Source: evidence.SourceScan, Check: "phi.dob", Target: "share/aging.csv", Severity: evidence.SeverityHigh, Summary: "2 dob finding(s) in csv"},
		}
		probe := []evidence.Fact{{Source: evidence.SourceProbe, Check: "tls.legacy-protocol", Target: "sftp.example.org:443",
			Severity: evidence.SeverityHigh, Summary: "accepts TLS 1.0", Attrs: map[string]string{"protocol": "TLS 1.0"}}}
		var sets []store.EvidenceSet
		for i, in := range []store.EvidenceSet{
			{WorkspaceID: w.ID, Format: "scan", FileName: "scan.jsonl", Facts: scan, UploadedBy: u.ID, Uploaded: t0},
			{WorkspaceID: w.ID, Format: "probe", FileName: "probe.json", Facts: probe, UploadedBy: u.ID, Uploaded: t0.Add(1)},
			{WorkspaceID: other.ID, Format: "probe", FileName: "theirs.json", Facts: probe, UploadedBy: u.ID, Uploaded: t0},
		} {
			err := f.write(t, "evidence.upload", func(tx *store.Tx) error {
				e, err := tx.CreateEvidenceSet(ctx, in)
				sets = append(sets, e)
				return err
			})
			if err != nil || sets[i].ID == 0 || sets[i].FactCount != len(in.Facts) {
				t.Fatalf("create set %d: %+v, %v", i, sets[i], err)
			}
		}
		list, err := f.s.EvidenceSets(ctx, w.ID)
		if err != nil || len(list) != 2 || list[0].FileName != "probe.json" || list[1].FactCount != 2 || list[1].UploadedBy != u.ID || !list[1].Uploaded.Equal(t0) {
			t.Fatalf("EvidenceSets = %+v, %v; want the two sets of the workspace, newest first", list, err)
		}
		facts, err := f.s.EvidenceFacts(ctx, w.ID)
		if err != nil || len(facts) != 3 {
			t.Fatalf("EvidenceFacts = %d facts, %v; want 3", len(facts), err)
		}
		if facts[0].Source != evidence.SourceProbe || facts[0].Attrs["protocol"] != "TLS 1.0" || facts[2].Target != "share/"+canary+".csv" {
			t.Errorf("EvidenceFacts not whole or not sorted: %+v", facts)
		}
		one, err := f.s.EvidenceSetFacts(ctx, w.ID, sets[0].ID)
		if err != nil || one.FileName != "scan.jsonl" || one.FactCount != 2 || len(one.Facts) != 2 || one.UploadedBy != u.ID ||
			!one.Uploaded.Equal(t0) || one.Facts[0].Check != "phi.dob" || one.Facts[1].Target != "share/"+canary+".csv" {
			t.Errorf("EvidenceSetFacts = %+v, %v; want the scan set with its two facts, sorted", one, err)
		}
		// Another workspace's set is not found through this one.
		if _, err := f.s.EvidenceSet(ctx, w.ID, sets[2].ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("other tenant's set: %v; want ErrNotFound", err)
		}
		if got, err := f.s.EvidenceSetFacts(ctx, w.ID, sets[2].ID); !errors.Is(err, store.ErrNotFound) || len(got.Facts) != 0 {
			t.Errorf("other tenant's set with facts: %d facts, %v; want ErrNotFound and none", len(got.Facts), err)
		}
		err = f.write(t, "evidence.delete", func(tx *store.Tx) error { return tx.DeleteEvidenceSet(ctx, w.ID, sets[2].ID) })
		if !errors.Is(err, store.ErrNotFound) {
			t.Errorf("delete other tenant's set: %v; want ErrNotFound", err)
		}
		if err := f.s.InTx(ctx, func(tx *store.Tx) error { return tx.DeleteEvidenceSet(ctx, w.ID, sets[0].ID) }); !errors.Is(err, store.ErrUnaudited) {
			t.Errorf("unaudited delete: %v; want ErrUnaudited", err)
		}

		// Backups carry the sets, sealed; rotation re-seals them.
		snap := filepath.Join(t.TempDir(), "snap.db")
		if err := f.s.Snapshot(ctx, snap); err != nil {
			t.Fatal(err)
		}
		copied := storetest.Open(t, snap, f.kr)
		if got, err := copied.EvidenceFacts(ctx, w.ID); err != nil || len(got) != 3 {
			t.Errorf("snapshot holds %d facts, %v; want 3", len(got), err)
		}
		nk, _ := seal.GenerateKey()
		next := seal.NewKeyring(nk, f.kr.Keys()...)
		err = f.s.InTx(ctx, func(tx *store.Tx) error {
			if _, err := tx.Reseal(ctx, next); err != nil {
				return err
			}
			_, err := audit.New(next).Append(ctx, tx, audit.Event{At: t0, Actor: "test", Action: "keys.rotate"})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if got, err := storetest.Open(t, dsn, seal.NewKeyring(nk)).EvidenceFacts(ctx, w.ID); err != nil || len(got) != 3 {
			t.Errorf("after rotation the new key alone reads %d facts, %v; want 3", len(got), err)
		}
		if _, err := f.s.EvidenceFacts(ctx, w.ID); !errors.Is(err, seal.ErrUnknownKey) {
			t.Errorf("old key alone after rotation: %v; want ErrUnknownKey", err)
		}
		// After a rotation the audit log is extended under the new key:
		// the old one cannot vouch for the head the rotation signed.
		f.log = audit.New(next)
		err = f.write(t, "evidence.delete", func(tx *store.Tx) error { return tx.DeleteEvidenceSet(ctx, w.ID, sets[0].ID) })
		if err != nil {
			t.Fatal(err)
		}
		if list, _ := f.s.EvidenceSets(ctx, w.ID); len(list) != 1 || list[0].ID != sets[1].ID {
			t.Errorf("after delete: %+v; want only the probe set", list)
		}
		if !f.s.Postgres() {
			f.s.Close()
			for _, p := range []string{dsn, dsn + "-wal", snap} {
				raw, err := os.ReadFile(p)
				if err != nil && !os.IsNotExist(err) {
					t.Fatal(err)
				}
				if bytes.Contains(raw, []byte(canary)) {
					t.Errorf("%s holds evidence facts in plaintext", p)
				}
			}
		}
	})
}
