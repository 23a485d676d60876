package corpus

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
)

// allKinds is what a full person record carries in free text.
const allKinds = "ssn,mbi,hicn,member_id,mrn,dob,payment_card,bank_account,npi,name,address,phone,email"

func (g *gen) decoyValue(v string) string {
	g.c.Seeded = append(g.c.Seeded, v)
	return v
}

// noteLines renders a person as a clinical/billing note paragraph.
func (g *gen) noteLines(p *Person, variant int) []string {
	dob := usDate(p.DOB)
	ssn := dashSSN(p.SSN)
	mbi := p.MBI
	if variant%2 == 1 {
		dob = "Date of birth: " + isoDate(p.DOB)
		ssn = "Social Security Number: " + p.SSN
		mbi = dashMBI(p.MBI)
	} else {
		dob = "DOB: " + dob
		ssn = "SSN: " + ssn
	}
	return []string{
		"Patient: " + p.First + " " + p.Last,
		dob + "    DOS: " + usDate(p.DOS),
		ssn,
		"Medicare ID: " + mbi + "   legacy HICN: " + p.HICN,
		"Member ID: " + p.MemberID + "   MRN: " + p.MRN,
		"Card on file: " + groupCard(p.Card),
		"Routing number: " + p.Routing + "  Account number: " + p.Account,
		"Rendering provider NPI: " + p.NPI,
		"Phone: " + fmtPhone(p.Phone) + "   Email: " + p.Email,
		"Address: " + p.Street + ", " + p.City + ", " + p.State + " " + p.ZIP,
	}
}

// decoyLines renders a paragraph of identifier-shaped values that are
// not identifiers or fail validation, and a phone number with no PHI
// beside it.
func (g *gen) decoyLines() []string {
	dos := [3]int{2024, 1 + g.r.IntN(12), 1 + g.r.IntN(28)}
	return []string{
		"Front desk: call " + fmtPhone(g.decoyValue(fmt.Sprint(2+g.r.IntN(8))+g.digits(2)+fmt.Sprint(2+g.r.IntN(8))+g.digits(6))) +
			" about order #" + g.decoyValue(g.digits(9)) + ".",
		"Ticket " + dashSSN(g.decoyValue(g.ssn())) + " closed on " + usDate(dos) + "; service date " + isoDate(dos) + ".",
		"Rejected SSN " + dashSSN(g.decoyValue(g.badSSN())) + " and Medicare ID " + g.decoyValue(g.badMBI()) + " on the intake form.",
		"Card " + groupCard(g.decoyValue(g.badCard())) + " was declined; provider NPI " + g.decoyValue(g.badNPI()) + " failed validation.",
		"Synthetic test SSN " + dashSSN(g.decoyValue("999"+g.digits(6))) + " from the vendor sandbox.",
	}
}

// note writes a text document of people and decoys; it returns its text.
func (g *gen) note(path string) string {
	var b strings.Builder
	b.WriteString("Billing office notes\n\n")
	for i := range g.people {
		p := g.person()
		for _, l := range g.noteLines(p, i) {
			b.WriteString(l + "\n")
		}
		b.WriteString("\n")
		g.labelPerson(path, p, allKinds)
		for _, l := range g.decoyLines() {
			b.WriteString(l + "\n")
		}
		b.WriteString("\n")
	}
	return b.String()
}

func (g *gen) logText(path string) string {
	var b strings.Builder
	for i := range g.people {
		p := g.person()
		fmt.Fprintf(&b, "2025-03-04T10:%02d:00Z INFO eligibility check started request=%s\n", i%60, g.digits(8))
		fmt.Fprintf(&b, "2025-03-04T10:%02d:01Z INFO eligibility patient=\"%s %s\" dob=%s ssn=%s mbi=%s hicn=%s member_id=%s mrn=%s phone=%s email=%s address=\"%s\"\n",
			i%60, p.First, p.Last, isoDate(p.DOB), dashSSN(p.SSN), p.MBI, p.HICN, p.MemberID, p.MRN, dashPhone(p.Phone), p.Email, p.Street)
		fmt.Fprintf(&b, "2025-03-04T10:%02d:02Z INFO payment posted patient=\"%s %s\" card=%s routing=%s account=%s rendering_npi=%s\n",
			i%60, p.First, p.Last, p.Card, p.Routing, p.Account, p.NPI)
		g.labelPerson(path, p, allKinds)
		fmt.Fprintf(&b, "2025-03-04T10:%02d:03Z WARN order %s shipped; ticket %s; support line %s; rejected ssn=%s mbi=%s\n",
			i%60, g.decoyValue(g.digits(9)), dashSSN(g.decoyValue(g.ssn())), dashPhone(g.decoyValue("312"+"555"+g.digits(4))),
			dashSSN(g.decoyValue(g.badSSN())), g.decoyValue(g.badMBI()))
		fmt.Fprintf(&b, "2025-03-04T10:%02d:04Z ERROR card %s declined npi=%s dos=%s pid=%s\n",
			i%60, g.decoyValue(g.badCard()), g.decoyValue(g.badNPI()), isoDate(p.DOS), g.digits(5))
	}
	return b.String()
}

func (g *gen) textFiles() {
	g.add("notes/office-notes.txt", []byte(g.note("notes/office-notes.txt")))
	g.add("logs/eligibility.log", []byte(g.logText("logs/eligibility.log")))
	g.add("notes/claim-followups.txt", []byte(g.followUps("notes/claim-followups.txt")))
}

// table renders people as rows under a header; the header names differ
// between the CSV and TSV flavours, as exports from different systems do.
func (g *gen) table(path string, sep string, tsv bool) string {
	var b strings.Builder
	head := []string{"Patient Name", "DOB", "SSN", "Member ID", "MBI", "MRN", "Phone", "Email", "Address", "City", "State", "ZIP",
		"Card Number", "Routing Number", "Account Number", "Rendering NPI", "Date of Service", "Order Number", "Diagnosis", "Balance"}
	if tsv {
		head = []string{"Name", "Date of Birth", "Social Security Number", "Subscriber ID", "Medicare ID", "Chart Number", "Telephone", "E-mail",
			"Street", "City", "State", "Zip", "Card", "ABA", "Acct", "NPI", "DOS", "Ticket", "ICD10", "Amount"}
	}
	b.WriteString(strings.Join(head, sep) + "\n")
	quote := func(s string) string {
		if !tsv && strings.ContainsAny(s, ",\"") {
			return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
		}
		return s
	}
	for i := range g.people {
		p := g.person()
		name := p.First + " " + p.Last
		dob := usDate(p.DOB)
		ssn := dashSSN(p.SSN)
		if i%2 == 1 {
			name = p.Last + ", " + p.First
			dob = isoDate(p.DOB)
			ssn = p.SSN
		}
		row := []string{name, dob, ssn, p.MemberID, p.MBI, p.MRN, dashPhone(p.Phone), p.Email, p.Street, p.City, p.State, p.ZIP,
			p.Card, p.Routing, p.Account, p.NPI, usDate(p.DOS), g.decoyValue(g.digits(9)), "E11.9", fmt.Sprintf("%d.%02d", g.r.IntN(900), g.r.IntN(100))}
		for k := range row {
			row[k] = quote(row[k])
		}
		b.WriteString(strings.Join(row, sep) + "\n")
		g.labelPerson(path, p, "ssn,mbi,member_id,mrn,dob,payment_card,bank_account,npi,name,address,phone,email")
		// A decoy row: nothing in it validates, so nothing in it counts.
		d := []string{"Walk-in Visitor", "", dashSSN(g.decoyValue(g.badSSN())), "", g.decoyValue(g.badMBI()), "", dashPhone(g.decoyValue("312555" + g.digits(4))), "",
			"", p.City, p.State, p.ZIP, g.decoyValue(g.badCard()), "", "", g.decoyValue(g.badNPI()), usDate(p.DOS), g.decoyValue(g.digits(9)), "", "0.00"}
		for k := range d {
			d[k] = quote(d[k])
		}
		b.WriteString(strings.Join(d, sep) + "\n")
	}
	return b.String()
}

func (g *gen) tableFiles() {
	g.add("exports/aging.csv", []byte(g.table("exports/aging.csv", ",", false)))
	g.add("exports/members.tsv", []byte(g.table("exports/members.tsv", "\t", true)))
}

func (g *gen) jsonRecord(p *Person) map[string]string {
	return map[string]string{
		"patient_name": p.First + " " + p.Last, "dob": isoDate(p.DOB), "ssn": p.SSN, "mbi": p.MBI,
		"member_id": p.MemberID, "mrn": p.MRN, "phone": dashPhone(p.Phone), "email": p.Email, "address": p.Street,
		"card_number": p.Card, "routing_number": p.Routing, "account_number": p.Account, "rendering_npi": p.NPI,
		"date_of_service": isoDate(p.DOS), "order_id": g.decoyValue(g.digits(9)),
	}
}

func (g *gen) jsonDecoy() map[string]string {
	return map[string]string{
		"support_phone": dashPhone(g.decoyValue("312555" + g.digits(4))), "ticket": dashSSN(g.decoyValue(g.ssn())),
		"rejected_ssn": dashSSN(g.decoyValue(g.badSSN())), "rejected_mbi": g.decoyValue(g.badMBI()),
		"declined_card": g.decoyValue(g.badCard()), "order_id": g.decoyValue(g.digits(9)),
	}
}

const jsonKinds = "ssn,mbi,member_id,mrn,dob,payment_card,bank_account,npi,name,address,phone,email"

func (g *gen) jsonDoc(path string) []byte {
	var recs []map[string]string
	for range g.people {
		p := g.person()
		recs = append(recs, g.jsonRecord(p), g.jsonDecoy())
		g.labelPerson(path, p, jsonKinds)
	}
	b, _ := json.MarshalIndent(map[string]any{"export": "patients", "records": recs}, "", "  ")
	return append(b, '\n')
}

func (g *gen) jsonLines(path string) []byte {
	var b bytes.Buffer
	for range g.people {
		p := g.person()
		for _, r := range []map[string]string{g.jsonRecord(p), g.jsonDecoy()} {
			line, _ := json.Marshal(r)
			b.Write(line)
			b.WriteByte('\n')
		}
		g.labelPerson(path, p, jsonKinds)
	}
	return b.Bytes()
}

func (g *gen) jsonFiles() {
	g.add("api/patients.json", g.jsonDoc("api/patients.json"))
	g.add("api/events.jsonl", g.jsonLines("api/events.jsonl"))
}

// followUps renders claim follow-up notes that mention MBIs in running
// text, a few words away from any label and often after words such as
// "claim" or "payer" that vouch for reference numbers, with decoys of the
// same shape that break CMS's format.
func (g *gen) followUps(path string) string {
	say := []string{
		"Called the payer about the denied claim; the number they had, %s, matched the card.",
		"Resubmitted claim for %s after the eligibility check came back clean.",
		"Per the rep on the phone, %s is the correct identifier and the old one is retired.",
		"Spoke with the daughter; her mother's new card reads %s and arrived last week.",
		"Ticket closed: corrected %s on the 837 and rebilled the secondary.",
		"Authorization still pending for (%s), follow up Friday.",
		"Invoice voided, patient now under Medicare as %s; rebill from scratch.",
		"Payer portal shows %s as active since March.",
	}
	decoy := []string{
		"Reference code %s on the remittance is the payer's, not the patient's.",
		"Batch %s failed the nightly upload; retry scheduled.",
	}
	var b strings.Builder
	b.WriteString("Claim follow-up log\n\n")
	// Every sentence at least twice, so that a small corpus has them all.
	for i := range max(2*len(say), g.people) {
		mbi := g.unique(g.mbi)
		if i%3 == 2 {
			mbi = dashMBI(mbi)
		}
		fmt.Fprintf(&b, say[i%len(say)]+"\n", mbi)
		g.label(path, "mbi", strings.ReplaceAll(mbi, "-", ""))
		fmt.Fprintf(&b, decoy[i%len(decoy)]+"\n", g.decoyValue(g.badMBI()))
		// An 11-character code that starts with a letter is not an MBI.
		code := []byte(g.mbi())
		code[0] = mbiLetters[g.r.IntN(len(mbiLetters))]
		fmt.Fprintf(&b, "Order %s shipped to the office.\n\n", g.decoyValue(string(code)))
	}
	return b.String()
}
