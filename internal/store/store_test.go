package store_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"rcmguard/internal/audit"
	"rcmguard/internal/seal"
	"rcmguard/internal/store"
	"rcmguard/internal/store/storetest"
)

var t0 = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)

// fixture is an open store plus the audit log every write needs.
type fixture struct {
	s   *store.Store
	log *audit.Log
	kr  *seal.Keyring
	dsn string
}

func newFixture(t *testing.T, dsn string) *fixture {
	kr := storetest.Keyring(t)
	return &fixture{s: storetest.Open(t, dsn, kr), log: audit.New(kr), kr: kr, dsn: dsn}
}

// write runs fn and an audit entry in one transaction.
func (f *fixture) write(t *testing.T, action audit.Action, fn func(tx *store.Tx) error) error {
	t.Helper()
	return f.s.InTx(context.Background(), func(tx *store.Tx) error {
		if err := fn(tx); err != nil {
			return err
		}
		_, err := f.log.Append(context.Background(), tx, audit.Event{At: t0, Actor: "test", Action: action})
		return err
	})
}

func (f *fixture) workspace(t *testing.T, name, kind string, parent int64) store.Workspace {
	t.Helper()
	var w store.Workspace
	err := f.write(t, "workspace.create", func(tx *store.Tx) (err error) {
		w, err = tx.CreateWorkspace(context.Background(), store.Workspace{Name: name, Kind: kind, ParentID: parent, Created: t0})
		return err
	})
	if err != nil {
		t.Fatalf("create workspace %s: %v", name, err)
	}
	return w
}

func (f *fixture) user(t *testing.T, email string) store.User {
	t.Helper()
	var u store.User
	err := f.write(t, "user.create", func(tx *store.Tx) (err error) {
		u, err = tx.CreateUser(context.Background(), store.User{Email: email, PasswordHash: "$argon2id$x", TOTPSecret: "JBSWY3DPEHPK3PXP", Created: t0})
		return err
	})
	if err != nil {
		t.Fatalf("create user: %v", err)
	}
	return u
}

func TestMigrationsIdempotentAndGuarded(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		kr := storetest.Keyring(t)
		for i := 0; i < 3; i++ {
			s, err := store.Open(ctx, dsn, store.WithKeyring(kr))
			if err != nil {
				t.Fatalf("Open #%d: %v", i+1, err)
			}
			v, err := s.SchemaVersionOf(ctx)
			s.Close()
			if err != nil || v != store.SchemaVersion() {
				t.Fatalf("Open #%d: schema version %d, %v; want %d", i+1, v, err, store.SchemaVersion())
			}
		}
		s := storetest.Open(t, dsn, kr)
		if !s.Postgres() {
			for _, f := range []string{dsn, dsn + "-wal"} {
				if fi, err := os.Stat(f); err != nil || fi.Mode().Perm() != 0o600 {
					t.Fatalf("%s: mode %v, %v; want 0600", filepath.Base(f), fi.Mode().Perm(), err)
				}
			}
		}
		if _, err := s.DB().Exec(`UPDATE schema_version SET version = version + 1`); err != nil {
			t.Fatal(err)
		}
		if _, err := store.Open(ctx, dsn); !errors.Is(err, store.ErrSchemaTooNew) {
			t.Fatalf("Open on a newer schema: %v; want ErrSchemaTooNew", err)
		}
	})
}

func TestUnauditedWriteRefused(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dsn string) {
		f := newFixture(t, dsn)
		ctx := context.Background()
		err := f.s.InTx(ctx, func(tx *store.Tx) error {
			_, err := tx.CreateWorkspace(ctx, store.Workspace{Name: "Quiet Clinic", Created: t0})
			return err
		})
		if !errors.Is(err, store.ErrUnaudited) {
			t.Fatalf("InTx without audit: %v; want ErrUnaudited", err)
		}
		if _, err := f.s.WorkspaceByName(ctx, "Quiet Clinic"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("workspace after refused tx: %v; want ErrNotFound", err)
		}
		// A read-only transaction needs no audit entry.
		if err := f.s.InTx(ctx, func(tx *store.Tx) error { _, err := tx.AuditHead(ctx); return err }); err != nil {
			t.Fatalf("read-only InTx: %v", err)
		}
	})
}

func TestWorkspacesAndUsers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dsn string) {
		f := newFixture(t, dsn)
		ctx := context.Background()
		bc := f.workspace(t, "Acme Billing", store.KindBillingCompany, 0)
		c1 := f.workspace(t, "Client Clinic", store.KindPractice, bc.ID)
		err := f.write(t, "workspace.create", func(tx *store.Tx) error {
			_, err := tx.CreateWorkspace(ctx, store.Workspace{Name: "Acme Billing", Created: t0})
			return err
		})
		if !errors.Is(err, store.ErrConflict) {
			t.Fatalf("duplicate workspace: %v; want ErrConflict", err)
		}
		err = f.write(t, "workspace.create", func(tx *store.Tx) error {
			_, err := tx.CreateWorkspace(ctx, store.Workspace{Name: "Sub", ParentID: c1.ID, Created: t0})
			return err
		})
		if !errors.Is(err, store.ErrConflict) {
			t.Fatalf("client of a practice: %v; want ErrConflict", err)
		}
		clients, err := f.s.ClientWorkspaces(ctx, bc.ID)
		if err != nil || len(clients) != 1 || clients[0].ID != c1.ID {
			t.Fatalf("ClientWorkspaces = %v, %v", clients, err)
		}
		u := f.user(t, "Alice@Example.org ")
		got, err := f.s.UserByEmail(ctx, "alice@example.ORG")
		if err != nil || got.ID != u.ID || got.TOTPSecret != "JBSWY3DPEHPK3PXP" || !got.Created.Equal(t0) {
			t.Fatalf("UserByEmail = %+v, %v", got, err)
		}
		var raw string
		if err := f.s.DB().QueryRow(`SELECT totp_secret FROM users`).Scan(&raw); err != nil || raw == "JBSWY3DPEHPK3PXP" {
			t.Fatalf("TOTP secret stored in clear (%v)", err)
		}
		err = f.write(t, "user.create", func(tx *store.Tx) error {
			_, err := tx.CreateUser(ctx, store.User{Email: "ALICE@example.org", PasswordHash: "h", Created: t0})
			return err
		})
		if !errors.Is(err, store.ErrConflict) {
			t.Fatalf("duplicate email: %v; want ErrConflict", err)
		}
		// TOTP steps only move forward.
		if err := f.write(t, "mfa", func(tx *store.Tx) error { return tx.UseTOTPStep(ctx, u.ID, 100) }); err != nil {
			t.Fatal(err)
		}
		for _, step := range []int64{100, 99} {
			err := f.write(t, "mfa", func(tx *store.Tx) error { return tx.UseTOTPStep(ctx, u.ID, step) })
			if !errors.Is(err, store.ErrConflict) {
				t.Fatalf("UseTOTPStep(%d) after 100: %v; want ErrConflict", step, err)
			}
		}
		// Recovery codes are single-use.
		if err := f.write(t, "codes", func(tx *store.Tx) error { return tx.SetRecoveryCodes(ctx, u.ID, []string{"h1", "h2"}) }); err != nil {
			t.Fatal(err)
		}
		if err := f.write(t, "code", func(tx *store.Tx) error { return tx.UseRecoveryCode(ctx, u.ID, "h1") }); err != nil {
			t.Fatal(err)
		}
		err = f.write(t, "code", func(tx *store.Tx) error { return tx.UseRecoveryCode(ctx, u.ID, "h1") })
		if !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("reused recovery code: %v; want ErrNotFound", err)
		}
		// Disabling ends sessions.
		err = f.write(t, "login", func(tx *store.Tx) error {
			return tx.CreateSession(ctx, store.Session{IDHash: "abc", UserID: u.ID, Created: t0, LastSeen: t0,
				IdleExpires: t0.Add(time.Minute), AbsoluteExpires: t0.Add(time.Hour)})
		})
		if err != nil {
			t.Fatal(err)
		}
		var sessions int64
		var tokens []store.APIToken
		if err := f.write(t, "disable", func(tx *store.Tx) (err error) {
			sessions, tokens, err = tx.DisableUser(ctx, u.ID, t0)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if sessions != 1 || len(tokens) != 0 {
			t.Fatalf("disable ended %d sessions and %d tokens; want 1 and 0", sessions, len(tokens))
		}
		if _, err := f.s.SessionByHash(ctx, "abc"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("session after disable: %v; want ErrNotFound", err)
		}
	})
}

func TestTenantIsolation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dsn string) {
		f := newFixture(t, dsn)
		ctx := context.Background()
		a := f.workspace(t, "A", store.KindPractice, 0)
		b := f.workspace(t, "B", store.KindPractice, 0)
		u := f.user(t, "u@example.org")
		var asmt store.Assessment
		var tok store.APIToken
		err := f.write(t, "seed", func(tx *store.Tx) (err error) {
			if asmt, err = tx.CreateAssessment(ctx, store.Assessment{WorkspaceID: a.ID, CreatedBy: u.ID, Created: t0, ModelYAML: []byte("org: A")}); err != nil {
				return err
			}
			if err = tx.PutRiskDecision(ctx, store.RiskDecision{WorkspaceID: a.ID, RiskID: "R-1", Status: "accepted", UpdatedBy: u.ID, Updated: t0}); err != nil {
				return err
			}
			tok, err = tx.CreateAPIToken(ctx, store.APIToken{Hash: "th", UserID: u.ID, WorkspaceID: a.ID, Name: "ci", Created: t0, Expires: t0.AddDate(0, 1, 0)})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.s.Assessment(ctx, b.ID, asmt.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("B reads A's assessment by ID: %v; want ErrNotFound", err)
		}
		if list, _ := f.s.Assessments(ctx, b.ID); len(list) != 0 {
			t.Errorf("B lists %d assessments; want 0", len(list))
		}
		if _, err := f.s.RiskDecision(ctx, b.ID, "R-1"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("B reads A's decision: %v; want ErrNotFound", err)
		}
		if list, _ := f.s.APITokens(ctx, b.ID); len(list) != 0 {
			t.Errorf("B lists %d tokens; want 0", len(list))
		}
		for name, fn := range map[string]func(tx *store.Tx) error{
			"set result":   func(tx *store.Tx) error { return tx.SetAssessmentResult(ctx, b.ID, asmt.ID, []byte("{}")) },
			"sign off":     func(tx *store.Tx) error { return tx.SignOffAssessment(ctx, b.ID, asmt.ID, u.ID, t0) },
			"delete token": func(tx *store.Tx) error { return tx.DeleteAPIToken(ctx, b.ID, tok.ID) },
		} {
			if err := f.write(t, audit.Action(name), fn); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("B %s on A's row: %v; want ErrNotFound", name, err)
			}
		}
		got, err := f.s.Assessment(ctx, a.ID, asmt.ID)
		if err != nil || string(got.ModelYAML) != "org: A" || got.Version != 1 || got.SignedOffBy != 0 {
			t.Fatalf("A's assessment = %+v, %v", got, err)
		}
	})
}

func TestSignedOffAssessmentImmutable(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dsn string) {
		f := newFixture(t, dsn)
		ctx := context.Background()
		w := f.workspace(t, "W", store.KindPractice, 0)
		u := f.user(t, "u@example.org")
		var a store.Assessment
		err := f.write(t, "assessment.run", func(tx *store.Tx) (err error) {
			a, err = tx.CreateAssessment(ctx, store.Assessment{WorkspaceID: w.ID, CreatedBy: u.ID, Created: t0, ModelYAML: []byte("m")})
			if err != nil {
				return err
			}
			if err := tx.SetAssessmentResult(ctx, w.ID, a.ID, []byte(`{"risks":1}`)); err != nil {
				return err
			}
			return tx.SignOffAssessment(ctx, w.ID, a.ID, u.ID, t0.Add(time.Hour))
		})
		if err != nil {
			t.Fatal(err)
		}
		if err := f.write(t, "x", func(tx *store.Tx) error { return tx.SetAssessmentResult(ctx, w.ID, a.ID, []byte("{}")) }); !errors.Is(err, store.ErrImmutable) {
			t.Fatalf("SetAssessmentResult after sign-off: %v; want ErrImmutable", err)
		}
		if err := f.write(t, "x", func(tx *store.Tx) error { return tx.SignOffAssessment(ctx, w.ID, a.ID, u.ID, t0) }); !errors.Is(err, store.ErrImmutable) {
			t.Fatalf("second sign-off: %v; want ErrImmutable", err)
		}
		// The database refuses it too, whatever code path tries.
		for _, q := range []string{`UPDATE assessments SET result_json = '{}'`, `UPDATE assessments SET signed_off_at = NULL`, `DELETE FROM assessments`} {
			if err := f.write(t, "x", func(tx *store.Tx) error { _, err := tx.Exec(ctx, q); return err }); err == nil {
				t.Fatalf("%s on a signed-off assessment succeeded", q)
			}
		}
		got, err := f.s.Assessment(ctx, w.ID, a.ID)
		if err != nil || string(got.ResultJSON) != `{"risks":1}` || !got.SignedOff.Equal(t0.Add(time.Hour)) {
			t.Fatalf("assessment after refused edits = %+v, %v", got, err)
		}
		// A second run is the next version.
		err = f.write(t, "assessment.run", func(tx *store.Tx) error {
			a2, err := tx.CreateAssessment(ctx, store.Assessment{WorkspaceID: w.ID, Created: t0, ModelYAML: []byte("m2")})
			if err == nil && a2.Version != 2 {
				t.Errorf("second assessment version %d; want 2", a2.Version)
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}

func TestMembershipsAndDecisions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dsn string) {
		f := newFixture(t, dsn)
		ctx := context.Background()
		w := f.workspace(t, "W", store.KindPractice, 0)
		u := f.user(t, "u@example.org")
		m := store.Membership{UserID: u.ID, WorkspaceID: w.ID, Role: "auditor", Expires: t0.AddDate(0, 0, 30), Created: t0}
		if err := f.write(t, "member", func(tx *store.Tx) error { return tx.PutMembership(ctx, m) }); err != nil {
			t.Fatal(err)
		}
		m.Role = "nobody"
		if err := f.write(t, "member", func(tx *store.Tx) error { return tx.PutMembership(ctx, m) }); err == nil {
			t.Fatal("unknown role accepted")
		}
		got, err := f.s.Membership(ctx, w.ID, u.ID)
		if err != nil || got.Role != "auditor" || !got.Expires.Equal(t0.AddDate(0, 0, 30)) {
			t.Fatalf("Membership = %+v, %v", got, err)
		}
		d := store.RiskDecision{WorkspaceID: w.ID, RiskID: "R-9", Status: "accepted", Justification: "compensating control",
			Owner: "IT", Due: t0.AddDate(0, 2, 0), ApproverID: u.ID, Expires: t0.AddDate(1, 0, 0), UpdatedBy: u.ID, Updated: t0}
		if err := f.write(t, "risk", func(tx *store.Tx) error { return tx.PutRiskDecision(ctx, d) }); err != nil {
			t.Fatal(err)
		}
		d.Status = "mitigated"
		if err := f.write(t, "risk", func(tx *store.Tx) error { return tx.PutRiskDecision(ctx, d) }); err != nil {
			t.Fatal(err)
		}
		list, err := f.s.RiskDecisions(ctx, w.ID)
		if err != nil || len(list) != 1 || list[0].Status != "mitigated" || !list[0].Expires.Equal(d.Expires) {
			t.Fatalf("RiskDecisions = %+v, %v", list, err)
		}
	})
}
