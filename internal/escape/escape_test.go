package escape

import (
	"bytes"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"unicode/utf8"
)

// hostile holds what a file name, an X12 value or a server banner may
// carry to take over a terminal: the screen-clearing ESC[2J, a carriage
// return that rewrites the line, NUL, an 8-bit CSI, a right-to-left
// override, an isolate, the line separator and bytes that are not UTF-8.
var hostile = map[string]string{
	"clear screen":   "a\x1b[2Jb",
	"carriage ret":   "done\rFAKE",
	"newline":        "x\ny",
	"nul":            "a\x00b",
	"c1 csi":         "a\u009b2Jb",
	"rlo":            "invoice\u202efdp.exe",
	"isolate":        "a\u2066b\u2069",
	"line separator": "a\u2028b",
	"invalid utf-8":  "a\xff\xfeb",
	"osc title":      "\x1b]0;pwned\x07",
	"del":            "a\x7fb",
}

func TestTextEscapes(t *testing.T) {
	want := map[string]string{
		"clear screen":   `a\x1b[2Jb`,
		"carriage ret":   `done\rFAKE`,
		"newline":        `x\ny`,
		"nul":            `a\x00b`,
		"c1 csi":         `a\u009b2Jb`,
		"rlo":            `invoice\u202efdp.exe`,
		"isolate":        `a\u2066b\u2069`,
		"line separator": `a\u2028b`,
		"invalid utf-8":  `a\xff\xfeb`,
		"osc title":      `\x1b]0;pwned\a`,
		"del":            `a\x7fb`,
	}
	for name, in := range hostile {
		got := Text(in)
		if got != want[name] {
			t.Errorf("%s: Text(%q) = %q; want %q", name, in, got, want[name])
		}
		if !safe(got) {
			t.Errorf("%s: Text(%q) = %q still holds a control character", name, in, got)
		}
	}
}

func TestTextKeepsOrdinaryText(t *testing.T) {
	for _, s := range []string{
		"", "claims/2026/837P batch.x12", `C:\Share\Billing\aging.xlsx`, "Zoë Müller — résumé.pdf",
		"患者リスト.csv", "ok 👍", "archive.zip!inner/file.csv", "tab\\t is two characters",
	} {
		if got := Text(s); got != s {
			t.Errorf("Text(%q) = %q; want it unchanged", s, got)
		}
		if n := testing.AllocsPerRun(10, func() { Text(s) }); n != 0 {
			t.Errorf("Text(%q) allocates %v times; want none for clean text", s, n)
		}
	}
}

// TestSlogTextHandlerQuotes pins what the server's logs rely on: slog's
// text handler, which `rcmguard serve` logs through, quotes any value
// holding these characters, so a hostile path or header never reaches the
// log raw.
func TestSlogTextHandlerQuotes(t *testing.T) {
	var buf bytes.Buffer
	l := slog.New(slog.NewTextHandler(&buf, nil))
	for name, in := range hostile {
		if name == "del" {
			continue // slog leaves DEL, which terminals ignore
		}
		buf.Reset()
		l.Warn("web: test", "path", in, "err", errors.New(in))
		if !safe(strings.TrimSuffix(buf.String(), "\n")) {
			t.Errorf("%s: the log line holds a raw control character: %q", name, buf.String())
		}
	}
}

// safe reports whether s holds nothing Text would escape.
func safe(s string) bool {
	return utf8.ValidString(s) && firstUnsafe(s) < 0
}
