package cli

// runProbe is being built in its own change; until then the command says so.
func runProbe(e *env, args []string) int {
	e.errorf("probe", "this command is not available in this build yet")
	return exitInvalid
}
