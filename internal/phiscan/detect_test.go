package phiscan

import (
	"sort"
	"strings"
	"testing"
)

func scanString(t testing.TB, name, content string) Result {
	t.Helper()
	return New(Options{Now: testNow}).ScanReader(name, strings.NewReader(content))
}

func kindsOf(r Result) []string {
	var out []string
	for _, f := range r.Files {
		for _, x := range f.Findings {
			out = append(out, string(x.Kind))
		}
	}
	sort.Strings(out)
	return out
}

// TestDetectorSamples holds, per detector, text that must be reported
// and decoys that must not, in the manner of gitleaks' rule samples.
func TestDetectorSamples(t *testing.T) {
	tests := []struct {
		in   string
		want string // sorted kinds, comma-separated; empty for none
	}{
		// SSN: dashed or spaced forms validate alone; bare nine digits need a label.
		{"SSN: 123-45-6788", "ssn"},
		{"ssn 123 45 6788", "ssn"},
		{"Social Security Number: 123456788", "ssn"},
		{"reference 123456788", ""},
		{"SSN: 666-12-3456", ""},
		{"SSN: 912-34-5678", ""},
		{"SSN: 123-00-4567", ""},
		{"SSN: 123-45-0000", ""},
		{"Ticket 123-45-6788 closed", ""},
		{"Order #123456788", ""},
		{"call 217-555-0143", ""},
		{"part 123 45 6788 in stock", ""},
		// MBI.
		{"Medicare ID 1EG4-TE5-MK73", "mbi"},
		{"mbi=1EG4TE5MK73", "mbi"},
		{"MBI: 1SG4-TE5-MK73", ""},
		{"id 1eg4te5mk73", ""},
		// In running text the format is the evidence: words that vouch
		// for reference numbers a few words back do not veto an MBI.
		{"Resubmitted claim for 1EG4TE5MK73 today.", "mbi"},
		{"Per the payer, 1EG4-TE5-MK73 is the correct id.", "mbi"},
		{"Authorization pending for (1EG4TE5MK73), follow up Friday.", "mbi"},
		{"Ticket 1EG4TE5SK73 closed", ""},
		{"Order A1G4TE5MK73 shipped", ""},
		{"spoke with pt, 1eg4te5mk73 confirmed", ""},
		// HICN.
		{"HICN 123456788A", "hicn"},
		{"Medicare: MA123456", "hicn"},
		{"HICN T12345678A", ""},
		// NPI needs a provider label and the 80840 Luhn.
		{"Rendering NPI: 1234567893", "npi"},
		{"NPI 1234567890", ""},
		{"Phone 1234567893", ""},
		{"id 1234567893", ""},
		// Cards.
		{"card 4111 1111 1111 1111", "payment_card"},
		{"4111-1111-1111-1111", "payment_card"},
		{"Visa: 4111111111111111", "payment_card"},
		{"amex 378282246310005", "payment_card"},
		{"card 4111 1111 1111 1112", ""},
		{"order 4111111111111111", ""},
		{"tracking 9400111111111111111", ""},
		{"4111111111111111", ""},
		{"IGNORE # 5555555555554444", ""},
		{"7E96 81E2 268C7 826C 4111 1111 1111 1111 863A 863B", ""},
		{"0 0 4111 1111 1111 1111 3121 - -", ""},
		{"card 4111 1111 1111 1111 was declined", "payment_card"},
		// Bank accounts: a valid routing number beside an account number.
		{"Routing: 021000021 Account: 12345678", "bank_account"},
		{"ABA 021000022 acct 12345678", ""},
		{"Account: 12345678", ""},
		// Birth dates need a birth label; dates of service never count.
		{"DOB: 01/02/1960", "dob"},
		{"Date of birth 1960-01-02", "dob"},
		{"born 1/2/1960", "dob"},
		// Written out, as notes and letters do.
		{"Patient: Avery Ashford, born January 2, 1960", "dob,name"},
		{"Date of birth: 2 Jan. 1960", "dob"},
		{"DOB Sept 14 1948", "dob"},
		{"Seen on January 2, 2025 for follow-up", ""},
		{"born February 30, 1960", ""},
		{"born in May 1960", ""},
		{"DOS: 01/02/2024", ""},
		{"Date of service: 01/02/2024", ""},
		{"DOB: 02/30/1960", ""},
		{"DOB: 01/02/2099", ""},
		{"2024-01-02 10:00:00 started", ""},
		// Member IDs and record numbers by label.
		{"Member ID: XGH123456789", "member_id"},
		{"Subscriber ID 123456789", "member_id"},
		{"MRN: 0012345", "mrn"},
		{"Medical record number 44556677", "mrn"},
		{"Patient ID: 7788990", "mrn"},
		{"Group number 12345678", ""},
		{"move Trott to TSC regular member (Rich Trott) [#50297]", ""},
		{"(https://www.w3.org/Consortium/Patent-Policy-20040205/#def-essential)", ""},
		{"Member ID on file: XGH123456789", "member_id"},
		{"Payer ID 62308", ""},
		// Names, phones, emails and addresses only beside PHI.
		{"Patient: Avery Ashford SSN 123-45-6788", "name,ssn"},
		{"Patient: Avery Ashford, phone (217) 555-0143", ""},
		{"SSN 123-45-6788 phone (217) 555-0143 email a.b@example.com", "email,phone,ssn"},
		{"MRN 1234567\nAddress: 12 Maple Ave, Springfield", "address,mrn"},
		{"MRN 1234567\n\nAddress: 12 Maple Ave, Springfield", "mrn"},
		{"SSN 123-45-6788 call (117) 555-0143", "ssn"},
	}
	for _, tt := range tests {
		got := strings.Join(kindsOf(scanString(t, "t.txt", tt.in+"\n")), ",")
		if got != tt.want {
			t.Errorf("scan(%q) kinds = %q; want %q", tt.in, got, tt.want)
		}
	}
}

// TestMBIInMemberColumn checks that a valid MBI under a member-ID header
// is reported as what it is, an MBI, and other values there as member IDs.
func TestMBIInMemberColumn(t *testing.T) {
	r := scanString(t, "members.csv", "name,member_id,plan\nx,1EG4TE5MK73,PPO\ny,XGH123456789,HMO\nz,1eg4-te5-mk72,PPO\n")
	got := strings.Join(kindsOf(r), ",")
	if got != "mbi,mbi,member_id" {
		t.Errorf("kinds = %q; want mbi,mbi,member_id", got)
	}
}

func TestMask(t *testing.T) {
	tests := []struct {
		kind Kind
		in   string
		want string
	}{
		{KindSSN, "123456788", "***-**-6788"},
		{KindMBI, "1EG4TE5MK73", "*******MK73"},
		{KindCard, "4111111111111111", "************1111"},
		{KindDOB, "19600102", "**/**/1960"},
		{KindName, "Avery Ashford", "A**** A******"},
		{KindEmail, "avery@mail.example.com", "a***@***.com"},
		{KindPhone, "2175550143", "***-***-0143"},
		{KindAddress, "12 Maple Ave", "** ***** Ave"},
		{KindMRN, "1234567", "*****67"},
	}
	for _, tt := range tests {
		if got := mask(tt.kind, []byte(tt.in)); got != tt.want {
			t.Errorf("mask(%s, %q) = %q; want %q", tt.kind, tt.in, got, tt.want)
		}
	}
}

func TestSniff(t *testing.T) {
	tests := []struct{ in, want string }{
		{"PK\x03\x04rest", typeZip},
		{"%PDF-1.7\n", typePDF},
		{"ISA*00*          *00*          *ZZ*A", typeX12},
		{"\xef\xbb\xbf  ISA*00*", typeX12},
		{"From a@b.c Tue Mar  4 10:15:00 2025\nFrom: a@b.c\nSubject: x\n\nbody", typeMbox},
		{"From: a@b.c\nTo: c@d.e\nSubject: x\n\nbody", typeEML},
		{"{\"a\":1}\n{\"a\":2}\n", typeJSONL},
		{"{\n  \"a\": 1\n}\n", typeJSON},
		{"a,b,c\n1,2,3\n4,5,6\n", typeCSV},
		{"a\tb\tc\n1\t2\t3\n", typeTSV},
		{"2025-03-04 INFO x\n2025-03-04 INFO y\n", typeLog},
		{"Dear team,\nplease see below.\n", typeText},
		{"\x00\x01\x02binary", typeBinary},
	}
	for _, tt := range tests {
		if got := sniff([]byte(tt.in)); got != tt.want {
			t.Errorf("sniff(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

func TestHeaderRole(t *testing.T) {
	tests := []struct {
		in   string
		want role
	}{
		{"Patient DOB", roleDOB},
		{"dateOfBirth", roleDOB},
		{"date_of_birth", roleDOB},
		{"Date of Service", roleDate},
		{"member_id", roleMember},
		{"Subscriber ID", roleMember},
		{"Patient ID", roleMRN},
		{"Patient Name", roleName},
		{"Rendering NPI", roleNPI},
		{"ABA", roleRouting},
		{"Order Number", roleNegative},
		{"Balance", roleNone},
	}
	for _, tt := range tests {
		if got := headerRole([]byte(tt.in)); got != tt.want {
			t.Errorf("headerRole(%q) = %d; want %d", tt.in, got, tt.want)
		}
	}
}

func TestLogNoise(t *testing.T) {
	// Lines from ordinary application logs: nothing here is PHI.
	log := `2025-03-04T10:00:00Z INFO processed record 12345678 in 42ms
2025-03-04T10:00:01Z INFO retention policy 30 days applied to 1200 files
2025-03-04T10:00:02Z WARN request 123456789 from 10.0.0.12:51234 took 1034ms
2025-03-04T10:00:03Z INFO build 4111111111111111abc version 2.3.4
2025-03-04T10:00:04Z INFO order 4111111111111111 shipped, tracking 1Z999AA10123456784
`
	if got := kindsOf(scanString(t, "app.log", log)); len(got) != 0 {
		t.Errorf("log noise gave findings %v; want none", got)
	}
}
