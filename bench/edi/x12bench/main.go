// Command x12bench generates a synthetic 837P corpus and times
// rcmguard's streaming X12 reader on it, for bench/edi/run.sh. It is a
// benchmark helper, not part of the rcmguard binary.
//
//	x12bench gen -mb 64 -o corpus.x12
//	x12bench parse corpus.x12
package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"rcmguard/internal/x12"
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

// body is one professional claim; synthetic values only.
var body = []string{
	"BHT*0019*00*0123*20260101*1200*CH",
	"NM1*41*2*BILLING SERVICE*****46*TGJ23",
	"PER*IC*JANE*TE*5555550100",
	"NM1*40*2*CLEARINGHOUSE*****46*66783JJT",
	"HL*1**20*1",
	"NM1*85*2*MEDICAL GROUP*****XX*1234567893",
	"N3*100 MAIN ST",
	"N4*SPRINGFIELD*IL*62701",
	"REF*EI*123456789",
	"HL*2*1*22*0",
	"SBR*P*18*******CI",
	"NM1*IL*1*TESTPATIENT*ALEX****MI*TEST000001",
	"N3*1 TEST ST",
	"N4*SPRINGFIELD*IL*62701",
	"DMG*D8*19800101*F",
	"NM1*PR*2*PAYER*****PI*99999",
	"CLM*PCN0001*125***11:B:1*Y*A*Y*Y",
	"HI*ABK:J020",
	"LX*1",
	"SV1*HC:99213*125*UN*1***1",
	"DTP*472*D8*20260101",
}

// generate writes one interchange with one functional group holding as
// many 837 transaction sets as fit in size bytes.
func generate(path string, size int64) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	n, written := 0, int64(0)
	pr := func(format string, args ...any) {
		k, _ := fmt.Fprintf(w, format, args...)
		written += int64(k)
	}
	pr("ISA*00*          *00*          *ZZ*SUBMITTER      *ZZ*RECEIVER       *260101*1200*^*00501*000000001*0*P*:~\n")
	pr("GS*HC*SUBMITTER*RECEIVER*20260101*1200*1*X*005010X222A1~\n")
	for written < size {
		n++
		pr("ST*837*%04d*005010X222A1~\n", n%10000)
		for _, s := range body {
			pr("%s~\n", s)
		}
		pr("SE*%d*%04d~\n", len(body)+2, n%10000)
	}
	pr("GE*%d*1~\nIEA*1*000000001~\n", n)
	if err := w.Flush(); err != nil {
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
