package phiscan

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// orderedZip writes entries named by name(i), each holding data(i), deflated.
func orderedZip(t testing.TB, n int, name func(int) string, data func(int) []byte) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for i := range n {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: name(i), Method: zip.Deflate})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(data(i)); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// paddedSSN is 64 KiB of text that compresses several hundredfold and
// holds one SSN, so each entry read whole or in part is one file with a
// finding.
var paddedSSN = func() []byte {
	b := bytes.Repeat([]byte(" "), 64<<10)
	copy(b, "SSN 512-44-7821\n")
	return b
}()

var unreadRE = regexp.MustCompile(`(\d+) entries (?:of this archive )?not read`)

// unreadCounts returns, per notice path, the number of entries it says
// were not read.
func unreadCounts(r Result) map[string]int {
	out := map[string]int{}
	for _, n := range r.Notices {
		if m := unreadRE.FindStringSubmatch(n.Message); m != nil {
			v, _ := strconv.Atoi(m[1])
			out[n.Path] += v
		}
	}
	return out
}

// TestArchiveExpansionLimit scans a zip of 1,000 entries that each stay
// far within the per-entry limits; the whole archive may expand to 8 MiB,
// so exactly 128 entries of 64 KiB are read and the other 872 are listed
// as not read.
func TestArchiveExpansionLimit(t *testing.T) {
	data := orderedZip(t, 1000, func(i int) string { return fmt.Sprintf("e%04d.txt", i) }, func(int) []byte { return paddedSSN })
	lim := DefaultLimits()
	lim.MaxArchiveBytes = 8 << 20
	r := New(Options{Now: testNow, Limits: lim}).ScanReader("many.zip", bytes.NewReader(data))
	if len(r.Files) != 128 {
		t.Errorf("%d entries read; want 128 (8 MiB of 64 KiB entries)", len(r.Files))
	}
	if got := unreadCounts(r); got["many.zip"] != 872 || !hasNotice(r, "expansion limit") {
		t.Errorf("unread %v, notices %v; want 872 entries of many.zip listed under the expansion limit", got, r.Notices)
	}
	for _, n := range r.Notices {
		if strings.Contains(n.Message, "read error") {
			t.Errorf("an entry that ends at the limit is reported as cut: %v", n)
		}
	}
}

// TestArchiveLimitsAcrossNesting puts 2,000 entries in four nested zips:
// the expansion budget set by the outer archive's size, and the entry
// limit, hold for all of them together, and every entry is either read or
// counted in a notice.
func TestArchiveLimitsAcrossNesting(t *testing.T) {
	inner := func(i int) []byte {
		return orderedZip(t, 500, func(k int) string { return fmt.Sprintf("p%d-%03d.txt", i, k) }, func(int) []byte { return paddedSSN })
	}
	outer := orderedZip(t, 4, func(i int) string { return fmt.Sprintf("part%d.zip", i) }, inner)

	// Expansion: 20 times the outer archive's size, plus the 1 MiB any
	// archive may expand to.
	lim := DefaultLimits()
	lim.MaxRatio = 20
	r := New(Options{Now: testNow, Limits: lim}).ScanReader("outer.zip", bytes.NewReader(outer))
	budget := 20*int64(len(outer)) + 1<<20
	read := len(r.Files)
	if read == 0 || read >= 2000 || int64(read)*int64(len(paddedSSN)) > budget {
		t.Fatalf("%d entries of 64 KiB read with a budget of %d bytes; want the budget to stop the scan", read, budget)
	}
	// An entry the limit cut is neither read whole nor unread.
	accounted := read
	for _, n := range r.Notices {
		if strings.Contains(n.Message, "the rest of this entry was not read") {
			accounted++
		}
	}
	for p, n := range unreadCounts(r) {
		if p == "outer.zip" {
			n *= 500 // each unread entry of the outer archive is a zip of 500
		}
		accounted += n
	}
	if accounted != 2000 {
		t.Errorf("%d entries read and %v listed as not read; want all 2000 accounted for (notices %v)", read, unreadCounts(r), r.Notices)
	}

	// Entries: the limit counts the nested zip itself and its entries.
	lim = DefaultLimits()
	lim.MaxEntries = 100
	lim.MaxRatio = 1 << 20 // only the entry limit applies
	r = New(Options{Now: testNow, Limits: lim}).ScanReader("outer.zip", bytes.NewReader(outer))
	if got := unreadCounts(r); len(r.Files) != 99 || got["outer.zip!part0.zip"] != 401 || got["outer.zip"] != 3 || !hasNotice(r, "entry limit") {
		t.Errorf("%d entries read, unread %v; want 99 read, 401 of part0.zip and 3 of outer.zip not read", len(r.Files), got)
	}
}

// overlapZip builds the construction of the smallest zip bombs: one
// compressed kernel and n central directory entries that all point at it.
func overlapZip(t testing.TB, n int, kernel []byte) []byte {
	t.Helper()
	var comp bytes.Buffer
	fw, _ := flate.NewWriter(&comp, flate.BestCompression)
	fw.Write(kernel)
	fw.Close()
	crc := crc32.ChecksumIEEE(kernel)
	le := binary.LittleEndian
	var b bytes.Buffer
	put := func(v ...any) {
		for _, x := range v {
			binary.Write(&b, le, x)
		}
	}
	name := "kernel.txt"
	put(uint32(0x04034b50), uint16(20), uint16(0), uint16(8), uint16(0), uint16(0x21),
		crc, uint32(comp.Len()), uint32(len(kernel)), uint16(len(name)), uint16(0))
	b.WriteString(name)
	b.Write(comp.Bytes())
	cd := b.Len()
	for i := range n {
		nm := fmt.Sprintf("f%05d.txt", i)
		put(uint32(0x02014b50), uint16(20), uint16(20), uint16(0), uint16(8), uint16(0), uint16(0x21),
			crc, uint32(comp.Len()), uint32(len(kernel)), uint16(len(nm)), uint16(0), uint16(0),
			uint16(0), uint16(0), uint32(0), uint32(0))
		b.WriteString(nm)
	}
	put(uint32(0x06054b50), uint16(0), uint16(0), uint16(n), uint16(n), uint32(b.Len()-cd), uint32(cd), uint16(0))
	return b.Bytes()
}

// TestZipOverlappingEntries is the attack of the report: a small zip whose
// 10,000 entries each expand within the per-entry limits by sharing one
// compressed kernel. No entry is read; all are listed as not read.
func TestZipOverlappingEntries(t *testing.T) {
	kernel := bytes.Repeat([]byte("SSN 512-44-7821 \n"), (1<<20)/17)
	data := overlapZip(t, 10000, kernel)
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil || len(zr.File) != 10000 {
		t.Fatalf("test zip: %v, %d entries", err, len(zr.File))
	}
	r := New(Options{Now: testNow}).ScanReader("bomb.zip", bytes.NewReader(data))
	if len(r.Files) != 0 || unreadCounts(r)["bomb.zip"] != 10000 || !hasNotice(r, "overlap") {
		t.Errorf("%d entries read, notices %v; want none read and all 10000 listed as overlapping", len(r.Files), r.Notices)
	}
}
