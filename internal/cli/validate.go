package cli

import "fmt"

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
		if !ok {
			status = exitInvalid
			continue
		}
		fmt.Fprintf(e.stdout, "%s: valid (%d systems, %d data assets, %d flows, %d vendors, %d roles, %d workflow steps)\n",
			p, len(m.Systems), len(m.Data), len(m.Flows), len(m.Vendors), len(m.Roles), len(m.Workflow))
	}
	return status
}
