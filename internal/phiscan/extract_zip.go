package phiscan

import (
	"archive/zip"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Zip archives are opened with limits a zip bomb cannot get past: nesting
// depth, entries per archive, decompressed bytes per entry and the ratio
// of decompressed to compressed size. Office files are zip archives too;
// they are recognised by their parts and read as documents.

func (j *job) scanZip(path string, ra io.ReaderAt, size int64, depth int) error {
	zr, err := zip.NewReader(ra, size)
	if err != nil {
		j.notice(path, "not inspected: not a readable zip archive: %v", err)
		return nil
	}
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
	for i, f := range zr.File {
		if i >= j.s.lim.MaxEntries {
			j.notice(path, "stopped after %d entries (entry limit)", j.s.lim.MaxEntries)
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
	return &guardReader{rc: rc, left: lim.MaxEntryBytes, ratio: lim.MaxRatio, comp: int64(f.CompressedSize64)}, nil
}

var errBomb = errors.New("phiscan: entry expands past its limits (zip bomb guard)")

type guardReader struct {
	rc    io.ReadCloser
	left  int64
	read  int64
	ratio int64
	comp  int64
}

func (g *guardReader) Read(p []byte) (int, error) {
	if g.left <= 0 {
		return 0, errBomb
	}
	if int64(len(p)) > g.left {
		p = p[:g.left]
	}
	n, err := g.rc.Read(p)
	g.left -= int64(n)
	g.read += int64(n)
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
