package corpus

import (
	"fmt"
	"strings"
)

// isa builds an ISA segment of exactly 106 characters.
func isa(control int, test bool) string {
	usage := "P"
	if test {
		usage = "T"
	}
	s := fmt.Sprintf("ISA*00*%-10s*00*%-10s*ZZ*%-15s*ZZ*%-15s*250304*1015*^*00501*%09d*0*%s*:~",
		"", "", "RCMSUBMITTER", "CLEARINGHOUSE", control, usage)
	if len(s) != 106 {
		panic(fmt.Sprintf("corpus: ISA is %d characters", len(s)))
	}
	return s
}

// claim837 writes a professional claim interchange: subscriber name,
// address, birth date and SSN by position, member IDs or MBIs in NM109,
// record numbers in REF*EA, diagnosis codes in HI.
func (g *gen) claim837(path string, newline bool) string {
	control := 100000 + g.r.IntN(899999)
	var segs []string
	add := func(s string) { segs = append(segs, s) }
	add(strings.TrimSuffix(isa(control, false), "~"))
	add("GS*HC*RCMSUBMITTER*CLEARINGHOUSE*20250304*1015*1*X*005010X222A1")
	add("ST*837*0001*005010X222A1")
	add("BHT*0019*00*" + g.digits(6) + "*20250304*1015*CH")
	add("NM1*41*2*BILLING SERVICE*****46*" + g.digits(5))
	add("NM1*40*2*CLEARINGHOUSE*****46*" + g.digits(5))
	add("HL*1**20*1")
	billing := g.unique(g.npi)
	add("NM1*85*2*COMMUNITY CLINIC*****XX*" + billing)
	add("N3*100 CLINIC PLAZA")
	add("N4*SPRINGFIELD*IL*62701")
	g.label(path, "npi", billing)
	for i := range g.people {
		p := g.person()
		add(fmt.Sprintf("HL*%d*1*22*0", i+2))
		add("SBR*P*18*******CI")
		id, kind := p.MemberID, "member_id"
		if i%2 == 1 {
			id, kind = p.MBI, "mbi"
		}
		add("NM1*IL*1*" + strings.ToUpper(p.Last) + "*" + strings.ToUpper(p.First) + "****MI*" + id)
		add("N3*" + strings.ToUpper(p.Street))
		add("N4*" + strings.ToUpper(p.City) + "*" + p.State + "*" + p.ZIP)
		add("DMG*D8*" + x12Date(p.DOB) + "*F")
		add("REF*SY*" + p.SSN)
		if i == 0 {
			// A never-issued SSN in the same position: rejected.
			add("REF*SY*" + g.decoyValue(g.badSSN()))
		}
		add("NM1*PR*2*HEALTH PLAN*****PI*" + g.digits(5))
		add(fmt.Sprintf("CLM*PA%s*125***11:B:1*Y*A*Y*Y", g.digits(6)))
		add("DTP*431*D8*" + x12Date(p.DOS))
		add("REF*EA*" + p.MRN)
		add("HI*ABK:E119*ABF:I10")
		add("NM1*82*1*WELBY*MARCUS****XX*" + p.NPI)
		add("LX*1")
		add("SV1*HC:99213*125*UN*1***1")
		add("DTP*472*D8*" + x12Date(p.DOS))
		g.labelPerson(path, p, kind+",ssn,mrn,dob,npi,name,address")
	}
	n := len(segs) - 2 + 1
	add(fmt.Sprintf("SE*%d*0001", n))
	add("GE*1*1")
	add(fmt.Sprintf("IEA*1*%09d", control))
	g.label(path, "x12", fmt.Sprintf("%09d", control))
	sep := "~"
	if newline {
		sep = "~\n"
	}
	return strings.Join(segs, sep) + sep
}

// remit835 writes a remittance: bank routing and account numbers in BPR,
// patients in NM1*QC with HICNs or member IDs.
func (g *gen) remit835(path string) string {
	control := 100000 + g.r.IntN(899999)
	var segs []string
	add := func(s string) { segs = append(segs, s) }
	add(strings.TrimSuffix(isa(control, false), "~"))
	add("GS*HP*PAYER*RCMSUBMITTER*20250310*0900*1*X*005010X221A1")
	add("ST*835*0001*005010X221A1")
	payerR, payerA := g.unique(g.routing), g.unique(func() string { return g.digits(10) })
	payeeR, payeeA := g.unique(g.routing), g.unique(func() string { return g.digits(12) })
	add(fmt.Sprintf("BPR*I*1500*C*ACH*CCP*01*%s*DA*%s*1234567890**01*%s*DA*%s*20250310", payerR, payerA, payeeR, payeeA))
	g.label(path, "bank_account", payerR+":"+payerA)
	g.label(path, "bank_account", payeeR+":"+payeeA)
	add("TRN*1*" + g.digits(10) + "*1234567890")
	add("N1*PR*HEALTH PLAN")
	add("N1*PE*COMMUNITY CLINIC*XX*1999999984")
	for i := range g.people {
		p := g.person()
		add(fmt.Sprintf("CLP*PA%s*1*200*150**MC*%s", g.digits(6), g.digits(12)))
		if i%2 == 0 {
			add("NM1*QC*1*" + strings.ToUpper(p.Last) + "*" + strings.ToUpper(p.First) + "****HN*" + p.HICN)
			g.labelPerson(path, p, "hicn,name")
		} else {
			add("NM1*QC*1*" + strings.ToUpper(p.Last) + "*" + strings.ToUpper(p.First) + "****MI*" + p.MemberID)
			g.labelPerson(path, p, "member_id,name")
		}
		add("NM1*82*1*WELBY*MARCUS****XX*" + p.NPI)
		g.labelPerson(path, p, "npi")
		add("SVC*HC:99213*200*150**1")
	}
	add(fmt.Sprintf("SE*%d*0001", len(segs)-2+1))
	add("GE*1*1")
	add(fmt.Sprintf("IEA*1*%09d", control))
	g.label(path, "x12", fmt.Sprintf("%09d", control))
	return strings.Join(segs, "~\n") + "~\n"
}

func (g *gen) x12Files() {
	// X12 files rarely say what they are: no extension, or .txt.
	g.add("edi/outbound/CLAIMS0304", []byte(g.claim837("edi/outbound/CLAIMS0304", false)))
	g.add("edi/inbound/remit_0310.txt", []byte(g.remit835("edi/inbound/remit_0310.txt")))
}
