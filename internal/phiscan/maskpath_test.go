package phiscan

import (
	"strings"
	"testing"

	"rcmguard/internal/evidence"
)

func TestMaskPath(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		// Nothing to mask: returned as is.
		{"/srv/share/aging report.xlsx", "/srv/share/aging report.xlsx"},
		{"/srv/share/2026/11/claims-0412.837", "/srv/share/2026/11/claims-0412.837"},
		{"billing/npi 1234567893.csv", "billing/npi 1234567893.csv"}, // a provider NPI is not PHI
		// The brief's sample SSN and a real-looking one, dashed.
		{"/share/Doe Jane 123-45-6789.pdf", "/share/Doe Jane ***-**-6789.pdf"},
		{"/share/Roe_512-44-7821_card_4111-1111-1111-1111.txt", "/share/Roe_***-**-7821_card_************1111.txt"},
		// Bare numbers in a file name: an SSN, a Luhn-valid card, an MBI.
		{"/share/Doe_512447821.pdf", "/share/Doe_***-**-7821.pdf"},
		{"/share/4111111111111111 receipt.pdf", "/share/************1111 receipt.pdf"},
		{"/share/medicare 1EG4TE5MK73.csv", "/share/medicare *******MK73.csv"},
		{"/share/medicare 1EG4-TE5-MK73.csv", "/share/medicare *******MK73.csv"},
		// Spaced groups, and a reference label that does not excuse them.
		{"/share/Jane 512 44 7821.doc", "/share/Jane ***-**-7821.doc"},
		{"/share/invoice 4111 1111 1111 1111.pdf", "/share/invoice ************1111.pdf"},
		// Labelled values: a birth date, a member ID, a record number.
		{"/share/dob 01-02-1960 Roe.pdf", "/share/dob **/**/1960 Roe.pdf"},
		{"/share/member id W123456789.pdf", "/share/member id ******6789.pdf"},
		// Inside archives and mail, every name follows the file-name rules.
		{"/share/batch.zip!patients/512447821/notes.txt", "/share/batch.zip!patients/***-**-7821/notes.txt"},
		{"mail.eml!Roe 4111111111111111.pdf", "mail.eml!Roe ************1111.pdf"},
		// A folder keeps the content rules: a bare number there is left
		// (system locations are matched against folders); a dashed SSN is not.
		{"/srv/clients/100234567/aging.csv", "/srv/clients/100234567/aging.csv"},
		{"/srv/Doe 512-44-7821/aging.csv", "/srv/Doe ***-**-7821/aging.csv"},
		{`C:\Share\Doe 512447821.pdf`, `C:\Share\Doe ***-**-7821.pdf`},
	}
	for _, tt := range tests {
		got := MaskPath(tt.in)
		if got != tt.want {
			t.Errorf("MaskPath(%q) = %q; want %q", tt.in, got, tt.want)
		}
		if again := MaskPath(got); again != got {
			t.Errorf("MaskPath(MaskPath(%q)) = %q; want %q unchanged", tt.in, again, got)
		}
	}
}

func TestMaskText(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"3 ssn finding(s) in csv", "3 ssn finding(s) in csv"},
		{"patient SSN 512-44-7821 found", "patient SSN ***-**-7821 found"},
		{"card 4111 1111 1111 1111\nmbi 1EG4-TE5-MK73", "card ************1111\nmbi *******MK73"},
		// Free text is read like file content: a bare number needs a label.
		{"batch 512447821 sent", "batch 512447821 sent"},
		{"ssn: 512447821", "ssn: ***-**-7821"},
		{"TLS1.0 accepted on 10.0.0.12:443", "TLS1.0 accepted on 10.0.0.12:443"},
	}
	for _, tt := range tests {
		if got := MaskText(tt.in); got != tt.want {
			t.Errorf("MaskText(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

func TestMaskFacts(t *testing.T) {
	facts := MaskFacts([]evidence.Fact{{
		Source: evidence.SourceEDI, Check: "edi.isa-test-indicator", Target: "/share/test/Roe 512447821.x12",
		Summary: "production interchange 000000001 (ISA15=P) stored in /share/test/Roe 512447821.x12 (segment 1)",
		Attrs:   map[string]string{"where": "/share/test/Roe 512447821.x12", "card": "4111-1111-1111-1111", "segment": "1"},
	}})
	f := facts[0]
	for _, v := range []string{f.Target, f.Summary, f.Attrs["where"], f.Attrs["card"]} {
		if strings.Contains(v, "512447821") || strings.Contains(v, "4111-1111-1111-1111") {
			t.Errorf("masked fact still holds an identifier: %q", v)
		}
	}
	if f.Target != "/share/test/Roe ***-**-7821.x12" || !strings.Contains(f.Summary, f.Target) || f.Attrs["segment"] != "1" {
		t.Errorf("masked fact = %+v", f)
	}
}
