package corpus

import (
	"fmt"
	"strings"
)

// GenerateSparse writes about size bytes of ordinary text — application
// logs, mail, source code, prose notes and inventory exports — with an
// identifier here and there (about one line in 400), as a file share
// mostly holds. Logs and exports are full of digits (timestamps, request
// IDs, addresses, prices), which is what makes such text costly to scan.
func GenerateSparse(seed uint64, size int) *Corpus {
	g := newGen(seed, 0)
	kinds := []struct {
		dir, ext string
		line     func(g *gen, path string) string
	}{
		{"logs", "log", (*gen).sparseLog},
		{"mail", "mbox", (*gen).sparseMail},
		{"src", "go", (*gen).sparseCode},
		{"notes", "txt", (*gen).sparseProse},
		{"exports", "csv", (*gen).sparseCSV},
	}
	const fileSize = 1 << 20
	written := 0
	for i := 0; written < size; i++ {
		k := kinds[i%len(kinds)]
		path := fmt.Sprintf("%s/%s-%03d.%s", k.dir, k.dir, i/len(kinds), k.ext)
		var b strings.Builder
		if k.ext == "csv" {
			b.WriteString("sku,warehouse,qty,unit_price,updated,zip,description\n")
		}
		for b.Len() < fileSize && written+b.Len() < size {
			if g.r.IntN(400) == 0 {
				// A paragraph of its own: contact details beside an
				// identifier are reported with it, and that is not what
				// this corpus measures.
				if k.ext != "csv" {
					b.WriteString("\n")
				}
				b.WriteString(g.sparseIdentifier(path, k.ext))
				continue
			}
			b.WriteString(k.line(g, path))
		}
		written += b.Len()
		g.add(path, []byte(b.String()))
	}
	return g.c
}

var sparseWords = strings.Fields(`the a of to and in for on with is was be that this it as at by from or
	an are not have has had will would can could should may after before about over under
	request response server client cache queue worker retry timeout connection config update
	report meeting schedule review budget quarter project team office printer network backup
	please thanks regards attached following below above week month today tomorrow yesterday
	invoice vendor shipment order delivery warehouse inventory price discount total balance`)

func (g *gen) word() string { return sparseWords[g.r.IntN(len(sparseWords))] }

func (g *gen) words(n int) string {
	w := make([]string, n)
	for i := range w {
		w[i] = g.word()
	}
	return strings.Join(w, " ")
}

func (g *gen) hex(n int) string {
	const h = "0123456789abcdef"
	b := make([]byte, n)
	for i := range b {
		b[i] = h[g.r.IntN(16)]
	}
	return string(b)
}

func (g *gen) sparseLog(string) string {
	levels := []string{"INFO", "INFO", "INFO", "DEBUG", "WARN", "ERROR"}
	methods := []string{"GET", "GET", "POST", "PUT", "DELETE"}
	return fmt.Sprintf("2025-%02d-%02dT%02d:%02d:%02d.%03dZ %s http method=%s path=/api/v1/%s/%d status=%d bytes=%d dur=%d.%dms req=%s-%s-%s ip=10.%d.%d.%d\n",
		1+g.r.IntN(12), 1+g.r.IntN(28), g.r.IntN(24), g.r.IntN(60), g.r.IntN(60), g.r.IntN(1000),
		levels[g.r.IntN(len(levels))], methods[g.r.IntN(len(methods))], g.word(), g.r.IntN(100000),
		[]int{200, 200, 201, 204, 304, 404, 500}[g.r.IntN(7)], g.r.IntN(90000), g.r.IntN(900), g.r.IntN(10),
		g.hex(8), g.hex(4), g.hex(12), g.r.IntN(256), g.r.IntN(256), g.r.IntN(256))
}

func (g *gen) sparseMail(string) string {
	switch g.r.IntN(12) {
	case 0:
		return fmt.Sprintf("\nFrom vendor%d@supply.example.com  Tue Mar %2d %02d:%02d:%02d 2025\n", g.r.IntN(50), 1+g.r.IntN(28), g.r.IntN(24), g.r.IntN(60), g.r.IntN(60))
	case 1:
		return fmt.Sprintf("Message-ID: <%s.%d@mail.example.com>\n", g.hex(16), g.r.IntN(1000000))
	case 2:
		return fmt.Sprintf("Received: from mx%d.example.net (10.%d.%d.%d) by mail.example.com with ESMTPS id %s; %d Mar 2025 %02d:%02d:%02d +0000\n",
			g.r.IntN(9), g.r.IntN(256), g.r.IntN(256), g.r.IntN(256), g.hex(10), 1+g.r.IntN(28), g.r.IntN(24), g.r.IntN(60), g.r.IntN(60))
	case 3:
		return "Subject: Re: " + g.words(5) + "\n"
	default:
		return g.words(6+g.r.IntN(10)) + ".\n"
	}
}

func (g *gen) sparseCode(string) string {
	switch g.r.IntN(8) {
	case 0:
		return fmt.Sprintf("\tconst %sLimit = %d // %s\n", g.word(), g.r.IntN(100000), g.words(4))
	case 1:
		return fmt.Sprintf("\tbuf := make([]byte, 0x%s)\n", g.hex(4))
	case 2:
		return fmt.Sprintf("\tif err := %s(ctx, %d, %q); err != nil {\n\t\treturn fmt.Errorf(\"%s: %%w\", err)\n\t}\n", g.word(), g.r.IntN(1000), g.word(), g.words(2))
	case 3:
		return fmt.Sprintf("func %s%d(x, y int) int { return x*%d + y }\n\n", g.word(), g.r.IntN(100), g.r.IntN(997))
	default:
		return "\t// " + g.words(5+g.r.IntN(8)) + "\n"
	}
}

func (g *gen) sparseProse(string) string {
	if g.r.IntN(6) == 0 {
		return fmt.Sprintf("Updated %d/%d/2025: %s, total $%d.%02d.\n\n", 1+g.r.IntN(12), 1+g.r.IntN(28), g.words(8), g.r.IntN(5000), g.r.IntN(100))
	}
	return g.words(10+g.r.IntN(20)) + ".\n"
}

func (g *gen) sparseCSV(string) string {
	return fmt.Sprintf("SKU-%05d,WH%d,%d,%d.%02d,2025-%02d-%02d,%s,%s\n",
		g.r.IntN(100000), g.r.IntN(9), g.r.IntN(5000), g.r.IntN(900), g.r.IntN(100),
		1+g.r.IntN(12), 1+g.r.IntN(28), g.digits(5), g.words(3))
}

// sparseIdentifier writes one line holding one labelled identifier, in
// the form the file's kind would carry it.
func (g *gen) sparseIdentifier(path, ext string) string {
	switch g.r.IntN(4) {
	case 0:
		ssn := g.unique(g.ssn)
		g.label(path, "ssn", ssn)
		if ext == "csv" {
			return fmt.Sprintf("SKU-%05d,WH1,1,0.00,2025-01-02,%s,ssn %s on a pick slip\n", g.r.IntN(100000), g.digits(5), dashSSN(ssn))
		}
		return fmt.Sprintf("%s %s\n\n", g.words(4), "SSN "+dashSSN(ssn))
	case 1:
		mbi := g.unique(g.mbi)
		g.label(path, "mbi", mbi)
		return fmt.Sprintf("%s %s %s\n\n", g.words(5), mbi, g.words(3))
	case 2:
		card := g.unique(g.card)
		g.label(path, "payment_card", card)
		return fmt.Sprintf("%s card %s\n\n", g.words(3), groupCard(card))
	default:
		p := [3]int{1930 + g.r.IntN(85), 1 + g.r.IntN(12), 1 + g.r.IntN(28)}
		g.label(path, "dob", fmt.Sprintf("%04d%02d%02d", p[0], p[1], p[2]))
		return fmt.Sprintf("%s DOB %s\n\n", g.words(4), usDate(p))
	}
}
