// Package corpus generates a labelled corpus of billing files for
// measuring the PHI scanner: synthetic people whose identifiers pass the
// same validators real ones do (SSA issuing rules, CMS MBI format, Luhn,
// ABA checksums), written into every file type the scanner reads, with
// decoys that must not be reported (never-issued SSNs, MBIs with excluded
// letters, Luhn failures, dates of service, phone numbers, order and
// ticket numbers). The same seed always gives the same bytes.
//
// No value here belongs to a real person: names and streets come from
// short generic lists, identifiers from a seeded generator.
package corpus

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
)

// Label is one value the scanner must report: the path it is reported
// under (relative, nested as outer!inner), its kind and its normalised
// value (digits for numbers, upper case for MBIs and member IDs,
// YYYYMMDD for dates, "routing:account" for bank accounts, the street
// line for addresses, the ISA13 control number for X12 interchanges).
type Label struct {
	Path string
	Kind string
	Norm string
}

// File is one generated file.
type File struct {
	Name string
	Data []byte
}

// Corpus is a generated set of files with their labels.
type Corpus struct {
	Files  []File
	Labels []Label
	// Seeded lists every full identifier written (labelled or decoy), in
	// the form it was written: none may appear in any scanner output.
	Seeded []string
}

// Person is a synthetic patient.
type Person struct {
	First, Last string
	DOB         [3]int // year, month, day
	SSN         string // 9 digits
	MBI         string
	HICN        string
	MemberID    string
	MRN         string
	Phone       string // 10 digits
	Email       string
	Street      string
	City, State string
	ZIP         string
	Card        string
	Routing     string
	Account     string
	NPI         string // the rendering provider's
	DOS         [3]int // a date of service: must not be reported
}

var (
	firstNames = []string{"Avery", "Jordan", "Morgan", "Riley", "Casey", "Quinn", "Harper", "Rowan", "Emery", "Parker", "Reese", "Skyler", "Dakota", "Finley", "Hayden", "Kendall"}
	lastNames  = []string{"Ashford", "Brightwater", "Calloway", "Dunmore", "Eastwick", "Fairbanks", "Greenleaf", "Holloway", "Ironwood", "Juniper", "Kingsley", "Larkspur", "Merriweather", "Northcott", "Oakridge", "Pemberton"}
	streets    = []string{"Maple Ave", "Cedar Ln", "Birch Rd", "Willow Way", "Aspen Ct", "Chestnut Blvd", "Magnolia Dr", "Sycamore Pl",
		"Hawthorn St", "Linden Ave", "Poplar Rd", "Juniper Ln", "Laurel Ct", "Spruce Way", "Alder Dr", "Hickory Pl"}
	cities = []string{"Springfield", "Riverton", "Fairview", "Lakeside", "Greenville"}
	states = []string{"IL", "OH", "TX", "CA", "NY"}
)

// gen draws values from one seeded source.
type gen struct {
	r      *rand.Rand
	c      *Corpus
	people int
	used   map[string]bool
}

// Generate returns the corpus for a seed; people sets how many patients
// each file holds (the accuracy test uses a few, the benchmark many).
func Generate(seed uint64, people int) *Corpus {
	g := newGen(seed, people)
	g.plainFiles()
	g.containerFiles()
	return g.c
}

// GeneratePlain returns only the plain-text files (notes, logs, CSV, TSV,
// JSON, X12): what text tools such as ripgrep and gitleaks read too.
func GeneratePlain(seed uint64, people int) *Corpus {
	g := newGen(seed, people)
	g.plainFiles()
	return g.c
}

func newGen(seed uint64, people int) *gen {
	return &gen{r: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), c: &Corpus{}, people: people, used: map[string]bool{}}
}

func (g *gen) plainFiles() {
	g.textFiles()
	g.tableFiles()
	g.jsonFiles()
	g.x12Files()
}

// WriteDir writes the corpus files under dir.
func (c *Corpus) WriteDir(dir string) error {
	for _, f := range c.Files {
		p := filepath.Join(dir, filepath.FromSlash(f.Name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return fmt.Errorf("corpus: %w", err)
		}
		if err := os.WriteFile(p, f.Data, 0o644); err != nil {
			return fmt.Errorf("corpus: %w", err)
		}
	}
	return nil
}

func (g *gen) add(name string, data []byte) {
	g.c.Files = append(g.c.Files, File{Name: name, Data: data})
}

func (g *gen) label(path, kind, norm string) {
	g.c.Labels = append(g.c.Labels, Label{Path: path, Kind: kind, Norm: norm})
}

// labelPerson labels every kind a person record carries in one file.
func (g *gen) labelPerson(path string, p *Person, kinds string) {
	for _, k := range strings.Split(kinds, ",") {
		switch k {
		case "ssn":
			g.label(path, k, p.SSN)
		case "mbi":
			g.label(path, k, p.MBI)
		case "hicn":
			g.label(path, k, p.HICN)
		case "member_id":
			g.label(path, k, p.MemberID)
		case "mrn":
			g.label(path, k, p.MRN)
		case "dob":
			g.label(path, k, fmt.Sprintf("%04d%02d%02d", p.DOB[0], p.DOB[1], p.DOB[2]))
		case "payment_card":
			g.label(path, k, p.Card)
		case "bank_account":
			g.label(path, k, p.Routing+":"+p.Account)
		case "npi":
			g.label(path, k, p.NPI)
		case "name":
			g.label(path, k, p.First+" "+p.Last)
		case "address":
			g.label(path, k, p.Street)
		case "phone":
			g.label(path, k, p.Phone)
		case "email":
			g.label(path, k, p.Email)
		}
	}
}

// unique draws until f returns a value not drawn before, so one value
// never stands for two people.
func (g *gen) unique(f func() string) string {
	for {
		v := f()
		if !g.used[v] {
			g.used[v] = true
			g.c.Seeded = append(g.c.Seeded, v)
			return v
		}
	}
}

func (g *gen) digits(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte('0' + g.r.IntN(10))
	}
	return string(b)
}

func (g *gen) person() *Person {
	r := g.r
	p := &Person{
		First: firstNames[r.IntN(len(firstNames))],
		Last:  lastNames[r.IntN(len(lastNames))],
		DOB:   [3]int{1930 + r.IntN(85), 1 + r.IntN(12), 1 + r.IntN(28)},
		City:  cities[r.IntN(len(cities))],
		State: states[r.IntN(len(states))],
		DOS:   [3]int{2023 + r.IntN(3), 1 + r.IntN(12), 1 + r.IntN(28)},
	}
	p.SSN = g.unique(g.ssn)
	p.MBI = g.unique(g.mbi)
	p.HICN = g.unique(func() string { return g.ssn() + "A" })
	p.MemberID = g.unique(func() string { return string(rune('A'+r.IntN(26))) + string(rune('A'+r.IntN(26))) + "X" + g.digits(9) })
	p.MRN = g.unique(func() string { return fmt.Sprint(1000000 + r.IntN(8999999)) })
	p.Phone = g.unique(func() string { return fmt.Sprint(2+r.IntN(8)) + g.digits(2) + fmt.Sprint(2+r.IntN(8)) + g.digits(6) })
	p.Email = g.unique(func() string {
		return strings.ToLower(p.First+"."+p.Last) + g.digits(5) + "@mail.example.com"
	})
	p.Street = g.unique(func() string { return fmt.Sprint(10+r.IntN(99980)) + " " + streets[r.IntN(len(streets))] })
	p.ZIP = g.digits(5)
	p.Card = g.unique(g.card)
	p.Routing = g.unique(g.routing)
	p.Account = g.unique(func() string { return fmt.Sprint(1+r.IntN(9)) + g.digits(7+r.IntN(5)) })
	p.NPI = g.unique(g.npi)
	return p
}

// ssn draws from the issued ranges: area 001–665 or 667–899, group and
// serial not zero.
func (g *gen) ssn() string {
	for {
		area := 1 + g.r.IntN(899)
		if area == 666 {
			continue
		}
		s := fmt.Sprintf("%03d%02d%04d", area, 1+g.r.IntN(99), 1+g.r.IntN(9999))
		if s != "123456789" && s != "078051120" {
			return s
		}
	}
}

const mbiLetters = "ACDEFGHJKMNPQRTUVWXY" // no S, L, O, I, B, Z

// mbi draws a CMS-format Medicare Beneficiary Identifier.
func (g *gen) mbi() string {
	const classes = "NACDACDAADD"
	b := make([]byte, 11)
	for i, c := range classes {
		switch c {
		case 'N':
			b[i] = byte('1' + g.r.IntN(9))
		case 'A':
			b[i] = mbiLetters[g.r.IntN(len(mbiLetters))]
		case 'C':
			if g.r.IntN(2) == 0 {
				b[i] = mbiLetters[g.r.IntN(len(mbiLetters))]
			} else {
				b[i] = byte('0' + g.r.IntN(10))
			}
		case 'D':
			b[i] = byte('0' + g.r.IntN(10))
		}
	}
	return string(b)
}

// luhnDigit returns the check digit that makes body+digit Luhn-valid
// with extra added to the sum (24 for NPIs).
func luhnDigit(body string, extra int) byte {
	sum := extra
	double := true
	for i := len(body) - 1; i >= 0; i-- {
		n := int(body[i] - '0')
		if double {
			n *= 2
			if n > 9 {
				n -= 9
			}
		}
		sum += n
		double = !double
	}
	return byte('0' + (10-sum%10)%10)
}

func (g *gen) card() string {
	switch g.r.IntN(3) {
	case 0:
		b := "4" + g.digits(14)
		return b + string(luhnDigit(b, 0))
	case 1:
		b := fmt.Sprint(51+g.r.IntN(5)) + g.digits(13)
		return b + string(luhnDigit(b, 0))
	default:
		b := []string{"34", "37"}[g.r.IntN(2)] + g.digits(12)
		return b + string(luhnDigit(b, 0))
	}
}

func (g *gen) npi() string {
	b := fmt.Sprint(1+g.r.IntN(2)) + g.digits(8)
	return b + string(luhnDigit(b, 24))
}

// routing draws an ABA number: a Federal Reserve first digit and the
// 3-7-1 checksum.
func (g *gen) routing() string {
	for {
		b := fmt.Sprint([]int{0, 1, 2, 3}[g.r.IntN(4)]) + g.digits(7)
		w := []int{3, 7, 1, 3, 7, 1, 3, 7}
		sum := 0
		for i := range 8 {
			sum += int(b[i]-'0') * w[i]
		}
		s := b + string(byte('0'+(10-sum%10)%10))
		if s != "000000000" {
			return s
		}
	}
}

// Decoys: values shaped like identifiers that fail validation, or that
// are not identifiers at all.

func (g *gen) badSSN() string {
	switch g.r.IntN(5) {
	case 0:
		return "666" + g.digits(2) + fmt.Sprintf("%04d", 1+g.r.IntN(9999))
	case 1:
		return fmt.Sprint(900+g.r.IntN(100)) + fmt.Sprintf("%02d%04d", 1+g.r.IntN(99), 1+g.r.IntN(9999))
	case 2:
		return "000" + fmt.Sprintf("%02d%04d", 1+g.r.IntN(99), 1+g.r.IntN(9999))
	case 3:
		return fmt.Sprintf("%03d00%04d", 1+g.r.IntN(665), 1+g.r.IntN(9999))
	default:
		return fmt.Sprintf("%03d%02d0000", 1+g.r.IntN(665), 1+g.r.IntN(99))
	}
}

func (g *gen) badMBI() string {
	b := []byte(g.mbi())
	pos := []int{1, 4, 7, 8}[g.r.IntN(4)]
	b[pos] = "SLOIBZ"[g.r.IntN(6)]
	return string(b)
}

func (g *gen) badCard() string {
	c := []byte(g.card())
	last := c[len(c)-1]
	c[len(c)-1] = byte('0' + (int(last-'0')+1+g.r.IntN(8))%10)
	return string(c)
}

func (g *gen) badNPI() string {
	n := []byte(g.npi())
	n[9] = byte('0' + (int(n[9]-'0')+1+g.r.IntN(8))%10)
	return string(n)
}

func dashSSN(s string) string { return s[:3] + "-" + s[3:5] + "-" + s[5:] }
func dashMBI(s string) string { return s[:4] + "-" + s[4:7] + "-" + s[7:] }
func fmtPhone(p string) string {
	return "(" + p[:3] + ") " + p[3:6] + "-" + p[6:]
}
func dashPhone(p string) string { return p[:3] + "-" + p[3:6] + "-" + p[6:] }
func groupCard(c string) string {
	if len(c) == 15 {
		return c[:4] + " " + c[4:10] + " " + c[10:]
	}
	return c[:4] + " " + c[4:8] + " " + c[8:12] + " " + c[12:]
}
func usDate(d [3]int) string  { return fmt.Sprintf("%02d/%02d/%04d", d[1], d[2], d[0]) }
func isoDate(d [3]int) string { return fmt.Sprintf("%04d-%02d-%02d", d[0], d[1], d[2]) }
func x12Date(d [3]int) string { return fmt.Sprintf("%04d%02d%02d", d[0], d[1], d[2]) }
