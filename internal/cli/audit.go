package cli

// runAudit is being built in its own change; until then the command says so.
func runAudit(e *env, args []string) int {
	e.errorf("audit", "this command is not available in this build yet")
	return exitInvalid
}
