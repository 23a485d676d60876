package phiscan

import (
	"encoding/xml"
	"errors"
	"io"
	"strings"
	"testing"
)

// xmlEvents renders what the scanner reads: S<name attrs>, E<name>, and
// text runs joined.
func xmlEvents(t *testing.T, doc string) (string, error) {
	t.Helper()
	x := newXMLScanner(strings.NewReader(doc))
	var b strings.Builder
	for {
		ev, err := x.next()
		if err != nil {
			return b.String(), err
		}
		switch ev {
		case xmlEOF:
			return b.String(), nil
		case xmlStart:
			b.WriteString("S<" + string(x.name) + " r=" + string(x.attr("r")) + ">")
		case xmlEnd:
			b.WriteString("E<" + string(x.name) + ">")
		case xmlText:
			b.WriteString(string(x.text))
		}
	}
}

func TestXMLScanner(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{`<?xml version="1.0"?><w:p><w:t xml:space="preserve">a &lt;b&gt; &amp; &#65;&#x42;&quot;</w:t></w:p>`,
			`S<p r=>S<t r=>a <b> & AB"E<t>E<p>`},
		{`<c r="A1" t='s'/><c r="B1" x="1>2"><v>7</v></c>`, `S<c r=A1>E<c>S<c r=B1>S<v r=>7E<v>E<c>`},
		{`<t><!-- a > b --><![CDATA[<SSN> 123]]>&unknown;</t>`, `S<t r=><SSN> 123&unknown;E<t>`},
	} {
		got, err := xmlEvents(t, tt.in)
		if err != nil || got != tt.want {
			t.Errorf("%s:\n got %s (%v)\nwant %s", tt.in, got, err, tt.want)
		}
	}
	if _, err := xmlEvents(t, `<t>abc</t><c r="A1`); !errors.Is(err, errXMLTag) {
		t.Errorf("unterminated tag: error %v", err)
	}
}

// TestXMLScannerLongText reads text runs longer than the scanner's buffer,
// with entities at every offset so some are cut by a refill, and checks
// the text against encoding/xml's reading of the same document.
func TestXMLScannerLongText(t *testing.T) {
	var doc strings.Builder
	doc.WriteString("<r>")
	for i := range 30000 {
		doc.WriteString("x&amp;")
		doc.WriteString(strings.Repeat("y", i%7))
		doc.WriteString("&#233;")
	}
	doc.WriteString("<e a=\"" + strings.Repeat("v", 70000) + "\"/></r>")
	var want strings.Builder
	d := xml.NewDecoder(strings.NewReader(doc.String()))
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if c, ok := tok.(xml.CharData); ok {
			want.Write(c)
		}
	}
	x := newXMLScanner(strings.NewReader(doc.String()))
	var got strings.Builder
	tags := 0
	for {
		ev, err := x.next()
		if err != nil {
			t.Fatal(err)
		}
		if ev == xmlEOF {
			break
		}
		if ev == xmlText {
			got.Write(x.text)
		} else {
			tags++
		}
	}
	if got.String() != want.String() {
		t.Errorf("text differs from encoding/xml's: %d bytes, want %d", got.Len(), want.Len())
	}
	if tags != 4 {
		t.Errorf("%d tag events; want 4", tags)
	}
}
