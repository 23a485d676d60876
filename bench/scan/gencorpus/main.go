// Command gencorpus writes the seeded PHI corpus for the scan benchmark:
// the plain-text part (notes, logs, CSV, TSV, JSON, X12) that rcmguard,
// gitleaks and ripgrep can all read, so the three scan the same bytes;
// or, with -sparse, ordinary text (logs, mail, code, notes, exports) with
// an identifier here and there.
package main

import (
	"flag"
	"fmt"
	"os"

	"rcmguard/internal/phiscan/corpus"
)

func main() {
	seed := flag.Uint64("seed", 1, "generator seed")
	people := flag.Int("people", 20000, "patients per file")
	out := flag.String("out", "", "directory to write into")
	copies := flag.Int("copies", 1, "copies of each file, to reach a size")
	sparse := flag.Int("sparse", 0, "write this many MiB of ordinary text with an identifier here and there instead")
	flag.Parse()
	if *out == "" {
		fmt.Fprintln(os.Stderr, "gencorpus: -out is required")
		os.Exit(2)
	}
	c := corpus.GeneratePlain(*seed, *people)
	if *sparse > 0 {
		c = corpus.GenerateSparse(*seed, *sparse<<20)
	}
	var keep []corpus.File
	for _, f := range c.Files {
		for i := range *copies {
			keep = append(keep, corpus.File{Name: fmt.Sprintf("%d/%s", i, f.Name), Data: f.Data})
		}
	}
	c.Files = keep
	if err := c.WriteDir(*out); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
