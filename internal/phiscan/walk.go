package phiscan

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
)

// Scan walks the given files and directories and calls fn with the result
// of each regular file, in walk order, from the calling goroutine. Files
// are scanned by workers goroutines; at most 2×workers results wait for
// their turn, so memory stays bounded however many files there are.
//
// The walk never follows symbolic links inside a directory (no loops),
// never opens devices, FIFOs or sockets, and reports files it cannot read
// as notices instead of stopping.
func (s *Scanner) Scan(ctx context.Context, roots []string, workers int, fn func(Result)) error {
	if workers < 1 {
		workers = 1
	}
	type task struct {
		path string
		out  chan Result
	}
	tasks := make(chan task)
	order := make(chan chan Result, 2*workers)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for t := range tasks {
				t.out <- s.scanFile(t.path)
			}
		}()
	}
	walkErr := make(chan error, 1)
	go func() {
		defer close(order)
		defer close(tasks)
		emit := func(path string) bool {
			out := make(chan Result, 1)
			select {
			case order <- out:
			case <-ctx.Done():
				return false
			}
			select {
			case tasks <- task{path, out}:
			case <-ctx.Done():
				// Its turn in the output order is taken: fill it.
				out <- Result{Path: MaskPath(path), Skipped: "canceled"}
				return false
			}
			return true
		}
		skip := func(path, why string) bool {
			out := make(chan Result, 1)
			out <- Result{Path: MaskPath(path), Skipped: why}
			select {
			case order <- out:
				return true
			case <-ctx.Done():
				return false
			}
		}
		for _, root := range roots {
			if !s.walkRoot(ctx, root, emit, skip) {
				walkErr <- ctx.Err()
				return
			}
		}
		walkErr <- nil
	}()
	for out := range order {
		r := <-out
		if ctx.Err() == nil {
			fn(r)
		}
	}
	wg.Wait()
	return <-walkErr
}

// Survey walks the roots as Scan does, without opening a file, and calls
// fn with the running count and total size of the regular files Scan
// would read, so that a progress display can show a total. It is cheap
// (directory entries only) and may run beside Scan.
func Survey(ctx context.Context, roots []string, fn func(files int, bytes int64)) error {
	files, bytes := 0, int64(0)
	add := func(size int64) {
		files++
		bytes += size
		fn(files, bytes)
	}
	for _, root := range roots {
		info, err := os.Stat(root)
		if err != nil {
			continue // Scan reports it
		}
		if !info.IsDir() {
			if info.Mode().IsRegular() {
				add(info.Size())
			}
			continue
		}
		err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			if err != nil || !d.Type().IsRegular() {
				return nil // directories go on; the rest Scan reports or skips
			}
			if fi, err := d.Info(); err == nil {
				add(fi.Size())
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("phiscan: survey: %w", err)
		}
	}
	return nil
}

// walkRoot walks one argument; it returns false when the context ended.
func (s *Scanner) walkRoot(ctx context.Context, root string, emit func(string) bool, skip func(string, string) bool) bool {
	// A symbolic link given by name is followed once: the user asked for it.
	info, err := os.Stat(root)
	if err != nil {
		return skip(root, "unreadable: "+errText(err))
	}
	if !info.IsDir() {
		if !info.Mode().IsRegular() {
			return skip(root, "not a regular file")
		}
		return emit(root)
	}
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if err != nil {
			if !skip(p, "unreadable: "+errText(err)) {
				return ctx.Err()
			}
			if d != nil && d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		switch t := d.Type(); {
		case t.IsDir():
			return nil
		case t&fs.ModeSymlink != 0:
			// Not followed: links inside a tree are how walks loop.
			return nil
		case !t.IsRegular():
			if !skip(p, "not a regular file") {
				return ctx.Err()
			}
			return nil
		}
		if !emit(p) {
			return ctx.Err()
		}
		return nil
	})
	return err == nil || !errors.Is(err, ctx.Err())
}

// scanFile opens one regular file read-only and scans it. The path opens
// the file; the result carries it masked, as every output shows it.
func (s *Scanner) scanFile(path string) Result {
	shown := MaskPath(path)
	f, err := openRegular(path)
	if err != nil {
		return Result{Path: shown, Skipped: "unreadable: " + MaskText(errText(err))}
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil || !info.Mode().IsRegular() {
		return Result{Path: shown, Skipped: "not a regular file"}
	}
	res := Result{Path: shown, Size: info.Size()}
	j := &job{s: s, res: &res}
	cr := &countReader{r: f}
	var r = readerOf(cr, s.lim.MaxFileBytes)
	j.content(shown, r, f, info.Size(), 0)
	res.Bytes = cr.n
	return res
}

func errText(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return fmt.Sprint(err)
}

func readerOf(r io.Reader, limit int64) io.Reader {
	if limit > 0 {
		return io.LimitReader(r, limit)
	}
	return r
}
