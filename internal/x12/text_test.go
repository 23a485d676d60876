package x12

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

// rawControl reports the first character of s that a terminal would act
// on (a control other than the line end, a bidi control) or invalid UTF-8.
func rawControl(s string) (rune, bool) {
	for i, r := range s {
		if r == utf8.RuneError {
			if _, n := utf8.DecodeRuneInString(s[i:]); n == 1 {
				return r, true
			}
		}
		if r != '\n' && (r < 0x20 || r == 0x7f || r >= 0x80 && r <= 0x9f || r >= 0x202a && r <= 0x202e || r >= 0x2066 && r <= 0x2069) {
			return r, true
		}
	}
	return 0, false
}

// TestWriteTextEscapes inspects an interchange whose file name and
// envelope values carry a screen clear, a carriage return, NUL and a
// right-to-left override: the text report shows them escaped.
func TestWriteTextEscapes(t *testing.T) {
	// ISA06 and ISA08 are fixed at 15 bytes.
	h := hdr{senderID: "A\x1b[2J\rB\x00", receiverID: "P\u202eXE"}
	data := strings.Replace(envelope(h, "BHT*0019*00*1*20260101*1200*CH"), "GS*HC*SUBMITTER", "GS*HC*\x1b]0;pwn\a", 1)
	path := "claims/\x1b[31mred\r\u202efdp.837"
	f, err := NewInspector().Inspect(path, strings.NewReader(data))
	if err != nil {
		t.Fatalf("Inspect: %v", err)
	}
	var out bytes.Buffer
	if err := WriteText(&out, &Report{Format: ReportFormat, Files: []*File{f}}); err != nil {
		t.Fatal(err)
	}
	s := out.String()
	if r, ok := rawControl(s); ok {
		t.Errorf("text report holds %U raw:\n%q", r, s)
	}
	for _, want := range []string{`claims/\x1b[31mred\r\u202efdp.837`, `ZZ:A\x1b[2J\rB\x00`, `ZZ:P\u202eXE`, `\x1b]0;pwn\a`} {
		if !strings.Contains(s, want) {
			t.Errorf("text report lacks %s:\n%s", want, s)
		}
	}

	// An error names the file and quotes the input: escaped as well.
	_, err = NewInspector().Inspect(path, strings.NewReader("\x1b[2J\x00\u202eNOT X12"))
	if err == nil {
		t.Fatal("Inspect accepted a file that is not X12")
	}
	msg := DescribeError(path, err)
	if r, ok := rawControl(msg); ok {
		t.Errorf("DescribeError holds %U raw: %q", r, msg)
	}
	if msg2 := DescribeError("a\rb", errors.New("c\x1bd")); msg2 != `a\rb: c\x1bd` {
		t.Errorf("DescribeError = %q", msg2)
	}
}
