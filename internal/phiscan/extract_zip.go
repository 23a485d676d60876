package phiscan

import (
	"archive/zip"
	"cmp"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
)

// Zip archives are opened with limits a zip bomb cannot get past: nesting
// depth, decompressed bytes per entry and the ratio of decompressed to
// compressed size per entry, and, for the file as a whole (nested archives
// included), entries opened, bytes decompressed and the ratio of those
// bytes to the size of the outermost archive. Entries whose compressed data
// overlap (one compressed kernel referenced by thousands of entries, the
// construction of the smallest zip bombs) stop the archive at once. Office
// files are zip archives too; they are recognised by their parts and read
// as documents.

func (j *job) scanZip(path string, ra io.ReaderAt, size int64, depth int) error {
	zr, err := zip.NewReader(ra, size)
	if err != nil {
		j.notice(path, "not inspected: not a readable zip archive: %v", err)
		return nil
	}
	if j.archives == 0 {
		// An outermost archive: what it may expand to is set by its size.
		lim := j.s.lim
		j.budget = min(j.budget+lim.MaxRatio*size+1<<20, lim.MaxArchiveBytes)
	}
	j.archives++
	defer func() { j.archives-- }()
	if kind := officeKind(zr); kind != "" {
		if kind == typeDOCX {
			return j.scanDOCX(path, zr)
		}
		return j.scanXLSX(path, zr)
	}
	if depth >= j.s.lim.MaxDepth {
		j.notice(path, "not inspected: archive nested deeper than %d levels", j.s.lim.MaxDepth)
		return nil
	}
	if overlapping(zr.File) {
		j.notice(path, "not inspected: entries overlap, sharing compressed data (zip bomb guard); %d entries not read", unread(zr.File))
		return nil
	}
	for i, f := range zr.File {
		if stop := j.archiveStop(); stop != "" {
			j.notice(path, "%s; %d entries of this archive not read", stop, unread(zr.File[i:]))
			break
		}
		if f.FileInfo().IsDir() {
			continue
		}
		inner := path + "!" + f.Name
		if f.Flags&0x1 != 0 {
			j.notice(inner, "not inspected: entry is encrypted")
			continue
		}
		j.entries++
		rc, err := j.openEntry(f)
		if err != nil {
			j.notice(inner, "not inspected: %v", err)
			continue
		}
		j.content(inner, rc, nil, 0, depth+1)
		if err := rc.Close(); err != nil {
			j.notice(inner, "read error: %v", err)
		}
	}
	return nil
}

// archiveStop says why no further entry may be opened in this file, or "".
func (j *job) archiveStop() string {
	lim := j.s.lim
	switch {
	case j.entries >= lim.MaxEntries:
		return fmt.Sprintf("stopped after %d entries (entry limit, nested archives included)", lim.MaxEntries)
	case j.expanded >= j.budget:
		return fmt.Sprintf("stopped after expanding %d MiB (expansion limit: %d times the archive's size, at most %d MiB, nested archives included)",
			j.expanded>>20, lim.MaxRatio, lim.MaxArchiveBytes>>20)
	}
	return ""
}

// overlapping reports whether the compressed data of two entries overlap.
// No archiver writes that; a zip bomb does, to make thousands of entries
// out of one small compressed kernel. Entries whose data cannot be located
// are left for the read to report.
func overlapping(files []*zip.File) bool {
	type span struct{ start, end int64 }
	spans := make([]span, 0, len(files))
	for _, f := range files {
		off, err := f.DataOffset()
		if err != nil {
			continue
		}
		spans = append(spans, span{off, off + int64(f.CompressedSize64)})
	}
	slices.SortFunc(spans, func(a, b span) int { return cmp.Compare(a.start, b.start) })
	for i := 1; i < len(spans); i++ {
		if spans[i].start < spans[i-1].end {
			return true
		}
	}
	return false
}

// unread counts the entries of files that are not folders.
func unread(files []*zip.File) int {
	n := 0
	for _, f := range files {
		if !f.FileInfo().IsDir() {
			n++
		}
	}
	return n
}

// openEntry opens a zip entry behind the size and ratio guards.
func (j *job) openEntry(f *zip.File) (io.ReadCloser, error) {
	lim := j.s.lim
	if f.UncompressedSize64 > uint64(lim.MaxEntryBytes) {
		return nil, fmt.Errorf("phiscan: entry of %d bytes is over the %d-byte limit", f.UncompressedSize64, lim.MaxEntryBytes)
	}
	if f.UncompressedSize64 > 1<<20 && f.UncompressedSize64 > uint64(lim.MaxRatio)*f.CompressedSize64 {
		return nil, fmt.Errorf("phiscan: expansion ratio over %d:1 (zip bomb guard)", lim.MaxRatio)
	}
	rc, err := f.Open()
	if err != nil {
		return nil, fmt.Errorf("phiscan: open entry: %w", err)
	}
	// The declared sizes may lie; the guard counts what really comes out.
	return &guardReader{rc: rc, j: j, left: lim.MaxEntryBytes, ratio: lim.MaxRatio, comp: int64(f.CompressedSize64)}, nil
}

var (
	errBomb      = errors.New("phiscan: entry expands past its limits (zip bomb guard)")
	errExpansion = errors.New("phiscan: the archive's expansion limit was reached; the rest of this entry was not read")
)

type guardReader struct {
	rc    io.ReadCloser
	j     *job
	left  int64
	read  int64
	ratio int64
	comp  int64
}

func (g *guardReader) Read(p []byte) (int, error) {
	if g.left <= 0 {
		return 0, errBomb
	}
	budget := g.j.budget - g.j.expanded
	if budget <= 0 {
		// An entry that ends exactly at the limit was read whole.
		var one [1]byte
		if n, err := g.rc.Read(one[:]); n == 0 && err != nil {
			return 0, err
		}
		return 0, errExpansion
	}
	p = p[:min(int64(len(p)), g.left, budget)]
	n, err := g.rc.Read(p)
	g.left -= int64(n)
	g.read += int64(n)
	g.j.expanded += int64(n)
	if g.read > 1<<20 && g.read > g.ratio*(g.comp+1) {
		return n, errBomb
	}
	return n, err
}

func (g *guardReader) Close() error { return g.rc.Close() }

// officeKind recognises a docx or xlsx package by its parts.
func officeKind(zr *zip.Reader) string {
	types := false
	kind := ""
	for _, f := range zr.File {
		switch {
		case f.Name == "[Content_Types].xml":
			types = true
		case f.Name == "word/document.xml":
			kind = typeDOCX
		case f.Name == "xl/workbook.xml":
			kind = typeXLSX
		}
	}
	if !types {
		return ""
	}
	return kind
}

// findZip returns the named part, or nil.
func findZip(zr *zip.Reader, name string) *zip.File {
	for _, f := range zr.File {
		if strings.EqualFold(f.Name, name) {
			return f
		}
	}
	return nil
}
