// Package cli implements the rcmguard command line: one file per command,
// flag parsing, exit codes and terminal output. It is the only package that
// knows about os.Args, standard streams and exit statuses.
package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"
)

// Exit statuses shared by every command.
const (
	exitOK      = 0 // the command did what was asked
	exitFailOn  = 1 // a finding reached the --fail-on threshold
	exitInvalid = 2 // bad usage or invalid input; nothing was written
)

// env is what a command may touch of the outside world. Commands never read
// os.Stdout or the clock directly, so tests can drive them in-process.
type env struct {
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	now    func() time.Time
}

type command struct {
	name    string
	summary string
	run     func(e *env, args []string) int
}

// commands is the whole command table; each entry's run function lives in a
// file named after the command.
var commands []command

func init() {
	commands = []command{
		{"assess", "run the security risk analysis on a model", runAssess},
		{"validate", "check a model file and report every error", runValidate},
		{"migrate", "rewrite a model file in the current format version", runMigrate},
		{"init", "write a commented starter model", runInit},
		{"catalog", "print the HIPAA Security Rule catalog", runCatalog},
		{"rules", "list the risk rules", runRules},
		{"scan", "find PHI in files where it should not be", runScan},
		{"edi", "inspect X12 EDI files (edi inspect FILE...)", runEDI},
		{"probe", "probe TLS, SSH, FTP and SMTP endpoints", runProbe},
		{"monitor", "review login and audit logs for attacks (monitor FILE...)", runMonitor},
		{"user", "manage accounts (user add, list, disable, enable, reset)", runUser},
		{"audit", "verify the tamper-evident audit log (audit verify)", runAudit},
		{"breach", "compute breach-notification clocks (breach clocks INCIDENT.yaml)", runBreach},
		{"backup", "write an encrypted online snapshot of the database", runBackup},
		{"restore", "verify a snapshot and restore the database from it", runRestore},
		{"keys", "manage the data-encryption key (keys rotate)", runKeys},
		{"version", "print the version", runVersion},
		{"serve", "run the web application (serve --addr HOST:PORT)", runServe},
		{"demo", "serve a demo installation built from the bundled examples", runDemo},
	}
	sort.Slice(commands, func(i, j int) bool { return commands[i].name < commands[j].name })
}

// Version is set at build time with -ldflags "-X rcmguard/internal/cli.Version=…".
var Version = "dev"

// Main runs the command line and returns the process exit status.
func Main(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	e := &env{stdin: stdin, stdout: stdout, stderr: stderr, now: time.Now}
	return e.main(args)
}

func (e *env) main(args []string) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		e.usage(e.stdout)
		if len(args) == 0 {
			return exitInvalid
		}
		return exitOK
	}
	if args[0] == "--version" {
		return runVersion(e, nil)
	}
	for _, c := range commands {
		if c.name == args[0] {
			return c.run(e, args[1:])
		}
	}
	fmt.Fprintf(e.stderr, "rcmguard: unknown command %q\n\n", args[0])
	e.usage(e.stderr)
	return exitInvalid
}

func (e *env) usage(w io.Writer) {
	fmt.Fprintln(w, "rcmguard — HIPAA security risk analysis for medical billing")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Usage: rcmguard COMMAND [flags] [args]")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Commands:")
	for _, c := range commands {
		fmt.Fprintf(w, "  %-10s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Run 'rcmguard COMMAND -h' for a command's flags.")
}

func runVersion(e *env, _ []string) int {
	fmt.Fprintf(e.stdout, "rcmguard %s\n", Version)
	return exitOK
}

// newFlagSet returns a flag set that reports errors on the command's stderr
// instead of exiting the process.
func (e *env) newFlagSet(name, usage string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		fmt.Fprintf(e.stderr, "Usage: rcmguard %s\n\nFlags:\n", usage)
		fs.PrintDefaults()
	}
	return fs
}

// parseFlags parses args and returns the exit status to use when parsing
// failed (or -h was given), with ok=false.
func (e *env) parseFlags(fs *flag.FlagSet, args []string) (ok bool, status int) {
	// Go's flag package stops at the first positional argument; users put
	// flags after file names ("assess ops.yaml --format json"), so move
	// positionals to the end before parsing.
	if err := fs.Parse(interleave(fs, args)); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return false, exitOK
		}
		return false, exitInvalid
	}
	return true, exitOK
}

// interleave reorders args so that flags come before positional arguments,
// keeping each flag's value with it.
func interleave(fs *flag.FlagSet, args []string) []string {
	var flags, pos []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			pos = append(pos, args[i+1:]...)
			break
		}
		if len(a) < 2 || a[0] != '-' {
			pos = append(pos, a)
			continue
		}
		flags = append(flags, a)
		name := strings.TrimLeft(a, "-")
		if strings.Contains(name, "=") {
			continue
		}
		f := fs.Lookup(name)
		if f == nil {
			continue
		}
		if bf, ok := f.Value.(interface{ IsBoolFlag() bool }); ok && bf.IsBoolFlag() {
			continue
		}
		if i+1 < len(args) {
			flags = append(flags, args[i+1])
			i++
		}
	}
	return append(flags, pos...)
}

// errorf prints a one-line error prefixed with the command name.
func (e *env) errorf(cmd, format string, args ...any) {
	fmt.Fprintf(e.stderr, "rcmguard %s: %s\n", cmd, fmt.Sprintf(format, args...))
}
