package cli

// runEDI is being built in its own change; until then the command says so.
func runEDI(e *env, args []string) int {
	e.errorf("edi", "this command is not available in this build yet")
	return exitInvalid
}
