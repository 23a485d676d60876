package corpus

import (
	"archive/zip"
	"bytes"
	"compress/zlib"
	"encoding/base64"
	"fmt"
	"html"
	"mime/quotedprintable"
	"strings"
	"time"
)

// zipOf packs named files into a zip archive.
func zipOf(files ...File) []byte {
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for _, f := range files {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: f.Name, Method: zip.Deflate, Modified: time.Date(2025, 3, 4, 10, 0, 0, 0, time.UTC)})
		if err != nil {
			panic(err)
		}
		w.Write(f.Data)
	}
	if err := zw.Close(); err != nil {
		panic(err)
	}
	return b.Bytes()
}

func wrap76(s string) string {
	var b strings.Builder
	for len(s) > 76 {
		b.WriteString(s[:76] + "\r\n")
		s = s[76:]
	}
	b.WriteString(s + "\r\n")
	return b.String()
}

// message builds a MIME message: a quoted-printable text body and base64
// attachments.
func message(subject, body string, attach ...File) string {
	var b strings.Builder
	boundary := "=_rcmguard_corpus_boundary"
	b.WriteString("From: billing@clinic.example.com\r\nTo: collections@agency.example.com\r\n")
	b.WriteString("Subject: " + subject + "\r\nDate: Tue, 04 Mar 2025 10:15:00 -0600\r\nMIME-Version: 1.0\r\n")
	b.WriteString("Content-Type: multipart/mixed; boundary=\"" + boundary + "\"\r\n\r\n")
	b.WriteString("--" + boundary + "\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n")
	var qp bytes.Buffer
	w := quotedprintable.NewWriter(&qp)
	w.Write([]byte(strings.ReplaceAll(body, "\n", "\r\n")))
	w.Close()
	b.Write(qp.Bytes())
	b.WriteString("\r\n")
	for _, a := range attach {
		b.WriteString("--" + boundary + "\r\nContent-Type: application/octet-stream; name=\"" + a.Name + "\"\r\n")
		b.WriteString("Content-Disposition: attachment; filename=\"" + a.Name + "\"\r\nContent-Transfer-Encoding: base64\r\n\r\n")
		b.WriteString(wrap76(base64.StdEncoding.EncodeToString(a.Data)))
	}
	b.WriteString("--" + boundary + "--\r\n")
	return b.String()
}

// bodyText renders a letter with people and decoy paragraphs for a path.
func (g *gen) bodyText(path string, people int) string {
	var b strings.Builder
	b.WriteString("Hello team,\n\nPlease work the accounts below.\n\n")
	for i := range people {
		p := g.person()
		b.WriteString(strings.Join(g.noteLines(p, i), "\n") + "\n\n")
		g.labelPerson(path, p, allKinds)
		b.WriteString(strings.Join(g.decoyLines(), "\n") + "\n\n")
	}
	b.WriteString("Thanks,\nBilling office\n")
	return b.String()
}

func (g *gen) containerFiles() {
	// Email with a body, a CSV and a claim file attached.
	body := g.bodyText("mail/aging-followup.eml", max(1, g.people/2))
	csv := g.table("mail/aging-followup.eml!aging.csv", ",", false)
	claims := g.claim837("mail/aging-followup.eml!claims.x12", true)
	g.add("mail/aging-followup.eml", []byte(message("Aging follow-up", body,
		File{"aging.csv", []byte(csv)}, File{"claims.x12", []byte(claims)})))

	// An mbox export with two messages.
	var mbox strings.Builder
	m1 := message("Members list", "See the attached list.\n", File{"members.tsv", []byte(g.table("mail/export.mbox!message-1!members.tsv", "\t", true))})
	m2 := message("Statement question", g.bodyText("mail/export.mbox!message-2", max(1, g.people/2)))
	mbox.WriteString("From billing@clinic.example.com Tue Mar  4 10:15:00 2025\n")
	mbox.WriteString(strings.ReplaceAll(m1, "\r\n", "\n") + "\n")
	mbox.WriteString("From billing@clinic.example.com Tue Mar  4 11:15:00 2025\n")
	mbox.WriteString(strings.ReplaceAll(m2, "\r\n", "\n") + "\n")
	g.add("mail/export.mbox", []byte(mbox.String()))

	// A zip with a nested zip.
	inner := zipOf(
		File{"claims.txt", []byte(g.claim837("exports/export.zip!inner.zip!claims.txt", true))},
		File{"patients.json", g.jsonDoc("exports/export.zip!inner.zip!patients.json")},
	)
	g.add("exports/export.zip", zipOf(
		File{"aging.csv", []byte(g.table("exports/export.zip!aging.csv", ",", false))},
		File{"notes/visit.txt", []byte(g.note("exports/export.zip!notes/visit.txt"))},
		File{"inner.zip", inner},
	))

	g.add("exports/aging.xlsx", g.xlsx("exports/aging.xlsx!Aging"))
	g.add("letters/collection-letter.docx", g.docx("letters/collection-letter.docx"))
	g.add("statements/statement.pdf", g.pdf("statements/statement.pdf"))
}

// xlsx writes a workbook whose "Aging" sheet mixes shared strings, inline
// strings, SSNs stored as numbers (leading zeros lost) and birth dates as
// serial day numbers, as Excel does.
func (g *gen) xlsx(path string) []byte {
	var shared []string
	idx := map[string]int{}
	ss := func(s string) string {
		i, ok := idx[s]
		if !ok {
			i = len(shared)
			idx[s] = i
			shared = append(shared, s)
		}
		return fmt.Sprintf(`<c t="s"><v>%d</v></c>`, i)
	}
	inline := func(s string) string { return `<c t="inlineStr"><is><t>` + html.EscapeString(s) + `</t></is></c>` }
	numc := func(s string) string { return `<c><v>` + s + `</v></c>` }
	var rows strings.Builder
	head := []string{"Patient Name", "Birth Date", "SSN", "Member ID", "MBI", "MRN", "Phone", "Email", "Address", "Card Number", "Routing Number", "Account Number", "NPI", "Service Date", "Invoice"}
	rows.WriteString(`<row r="1">`)
	for _, h := range head {
		rows.WriteString(ss(h))
	}
	rows.WriteString("</row>")
	epoch := time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)
	r := 2
	for i := range g.people {
		p := g.person()
		serial := int(time.Date(p.DOB[0], time.Month(p.DOB[1]), p.DOB[2], 0, 0, 0, 0, time.UTC).Sub(epoch).Hours() / 24)
		ssn := ss(dashSSN(p.SSN))
		if i%2 == 0 {
			ssn = numc(strings.TrimLeft(p.SSN, "0"))
		}
		fmt.Fprintf(&rows, `<row r="%d">%s%s%s%s%s%s%s%s%s%s%s%s%s%s%s</row>`, r,
			ss(p.First+" "+p.Last), numc(fmt.Sprint(serial)), ssn, inline(p.MemberID), ss(p.MBI), numc(p.MRN),
			ss(dashPhone(p.Phone)), ss(p.Email), ss(p.Street), numc(p.Card), numc(p.Routing), numc(p.Account), numc(p.NPI),
			numc(fmt.Sprint(serial+20000)), numc(g.decoyValue(g.digits(9))))
		r++
		g.labelPerson(path, p, "ssn,mbi,member_id,mrn,dob,payment_card,bank_account,npi,name,address,phone,email")
		fmt.Fprintf(&rows, `<row r="%d">%s%s%s%s%s%s%s</row>`, r,
			ss("Walk-in Visitor"), numc(""), ss(dashSSN(g.decoyValue(g.badSSN()))), inline(""), ss(g.decoyValue(g.badMBI())), numc(""),
			ss(dashPhone(g.decoyValue("312555"+g.digits(4)))))
		r++
	}
	var sst strings.Builder
	fmt.Fprintf(&sst, `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="%d" uniqueCount="%d">`, len(shared), len(shared))
	for _, s := range shared {
		sst.WriteString("<si><t>" + html.EscapeString(s) + "</t></si>")
	}
	sst.WriteString("</sst>")
	const ns = `xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"`
	return zipOf(
		File{"[Content_Types].xml", []byte(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>`)},
		File{"_rels/.rels", []byte(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`)},
		File{"xl/workbook.xml", []byte(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook ` + ns + `><sheets><sheet name="Aging" sheetId="1" r:id="rId1"/></sheets></workbook>`)},
		File{"xl/_rels/workbook.xml.rels", []byte(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>`)},
		File{"xl/sharedStrings.xml", []byte(sst.String())},
		File{"xl/worksheets/sheet1.xml", []byte(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet ` + ns + `><sheetData>` + rows.String() + `</sheetData></worksheet>`)},
	)
}

// docx writes a letter: paragraphs for some people, a two-column table
// (label | value) for others.
func (g *gen) docx(path string) []byte {
	var body strings.Builder
	para := func(s string) {
		body.WriteString(`<w:p><w:r><w:t xml:space="preserve">` + html.EscapeString(s) + `</w:t></w:r></w:p>`)
	}
	para("Re: accounts referred for collection")
	para("")
	for i := range g.people {
		p := g.person()
		lines := g.noteLines(p, i)
		g.labelPerson(path, p, allKinds)
		if i%2 == 0 {
			for _, l := range lines {
				para(l)
			}
		} else {
			body.WriteString("<w:tbl>")
			for _, l := range lines {
				k, v, _ := strings.Cut(l, ": ")
				body.WriteString(`<w:tr><w:tc><w:p><w:r><w:t>` + html.EscapeString(k) + `:</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>` + html.EscapeString(v) + `</w:t></w:r></w:p></w:tc></w:tr>`)
			}
			body.WriteString("</w:tbl>")
		}
		para("")
		for _, l := range g.decoyLines() {
			para(l)
		}
		para("")
	}
	doc := `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>` + body.String() + `</w:body></w:document>`
	return zipOf(
		File{"[Content_Types].xml", []byte(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>`)},
		File{"_rels/.rels", []byte(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>`)},
		File{"word/document.xml", []byte(doc)},
	)
}

// pdf writes a statement: one page per patient, a page of decoys, and a
// scanned (image-only) page the scanner must report as not inspected.
func (g *gen) pdf(path string) []byte {
	var pages [][]string
	for i := range g.people {
		p := g.person()
		pages = append(pages, g.noteLines(p, i))
		g.labelPerson(path, p, allKinds)
	}
	pages = append(pages, g.decoyLines())
	var objs []string // objs[i] is object i+1
	// 1 catalog, 2 page tree, 3 font, 4 image; then a page and a content
	// stream per text page, then the scanned page.
	objs = append(objs, "<< /Type /Catalog /Pages 2 0 R >>", "", "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
		"<< /Type /XObject /Subtype /Image /Width 2 /Height 2 /ColorSpace /DeviceGray /BitsPerComponent 8 /Length 4 >>\nstream\n\x00\xff\xff\x00\nendstream")
	var kids []string
	escape := strings.NewReplacer(`\`, `\\`, "(", `\(`, ")", `\)`)
	for i, lines := range pages {
		var cs strings.Builder
		cs.WriteString("BT\n/F1 10 Tf\n50 760 Td\n")
		for k, l := range lines {
			if k > 0 {
				cs.WriteString("0 -14 Td\n")
			}
			if i%2 == 1 && strings.Contains(l, ": ") {
				// Split across operators as PDF writers do.
				a, b, _ := strings.Cut(l, ": ")
				fmt.Fprintf(&cs, "[(%s: ) -20 (%s)] TJ\n", escape.Replace(a), escape.Replace(b))
				continue
			}
			fmt.Fprintf(&cs, "(%s) Tj\n", escape.Replace(l))
		}
		cs.WriteString("ET\n")
		var z bytes.Buffer
		zw := zlib.NewWriter(&z)
		zw.Write([]byte(cs.String()))
		zw.Close()
		pageNum := len(objs) + 1
		contentNum := pageNum + 1
		objs = append(objs,
			fmt.Sprintf("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>", contentNum),
			fmt.Sprintf("<< /Length %d /Filter /FlateDecode >>\nstream\n%s\nendstream", z.Len(), z.String()))
		kids = append(kids, fmt.Sprintf("%d 0 R", pageNum))
	}
	scanNum := len(objs) + 1
	objs = append(objs,
		fmt.Sprintf("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /XObject << /Im1 4 0 R >> >> /Contents %d 0 R >>", scanNum+1),
		"<< /Length 31 >>\nstream\nq 612 0 0 792 0 0 cm /Im1 Do Q\nendstream")
	kids = append(kids, fmt.Sprintf("%d 0 R", scanNum))
	objs[1] = fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d >>", strings.Join(kids, " "), len(kids))
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
	offs := make([]int, len(objs))
	for i, o := range objs {
		offs[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
	for _, o := range offs {
		fmt.Fprintf(&b, "%010d 00000 n \n", o)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, xref)
	return b.Bytes()
}
