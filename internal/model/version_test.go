package model

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/goccy/go-yaml/ast"
)

// TestMigrationRegistry: migrations[i] takes version i+1 to i+2, and the
// last one reaches CurrentVersion.
func TestMigrationRegistry(t *testing.T) {
	if len(migrations) != CurrentVersion-1 {
		t.Fatalf("%d migrations for current version %d; want %d", len(migrations), CurrentVersion, CurrentVersion-1)
	}
	for i, m := range migrations {
		if m.from != i+1 || m.apply == nil || m.what == "" {
			t.Errorf("migrations[%d] is from version %d (want %d), apply set %v, what %q", i, m.from, i+1, m.apply != nil, m.what)
		}
	}
}

func TestVersionIsOptional(t *testing.T) {
	m, err := Load("m.yaml", []byte(strings.Replace(minimal, "version: 3\n", "", 1)))
	if err != nil {
		t.Fatal(err)
	}
	if m.Version != CurrentVersion {
		t.Fatalf("Version = %d; want %d", m.Version, CurrentVersion)
	}
}

func TestVersionRefused(t *testing.T) {
	for _, tc := range []struct{ version, want string }{
		{"0", "m.yaml:1:10: version: unsupported version 0; versions start at 1"},
		{"-2", "unsupported version -2; versions start at 1"},
		{"one", "m.yaml:1:10: version: want a whole number such as 3, not one"},
		{"1.0", "want a whole number"},
		{"[1]", "want a whole number"},
		{fmt.Sprint(CurrentVersion + 1), fmt.Sprintf("unsupported version %d: this rcmguard reads model versions 1 to %d, so a newer rcmguard wrote this file; upgrade rcmguard to read it",
			CurrentVersion+1, CurrentVersion)},
	} {
		data := []byte(strings.Replace(minimal, "version: 3", "version: "+tc.version, 1))
		if _, err := Load("m.yaml", data); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("version %s: Load = %v; want %q", tc.version, err, tc.want)
		}
		if _, err := Migrate("m.yaml", data); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("version %s: Migrate = %v; want %q", tc.version, err, tc.want)
		}
	}
}

// TestExamplesAreCurrent: the examples are what `rcmguard init` writes, so
// they state the current version and need no migration.
func TestExamplesAreCurrent(t *testing.T) {
	for _, p := range []string{"../../examples/practice.yaml", "../../examples/billing-company.yaml"} {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		mig, err := Migrate(p, data)
		if err != nil {
			t.Fatal(err)
		}
		if mig.Changed() || mig.From != CurrentVersion || string(mig.Data) != string(data) {
			t.Errorf("%s: version %d with changes %v; want the current version %d, unchanged", p, mig.From, mig.Changes, CurrentVersion)
		}
	}
}

// TestMigrateAddsVersion: a file without a version is version 1; migrate
// says so in the file, under its opening comment, and changes nothing else.
func TestMigrateAddsVersion(t *testing.T) {
	// Stated, the keys versions 2 and 3 read otherwise leave nothing
	// else to rewrite.
	body := strings.Replace(minimal, "version: 3\n", "", 1)
	body = strings.Replace(body, "location: onsite}", "location: onsite, training: {last: 2026-01-05}}", 1) + "assessment: {scope_kind: billing, previous: 2025-10-02}\n"
	in := "# Our practice.\n# Reviewed yearly.\n" + body
	mig, err := Migrate("m.yaml", []byte(in))
	if err != nil {
		t.Fatal(err)
	}
	want := "# Our practice.\n# Reviewed yearly.\nversion: 3\n" + body
	if string(mig.Data) != want {
		t.Fatalf("migrated:\n%s\nwant:\n%s", mig.Data, want)
	}
	if len(mig.Changes) != 1 || mig.Changes[0].Pos.Line != 3 || !strings.Contains(mig.Changes[0].Msg, "added `version: 3`") {
		t.Errorf("changes %+v; want the version added at line 3", mig.Changes)
	}
}

// testRegistry is a made-up history of three versions: version 2 read a
// system without `sso` as having no single sign-on, where version 1 had
// said nothing (so the step writes the "no" down); version 3 changed
// nothing a file says.
func testRegistry() registry {
	return registry{current: 3, steps: []migration{
		{from: 1, what: "a system without sso has none", apply: func(root *ast.MappingNode, ed *editor) error {
			for i, s := range items(valueOf(root, "systems")) {
				if _, isMap := s.(*ast.MappingNode); !isMap || lookup(s, "sso") != nil {
					continue
				}
				p, err := addPair(s, "sso", "false", false)
				if err != nil {
					return err
				}
				ed.note(p.Key, fmt.Sprintf("systems[%d].sso", i), "set to false: version 2 reads a missing sso as unknown")
			}
			return nil
		}},
		{from: 2, what: "nothing a file says", apply: func(*ast.MappingNode, *editor) error { return nil }},
	}}
}

const versionOne = `# Riverbend's billing.
version: 1 # the first format
organization:
  name: Test Practice   # legal name
  kind: provider_practice
  workforce: 3
  patients_per_year: 900
  claims_per_month: 200
  avg_reimbursement: 100
systems:
  # The practice management system.
  - id: pm
    name: PM
    kind: pm_billing
  - {id: ch, name: CH, kind: clearinghouse_sftp, sso: true}
data:
  - {id: claims, kind: claims_837}
roles:
  - {id: biller, name: Biller, kind: biller, headcount: 1}
`

func TestMigrationReadsOldFilesAsMeant(t *testing.T) {
	reg := testRegistry()
	m, err := reg.load("old.yaml", []byte(versionOne))
	if err != nil {
		t.Fatal(err)
	}
	if m.Version != 3 || m.Systems[0].SSO == nil || *m.Systems[0].SSO || m.Systems[1].SSO == nil || !*m.Systems[1].SSO {
		t.Fatalf("version %d, sso %v and %v; want 3, an explicit no and the stated yes", m.Version, m.Systems[0].SSO, m.Systems[1].SSO)
	}
	// Positions still point into the file as written.
	if p := m.PosOf("systems[1].kind"); p.Line != 15 {
		t.Errorf("systems[1].kind at %+v; want line 15 of the file as written", p)
	}
	bad := strings.Replace(versionOne, "kind: pm_billing", "kind: pm_bilin", 1)
	var el ErrorList
	if _, err := reg.load("old.yaml", []byte(bad)); !errors.As(err, &el) || !strings.Contains(err.Error(), "old.yaml:14:11: systems[0].kind") {
		t.Errorf("an error in a migrated file: %v; want it at old.yaml:14:11", err)
	}
	two := strings.Replace(versionOne, "version: 1", "version: 2", 1)
	if m, err := reg.load("two.yaml", []byte(two)); err != nil || m.Systems[0].SSO != nil {
		t.Errorf("a version 2 file: sso %v, %v; want it left unsaid, as version 2 reads it", m.Systems[0].SSO, err)
	}
	if _, err := reg.load("four.yaml", []byte(strings.Replace(versionOne, "version: 1", "version: 4", 1))); err == nil || !strings.Contains(err.Error(), "reads model versions 1 to 3") {
		t.Errorf("a version 4 file: %v", err)
	}
}

func TestMigrationRewritesFile(t *testing.T) {
	reg := testRegistry()
	mig, _, err := reg.migrate("old.yaml", []byte(versionOne))
	if err != nil {
		t.Fatal(err)
	}
	want := strings.Replace(strings.Replace(versionOne,
		"version: 1 # the first format", "version: 3 # the first format", 1),
		"    kind: pm_billing\n", "    kind: pm_billing\n    sso: false\n", 1)
	if string(mig.Data) != want {
		t.Fatalf("rewritten:\n%s\nwant:\n%s", mig.Data, want)
	}
	if mig.From != 1 || mig.To != 3 || len(mig.Changes) != 2 ||
		mig.Changes[0].Path != "version" || mig.Changes[0].Pos.Line != 2 || mig.Changes[0].Msg != "1 → 3" ||
		mig.Changes[1].Path != "systems[0].sso" || mig.Changes[1].Pos.Line != 12 {
		t.Errorf("migration %d → %d, changes %+v; want the version at line 2 and systems[0].sso at line 12", mig.From, mig.To, mig.Changes)
	}
	if len(mig.Steps) != 2 || mig.Steps[0] != "version 1 → 2: a system without sso has none" {
		t.Errorf("steps %q; want what each version changed", mig.Steps)
	}
	// A file with Windows line ends keeps them, on the new lines too.
	crlf, _, err := reg.migrate("old.yaml", []byte(strings.ReplaceAll(versionOne, "\n", "\r\n")))
	if err != nil || string(crlf.Data) != strings.ReplaceAll(want, "\n", "\r\n") {
		t.Errorf("CRLF file rewritten as %q, %v", crlf.Data, err)
	}
	// The rewritten file is current: read again, it needs nothing.
	again, _, err := reg.migrate("old.yaml", mig.Data)
	if err != nil || again.Changed() {
		t.Errorf("migrating the rewritten file: %+v, %v; want nothing to do", again, err)
	}
}

// TestLoadCurrent is how the server reads a stored model: the text comes
// back current, and the model's positions point into that text.
func TestLoadCurrent(t *testing.T) {
	data := []byte(strings.Replace(minimal, "version: 3\n", "", 1))
	text, m, err := LoadCurrent("model.yaml", data)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(text), "version: 3\norganization:\n") || m.Version != CurrentVersion {
		t.Fatalf("text %q…, version %d", text[:30], m.Version)
	}
	if p := m.PosOf("organization.name"); p.Line != 3 {
		t.Errorf("organization.name at line %d; want 3, its line in the text returned", p.Line)
	}
	same, _, err := LoadCurrent("model.yaml", []byte(minimal))
	if err != nil || string(same) != minimal {
		t.Errorf("a current model came back changed: %v", err)
	}
	if _, _, err := LoadCurrent("model.yaml", []byte(strings.Replace(minimal, "version: 3", "version: 99", 1))); err == nil {
		t.Error("a model of a newer version was read")
	}
}

// FuzzMigrate: whatever the input, a migration either refuses it or gives
// a file that loads and needs no further migration; under the test
// registry, which inserts keys, too.
func FuzzMigrate(f *testing.F) {
	f.Add([]byte(minimal))
	f.Add([]byte(strings.Replace(minimal, "version: 3\n", "", 1)))
	f.Add([]byte(versionOne))
	f.Add([]byte(strings.ReplaceAll(versionOne, "\n", "\r\n")))
	f.Add([]byte("# only a comment\norganization: {name: x}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, reg := range []registry{builtin, testRegistry()} {
			mig, _, err := reg.migrate("f.yaml", data)
			if err != nil {
				continue
			}
			if _, err := reg.load("f.yaml", mig.Data); err != nil {
				t.Fatalf("migrated file does not load: %v\n%s", err, mig.Data)
			}
			again, _, err := reg.migrate("f.yaml", mig.Data)
			if err != nil || again.Changed() {
				t.Fatalf("migrated file migrates again: %+v, %v\n%s", again, err, mig.Data)
			}
		}
	})
}

// TestVersionTwoUnknowns: version 1 read a left-out auto-logoff, flow
// automation, vendor offshore and role location as none, false, false and
// onsite; a version 1 file keeps that meaning through the migration, while
// a version 2 file that leaves them out leaves them unknown.
func TestVersionTwoUnknowns(t *testing.T) {
	const body = `organization: {name: T, kind: provider_practice, workforce: 3, patients_per_year: 900, claims_per_month: 200, avg_reimbursement: 100}
systems:
  - {id: pm, name: PM, kind: pm_billing}
  - {id: ch, name: CH, kind: clearinghouse_sftp, vendor: v}
data:
  - {id: claims, kind: claims_837}
flows:
  - {id: f1, from: pm, to: ch, data: [claims], channel: sftp}
vendors:
  - {id: v, name: V, baa: {status: signed}}
roles:
  - {id: biller, name: Biller, kind: biller, headcount: 1}
`
	one, err := Load("one.yaml", []byte("version: 1\n"+body))
	if err != nil {
		t.Fatal(err)
	}
	if p := one.Systems[0].AutoLogoffMin; p == nil || *p != 0 {
		t.Errorf("version 1 auto_logoff_minutes = %v; want the 0 it meant", p)
	}
	if p := one.Flows[0].Automated; p == nil || *p {
		t.Errorf("version 1 automated = %v; want the false it meant", p)
	}
	if p := one.Vendors[0].Offshore; p == nil || *p {
		t.Errorf("version 1 offshore = %v; want the false it meant", p)
	}
	if one.Roles[0].Location != "onsite" {
		t.Errorf("version 1 location = %q; want the onsite it meant", one.Roles[0].Location)
	}
	two, err := Load("two.yaml", []byte("version: 3\n"+body))
	if err != nil {
		t.Fatal(err)
	}
	if two.Systems[0].AutoLogoffMin != nil || two.Flows[0].Automated != nil || two.Vendors[0].Offshore != nil || two.Roles[0].Location != "" {
		t.Errorf("version 2 left-out keys read as %v, %v, %v, %q; want all unknown",
			two.Systems[0].AutoLogoffMin, two.Flows[0].Automated, two.Vendors[0].Offshore, two.Roles[0].Location)
	}
	mig, err := Migrate("one.yaml", []byte("version: 1\n"+body))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"kind: pm_billing, auto_logoff_minutes: 0}", "channel: sftp, automated: false}", "status: signed, breach_notice_days: 0}, offshore: false", "headcount: 1, location: onsite"} {
		if !strings.Contains(string(mig.Data), want) {
			t.Errorf("migrated file lacks %q:\n%s", want, mig.Data)
		}
	}
}
