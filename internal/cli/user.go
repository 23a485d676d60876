package cli

// runUser is being built in its own change; until then the command says so.
func runUser(e *env, args []string) int {
	e.errorf("user", "this command is not available in this build yet")
	return exitInvalid
}
