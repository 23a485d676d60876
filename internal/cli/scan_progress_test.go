package cli

import (
	"bytes"
	"testing"
	"time"

	"rcmguard/internal/phiscan"
)

// stepClock is a clock the test moves by hand.
type stepClock struct{ t time.Time }

func (c *stepClock) now() time.Time { return c.t }

// TestProgressPlainLines checks what a log gets: nothing within the first
// interval, then plain lines with the totals and an estimate once the
// survey has finished.
func TestProgressPlainLines(t *testing.T) {
	clock := &stepClock{t: time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)}
	var buf bytes.Buffer
	p := newProgress(&buf, clock.now)
	if p.terminal {
		t.Fatal("a buffer taken for a terminal")
	}
	p.add(phiscan.Result{Size: 1 << 20})
	if buf.Len() != 0 {
		t.Fatalf("a line within the first interval: %q", buf.String())
	}
	// The survey is still walking: the total is a lower bound.
	p.totalFiles, p.totalBytes = 2, 2<<20
	clock.t = clock.t.Add(11 * time.Second)
	p.add(phiscan.Result{Size: 1 << 20, Files: []phiscan.FileResult{{}}})
	want := "scan: 100%  2 of at least 2 files, 2.0 MiB of at least 2.0 MiB, 1 with findings, counting\n"
	if buf.String() != want {
		t.Fatalf("got %q; want %q", buf.String(), want)
	}
	buf.Reset()
	p.totalFiles, p.totalBytes, p.totalKnown = 8, 8<<20, true
	clock.t = clock.t.Add(9 * time.Second)
	p.add(phiscan.Result{Size: 2 << 20})
	if buf.Len() != 0 {
		t.Fatalf("a line before the interval: %q", buf.String())
	}
	clock.t = clock.t.Add(1 * time.Second)
	p.add(phiscan.Result{Size: 0})
	// 4 MiB of 8 after 21 s: about 21 s left.
	want = "scan:  50%  4 of 8 files, 4.0 MiB of 8.0 MiB, 1 with findings, about 21s left\n"
	if buf.String() != want {
		t.Fatalf("got %q; want %q", buf.String(), want)
	}
	buf.Reset()
	p.done()
	if buf.Len() != 0 {
		t.Errorf("done wrote %q to a log", buf.String())
	}
}

// TestProgressBar checks the terminal form: a bar redrawn in place and
// cleared at the end.
func TestProgressBar(t *testing.T) {
	clock := &stepClock{t: time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)}
	var buf bytes.Buffer
	p := newProgress(&buf, clock.now)
	p.terminal, p.every = true, 100*time.Millisecond
	p.totalFiles, p.totalBytes, p.totalKnown = 4, 4000, true
	clock.t = clock.t.Add(3 * time.Second)
	p.add(phiscan.Result{Size: 1000})
	want := "\r[######------------------]  25%  1 of 4 files, 0.0 MiB of 0.0 MiB, 0 with findings, about 9s left\033[K"
	if buf.String() != want {
		t.Fatalf("got %q; want %q", buf.String(), want)
	}
	buf.Reset()
	p.done()
	if buf.String() != "\r\033[K" {
		t.Errorf("done wrote %q; want the line cleared", buf.String())
	}
}
