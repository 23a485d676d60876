package cli

// runScan is being built in its own change; until then the command says so.
func runScan(e *env, args []string) int {
	e.errorf("scan", "this command is not available in this build yet")
	return exitInvalid
}
