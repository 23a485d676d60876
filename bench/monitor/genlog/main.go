// Command genlog writes a generated RFC 3164 auth.log for the monitor
// benchmark and the attacking addresses (the ground truth) beside it.
package main

import (
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"rcmguard/internal/monitor"
)

func main() {
	n := flag.Int("lines", 200000, "lines to write")
	out := flag.String("out", "auth.log", "log file to write; the attackers go to OUT.attackers")
	seed := flag.Uint64("seed", 1, "random seed")
	flag.Parse()
	if err := run(*out, *n, *seed); err != nil {
		fmt.Fprintln(os.Stderr, "genlog:", err)
		os.Exit(1)
	}
}

func run(out string, n int, seed uint64) error {
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	start := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	attackers, err := monitor.GenerateAuthLog(f, seed, n, start)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	return os.WriteFile(out+".attackers", []byte(strings.Join(attackers, "\n")+"\n"), 0o644)
}
