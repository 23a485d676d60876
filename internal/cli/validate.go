package cli

import (
	"errors"
	"fmt"

	"rcmguard/internal/assess"
	"rcmguard/internal/model"
	"rcmguard/internal/rules"
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

// warnContradictions warns, at its line, of each thing the model declares
// that the rest of it contradicts; the model stays valid, and assess
// believes the rest of the model and raises each as a risk.
func (e *env) warnContradictions(path string, m *model.Model) {
	for _, c := range rules.Contradictions(m, e.now()) {
		w := model.Error{File: path, Pos: m.PosOf(c.Path), Path: c.Path, Msg: "warning: " + c.Label + " " + c.Msg}
		fmt.Fprintln(e.stderr, w.Error())
	}
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
		e.warnContradictions(p, m)
		fmt.Fprintf(e.stdout, "%s: valid (%d systems, %d data assets, %d flows, %d vendors, %d roles, %d workflow steps)\n",
			p, len(m.Systems), len(m.Data), len(m.Flows), len(m.Vendors), len(m.Roles), len(m.Workflow))
	}
	return status
}
