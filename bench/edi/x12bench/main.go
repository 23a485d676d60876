// Command x12bench generates a synthetic 837P corpus and times
// rcmguard's streaming X12 reader on it, for bench/edi/run.sh. It is a
// benchmark helper, not part of the rcmguard binary.
//
//	x12bench gen -mb 64 -o corpus.x12
//	x12bench parse corpus.x12
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"rcmguard/internal/x12"
	"rcmguard/internal/x12/x12gen"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: x12bench gen -mb N -o FILE | x12bench parse FILE")
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "gen":
		fs := flag.NewFlagSet("gen", flag.ExitOnError)
		mb := fs.Int("mb", 64, "approximate corpus size in MiB")
		out := fs.String("o", "corpus.x12", "output file")
		_ = fs.Parse(os.Args[2:])
		err = generate(*out, int64(*mb)<<20)
	case "parse":
		if len(os.Args) != 3 {
			err = errors.New("usage: x12bench parse FILE")
			break
		}
		err = parse(os.Args[2])
	default:
		err = fmt.Errorf("unknown command %q", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "x12bench:", err)
		os.Exit(1)
	}
}

// generate writes one interchange with one functional group holding as
// many 837 transaction sets as fit in size bytes.
func generate(path string, size int64) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, x12gen.NewClaimStream(size)); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// parse streams the file through x12.Reader, touching one element per
// segment so the work cannot be skipped, and prints bytes, segments,
// seconds and MB/s (10^6 bytes per second) on one line.
func parse(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	start := time.Now()
	r := x12.NewReader(f)
	segs, sum := 0, 0
	for {
		s, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		segs++
		sum += len(s.Element(1))
	}
	secs := time.Since(start).Seconds()
	fmt.Printf("bytes=%d segments=%d elem1bytes=%d seconds=%.3f mbps=%.1f\n", r.Offset(), segs, sum, secs, float64(r.Offset())/secs/1e6)
	return nil
}
