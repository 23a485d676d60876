package cli

import (
	"errors"
	"fmt"
	"io"
	"os"

	"rcmguard/internal/model"
)

func runMigrate(e *env, args []string) int {
	fs := e.newFlagSet("migrate", "migrate MODEL.yaml [-o OUT | --in-place]")
	out := fs.String("o", "", "write the migrated model to `OUT` instead of standard output")
	inPlace := fs.Bool("in-place", false, "rewrite MODEL.yaml itself")
	if ok, st := e.parseFlags(fs, args); !ok {
		return st
	}
	if fs.NArg() != 1 {
		e.errorf("migrate", "want exactly one model file")
		fs.Usage()
		return exitInvalid
	}
	if *out != "" && *inPlace {
		e.errorf("migrate", "use -o OUT or --in-place, not both")
		return exitInvalid
	}
	path := fs.Arg(0)
	mig, err := model.MigrateFile(path)
	if err != nil {
		var list model.ErrorList
		if errors.As(err, &list) {
			e.printModelErrors(list)
			fmt.Fprintf(e.stderr, "rcmguard migrate: %s is not a valid model (%d problem%s); nothing was written\n", path, len(list), plural(len(list)))
		} else {
			e.errorf("migrate", "%v; nothing was written", err)
		}
		return exitInvalid
	}
	target := *out
	if *inPlace {
		target = path
	}
	// The summary is for the person; on standard output it would be mixed
	// into the model.
	report := e.stdout
	if target == "" || target == "-" {
		report = e.stderr
	}
	summarise(report, path, mig)
	if *inPlace && !mig.Changed() {
		return exitOK
	}
	var mode os.FileMode
	if *inPlace {
		if fi, err := os.Stat(path); err == nil {
			mode = fi.Mode().Perm()
		}
	}
	if err := e.writeOutput(target, mig.Data); err != nil {
		e.errorf("migrate", "%v", err)
		return exitInvalid
	}
	if mode != 0 {
		// Rewriting a file in place keeps who may read it.
		if err := os.Chmod(path, mode); err != nil {
			e.errorf("migrate", "%v", err)
			return exitInvalid
		}
	}
	return exitOK
}

func summarise(w io.Writer, path string, mig *model.Migration) {
	if !mig.Changed() {
		fmt.Fprintf(w, "%s: already version %d; nothing to change\n", path, mig.To)
		return
	}
	if mig.From == mig.To {
		fmt.Fprintf(w, "%s: version %d, %d change%s:\n", path, mig.To, len(mig.Changes), plural(len(mig.Changes)))
	} else {
		fmt.Fprintf(w, "%s: version %d → %d, %d change%s:\n", path, mig.From, mig.To, len(mig.Changes), plural(len(mig.Changes)))
	}
	for _, s := range mig.Steps {
		fmt.Fprintf(w, "  %s\n", s)
	}
	for _, c := range mig.Changes {
		fmt.Fprintf(w, "  %s:%d:%d: %s: %s\n", path, c.Pos.Line, c.Pos.Col, c.Path, c.Msg)
	}
}
