package probe

import (
	"bytes"
	"context"
	"io"
	"net"
	"strings"
	"testing"
)

// TestWriteTextEscapes probes an FTP server whose refusal carries a screen
// clear, a carriage return, NUL and a right-to-left override; the text
// report quotes the refusal, escaped, and names the model element, escaped.
func TestWriteTextEscapes(t *testing.T) {
	addr := serve(t, func(c net.Conn) {
		_, _ = io.WriteString(c, "554 \x1b[2Jgo\raway\x00 \u202eyawa\r\n")
	})
	res := Probe(context.Background(), Target{Protocol: ProtoFTP, Address: addr, Element: "drop\x1b]0;box\a"}, Options{})
	var out bytes.Buffer
	if err := WriteText(&out, []Result{res}); err != nil {
		t.Fatal(err)
	}
	s := out.String()
	for _, r := range s {
		if r != '\n' && (r < 0x20 || r == 0x7f || r >= 0x80 && r <= 0x9f || r == 0x202e) {
			t.Fatalf("text report holds %U raw:\n%q", r, s)
		}
	}
	for _, want := range []string{`(drop\x1b]0;box\a)`, `\x1b[2Jgo\raway\x00 \u202eyawa`} {
		if !strings.Contains(s, want) {
			t.Errorf("text report lacks %s:\n%s", want, s)
		}
	}
}
