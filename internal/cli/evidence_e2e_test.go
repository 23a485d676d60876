package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestEvidenceEndToEnd runs the three evidence engines for real — a scan of
// a share holding an 837 and a log with an SSN, an EDI inspection of that
// 837, a probe of a live plain-FTP server declared as the clearinghouse
// endpoint — and feeds their output to an assessment, whose report must
// show the evidence-backed risks.
func TestEvidenceEndToEnd(t *testing.T) {
	dir := t.TempDir()
	share := filepath.Join(dir, "share")
	if err := os.MkdirAll(filepath.Join(share, "logs"), 0o700); err != nil {
		t.Fatal(err)
	}
	x12, err := os.ReadFile(ediSample(t, "imsweb/837_5010/x12_valid.txt"))
	if err != nil {
		t.Fatal(err)
	}
	claims := filepath.Join(share, "claims-0412.837")
	os.WriteFile(claims, x12, 0o600)
	os.WriteFile(filepath.Join(share, "logs", "billing-app.log"),
		[]byte("2026-11-02T10:14:03Z INFO eligibility lookup patient=Maria Lopez SSN: 512-44-7821 payer=Aetna\n"), 0o600)
	ftp := probePlainFTP(t)

	model := strings.NewReplacer("SHARE", share, "FTPADDR", ftp).Replace(`version: 1
organization: {name: Evidence Clinic, kind: provider_practice, workforce: 5, patients_per_year: 2000, claims_per_month: 600, avg_reimbursement: 110}
assessment: {date: 2026-11-27}
systems:
  - {id: pm, name: PM, kind: pm_billing, hosting: vendor_saas, vendor: v-pm, mfa: all, encryption_at_rest: true, data: [claims]}
  - id: share
    name: Office share
    kind: file_share
    hosting: on_prem
    encryption_at_rest: true
    locations: ["SHARE"]
    edi_approved: false
  - id: ch
    name: Clearinghouse
    kind: clearinghouse_sftp
    hosting: vendor_saas
    vendor: v-ch
    endpoints: [{protocol: ftp, address: "FTPADDR"}]
data:
  - {id: claims, kind: claims_837, records: 2000}
flows:
  - {id: f-837, from: pm, to: ch, data: [claims], channel: ftps, encrypted: true, auth: key, automated: true, stage: edi_submission, endpoint: {protocol: ftp, address: "FTPADDR"}}
vendors:
  - {id: v-pm, name: PM Co, phi_access: true, baa: {status: signed, signed: 2025-01-01}}
  - {id: v-ch, name: CH Co, clearinghouse: true, phi_access: true, baa: {status: signed, signed: 2025-01-01}}
roles:
  - {id: biller, name: Biller, kind: biller, headcount: 2, access: [{system: pm, level: write}]}
`)
	modelPath := filepath.Join(dir, "ops.yaml")
	os.WriteFile(modelPath, []byte(model), 0o600)

	evidence := map[string][]string{
		"scan.jsonl": {"scan", share, "--format", "jsonl"},
		"edi.json":   {"edi", "inspect", claims, "--format", "json"},
		"probe.json": {"probe", "--model", modelPath, "--format", "json"},
	}
	var evArgs []string
	for name, args := range evidence {
		st, out, errs := runCLI(args...)
		if st != exitOK || strings.TrimSpace(out) == "" {
			t.Fatalf("%v: status %d\n%s", args, st, errs)
		}
		if strings.Contains(out, "512-44-7821") || strings.Contains(out, "512447821") {
			t.Fatalf("%s prints a full SSN", name)
		}
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(out), 0o600)
		evArgs = append(evArgs, "--evidence", p)
	}
	report := filepath.Join(dir, "sra.html")
	st, _, errs := runCLI(append([]string{"assess", modelPath, "--format", "html", "-o", report}, evArgs...)...)
	if st != exitOK {
		t.Fatalf("assess: %d %s", st, errs)
	}
	html, err := os.ReadFile(report)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`id="risk-EVD-01@share"`, // X12 claims in a share not approved for EDI
		`id="risk-EVD-02@org"`,   // PHI in application logs
		`id="risk-EVD-11@org"`,   // credentials in the ISA header
		`id="risk-EVD-08@ch"`,    // plain FTP observed on the clearinghouse endpoint
		`id="risk-EVD-06@f-837"`, // declared encrypted, observed plain text
		"backed by evidence",
	} {
		if !strings.Contains(string(html), want) {
			t.Errorf("report lacks %s", want)
		}
	}
	if strings.Contains(string(html), "512-44-7821") || strings.Contains(string(html), "SECRET") {
		t.Error("report prints an identifier or a credential in full")
	}
}
