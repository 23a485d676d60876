package phiscan_test

// A corpus written by real programs, scored by an oracle that shares no
// code with the scanner. This file is in the external test package on
// purpose: it can only call what any user of phiscan calls (New, Scan,
// ScanReader and the exported Finding fields), never the scanner's own
// normalisation, masking, Luhn or format checks.
//
// Producers: LibreOffice headless turns labelled notes (.txt) into DOCX
// and PDF, an HTML table into DOCX and CSV exports into XLSX; Python's
// email package writes .eml messages with quoted-printable and base64
// bodies and attachments (a CSV, and one of LibreOffice's XLSX files).
//
// Labels come from the generator's input: every value written into a
// source file is recorded with its kind. The values are made to be
// unmistakable without any check digit code: card numbers are taken
// from the networks' published test numbers, SSNs from issued ranges
// (area 100–665, group and serial never zero), MBIs from the letters CMS
// allows, position by position.
//
// The oracle's normalisation, from docs/scan.md's "Output" section rather
// than from the scanner's code: a finding is "label: masked value"; its
// visible part is what remains of the masked value after removing the
// mask characters '*', '-', '/' and spaces. For each label the oracle
// writes the visible part it expects — the last four characters of an
// SSN, MBI, card, member ID or record number, the year of a birth date,
// the initials of a name — and the generator makes those unique per kind
// within each file, so (file, kind, visible part) names one value
// exactly. A finding that matches no label is a false positive: the
// senders' and recipients' e-mail addresses, which stand apart from any
// identifier, must not be reported (docs/scan.md: contact details only
// beside an identifier).

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"rcmguard/internal/phiscan"
)

// realNow dates the scans: every birth date generated lies before it.
var realNow = time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC)

// person is one fictional patient with every identifier the corpus uses.
type person struct {
	First, Last string
	SSN         string // 123-45-6789
	MBI         string // 1EG4TE5MK73
	Card        string // digits only; "" when the person has none
	DOB         time.Time
	Member      string // W123456789
	MRN         string // ten digits
}

// The networks' published test card numbers (Visa, Mastercard, Amex,
// Discover, JCB, Diners): valid by construction, no Luhn code needed.
var testCards = []string{
	"4111111111111111", "5555555555554444", "378282246310005", "6011111111111117",
	"4012888888881881", "5105105105105100", "3530111333300000", "371449635398431",
	"6011000990139424", "4242424242424242", "5200828282828210", "3566002020360505",
	"4000056655665556", "2223003122003222", "6011000400000000", "378734493671000",
}

var (
	firstNames = []string{"Avery", "Blake", "Carmen", "Dorothy", "Eliza", "Franklin", "Gloria", "Harold",
		"Irene", "Jasper", "Katrina", "Leonard", "Maribel", "Nathan", "Odessa", "Preston",
		"Quentin", "Rosalind", "Stanley", "Theresa", "Ulysses", "Vivian", "Wendell", "Yolanda"}
	lastNames = []string{"Ashford", "Bellamy", "Castillo", "Donovan", "Ellison", "Fairbanks", "Galloway",
		"Hutchins", "Ingram", "Jennings", "Kowalski", "Lindqvist", "Montague", "Navarro", "Osborne",
		"Pemberton", "Quinlan", "Rutherford", "Sorensen", "Thornton", "Underwood", "Valencia", "Whitaker", "Yardley"}
)

// mbiLetters are the letters CMS uses in MBIs (S, L, O, I, B, Z never).
const mbiLetters = "ACDEFGHJKMNPQRTUVWXY"

// people makes n patients whose visible parts are unique within the set,
// so that one file may hold all of them.
func people(r *rand.Rand, n int, unlabelled bool) []person {
	seen := map[string]bool{}
	unique := func(kind, v string) bool {
		if unlabelled {
			return true
		}
		if seen[kind+v] {
			return false
		}
		seen[kind+v] = true
		return true
	}
	digit := func() byte { return byte('0' + r.IntN(10)) }
	letter := func() byte { return mbiLetters[r.IntN(len(mbiLetters))] }
	out := make([]person, 0, n)
	cards := r.Perm(len(testCards))
	for len(out) < n {
		var p person
		for {
			p.First, p.Last = firstNames[r.IntN(len(firstNames))], lastNames[r.IntN(len(lastNames))]
			if unique("name", p.First[:1]+p.Last[:1]) {
				break
			}
		}
		for {
			p.SSN = fmt.Sprintf("%03d-%02d-%04d", 100+r.IntN(566), 10+r.IntN(90), 1000+r.IntN(9000))
			if p.SSN[7:] != "6789" && unique("ssn", p.SSN[7:]) {
				break
			}
		}
		for {
			m := []byte{byte('1' + r.IntN(9)), letter(), digit(), digit(), letter(), letter(), digit(), letter(), letter(), digit(), digit()}
			if r.IntN(2) == 0 {
				m[2] = letter()
			}
			p.MBI = string(m)
			if unique("mbi", p.MBI[7:]) {
				break
			}
		}
		if len(out) < len(cards) && r.IntN(3) > 0 {
			p.Card = testCards[cards[len(out)]]
			if !unique("card", p.Card[len(p.Card)-4:]) {
				p.Card = ""
			}
		}
		for {
			p.DOB = time.Date(1930+r.IntN(75), time.Month(1+r.IntN(12)), 1+r.IntN(28), 0, 0, 0, 0, time.UTC)
			if unique("dob", p.DOB.Format("2006")) {
				break
			}
		}
		for {
			p.Member = fmt.Sprintf("W%09d", r.IntN(1e9))
			if unique("member", p.Member[6:]) {
				break
			}
		}
		for {
			p.MRN = fmt.Sprintf("%010d", 1e9+r.IntN(9e9))
			if unique("mrn", p.MRN[6:]) {
				break
			}
		}
		out = append(out, p)
	}
	return out
}

// label is one value written into a produced file.
type label struct {
	kind    phiscan.Kind
	visible string // what the masked excerpt must show
}

// Visible parts, following docs/scan.md's masking rules.
func lastFourOf(v string) string { return v[len(v)-4:] }

func nameLabel(p person) label {
	return label{phiscan.KindName, p.First[:1] + p.Last[:1]}
}

// noteText writes a person's intake note the way billing staff write
// them, with decoys that must not be reported: a date of service, a
// claim number, a never-issued SSN used by test data, a phone number.
// which varies the wording so the files differ.
func noteText(p person, which int) (string, []label) {
	var b strings.Builder
	ls := []label{nameLabel(p), {phiscan.KindSSN, lastFourOf(p.SSN)}, {phiscan.KindMBI, lastFourOf(p.MBI)},
		{phiscan.KindDOB, p.DOB.Format("2006")}, {phiscan.KindMemberID, lastFourOf(p.Member)}, {phiscan.KindMRN, lastFourOf(p.MRN)}}
	switch which % 3 {
	case 0:
		fmt.Fprintf(&b, "Patient: %s %s\nSSN: %s\nMedicare ID %s on file.\nDOB: %s\nMember ID: %s\nMRN: %s\n",
			p.First, p.Last, p.SSN, p.MBI, p.DOB.Format("01/02/2006"), p.Member, p.MRN)
	case 1:
		fmt.Fprintf(&b, "Patient name: %s %s\nSocial Security Number: %s\nDate of birth: %s\nMedical record number: %s\nSubscriber ID: %s\nResubmitted the claim for %s after the payer called back.\n",
			p.First, p.Last, p.SSN, p.DOB.Format("2006-01-02"), p.MRN, p.Member, p.MBI)
	default:
		fmt.Fprintf(&b, "Patient: %s %s, born %s\nSSN %s\nMBI: %s\nMRN %s\nMember ID: %s\n",
			p.First, p.Last, p.DOB.Format("January 2, 2006"), p.SSN, p.MBI, p.MRN, p.Member)
	}
	if p.Card != "" {
		fmt.Fprintf(&b, "Card on file: %s was charged the copay.\n", p.Card)
		ls = append(ls, label{phiscan.KindCard, lastFourOf(p.Card)})
	}
	fmt.Fprintf(&b, "Date of service 03/%02d/2025, claim #%d, callback 555-01%02d. Test record 999-%02d-4321 ignored.\n\n",
		1+which%28, 20250000+which*7, which%100, 10+which%90)
	return b.String(), ls
}

// producedFile is one file a real producer wrote, with its labels.
type producedFile struct {
	name   string // file name in the corpus directory
	format string // docx, xlsx, pdf, eml
	labels []label
}

// realCorpus is the generated corpus: its directory and its files.
type realCorpus struct {
	dir   string
	files []producedFile
}

// spec says how large a corpus to make: the accuracy test uses small
// files, the benchmarks megabytes.
type spec struct {
	seed     uint64
	notes    int // note files (each becomes a DOCX and a PDF)
	perNote  int // patients per note file
	sheets   int // CSV exports converted to XLSX
	perSheet int // rows per sheet
	mails    int // e-mail messages
	// unlabelled drops the uniqueness of visible parts, which bounds a
	// file to a few dozen patients: the benchmarks need thousands and
	// no score.
	unlabelled bool
}

type errSkip string

func (e errSkip) Error() string { return string(e) }

// soffice runs LibreOffice headless on files in dir, converting them to
// the given filter, with a profile of its own so that an instance running
// elsewhere does not take the conversion over.
func soffice(dir, to string, extra []string, files ...string) error {
	args := append([]string{"--headless", "--convert-to", to}, extra...)
	args = append(args, "--outdir", dir, "-env:UserInstallation=file://"+filepath.Join(dir, ".profile"))
	args = append(args, files...)
	out, err := exec.Command("soffice", args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("soffice --convert-to %s: %v: %s", to, err, out)
	}
	return nil
}

// makeRealCorpus writes the sources and has the producers convert them.
func makeRealCorpus(sp spec) (*realCorpus, error) {
	if _, err := exec.LookPath("soffice"); err != nil {
		return nil, errSkip("soffice not installed (apt-get install libreoffice-writer-nogui libreoffice-calc-nogui); the real-producer corpus needs it")
	}
	if _, err := exec.LookPath("python3"); err != nil {
		return nil, errSkip("python3 not installed; the real-producer e-mails need its email package")
	}
	dir, err := os.MkdirTemp("", "rcmguard-realcorpus-")
	if err != nil {
		return nil, err
	}
	src := filepath.Join(dir, ".src")
	if err := os.MkdirAll(src, 0o755); err != nil {
		return nil, err
	}
	r := rand.New(rand.NewPCG(sp.seed, 12))
	c := &realCorpus{dir: dir}
	write := func(name, text string) (string, error) {
		p := filepath.Join(src, name)
		return p, os.WriteFile(p, []byte(text), 0o644)
	}

	// Notes: each becomes a DOCX and a PDF with the same labels.
	var notes []string
	for i := range sp.notes {
		var b strings.Builder
		var ls []label
		b.WriteString("Billing office notes\n\n")
		for k, p := range people(r, sp.perNote, sp.unlabelled) {
			t, l := noteText(p, i+k)
			b.WriteString(t)
			ls = append(ls, l...)
		}
		name := fmt.Sprintf("notes-%d", i+1)
		p, err := write(name+".txt", b.String())
		if err != nil {
			return nil, err
		}
		notes = append(notes, p)
		c.files = append(c.files, producedFile{name + ".docx", "docx", ls}, producedFile{name + ".pdf", "pdf", ls})
	}

	// A table in a letter: label and value cells, a header row.
	{
		var b strings.Builder
		var ls []label
		b.WriteString("<html><body><p>Accounts referred to collections</p><table border=\"1\">\n<tr><th>Patient</th><th>SSN</th><th>Date of birth</th><th>Member ID</th></tr>\n")
		for _, p := range people(r, sp.perNote, sp.unlabelled) {
			fmt.Fprintf(&b, "<tr><td>%s %s</td><td>%s</td><td>%s</td><td>%s</td></tr>\n", p.First, p.Last, p.SSN, p.DOB.Format("01/02/2006"), p.Member)
			ls = append(ls, nameLabel(p), label{phiscan.KindSSN, lastFourOf(p.SSN)}, label{phiscan.KindDOB, p.DOB.Format("2006")}, label{phiscan.KindMemberID, lastFourOf(p.Member)})
		}
		b.WriteString("</table></body></html>\n")
		p, err := write("referrals.html", b.String())
		if err != nil {
			return nil, err
		}
		notes = append(notes, p)
		c.files = append(c.files, producedFile{"referrals.docx", "docx", ls})
	}

	// Sheets: an aging export. SSNs without dashes and birth dates are
	// left for Calc to take as numbers and dates, as it does with a real
	// export; the card and member columns are imported as text, since a
	// 16-digit number would lose its last digit as a spreadsheet number.
	//
	// Sheet i is attached to message 2i, and the two draw their patients
	// from one set, so visible parts stay unique within the message.
	var sheets []string
	sheetLabels := map[string][]label{}
	mailPeople := map[int][]person{}
	for i := range sp.sheets {
		var b strings.Builder
		var ls []label
		b.WriteString("Patient,SSN,DOB,Member ID,MBI,Card,MRN,Balance,Service date\n")
		ps := people(r, sp.perSheet+sp.perNote, sp.unlabelled)
		mailPeople[2*i] = ps[sp.perSheet:]
		for k, p := range ps[:sp.perSheet] {
			ssn := p.SSN
			if k%2 == 1 {
				ssn = strings.ReplaceAll(ssn, "-", "")
			}
			fmt.Fprintf(&b, "%s %s,%s,%s,%s,%s,%s,%s,%d.%02d,%s\n", p.First, p.Last, ssn, p.DOB.Format("01/02/2006"),
				p.Member, p.MBI, p.Card, p.MRN, r.IntN(5000), r.IntN(100), time.Date(2025, time.Month(1+k%12), 1+k%28, 0, 0, 0, 0, time.UTC).Format("01/02/2006"))
			ls = append(ls, nameLabel(p), label{phiscan.KindSSN, lastFourOf(p.SSN)}, label{phiscan.KindDOB, p.DOB.Format("2006")},
				label{phiscan.KindMemberID, lastFourOf(p.Member)}, label{phiscan.KindMBI, lastFourOf(p.MBI)}, label{phiscan.KindMRN, lastFourOf(p.MRN)})
			if p.Card != "" {
				ls = append(ls, label{phiscan.KindCard, lastFourOf(p.Card)})
			}
		}
		name := fmt.Sprintf("aging-%d", i+1)
		p, err := write(name+".csv", b.String())
		if err != nil {
			return nil, err
		}
		sheets = append(sheets, p)
		sheetLabels[name] = ls
		c.files = append(c.files, producedFile{name + ".xlsx", "xlsx", ls})
	}

	if len(notes) > 0 {
		if err := soffice(dir, `docx:MS Word 2007 XML`, nil, notes...); err != nil {
			return nil, err
		}
		if err := soffice(dir, "pdf", nil, notes[:sp.notes]...); err != nil {
			return nil, err
		}
	}
	if len(sheets) > 0 {
		// CSV filter: comma, double quote, UTF-8, first line 1, then the
		// column formats (1 standard, 2 text, 3 MM/DD/YY), US English.
		filter := []string{"--infilter=CSV:44,34,76,1,1/1/2/1/3/3/4/2/5/2/6/2/7/2/8/1/9/3,1033"}
		if err := soffice(dir, "xlsx:Calc MS Excel 2007 XML", filter, sheets...); err != nil {
			return nil, err
		}
	}

	// E-mails: Python's email package. Each message carries a note body
	// (quoted-printable or base64), a CSV attachment and, for every other
	// message, one of the XLSX files Calc wrote.
	type attachment struct {
		Filename string `json:"filename"`
		Type     string `json:"type"`
		Path     string `json:"path,omitempty"`
		Text     string `json:"text,omitempty"`
	}
	type message struct {
		Out         string       `json:"out"`
		From        string       `json:"from"`
		To          string       `json:"to"`
		Subject     string       `json:"subject"`
		Body        string       `json:"body"`
		CTE         string       `json:"cte"`
		Attachments []attachment `json:"attachments"`
	}
	var msgs []message
	for i := range sp.mails {
		var ls []label
		var body strings.Builder
		// A long first line, so quoted-printable breaks it with soft
		// line breaks, identifiers included.
		body.WriteString("Hello, following up on the accounts below; please check the identifiers against the eligibility response before we resubmit anything to the clearinghouse this week.\n\n")
		ps, ok := mailPeople[i]
		if !ok {
			ps = people(r, sp.perNote, sp.unlabelled)
		}
		for k, p := range ps[:len(ps)/2] {
			t, l := noteText(p, i+k)
			body.WriteString(t)
			ls = append(ls, l...)
			// A line longer than quoted-printable's 76 characters: the
			// encoder breaks it wherever it falls, inside an identifier
			// as often as not.
			fmt.Fprintf(&body, "Spoke with the payer%s about %s %s: the claim was denied because Medicare number %s did not match eligibility, and member ID %s was on the claim.\n\n",
				strings.Repeat(" representative", k%4), p.First, p.Last, p.MBI, p.Member)
		}
		var csv strings.Builder
		csv.WriteString("Patient,SSN,DOB,Member ID\n")
		for _, p := range ps[len(ps)/2:] {
			fmt.Fprintf(&csv, "%s %s,%s,%s,%s\n", p.First, p.Last, p.SSN, p.DOB.Format("2006-01-02"), p.Member)
			ls = append(ls, nameLabel(p), label{phiscan.KindSSN, lastFourOf(p.SSN)}, label{phiscan.KindDOB, p.DOB.Format("2006")}, label{phiscan.KindMemberID, lastFourOf(p.Member)})
		}
		m := message{
			Out: filepath.Join(dir, fmt.Sprintf("mail-%d.eml", i+1)), From: "billing@clinic.example", To: "rework@clearinghouse.test",
			Subject: fmt.Sprintf("Rework batch %d", i+1), Body: body.String(), CTE: []string{"quoted-printable", "base64"}[i%2],
			Attachments: []attachment{{Filename: "accounts.csv", Type: "text/csv", Text: csv.String()}},
		}
		if i%2 == 0 && i/2 < len(sheets) {
			name := fmt.Sprintf("aging-%d", 1+i/2)
			m.Attachments = append(m.Attachments, attachment{Filename: name + ".xlsx",
				Type: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", Path: filepath.Join(dir, name+".xlsx")})
			ls = append(ls, sheetLabels[name]...)
		}
		msgs = append(msgs, m)
		c.files = append(c.files, producedFile{filepath.Base(m.Out), "eml", dedupe(ls)})
	}
	if len(msgs) > 0 {
		in, err := json.Marshal(msgs)
		if err != nil {
			return nil, err
		}
		cmd := exec.Command("python3", "-c", writeMailPy)
		cmd.Stdin = strings.NewReader(string(in))
		if out, err := cmd.CombinedOutput(); err != nil {
			return nil, fmt.Errorf("python3 email writer: %v: %s", err, out)
		}
	}

	for _, f := range c.files {
		if _, err := os.Stat(filepath.Join(dir, f.name)); err != nil {
			return nil, fmt.Errorf("producer wrote no %s", f.name)
		}
	}
	os.RemoveAll(src)
	os.RemoveAll(filepath.Join(dir, ".profile"))
	return c, nil
}

// dedupe drops repeated labels: a sheet attached to two messages, or a
// value in both the body and an attachment, is one value of the message.
func dedupe(ls []label) []label {
	seen := map[label]bool{}
	var out []label
	for _, l := range ls {
		if !seen[l] {
			seen[l] = true
			out = append(out, l)
		}
	}
	return out
}

// writeMailPy writes each message described on stdin with Python's
// email package: the body in the transfer encoding asked for, then the
// attachments (base64, as the package encodes non-text and text/csv
// attachments given as bytes).
const writeMailPy = `
import json, sys
from email.message import EmailMessage
from email import policy
for m in json.load(sys.stdin):
    msg = EmailMessage(policy=policy.SMTP)
    msg["From"] = m["from"]
    msg["To"] = m["to"]
    msg["Subject"] = m["subject"]
    msg.set_content(m["body"], cte=m["cte"])
    for a in m["attachments"]:
        maintype, subtype = a["type"].split("/", 1)
        if a.get("path"):
            data = open(a["path"], "rb").read()
        else:
            data = a["text"].encode("utf-8")
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=a["filename"])
    with open(m["out"], "wb") as f:
        f.write(msg.as_bytes())
`

// The accuracy corpus is made once per test run: LibreOffice takes
// seconds to start.
var realCorpusOnce = sync.OnceValues(func() (*realCorpus, error) {
	return keepRealCorpus(makeRealCorpus(spec{seed: 2026, notes: 4, perNote: 12, sheets: 2, perSheet: 20, mails: 4}))
})

// keepRealCorpus has a corpus removed once every test has run.
func keepRealCorpus(c *realCorpus, err error) (*realCorpus, error) {
	if c != nil {
		phiscan.AfterTests(func() { os.RemoveAll(c.dir) })
	}
	return c, err
}

func realCorpusFor(tb testing.TB, get func() (*realCorpus, error)) *realCorpus {
	tb.Helper()
	c, err := get()
	var skip errSkip
	if errors.As(err, &skip) {
		if os.Getenv("CI") == "true" {
			tb.Fatalf("%v; .ci/run installs it", err)
		}
		tb.Skip(err)
	}
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

// visible is the oracle's normalisation of a finding's excerpt: the
// masked value after the label, without the mask characters.
func visible(excerpt string) string {
	if i := strings.LastIndex(excerpt, ": "); i >= 0 {
		excerpt = excerpt[i+2:]
	}
	return strings.Map(func(r rune) rune {
		switch r {
		case '*', '-', '/', ' ':
			return -1
		}
		return r
	}, excerpt)
}

type tally struct{ tp, fp, fn int }

func (t tally) precision() float64 { return float64(t.tp) / float64(max(1, t.tp+t.fp)) }
func (t tally) recall() float64    { return float64(t.tp) / float64(max(1, t.tp+t.fn)) }

// TestRealProducerAccuracy scans the corpus and scores every finding
// against the labels, per format and per kind.
func TestRealProducerAccuracy(t *testing.T) {
	c := realCorpusFor(t, realCorpusOnce)
	type key struct {
		file    string
		kind    phiscan.Kind
		visible string
	}
	want := map[key]string{} // → format
	format := map[string]string{}
	for _, f := range c.files {
		format[f.name] = f.format
		for _, l := range f.labels {
			want[key{f.name, l.kind, l.visible}] = f.format
		}
	}
	got := map[key]phiscan.Finding{}
	var notices []phiscan.Notice
	err := phiscan.New(phiscan.Options{Now: realNow}).Scan(context.Background(), []string{c.dir}, 2, func(r phiscan.Result) {
		for _, fr := range r.Files {
			for _, f := range fr.Findings {
				rel, err := filepath.Rel(c.dir, f.Path)
				if err != nil {
					t.Errorf("finding outside the corpus: %s", f.Path)
					continue
				}
				outer, _, _ := strings.Cut(filepath.ToSlash(rel), "!")
				got[key{outer, f.Kind, visible(f.Excerpt)}] = f
			}
		}
		notices = append(notices, r.Notices...)
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range notices {
		t.Errorf("notice: %s: %s", n.Path, n.Message)
	}

	perFormat := map[string]*tally{}
	perKind := map[phiscan.Kind]*tally{}
	add := func(format string, kind phiscan.Kind) (*tally, *tally) {
		if perFormat[format] == nil {
			perFormat[format] = &tally{}
		}
		if perKind[kind] == nil {
			perKind[kind] = &tally{}
		}
		return perFormat[format], perKind[kind]
	}
	var misses []string
	for k, f := range want {
		a, b := add(f, k.kind)
		if _, ok := got[k]; ok {
			a.tp++
			b.tp++
		} else {
			a.fn++
			b.fn++
			misses = append(misses, fmt.Sprintf("missed %s …%s in %s", k.kind, k.visible, k.file))
		}
	}
	for k, f := range got {
		if _, ok := want[k]; ok {
			continue
		}
		a, b := add(format[k.file], k.kind)
		a.fp++
		b.fp++
		misses = append(misses, fmt.Sprintf("false %s in %s line %d: %s", k.kind, f.Path[len(c.dir)+1:], f.Line, f.Excerpt))
	}
	sort.Strings(misses)
	for _, m := range misses {
		t.Log(m)
	}

	// Floors: what the scanner meets on this corpus, so that a
	// regression shows. Every format and every kind is present.
	for _, f := range []string{"docx", "xlsx", "pdf", "eml"} {
		s := perFormat[f]
		if s == nil || s.tp+s.fn == 0 {
			t.Errorf("%s: no labelled values", f)
			continue
		}
		t.Logf("%-5s precision %.3f recall %.3f (tp %d, fp %d, fn %d)", f, s.precision(), s.recall(), s.tp, s.fp, s.fn)
		if s.precision() < 0.99 || s.recall() < 0.99 {
			t.Errorf("%s: precision %.3f, recall %.3f; want both ≥ 0.99", f, s.precision(), s.recall())
		}
	}
	kinds := make([]string, 0, len(perKind))
	for k := range perKind {
		kinds = append(kinds, string(k))
	}
	sort.Strings(kinds)
	for _, k := range kinds {
		s := perKind[phiscan.Kind(k)]
		t.Logf("%-13s precision %.3f recall %.3f (tp %d, fp %d, fn %d)", k, s.precision(), s.recall(), s.tp, s.fp, s.fn)
		if s.precision() < 0.99 || s.recall() < 0.99 {
			t.Errorf("%s: precision %.3f, recall %.3f; want both ≥ 0.99", k, s.precision(), s.recall())
		}
	}
}
