package store_test

import (
	"bytes"
	"context"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"rcmguard/internal/audit"
	"rcmguard/internal/evidence"
	"rcmguard/internal/seal"
	"rcmguard/internal/store"
	"rcmguard/internal/store/storetest"
)

// TestResultSealedAtRest stores results carrying a marker (a risk title and
// a path, as real results hold) when an assessment is created, set, and
// signed off: the column holds sealed values only, the SQLite file and its
// WAL do not hold the marker, and the result reads back whole.
func TestResultSealedAtRest(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dsn string) {
		f := newFixture(t, dsn)
		ctx := context.Background()
		w := f.workspace(t, "W", store.KindPractice, 0)
		u := f.user(t, "u@example.org")
		const marker = "MARKER-result-5e1f X12 claims on /srv/share/edi"
		first := []byte(`{"risks":[{"title":"` + marker + ` (created)"}]}`)
		second := []byte(`{"risks":[{"title":"` + marker + ` (set)"}]}`)
		var a, b store.Assessment
		err := f.write(t, "assessment.run", func(tx *store.Tx) (err error) {
			if a, err = tx.CreateAssessment(ctx, store.Assessment{WorkspaceID: w.ID, CreatedBy: u.ID, Created: t0,
				ModelYAML: []byte("m"), ResultJSON: first}); err != nil {
				return err
			}
			if b, err = tx.CreateAssessment(ctx, store.Assessment{WorkspaceID: w.ID, Created: t0, ModelYAML: []byte("m")}); err != nil {
				return err
			}
			if err := tx.SetAssessmentResult(ctx, w.ID, b.ID, second); err != nil {
				return err
			}
			return tx.SignOffAssessment(ctx, w.ID, b.ID, u.ID, t0.Add(time.Hour))
		})
		if err != nil {
			t.Fatal(err)
		}
		for id, want := range map[int64][]byte{a.ID: first, b.ID: second} {
			got, err := f.s.Assessment(ctx, w.ID, id)
			if err != nil || !bytes.Equal(got.ResultJSON, want) {
				t.Errorf("Assessment(%d).ResultJSON = %q, %v; want %q", id, got.ResultJSON, err, want)
			}
			if res, err := f.s.AssessmentResult(ctx, w.ID, id); err != nil || !bytes.Equal(res, want) {
				t.Errorf("AssessmentResult(%d) = %q, %v; want %q", id, res, err, want)
			}
		}
		rows, err := f.s.DB().Query(`SELECT result_json FROM assessments`)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var v string
			rows.Scan(&v)
			if !strings.HasPrefix(v, "s1.") || strings.Contains(v, "MARKER") {
				t.Errorf("result_json stored as %.40q…; want a sealed value", v)
			}
		}
		rows.Close()
		// A signed-off result may be sealed again, never written in clear.
		if _, err := f.s.DB().Exec(`UPDATE assessments SET result_json = '{"risks":[]}' WHERE id = ` + strconv.FormatInt(b.ID, 10)); err == nil {
			t.Error("the database let a signed-off result be replaced by a clear one")
		}
		if !f.s.Postgres() {
			f.s.Close()
			for _, p := range []string{dsn, dsn + "-wal"} {
				raw, err := os.ReadFile(p)
				if err != nil && !os.IsNotExist(err) {
					t.Fatal(err)
				}
				if bytes.Contains(raw, []byte("MARKER-result")) {
					t.Errorf("%s holds a result in clear", p)
				}
			}
		}
	})
}

// TestRotationSealsClearResults starts from a result stored in clear, as a
// database that an older rcmguard wrote and that was upgraded without its
// data key may hold, on a signed-off assessment: it still reads, and the
// next key rotation seals it, with its meaning unchanged.
func TestRotationSealsClearResults(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dsn string) {
		f := newFixture(t, dsn)
		ctx := context.Background()
		w := f.workspace(t, "W", store.KindPractice, 0)
		u := f.user(t, "u@example.org")
		clear := `{"risks":[{"title":"MARKER-legacy-77a0"}]}`
		sealedModel, err := f.kr.Seal("assessments.model_yaml", []byte("m"))
		if err != nil {
			t.Fatal(err)
		}
		// An insert is not guarded: write the row as an older version did.
		if _, err := f.s.DB().Exec(rebind(f.s, `INSERT INTO assessments (workspace_id, version, created_by, created_at, model_yaml, result_json, signed_off_by, signed_off_at)
			VALUES (?, 1, ?, '2026-03-01T09:00:00.000000000Z', ?, ?, ?, '2026-03-01T10:00:00.000000000Z')`), w.ID, u.ID, sealedModel, clear, u.ID); err != nil {
			t.Fatal(err)
		}
		list, err := f.s.Assessments(ctx, w.ID)
		if err != nil || len(list) != 1 || string(list[0].ResultJSON) != clear || list[0].SignedOff.IsZero() {
			t.Fatalf("legacy row reads as %+v, %v", list, err)
		}
		if ids, err := f.s.SealedKeyIDs(ctx); err != nil || ids["invalid"] != 0 {
			t.Errorf("SealedKeyIDs = %v, %v; want the clear result not counted as a sealed value", ids, err)
		}
		nk, _ := seal.GenerateKey()
		next := seal.NewKeyring(nk, f.kr.Keys()...)
		var n int
		err = f.s.InTx(ctx, func(tx *store.Tx) (err error) {
			if n, err = tx.Reseal(ctx, next); err != nil {
				return err
			}
			_, err = audit.New(next).Append(ctx, tx, audit.Event{At: t0, Actor: "test", Action: "keys.rotate"})
			return err
		})
		if err != nil {
			t.Fatalf("rotation over a signed-off clear result: %v", err)
		}
		if n < 3 { // the TOTP secret, the model and the result
			t.Errorf("Reseal = %d values; want the result among them", n)
		}
		var raw string
		if err := f.s.DB().QueryRow(`SELECT result_json FROM assessments`).Scan(&raw); err != nil || !strings.HasPrefix(raw, "s1."+nk.ID()+".") {
			t.Fatalf("after rotation result_json = %.40q, %v; want sealed under the new key", raw, err)
		}
		got, err := storetest.Open(t, dsn, seal.NewKeyring(nk)).Assessments(ctx, w.ID)
		if err != nil || len(got) != 1 || string(got[0].ResultJSON) != clear || got[0].SignedOff.IsZero() {
			t.Errorf("after rotation the new key alone reads %+v, %v; want the same signed-off result", got, err)
		}
	})
}

// TestEvidenceNamesAndFactsMasked stores an evidence set named after a
// patient whose facts name files after patients, as another tool or an
// older rcmguard might send them: the store keeps and returns them masked.
func TestEvidenceNamesAndFactsMasked(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dsn string) {
		f := newFixture(t, dsn)
		ctx := context.Background()
		w := f.workspace(t, "W", store.KindPractice, 0)
		facts := []evidence.Fact{{Source: evidence.SourceScan, Check: "phi.ssn", Target: "/share/Doe 512-44-7821 4111111111111111.csv",
			Severity: evidence.SeverityHigh, Summary: "patient SSN 512-44-7821", Attrs: map[string]string{"mbi": "1EG4-TE5-MK73"}}}
		var set store.EvidenceSet
		err := f.write(t, "evidence.upload", func(tx *store.Tx) (err error) {
			set, err = tx.CreateEvidenceSet(ctx, store.EvidenceSet{WorkspaceID: w.ID, Format: "facts",
				FileName: "scan of Doe 512-44-7821.jsonl", Facts: facts, Uploaded: t0})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if set.FileName != "scan of Doe ***-**-7821.jsonl" {
			t.Errorf("stored name %q; want it masked", set.FileName)
		}
		var name string
		if err := f.s.DB().QueryRow(`SELECT file_name FROM evidence_sets`).Scan(&name); err != nil || strings.Contains(name, "512-44-7821") {
			t.Errorf("file_name column = %q, %v; want it masked", name, err)
		}
		got, err := f.s.EvidenceSetFacts(ctx, w.ID, set.ID)
		if err != nil || len(got.Facts) != 1 {
			t.Fatalf("EvidenceSetFacts: %v", err)
		}
		fa := got.Facts[0]
		if fa.Target != "/share/Doe ***-**-7821 ************1111.csv" || fa.Summary != "patient SSN ***-**-7821" || fa.Attrs["mbi"] != "*******MK73" {
			t.Errorf("stored fact %+v; want it masked", fa)
		}
	})
}

// rebind writes the placeholders of raw SQL for the store's database.
func rebind(s *store.Store, q string) string {
	if !s.Postgres() {
		return q
	}
	var b strings.Builder
	n := 0
	for _, c := range q {
		if c == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(c)
	}
	return b.String()
}
