package x12

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"rcmguard/internal/sharedtest"
	"reflect"
	"strings"
	"testing"

	"rcmguard/internal/evidence"
)

// hdr describes the ISA fields a test varies.
type hdr struct {
	authQ, auth, secQ, sec string
	senderID, receiverID   string
	ctl, usage             string
}

func (h hdr) isa() string {
	pad := func(s string, n int) string { return s + strings.Repeat(" ", n-len(s)) }
	def := func(s, d string) string {
		if s == "" {
			return d
		}
		return s
	}
	f := []string{"ISA", def(h.authQ, "00"), pad(h.auth, 10), def(h.secQ, "00"), pad(h.sec, 10),
		"ZZ", pad(def(h.senderID, "SUBMITTER"), 15), "ZZ", pad(def(h.receiverID, "PAYER"), 15),
		"260101", "1200", "^", "00501", def(h.ctl, "000000101"), "0", def(h.usage, "P"), ":"}
	return strings.Join(f, "*") + "~\n"
}

// envelope wraps body segments (without terminators) in a well-formed
// interchange with one group and one 837 transaction set.
func envelope(h hdr, body ...string) string {
	var b strings.Builder
	b.WriteString(h.isa())
	b.WriteString("GS*HC*SUBMITTER*PAYER*20260101*1200*7*X*005010X222A1~\n")
	b.WriteString("ST*837*0001*005010X222A1~\n")
	for _, s := range body {
		b.WriteString(s + "~\n")
	}
	fmt.Fprintf(&b, "SE*%d*0001~\nGE*1*7~\nIEA*1*%s~\n", len(body)+2, h.isa()[90:99])
	return b.String()
}

const (
	realSSN  = "234567891"   // valid area, group and serial
	realMBI  = "1EG4TE5MK73" // the CMS example shape
	realHICN = "234567891A"
	password = "S3CRETPW"
)

// truncate cuts s just before the first occurrence of at, like a transfer
// that stopped early.
func truncate(s, at string) string { return s[:strings.Index(s, at)] }

type input struct{ path, data string }

func inspectAll(t *testing.T, files ...input) []*File {
	t.Helper()
	in := NewInspector()
	var out []*File
	for _, f := range files {
		res, err := in.Inspect(f.path, strings.NewReader(f.data))
		if err != nil {
			t.Fatalf("Inspect(%s): %v", f.path, err)
		}
		out = append(out, res)
	}
	return out
}

func byCheck(f *File, check string) []Finding {
	var out []Finding
	for _, fd := range f.Findings {
		if fd.Check == check {
			out = append(out, fd)
		}
	}
	return out
}

func TestChecks(t *testing.T) {
	prod := "/srv/edi/outbound/claims.837"
	test := "/srv/edi/test/claims.837"
	sub := func(qual, id string) string { return "NM1*IL*1*DOE*JANE****" + qual + "*" + id }
	tests := []struct {
		name   string
		check  string
		files  []input
		want   int               // findings of check in the last file
		sev    evidence.Severity // of the first such finding, when want > 0
		substr string            // in its message
	}{
		{"credentials: none", CheckISACredentials, []input{{prod, envelope(hdr{})}}, 0, "", ""},
		{"credentials: password", CheckISACredentials, []input{{prod, envelope(hdr{secQ: "01", sec: password})}}, 1, evidence.SeverityHigh, "ISA04"},
		{"credentials: authorization", CheckISACredentials, []input{{prod, envelope(hdr{authQ: "03", auth: "AUTH123"})}}, 1, evidence.SeverityMedium, "ISA02"},
		{"credentials: qualifier only", CheckISACredentials, []input{{prod, envelope(hdr{secQ: "01"})}}, 1, evidence.SeverityLow, "ISA04 is blank"},
		{"credentials: password reused across partners", CheckISACredentials, []input{
			{"/a/one.837", envelope(hdr{secQ: "01", sec: password, receiverID: "PAYERONE"})},
			{"/a/two.837", envelope(hdr{secQ: "01", sec: password, receiverID: "PAYERTWO", ctl: "000000102"})},
		}, 1, evidence.SeverityCritical, "2 trading partners"},
		{"credentials: same password same partner", CheckISACredentials, []input{
			{"/a/one.837", envelope(hdr{secQ: "01", sec: password})},
			{"/a/two.837", envelope(hdr{secQ: "01", sec: password, ctl: "000000102"})},
		}, 1, evidence.SeverityHigh, "ISA04"},

		{"test indicator: T with valid SSN", CheckISATestIndicator, []input{{prod, envelope(hdr{usage: "T"}, sub("MI", "TEST01"), "REF*SY*"+realSSN)}}, 1, evidence.SeverityHigh, "***-**-7891"},
		{"test indicator: T with MBI", CheckISATestIndicator, []input{{prod, envelope(hdr{usage: "T"}, sub("MI", realMBI))}}, 1, evidence.SeverityHigh, "real-looking"},
		{"test indicator: T with member ID", CheckISATestIndicator, []input{{prod, envelope(hdr{usage: "T"}, sub("MI", "W83K29Q7"))}}, 1, evidence.SeverityHigh, "ISA15=T"},
		{"test indicator: T with test values", CheckISATestIndicator, []input{{prod, envelope(hdr{usage: "T"},
			sub("MI", "TEST000001"), sub("MI", "123456"), sub("MI", "0000000004"), sub("MI", "XX99999X"), sub("34", "999001234"))}}, 0, "", ""},
		{"test indicator: P with real IDs", CheckISATestIndicator, []input{{prod, envelope(hdr{}, sub("MI", realMBI))}}, 0, "", ""},
		{"test indicator: P in test folder", CheckISATestIndicator, []input{{test, envelope(hdr{})}}, 1, evidence.SeverityMedium, `"test" in the path`},
		{"test indicator: P in uat file name", CheckISATestIndicator, []input{{"/edi/claims_uat_0101.txt", envelope(hdr{})}}, 1, evidence.SeverityMedium, "uat"},
		{"test indicator: T in test folder", CheckISATestIndicator, []input{{test, envelope(hdr{usage: "T"})}}, 0, "", ""},
		{"test indicator: word inside a word", CheckISATestIndicator, []input{{"/edi/latest/contest.837", envelope(hdr{})}}, 0, "", ""},

		{"envelope: well-formed", CheckEnvelopeMismatch, []input{{prod, envelope(hdr{}, sub("MI", "A1"))}}, 0, "", ""},
		{"envelope: SE01 count", CheckEnvelopeMismatch, []input{{prod, strings.Replace(envelope(hdr{}, "BHT*0019"), "SE*3*", "SE*4*", 1)}}, 1, evidence.SeverityMedium, "SE01"},
		{"envelope: SE02 control", CheckEnvelopeMismatch, []input{{prod, strings.Replace(envelope(hdr{}), "SE*2*0001", "SE*2*0002", 1)}}, 1, evidence.SeverityMedium, "SE02"},
		{"envelope: GE01 count", CheckEnvelopeMismatch, []input{{prod, strings.Replace(envelope(hdr{}), "GE*1*", "GE*2*", 1)}}, 1, evidence.SeverityMedium, "GE01"},
		{"envelope: GE02 control", CheckEnvelopeMismatch, []input{{prod, strings.Replace(envelope(hdr{}), "GE*1*7", "GE*1*8", 1)}}, 1, evidence.SeverityMedium, "GE02"},
		{"envelope: GE02 with leading zeros", CheckEnvelopeMismatch, []input{{prod, strings.Replace(envelope(hdr{}), "GE*1*7", "GE*1*0007", 1)}}, 0, "", ""},
		{"envelope: IEA01 count", CheckEnvelopeMismatch, []input{{prod, strings.Replace(envelope(hdr{}), "IEA*1*", "IEA*3*", 1)}}, 1, evidence.SeverityMedium, "IEA01"},
		{"envelope: IEA02 control", CheckEnvelopeMismatch, []input{{prod, strings.Replace(envelope(hdr{}), "IEA*1*000000101", "IEA*1*000000999", 1)}}, 1, evidence.SeverityMedium, "IEA02"},
		{"envelope: truncated", CheckEnvelopeMismatch, []input{{prod, truncate(envelope(hdr{}, "BHT*0019"), "SE*")}}, 3, evidence.SeverityHigh, "no SE trailer at the end of the file"},
		{"envelope: ST outside group", CheckEnvelopeMismatch, []input{{prod, hdr{}.isa() + "ST*837*1~SE*2*1~IEA*0*000000101~"}}, 2, evidence.SeverityMedium, "outside a functional group"},
		{"envelope: data outside a transaction", CheckEnvelopeMismatch, []input{{prod, hdr{}.isa() + "NM1*IL*1~IEA*0*000000101~"}}, 1, evidence.SeverityMedium, "outside a transaction set"},
		{"envelope: TA1 at interchange level", CheckEnvelopeMismatch, []input{{prod, hdr{}.isa() + "TA1*000000101*260101*1200*A*000~IEA*0*000000101~"}}, 0, "", ""},

		{"duplicate: across files", CheckDuplicateControlNumber, []input{{"/a/one.837", envelope(hdr{})}, {"/a/two.837", envelope(hdr{})}}, 1, evidence.SeverityMedium, "/a/one.837 (segment 1)"},
		{"duplicate: within a file", CheckDuplicateControlNumber, []input{{"/a/one.837", envelope(hdr{}) + envelope(hdr{})}}, 1, evidence.SeverityMedium, "already used"},
		{"duplicate: other sender", CheckDuplicateControlNumber, []input{{"/a/one.837", envelope(hdr{})}, {"/a/two.837", envelope(hdr{senderID: "OTHER"})}}, 0, "", ""},
		{"duplicate: other number", CheckDuplicateControlNumber, []input{{"/a/one.837", envelope(hdr{})}, {"/a/two.837", envelope(hdr{ctl: "000000102"})}}, 0, "", ""},

		{"ssn: REF*SY", CheckSSNIdentifier, []input{{prod, envelope(hdr{}, "REF*SY*"+realSSN)}}, 1, evidence.SeverityHigh, "***-**-7891"},
		{"ssn: REF*SY with dashes", CheckSSNIdentifier, []input{{prod, envelope(hdr{}, "REF*SY*234-56-7891")}}, 1, evidence.SeverityHigh, "***-**-7891"},
		{"ssn: NM108=34", CheckSSNIdentifier, []input{{prod, envelope(hdr{}, "NM1*QC*1*DOE*JANE****34*"+realSSN)}}, 1, evidence.SeverityHigh, "NM108=34"},
		{"ssn: never-issued value", CheckSSNIdentifier, []input{{prod, envelope(hdr{}, "REF*SY*999001234")}}, 1, evidence.SeverityLow, "not a valid SSN"},
		{"ssn: tax ID is not", CheckSSNIdentifier, []input{{prod, envelope(hdr{}, "REF*EI*"+realSSN)}}, 0, "", ""},
		{"ssn: member ID is not", CheckSSNIdentifier, []input{{prod, envelope(hdr{}, sub("MI", realSSN))}}, 0, "", ""},

		{"hicn: SSN plus BIC as member ID", CheckLegacyHICN, []input{{prod, envelope(hdr{}, sub("MI", realHICN))}}, 1, evidence.SeverityHigh, "*****891A"},
		{"hicn: HN qualifier", CheckLegacyHICN, []input{{prod, envelope(hdr{}, "NM1*QC*1*DOE*JANE****HN*A123456")}}, 1, evidence.SeverityHigh, "NM108=HN"},
		{"hicn: MBI", CheckLegacyHICN, []input{{prod, envelope(hdr{}, sub("MI", realMBI))}}, 0, "", ""},
		{"hicn: commercial member ID", CheckLegacyHICN, []input{{prod, envelope(hdr{}, sub("MI", "W83K29Q7"))}}, 0, "", ""},
		{"hicn: never-issued SSN plus letter", CheckLegacyHICN, []input{{prod, envelope(hdr{}, sub("MI", "999123456A"))}}, 0, "", ""},
		{"hicn: provider", CheckLegacyHICN, []input{{prod, envelope(hdr{}, "NM1*85*2*CLINIC*****MI*"+realHICN)}}, 0, "", ""},

		{"logs: X12 file named .log", CheckX12InLogs, []input{{"/var/app/edi-2026.log", envelope(hdr{})}}, 1, evidence.SeverityHigh, "stored as a log file"},
		{"logs: X12 inside a log", CheckX12InLogs, []input{{"/var/logs/gateway.txt",
			"2026-01-01 10:00 INFO sending\n2026-01-01 10:00 DEBUG body=ISA*00*          *00*...\n" +
				"2026-01-01 10:01 DEBUG NM1*IL*1*DOE*JANE****MI*W83K29Q7~DMG*D8*19800101*F~\n"}}, 1, evidence.SeverityHigh, "2 line(s), first on line 2"},
		{"logs: plain log", CheckX12InLogs, []input{{"/var/log/app.log", "2026-01-01 INFO ISA maintenance at 10:00; CLM service restarted\nNM1 tool ok\n"}}, 0, "", ""},
		{"logs: X12 outside logs", CheckX12InLogs, []input{{prod, envelope(hdr{})}}, 0, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files := inspectAll(t, tt.files...)
			last := files[len(files)-1]
			got := byCheck(last, tt.check)
			if len(got) != tt.want {
				t.Fatalf("%d %s findings; want %d: %+v", len(got), tt.check, tt.want, last.Findings)
			}
			if tt.want == 0 {
				return
			}
			if got[0].Severity != tt.sev || !strings.Contains(got[0].Message, tt.substr) {
				t.Errorf("first finding %s %q; want %s containing %q", got[0].Severity, got[0].Message, tt.sev, tt.substr)
			}
			for _, f := range files {
				for _, fd := range f.Findings {
					for _, secret := range []string{realSSN, realMBI, realHICN, password, "AUTH123", "234-56-7891", "W83K29Q7"} {
						if strings.Contains(fd.Message, secret) {
							t.Errorf("finding %q prints %q in full", fd.Message, secret)
						}
					}
				}
			}
		})
	}
}

func TestFindingLocation(t *testing.T) {
	data := envelope(hdr{}, "BHT*0019", "REF*SY*"+realSSN)
	f := inspectAll(t, input{"/a.837", data})[0]
	got := byCheck(f, CheckSSNIdentifier)
	if len(got) != 1 {
		t.Fatalf("findings %+v", f.Findings)
	}
	wantOff := int64(strings.Index(data, "REF*SY"))
	if got[0].Segment != 5 || got[0].Offset != wantOff {
		t.Errorf("finding at segment %d offset %d; want segment 5 offset %d", got[0].Segment, got[0].Offset, wantOff)
	}
}

func TestFindingsCapped(t *testing.T) {
	body := make([]string, 0, 40)
	for range 40 {
		body = append(body, "REF*SY*"+realSSN)
	}
	f := inspectAll(t, input{"/a.837", envelope(hdr{}, body...)})[0]
	if n := len(byCheck(f, CheckSSNIdentifier)); n != MaxFindingsPerCheck || f.Suppressed[CheckSSNIdentifier] != 40-MaxFindingsPerCheck {
		t.Errorf("%d listed, %d suppressed; want %d and %d", n, f.Suppressed[CheckSSNIdentifier], MaxFindingsPerCheck, 40-MaxFindingsPerCheck)
	}
}

func TestInspectStructure(t *testing.T) {
	type tx struct{ typ, ctl string }
	tests := []struct {
		file        string
		usage, ver  string
		sender      Party
		groups      []string // GS01/GS06/GS08 per group, all interchanges
		txs         []tx
		interchange int
		segments    int
	}{
		{"imsweb/837_5010/x12_multiple_isa.txt", "T", "00501", Party{"ZZ", "SUBMITTERS.ID"},
			[]string{"HC/1/005010X222A1", "HC/1/005010X222A1"}, []tx{{"837", "987654"}, {"837", "987654"}}, 2, 34},
		{"imsweb/837_5010/x12_multiple_gs.txt", "T", "00501", Party{"ZZ", "SUBMITTERS.ID"},
			[]string{"HC/1/005010X222A1", "HC/1/005010X222A1", "HC/1/005010X222A1"}, []tx{{"837", "987654"}, {"837", "987654"}, {"837", "987654"}}, 1, 34},
		{"imsweb/x270_271/x270.txt", "P", "00401", Party{"ZZ", "ABCDEFGHIJKLMNO"},
			[]string{"HS/14420/004010X092A1"}, []tx{{"270", "000121"}}, 1, 14},
		{"imsweb/277_5010/x12_277CA_rejected.txt", "T", "00501", Party{"ZZ", "EMEDNYBAT"},
			[]string{"HN/1120/005010X214"}, []tx{{"277", "000001120"}}, 1, 24},
		{"pyx12/835_mult_loops.txt", "P", "00501", Party{"ZZ", "D00000"},
			[]string{"HP/383880001/005010X221A1"}, []tx{{"835", "0001"}}, 1, 31},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			data, err := os.ReadFile(sample(t, tt.file))
			if err != nil {
				t.Fatal(err)
			}
			f, err := NewInspector().Inspect(tt.file, bytes.NewReader(data))
			if err != nil {
				t.Fatal(err)
			}
			if len(f.Interchanges) != tt.interchange || f.Bytes != int64(len(data)) {
				t.Fatalf("%d interchanges, %d bytes; want %d, %d", len(f.Interchanges), f.Bytes, tt.interchange, len(data))
			}
			ic := f.Interchanges[0]
			if ic.Usage != tt.usage || ic.Version != tt.ver || ic.Sender != tt.sender {
				t.Errorf("interchange usage %q version %q sender %+v; want %q %q %+v", ic.Usage, ic.Version, ic.Sender, tt.usage, tt.ver, tt.sender)
			}
			var groups []string
			var txs []tx
			for _, ic := range f.Interchanges {
				for _, g := range ic.Groups {
					groups = append(groups, g.FunctionalID+"/"+g.ControlNumber+"/"+g.Version)
					for _, t := range g.Transactions {
						txs = append(txs, tx{t.Type, t.ControlNumber})
					}
				}
			}
			if !reflect.DeepEqual(groups, tt.groups) || !reflect.DeepEqual(txs, tt.txs) {
				t.Errorf("groups %v, transactions %v; want %v, %v", groups, txs, tt.groups, tt.txs)
			}
			if got := f.Interchanges[0].Groups[0].Transactions[0].Segments; got != tt.segments {
				t.Errorf("first transaction has %d segments; want %d", got, tt.segments)
			}
		})
	}
}

func TestInspectMalformed(t *testing.T) {
	tests := []struct {
		name, path, data string
		seg              int
		off              int64
	}{
		{"not X12", "/a/readme.txt", "Hello, this is not EDI", 1, 0},
		{"empty", "/a/empty.837", "", 1, 0},
		{"bad segment after good ones", "/a/bad.837", hdr{}.isa() + "GS*HC~st*837~", 3, 113},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := NewInspector().Inspect(tt.path, strings.NewReader(tt.data))
			var se *SyntaxError
			if !errors.As(err, &se) || f == nil || f.Error == nil {
				t.Fatalf("Inspect = %+v, %v; want a *SyntaxError and File.Error", f, err)
			}
			if f.Error.Segment != tt.seg || f.Error.Offset != tt.off {
				t.Errorf("error at segment %d offset %d; want %d, %d", f.Error.Segment, f.Error.Offset, tt.seg, tt.off)
			}
		})
	}
}

func TestFactsAndReadEvidence(t *testing.T) {
	files := inspectAll(t,
		input{"/srv/edi/claims.837", envelope(hdr{secQ: "01", sec: password}, "REF*SY*"+realSSN)},
		input{"/var/log/gw.log", "x NM1*IL*1*DOE*JANE****MI*W83K29Q7~\n"},
	)
	rep := &Report{Format: ReportFormat, Files: files}
	facts := Facts(rep)
	checks := map[string]bool{}
	for _, f := range facts {
		if err := f.Validate(); err != nil {
			t.Errorf("fact %+v: %v", f, err)
		}
		if f.Source != evidence.SourceEDI || !strings.HasPrefix(f.Check, "edi.") {
			t.Errorf("fact source %s check %s; want edi, edi.*", f.Source, f.Check)
		}
		checks[f.Target+" "+f.Check] = true
	}
	for _, want := range []string{
		"/srv/edi/claims.837 edi.summary", "/srv/edi/claims.837 edi.isa-credentials",
		"/srv/edi/claims.837 edi.ssn-identifier", "/var/log/gw.log edi.x12-in-logs",
	} {
		if !checks[want] {
			t.Errorf("no fact %s in %v", want, checks)
		}
	}
	if checks["/var/log/gw.log edi.summary"] {
		t.Errorf("summary fact for a log that is not X12")
	}
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode(rep); err != nil {
		t.Fatal(err)
	}
	got, err := ReadEvidence(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, facts) {
		t.Errorf("ReadEvidence after a JSON round trip:\n%+v\nwant\n%+v", got, facts)
	}
	for _, bad := range []string{`{"format":"other","files":[]}`, `not json`, `{"format":"` + ReportFormat + `","files":[{}]}`} {
		if _, err := ReadEvidence(strings.NewReader(bad)); err == nil {
			t.Errorf("ReadEvidence(%s) succeeded; want an error", bad)
		}
	}
}

func FuzzInspect(f *testing.F) {
	f.Add("/edi/a.837", []byte(envelope(hdr{secQ: "01", sec: password, usage: "T"}, "REF*SY*"+realSSN, "NM1*IL*1*A****MI*"+realHICN)))
	f.Add("/var/log/a.log", []byte("NM1*IL*1*DOE~ISA*00*"))
	f.Add("/test/b.837", []byte(envelope(hdr{})[:150]))
	if b := sharedtest.Read("x12/imsweb/837_5010/x12_multiple_isa.txt"); b != nil {
		f.Add("/x.txt", b)
	}
	f.Fuzz(func(t *testing.T, path string, data []byte) {
		in := NewInspector()
		for range 2 { // twice, to exercise the cross-file checks
			res, err := in.Inspect(path, bytes.NewReader(data))
			if res == nil {
				t.Fatal("nil File")
			}
			var se *SyntaxError
			if err != nil && !errors.As(err, &se) {
				t.Fatalf("error %T %v; want *SyntaxError", err, err)
			}
			if err != nil && res.Error == nil {
				t.Fatal("error without File.Error")
			}
			if _, err := json.Marshal(res); err != nil {
				t.Fatal(err)
			}
			for _, fact := range Facts(&Report{Format: ReportFormat, Files: []*File{res}}) {
				if path != "" {
					if err := fact.Validate(); err != nil {
						t.Fatal(err)
					}
				}
			}
		}
	})
}

func TestFindingsInFileOrder(t *testing.T) {
	// The test-indicator finding is decided at IEA but located at the
	// first identifier, before the SSN finding that follows it.
	f := inspectAll(t, input{"/a.837", envelope(hdr{usage: "T"}, "NM1*IL*1*DOE*JANE****MI*"+realMBI, "REF*SY*"+realSSN)})[0]
	var got []string
	for i, fd := range f.Findings {
		got = append(got, fd.Check)
		if i > 0 && fd.Offset < f.Findings[i-1].Offset {
			t.Errorf("findings out of order: %v", f.Findings)
		}
	}
	if want := []string{CheckISATestIndicator, CheckSSNIdentifier}; !reflect.DeepEqual(got, want) {
		t.Errorf("checks %v; want %v", got, want)
	}
}

func TestMalformedKeepsEarlierFindings(t *testing.T) {
	data := envelope(hdr{usage: "T", secQ: "01", sec: password}, "NM1*IL*1*DOE*JANE****MI*"+realMBI, "bad*segment")
	f, err := NewInspector().Inspect("/a.837", strings.NewReader(data))
	var se *SyntaxError
	if !errors.As(err, &se) || se.Segment != 5 {
		t.Fatalf("error %v; want a syntax error at segment 5", err)
	}
	got := map[string]int{}
	for _, fd := range f.Findings {
		got[fd.Check]++
	}
	want := map[string]int{CheckISACredentials: 1, CheckISATestIndicator: 1}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("findings %v; want %v", got, want)
	}
}
