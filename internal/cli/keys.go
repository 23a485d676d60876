package cli

// runKeys is being built in its own change; until then the command says so.
func runKeys(e *env, args []string) int {
	e.errorf("keys", "this command is not available in this build yet")
	return exitInvalid
}
