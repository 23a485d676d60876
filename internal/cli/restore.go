package cli

// runRestore is being built in its own change; until then the command says so.
func runRestore(e *env, args []string) int {
	e.errorf("restore", "this command is not available in this build yet")
	return exitInvalid
}
