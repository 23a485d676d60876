package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestValidateWarnsOfContradictions: a model whose vendor is declared
// without PHI access but runs a system holding claims stays valid, and
// validate warns at the line and column of the declaration.
func TestValidateWarnsOfContradictions(t *testing.T) {
	path := filepath.Join(t.TempDir(), "m.yaml")
	model := `version: 2
organization: {name: T, kind: provider_practice, workforce: 3, patients_per_year: 900, claims_per_month: 200, avg_reimbursement: 100}
systems:
  - {id: cloud, name: Cloud drive, kind: document_storage, vendor: box, data: [claims]}
data:
  - {id: claims, kind: claims_837}
vendors:
  - {id: box, name: Box, phi_access: false, baa: {status: none}}
roles:
  - {id: biller, name: Biller, kind: biller, headcount: 1}
`
	if err := os.WriteFile(path, []byte(model), 0o600); err != nil {
		t.Fatal(err)
	}
	st, out, errs := runCLI("validate", path)
	want := path + ":8:38: vendors[0].phi_access: warning: vendor box (Box) declared phi_access: false, but it runs a system that holds PHI, so it is a business associate"
	if st != exitOK || !strings.Contains(out, "valid") || !strings.Contains(errs, want) {
		t.Fatalf("status %d, stdout %q, stderr %q; want valid with the warning %q", st, out, errs, want)
	}
	if st, _, errs := runCLI("validate", practiceModel); st != exitOK || strings.Contains(errs, "warning") {
		t.Errorf("the practice example: status %d, warnings %q; want none", st, errs)
	}
}

// TestValidateWarnsOfAccountContradictions: a system declared to give
// every user a unique login that lists an enabled shared account, or
// declared free of default passwords with an enabled default account, is
// warned of at the declaration.
func TestValidateWarnsOfAccountContradictions(t *testing.T) {
	path := filepath.Join(t.TempDir(), "m.yaml")
	model := `version: 3
organization: {name: T, kind: provider_practice, workforce: 3, patients_per_year: 900, claims_per_month: 200, avg_reimbursement: 100}
systems:
  - id: pm
    name: PM
    kind: pm_billing
    unique_logins: true
    default_credentials: false
    accounts:
      - {username: frontdesk, kind: shared, status: enabled}
      - {username: admin, kind: default, status: enabled}
data:
  - {id: claims, kind: claims_837}
roles:
  - {id: biller, name: Biller, kind: biller, headcount: 1}
`
	if err := os.WriteFile(path, []byte(model), 0o600); err != nil {
		t.Fatal(err)
	}
	st, out, errs := runCLI("validate", path)
	for _, want := range []string{
		path + ":7:20: systems[0].unique_logins: warning: system pm (PM) declared unique_logins: true, but it lists 1 enabled shared account(s)",
		path + ":8:26: systems[0].default_credentials: warning: system pm (PM) declared default_credentials: false, but it lists 1 enabled default account(s)",
	} {
		if st != exitOK || !strings.Contains(out, "valid") || !strings.Contains(errs, want) {
			t.Errorf("status %d, stdout %q, stderr %q; want valid with the warning %q", st, out, errs, want)
		}
	}
}
