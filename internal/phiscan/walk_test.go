//go:build unix

package phiscan

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestWalkSurvives builds a tree with a symlink loop, a FIFO, a binary
// file and an unreadable file beside real findings, and checks the walk
// ends, reports what it skipped and still finds the PHI.
func TestWalkSurvives(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string, mode os.FileMode) {
		p := filepath.Join(dir, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(content), mode); err != nil {
			t.Fatal(err)
		}
	}
	write("a/notes.txt", "SSN 123-45-6788\n", 0o644)
	write("b/more.txt", "MRN: 7654321\n", 0o644)
	write("a/image.bin", "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR SSN 123-45-6788", 0o644)
	write("secret/locked.txt", "SSN 123-45-6788\n", 0o000)
	if err := os.Symlink(dir, filepath.Join(dir, "a", "loop")); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(filepath.Join(dir, "b", "pipe"), 0o644); err != nil {
		t.Fatal(err)
	}
	root := os.Geteuid() == 0

	done := make(chan struct{})
	var results []Result
	go func() {
		defer close(done)
		err := New(Options{Now: testNow}).Scan(context.Background(), []string{dir, "/dev/null"}, 3, func(r Result) {
			results = append(results, r)
		})
		if err != nil {
			t.Error(err)
		}
	}()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("walk did not end: symlink loop or FIFO blocked it")
	}
	byName := map[string]Result{}
	var order []string
	for _, r := range results {
		rel, _ := filepath.Rel(dir, r.Path)
		if r.Path == "/dev/null" {
			rel = "/dev/null"
		}
		byName[rel] = r
		order = append(order, rel)
	}
	if got := strings.Join(kindsOf(byName["a/notes.txt"]), ","); got != "ssn" {
		t.Errorf("a/notes.txt kinds %q; want ssn", got)
	}
	if got := strings.Join(kindsOf(byName["b/more.txt"]), ","); got != "mrn" {
		t.Errorf("b/more.txt kinds %q; want mrn", got)
	}
	if byName["a/image.bin"].Skipped != "binary" {
		t.Errorf("binary file: skipped %q; want binary", byName["a/image.bin"].Skipped)
	}
	if byName["b/pipe"].Skipped != "not a regular file" || byName["/dev/null"].Skipped != "not a regular file" {
		t.Errorf("FIFO and device: %q, %q; want both skipped as not regular files", byName["b/pipe"].Skipped, byName["/dev/null"].Skipped)
	}
	if _, ok := byName["a/loop"]; ok {
		t.Errorf("symlink was followed")
	}
	if !root && !strings.HasPrefix(byName["secret/locked.txt"].Skipped, "unreadable") {
		t.Errorf("unreadable file: %+v; want skipped as unreadable", byName["secret/locked.txt"])
	}
	// Results come in walk order whatever the number of workers.
	want := []string{"a/image.bin", "a/notes.txt", "b/more.txt", "b/pipe", "secret/locked.txt", "/dev/null"}
	if strings.Join(order, " ") != strings.Join(want, " ") {
		t.Errorf("order %v; want %v", order, want)
	}
}

func TestScanCancel(t *testing.T) {
	dir := t.TempDir()
	for i := range 50 {
		os.WriteFile(filepath.Join(dir, "f"+string(rune('a'+i%26))+string(rune('a'+i/26))+".txt"), []byte("SSN 123-45-6788\n"), 0o644)
	}
	ctx, cancel := context.WithCancel(context.Background())
	n := 0
	err := New(Options{Now: testNow}).Scan(ctx, []string{dir}, 2, func(Result) {
		n++
		if n == 3 {
			cancel()
		}
	})
	if err == nil || n >= 50 {
		t.Errorf("after cancel: err %v, %d results; want context canceled and fewer than 50", err, n)
	}
}

// TestSurveyMatchesScan checks that the survey counts the files and bytes
// the scan reads: regular files, nested directories, no symbolic links.
func TestSurveyMatchesScan(t *testing.T) {
	dir := t.TempDir()
	for name, body := range map[string]string{"a.txt": "hello", "sub/b.csv": "x,y\n1,2\n", "sub/deeper/c.log": "log line\n"} {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink(filepath.Join(dir, "a.txt"), filepath.Join(dir, "link.txt")); err != nil {
		t.Fatal(err)
	}
	var files int
	var size int64
	if err := Survey(context.Background(), []string{dir}, func(f int, b int64) { files, size = f, b }); err != nil {
		t.Fatal(err)
	}
	var scanned int
	var scannedSize int64
	err := New(Options{}).Scan(context.Background(), []string{dir}, 2, func(r Result) {
		if r.Skipped == "" {
			scanned++
			scannedSize += r.Size
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if files != 3 || size != 5+8+9 || files != scanned || size != scannedSize {
		t.Errorf("survey %d files, %d bytes; scan %d files, %d bytes; want 3 and 22 for both", files, size, scanned, scannedSize)
	}
}
