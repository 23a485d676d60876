// Command rcmguard is a billing-specific HIPAA security risk analysis and
// compliance system. See the README and docs/ for how to use it.
package main

import (
	"os"

	"rcmguard/internal/cli"
)

func main() {
	os.Exit(cli.Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
