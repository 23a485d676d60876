package cli

import (
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"

	"rcmguard/examples"
)

func runInit(e *env, args []string) int {
	fs := e.newFlagSet("init", "init --template practice|billing-company PATH")
	tmpl := fs.String("template", "practice", "starter model: practice or billing-company")
	force := fs.Bool("force", false, "overwrite PATH if it exists")
	if ok, st := e.parseFlags(fs, args); !ok {
		return st
	}
	if fs.NArg() != 1 {
		e.errorf("init", "want exactly one output path")
		fs.Usage()
		return exitInvalid
	}
	name, ok := examples.Templates[*tmpl]
	if !ok {
		var names []string
		for k := range examples.Templates {
			names = append(names, k)
		}
		sort.Strings(names)
		e.errorf("init", "unknown --template %q (want %s)", *tmpl, strings.Join(names, " or "))
		return exitInvalid
	}
	data, err := examples.FS.ReadFile(name)
	if err != nil {
		e.errorf("init", "%v", err)
		return exitInvalid
	}
	path := fs.Arg(0)
	if !*force {
		if _, err := os.Stat(path); err == nil {
			e.errorf("init", "%s already exists; use --force to overwrite it", path)
			return exitInvalid
		} else if !errors.Is(err, os.ErrNotExist) {
			e.errorf("init", "%v", err)
			return exitInvalid
		}
	}
	if err := e.writeOutput(path, data); err != nil {
		e.errorf("init", "%v", err)
		return exitInvalid
	}
	fmt.Fprintf(e.stdout, "wrote %s from the %s template; edit it, then run: rcmguard validate %s && rcmguard assess %s\n", path, *tmpl, path, path)
	return exitOK
}
