package cli

import (
	"errors"
	"fmt"

	"rcmguard/internal/assess"
	"rcmguard/internal/model"
)

// checkAnswers reports answers the catalog rejects (an unknown question, a
// required safeguard answered not_applicable, an addressable one answered no
// without its 164.306(d)(3) record), each at its line.
func (e *env) checkAnswers(cmd, path string, m *model.Model) bool {
	err := assess.CheckAnswers(m)
	if err == nil {
		return true
	}
	var list model.ErrorList
	if errors.As(err, &list) {
		e.printModelErrors(list)
		fmt.Fprintf(e.stderr, "rcmguard %s: %s is not a valid model (%d problem%s)\n", cmd, path, len(list), plural(len(list)))
	} else {
		e.errorf(cmd, "%v", err)
	}
	return false
}

func runValidate(e *env, args []string) int {
	fs := e.newFlagSet("validate", "validate MODEL.yaml...")
	if ok, st := e.parseFlags(fs, args); !ok {
		return st
	}
	if fs.NArg() == 0 {
		e.errorf("validate", "name at least one model file")
		fs.Usage()
		return exitInvalid
	}
	status := exitOK
	for _, p := range fs.Args() {
		m, ok := e.loadModel("validate", p)
		if ok {
			ok = e.checkAnswers("validate", p, m)
		}
		if !ok {
			status = exitInvalid
			continue
		}
		fmt.Fprintf(e.stdout, "%s: valid (%d systems, %d data assets, %d flows, %d vendors, %d roles, %d workflow steps)\n",
			p, len(m.Systems), len(m.Data), len(m.Flows), len(m.Vendors), len(m.Roles), len(m.Workflow))
	}
	return status
}
